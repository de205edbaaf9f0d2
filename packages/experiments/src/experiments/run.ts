import { type BandpassOptions, bandpass } from './bandpass.js';
import { type ConvolutionOptions, convolution } from './convolution.js';
import { type DeerNetExperimentOptions, deernet } from './deernet.js';
import { EXPERIMENT_NAMES, type ExperimentName, type ExperimentResult } from './experiment.js';
import { type IsotropicOptions, isotropic } from './isotropic.js';
import { type LinearNetworkOptions, linearNetwork } from './linear-network.js';
import { InvalidArgumentError } from '../errors.js';

/** Options of each experiment, by name. */
export interface ExperimentOptions {
  readonly isotropic?: IsotropicOptions;
  readonly linearNetwork?: LinearNetworkOptions;
  readonly convolution?: ConvolutionOptions;
  readonly bandpass?: BandpassOptions;
  readonly deernet?: DeerNetExperimentOptions;
}

/** Runs one experiment by name. */
export function runExperiment(name: ExperimentName, options: ExperimentOptions = {}): ExperimentResult<unknown> {
  switch (name) {
    case 'isotropic':
      return isotropic(options.isotropic);
    case 'linearNetwork':
      return linearNetwork(options.linearNetwork);
    case 'convolution':
      return convolution(options.convolution);
    case 'bandpass':
      return bandpass(options.bandpass);
    case 'deernet':
      return deernet(options.deernet);
    default:
      throw new InvalidArgumentError('runExperiment', 'name', `unknown experiment ${JSON.stringify(name)}; expected one of ${EXPERIMENT_NAMES.join(', ')}`);
  }
}
