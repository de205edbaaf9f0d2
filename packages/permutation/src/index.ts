/**
 * @descramble/permutation: permutation descramblers. Exact linear assignment, quadratic
 * assignment solvers with lower bounds, channel descrambling of dense and convolutional
 * layers with exact reparametrisations, and weight matching of two networks.
 */
export {
  type ChannelDescramblingOptions,
  type ChannelDescramblingResult,
  channelGram,
  descrambleChannels,
  smoothnessMatrix,
  unitGram,
} from './channel-descrambling.js';
export {
  DimensionMismatchError,
  InfeasibleAssignmentError,
  InvalidArgumentError,
  NonFiniteInputError,
  PermutationError,
  type PermutationErrorContext,
  type PermutationFailure,
} from './errors.js';
export {
  type LinearAssignmentOptions,
  type LinearAssignmentResult,
  solveLinearAssignment,
} from './linear-assignment.js';
export {
  type BatchNorm,
  type ConvLayer,
  type DenseLayer,
  permuteBatchNorm,
  permuteConvInputs,
  permuteConvLayer,
  permuteDenseInputs,
  permuteDenseLayer,
  permuteFlattenedInputs,
  permuteVector,
} from './permute-layers.js';
export { assertPermutation, composePermutations, invertPermutation } from './permutations.js';
export { type QaplibInstance, type QaplibSolution, readQaplib, readQaplibSolution } from './qaplib.js';
export {
  eigenvalueBound,
  gilmoreLawlerBound,
  type QuadraticAssignmentBound,
  type QuadraticAssignmentMethod,
  type QuadraticAssignmentOptions,
  type QuadraticAssignmentResult,
  quadraticAssignmentValue,
  solveQuadraticAssignment,
} from './quadratic-assignment.js';
export { checkTensor, shapeSize, type Tensor, tensor } from './tensor.js';
export {
  type Cnn,
  type CnnConvLayer,
  matchCnnWeights,
  matchMlpWeights,
  type WeightMatchingOptions,
  type WeightMatchingResult,
} from './weight-matching.js';
