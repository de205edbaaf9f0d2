/**
 * @descramble/nets: small sequential networks in Float64 (dense, 1-D/2-D convolution, batch
 * norm, flatten, activations), forward passes, streamed activation capture into Gram
 * accumulators, exact (signed) permutation reparametrisations, and seeded training; for any ONNX
 * graph run by ONNX Runtime: its linear layers, the channel groups that must move together,
 * permuted export and weight matching.
 */
export { applyActivation, multiplyByActivationDerivative } from './activations.js';
export {
  type ArchitectureSpec,
  type LayerSpec,
  modelFromTensors,
  modelToSpec,
  modelToTensors,
  type NamedTensor,
  parseArchitectureSpec,
  type TensorSource,
  type TensorToWrite,
} from './architecture.js';
export {
  type BiasMode,
  type CaptureInputs,
  type CaptureOptions,
  type CapturePoint,
  type CaptureProgress,
  type CaptureResult,
  capture,
  captureLayerIndex,
  DEFAULT_BIAS,
  type InputBlock,
} from './capture.js';
export {
  EmptyInputError,
  GraphMismatchError,
  InvalidArgumentError,
  InvalidPermutationError,
  MissingTensorError,
  NetsError,
  type NetsErrorContext,
  NonFiniteActivationError,
  NonFiniteGramError,
  NonFiniteValueError,
  NotOddActivationError,
  OptionalDependencyError,
  ShapeMismatchError,
  UnknownLayerError,
  UnsupportedOperatorError,
  type NetsFailure,
} from './errors.js';
export {
  type ChannelGroup,
  type ChannelGroupAnalysis,
  channelGroups,
  type GroupBlock,
  type GroupLayerSide,
  type GroupMember,
} from './graph/channel-groups.js';
export { compareGraphOutputs, type OutputComparison, type OutputDifference } from './graph/compare-outputs.js';
export { type GraphLayer, type GraphLayerOp, graphLayers, layerWeightMatrix } from './graph/graph-layers.js';
export { type GraphMatchOptions, type GraphMatchResult, matchGraphs } from './graph/match-graphs.js';
export { permuteGraph } from './graph/permute-graph.js';
export { applyLayer, type BatchInput, type ForwardOptions, forward, toBatch } from './forward.js';
export {
  type GradientFlowOptions,
  type GradientFlowReport,
  type GradientFlowResult,
  linearGradientFlow,
} from './gradient-flow.js';
export {
  ACTIVATIONS,
  type ActivationLayer,
  type ActivationName,
  activation,
  type BatchNormLayer,
  type BatchNormOptions,
  batchNorm,
  type Conv1dLayer,
  type Conv1dOptions,
  type Conv2dLayer,
  type Conv2dOptions,
  conv1d,
  conv2d,
  type DenseLayer,
  type DenseOptions,
  dense,
  type FlattenLayer,
  flatten,
  getLayer,
  isLinearLayer,
  isOddActivation,
  type Layer,
  type LayerReference,
  type LinearLayer,
  layerIndex,
  layerOutputShape,
  layerShapes,
  type SequentialModel,
  type SequentialOptions,
  sequential,
  type WeightInput,
} from './layers.js';
export { type GroupPlacement, groupGram, groupPlacements } from './graph/group-gram.js';
export {
  type BlockedGroup,
  GRAPH_TOLERANCE,
  type GraphLayerGram,
  type GraphLayerGramsOptions,
  type GraphSamples,
  capturedLayerGrams,
  groupWriters,
  isotropicGram,
  isotropicLayerGrams,
  type SameFunctionCheck,
} from './graph-models/graph-samples.js';
export {
  type MatchedGroup,
  type MatchGraphModelsOptions,
  type MatchGraphModelsResult,
  matchGraphModels,
} from './graph-models/match-graph-models.js';
export {
  type GraphModelStage,
  type GraphVerification,
  groupWeightRows,
  type PermutedGroup,
  type PermuteGraphModelOptions,
  type PermuteGraphModelResult,
  permuteGraphModel,
} from './graph-models/permute-graph-model.js';
export { interpolateGraphs } from './interpolation/interpolate-graphs.js';
export {
  type InterpolationPath,
  type InterpolationPathOptions,
  type InterpolationPoint,
  interpolationPath,
} from './interpolation/interpolation-path.js';
export { type ModelFromOnnxOptions, modelFromOnnx, modelToOnnx, readOnnxModel, writeOnnxModel } from './onnx.js';
export {
  type CapturedGram,
  type CaptureGramsOptions,
  type CaptureGramsResult,
  captureGrams,
} from './runtime/capture-grams.js';
export {
  asInputType,
  fitsInputShape,
  type GraphBlock,
  type GraphInputs,
  type GraphInputSpec,
  type GraphTensor,
  graphInputSpecs,
  inputSampleShapeText,
  validateBlock,
} from './runtime/graph-inputs.js';
export type { CaptureTarget } from './runtime/gram-graph.js';
export {
  loadOnnxRuntime,
  ONNX_RUNTIME_INSTRUCTIONS,
  type OnnxRuntime,
  type RuntimeSession,
  type RuntimeSessionOptions,
  type RuntimeTensor,
  type RuntimeTensorData,
  type RuntimeTensorType,
  valueShapes,
  withGraphOutputs,
} from './runtime/onnx-runtime.js';
export { type RunGraphOptions, runGraph } from './runtime/run-graph.js';
export {
  type PermuteOptions,
  permuteHiddenUnits,
  type ReparametrisationCheck,
  type SignedPermutation,
  signedPermutation,
  signedPermutationFromMatrix,
  verifyReparametrisation,
} from './reparametrise.js';
export { ARCHITECTURE_METADATA_KEY, readSafetensorsModel, writeSafetensorsModel } from './safetensors.js';
export {
  assertFinite,
  formatShape,
  maxAbsDifference,
  shapeSize,
  type Tensor,
  tensor,
  tensorFromMatrix,
  tensorToMatrix,
} from './tensor.js';
export {
  createMlp,
  type DenseGradient,
  type EpochReport,
  type Initialisation,
  type LossAndGradient,
  type MlpOptions,
  mlpLossAndGradient,
  type Optimizer,
  squaredLossOf,
  type TrainingData,
  type TrainOptions,
  type TrainResult,
  trainMlp,
} from './training.js';
