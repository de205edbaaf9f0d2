export {
  DescramblerError,
  type DescramblerErrorContext,
  DimensionMismatchError,
  EmptyDataError,
  InvalidArgumentError,
  NonFiniteInputError,
  NotPositiveSemidefiniteError,
  NotSymmetricError,
  ZeroMatrixError,
  type DescramblersFailure,
} from './errors.js';
export {
  rescaleSpectral,
  type SmoothnessOperator,
  smoothnessCriterion,
  smoothnessMatrix,
} from './smoothness.js';
export {
  type EigenvalueUncertainty,
  ROUNDOFF_FACTOR,
  relativeEigenvalueRoundoff,
  type TieGroup,
  type TieReason,
} from './spectrum.js';
export {
  type DescramblerGroup,
  type DescramblerWarning,
  type Eigengaps,
  type ExactDescrambler,
  exactDescrambler,
  type SmoothnessOptions,
  tieFamilyMember,
} from './exact-descrambler.js';
export { type DescramblerDistanceOptions, descramblerDistance } from './descrambler-distance.js';
export {
  accumulateLayerGram,
  accumulateLayerGramAsync,
  type LayerData,
  type LayerDataStream,
  type LayerGramOptions,
  type RowBlock,
} from './layer-gram.js';
export {
  type IterativeDescrambler,
  type IterativeDescramblerOptions,
  iterativeDescrambler,
  type StrategyStart,
} from './iterative-descrambler.js';
export {
  type DescrambleLayerInput,
  descrambleLayer,
  descrambleLayerAsync,
  type LayerDescrambler,
} from './descramble-layer.js';
export {
  type IsotropicDescrambler,
  isotropicDescrambler,
  type LargeDataOptions,
  largeDataDescrambler,
  type WeightDescrambler,
} from './theorems.js';
export {
  type DiagonalNormSquare,
  type DiagonalNormSquareDescrambler,
  type DiagonalSumDescrambler,
  type MaxDiagonalNormSquareOptions,
  maxDiagonalNormSquare,
  diagonalNormSquareCriterion,
  diagonalSumCriterion,
  maxDiagonalSum,
} from './diagonal-criteria.js';
export {
  type CompareStrategiesInput,
  compareStrategies,
  type StrategyComparison,
  type StrategyName,
  type StrategyResult,
} from './compare-strategies.js';
export {
  type BiasInData,
  type ChosenDescrambler,
  type DescribedLayer,
  descramble,
  type LayerIdentity,
  type LayerReport,
  layerReport,
  type ReportedDescrambler,
  type SpectralSummary,
  spectralSummary,
} from './layer-report.js';
