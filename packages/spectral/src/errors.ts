/**
 * Typed errors of `@descramble/spectral`. Every message follows one pattern:
 * `spectral: <function>: <what was wrong>`.
 *
 * The shared kinds (`DimensionMismatchError`, `NonFiniteInputError`, `InvalidArgumentError`) are
 * `@descramble/core`'s classes, thrown with {@link spectralScope}; they are re-exported here so
 * this package's API keeps their names. Only the errors particular to spectra are defined here.
 */

import {
  type DimensionMismatchError,
  type ErrorContext,
  hasErrorMarker,
  type InvalidArgumentError,
  markErrorClass,
  type NonFiniteInputError,
  scopedErrorBase,
} from '@descramble/core';

export { DimensionMismatchError, InvalidArgumentError, NonFiniteInputError } from '@descramble/core';

/** The scope of every shared error this package throws: messages read `spectral: ...`. */
export const spectralScope = { scope: 'spectral' } as const;

/** Base class of this package's errors: `SpectralError.isInstance(e)` holds for every error it throws, shared kinds included. */
export const SpectralError = scopedErrorBase('spectral', 'SpectralError');
/** An error thrown by `@descramble/spectral`. */
export type SpectralError = InstanceType<typeof SpectralError>;

/** What every constructor of this package's errors takes besides its own facts: the function, and optionally the cause. */
export type SpectralErrorContext = Omit<ErrorContext, 'scope'>;

/**
 * The input is well-formed but the requested measure is undefined on it: a spectrum with
 * no energy, a constant vector that cannot be rescaled to [-1, 1], a zero matrix.
 * Thrown instead of returning NaN.
 */
export class DegenerateInputError extends SpectralError {
  override readonly name = 'DegenerateInputError';
  override readonly kind = 'DegenerateInput' as const;
  /** Why the measure is undefined, e.g. `"total energy is zero"`. */
  readonly reason: string;

  static {
    markErrorClass(DegenerateInputError, 'DegenerateInputError');
  }

  constructor(options: SpectralErrorContext & { readonly reason: string }) {
    const { reason } = options;
    super({ ...options, detail: { reason } });
    this.reason = reason;
  }

  static override isInstance(value: unknown): value is DegenerateInputError {
    return hasErrorMarker(value, 'DegenerateInputError');
  }
}

/** Every failure `@descramble/spectral` reports, discriminated by `kind`. */
export type SpectralFailure = DimensionMismatchError | NonFiniteInputError | InvalidArgumentError | DegenerateInputError;
