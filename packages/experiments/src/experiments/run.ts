import { type BandpassOptions, bandpass } from './bandpass.js';
import { type ConvolutionOptions, convolution } from './convolution.js';
import { type DeerNetExperimentOptions, deernet } from './deernet.js';
import { EXPERIMENT_NAMES, type ExperimentName, type ExperimentResult } from './experiment.js';
import { type IsotropicOptions, isotropic } from './isotropic.js';
import { type LinearNetworkOptions, linearNetwork } from './linear-network.js';
import { experimentsScope, InvalidArgumentError } from '../errors.js';

/** Options of each experiment, by name. */
export interface ExperimentOptions {
  readonly isotropic?: IsotropicOptions;
  readonly linearNetwork?: LinearNetworkOptions;
  readonly convolution?: ConvolutionOptions;
  readonly bandpass?: BandpassOptions;
  readonly deernet?: DeerNetExperimentOptions;
  /** Aborts every experiment (overrides a `signal` in the per-experiment options). */
  readonly signal?: AbortSignal;
}

/** Runs one experiment by name. */
export function runExperiment(name: ExperimentName, options: ExperimentOptions = {}): ExperimentResult<unknown> {
  const { signal } = options;
  signal?.throwIfAborted();
  const withSignal = <T extends object>(o: T | undefined): T => (signal === undefined ? (o ?? ({} as T)) : { ...o, signal } as T);
  switch (name) {
    case 'isotropic':
      return isotropic(withSignal(options.isotropic));
    case 'linearNetwork':
      return linearNetwork(withSignal(options.linearNetwork));
    case 'convolution':
      return convolution(withSignal(options.convolution));
    case 'bandpass':
      return bandpass(withSignal(options.bandpass));
    case 'deernet':
      return deernet(withSignal(options.deernet));
    default:
      throw new InvalidArgumentError({ operation: 'runExperiment', argument: 'name', what: `unknown experiment ${JSON.stringify(name)}; expected one of ${EXPERIMENT_NAMES.join(', ')}`, ...experimentsScope });
  }
}
