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
  bandpass,
} from './experiments/bandpass.js';
export {
  type ConvolutionData,
  type ConvolutionOptions,
  convolution,
} from './experiments/convolution.js';
export {
  type DeerNetExperimentData,
  type DeerNetExperimentOptions,
  deernet,
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
} from './experiments/experiment.js';
export { type IsotropicData, type IsotropicOptions, isotropic } from './experiments/isotropic.js';
export {
  type ForwardOperatorKind,
  type LinearNetworkData,
  type LinearNetworkOptions,
  linearNetwork,
  modeStrength,
  type SignalRecoveryRun,
} from './experiments/linear-network.js';
export { type ExperimentOptions, runExperiment } from './experiments/run.js';
export { ExperimentsError, type ExperimentsFailure, experimentsScope, InvalidArgumentError, MalformedModelError } from './errors.js';
