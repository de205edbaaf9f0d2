/**
 * Typed errors of `@descramble/spectral`. Every message follows one pattern:
 * `spectral: <function>: <what was wrong>`.
 *
 * The shared kinds (`DimensionMismatchError`, `NonFiniteInputError`, `InvalidArgumentError`) are
 * `@descramble/linalg`'s classes, thrown with {@link spectralScope}; they are re-exported here so
 * this package's API keeps their names. Only the errors particular to spectra are defined here.
 */

import { type ErrorScope, scopedErrorBase } from '@descramble/linalg';

export { DimensionMismatchError, InvalidArgumentError, NonFiniteInputError } from '@descramble/linalg';

/** The last argument of every shared error this package throws: messages read `spectral: ...`. */
export const spectralScope: ErrorScope = { scope: 'spectral' };

/** Base class of this package's errors: `instanceof SpectralError` holds for every error it throws. */
export const SpectralError = scopedErrorBase('spectral', 'SpectralError');
/** An error thrown by `@descramble/spectral`. */
export type SpectralError = InstanceType<typeof SpectralError>;

/**
 * The input is well-formed but the requested measure is undefined on it: a spectrum with
 * no energy, a constant vector that cannot be rescaled to [-1, 1], a zero matrix.
 * Thrown instead of returning NaN.
 */
export class DegenerateInputError extends SpectralError {
  override readonly name = 'DegenerateInputError';
  /** Why the measure is undefined, e.g. `"total energy is zero"`. */
  readonly reason: string;

  constructor(operation: string, reason: string) {
    super(operation, reason);
    this.reason = reason;
  }
}
