export {
  DIPOLAR_CONSTANT_FREE_ELECTRON,
  DIPOLAR_CONSTANT_G2,
  FREE_ELECTRON_G,
  dipolarKernel,
  dipolarKernelMatrix,
  dipolarKernelOfPhase,
} from './deer/dipolar-kernel.js';
export { fresnel, type FresnelPair } from './deer/fresnel.js';
export { distanceRange, linspace, type DistanceRange } from './deer/grids.js';
export { background, deerSignal, formFactor, type DeerSignalParameters } from './deer/signal.js';
export { erf, normalCdf } from './deer/special-functions.js';
export {
  deerBatches,
  deerDatasetSpec,
  distanceDistribution,
  generateDeerBatch,
  type DeerBatch,
  type DeerDatasetOptions,
  type DeerDatasetSpec,
  type DeerTraceParameters,
  type DeerVariant,
  type RandomSource,
  type TargetScaling,
} from './deer/training-set.js';
export { DEERNET_HELD_OUT_SEED, DEERNET_HELD_OUT_TRACES } from './deernet/deernet-constants.js';
export { type DeerNetQuality, deerNetQuality } from './deernet/deernet-quality.js';
export {
  type DeerNet,
  type DeerNetCard,
  type DeerNetErrorSummary,
  decodeBase64,
  loadDeerNet,
} from './deernet/load-deernet.js';
export {
  type BandpassData,
  type BandpassOptions,
  type BandpassParameters,
  bandpass,
  bandpassChecks,
  bandpassFigures,
  computeBandpass,
} from './experiments/bandpass.js';
export {
  type ConvolutionData,
  type ConvolutionOptions,
  type ConvolutionParameters,
  computeConvolution,
  convolution,
  convolutionChecks,
  convolutionFigures,
} from './experiments/convolution.js';
export {
  computeDeerNet,
  type DeerNetExperimentData,
  type DeerNetExperimentOptions,
  type DeerNetExperimentParameters,
  deernet,
  deernetChecks,
  deernetFigures,
  type SpectrumGrid,
  type StrategyDescrambling,
  type StrategyRow,
} from './experiments/deernet.js';
export {
  check,
  EXPERIMENT_NAMES,
  type ExperimentCheck,
  type ExperimentFigure,
  type ExperimentName,
  type ExperimentResult,
  formatNumber,
  type MatrixData,
} from './experiments/experiment.js';
export {
  computeIsotropic,
  type IsotropicData,
  type IsotropicOptions,
  type IsotropicParameters,
  isotropic,
  isotropicChecks,
  isotropicFigures,
} from './experiments/isotropic.js';
export {
  computeLinearNetwork,
  type ForwardOperatorKind,
  type LinearNetworkData,
  type LinearNetworkOptions,
  type LinearNetworkParameters,
  linearNetwork,
  linearNetworkChecks,
  linearNetworkFigures,
  modeStrength,
  type SignalRecoveryRun,
} from './experiments/linear-network.js';
export { type ExperimentOptions, runExperiment } from './experiments/run.js';
export { ExperimentsError, type ExperimentsFailure, experimentsScope, InvalidArgumentError, MalformedModelError } from './errors.js';
