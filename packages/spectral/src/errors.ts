/**
 * Typed errors of `@descramble/spectral`. Every message follows one pattern:
 * `spectral: <function>: <what was wrong>`.
 *
 * The classes mirror `@descramble/linalg`'s (same names, same fields) so callers can
 * handle both packages alike; they are distinct classes because the message prefix names
 * the package that rejected the input.
 */

/** Base class of every error thrown by this package. */
export class SpectralError extends Error {
  override readonly name: string = 'SpectralError';
  /** The public function that rejected its input or failed. */
  readonly operation: string;

  constructor(operation: string, detail: string) {
    super(`spectral: ${operation}: ${detail}`);
    this.operation = operation;
  }
}

/** A size or shape did not match what the operation needs (including empty inputs). */
export class DimensionMismatchError extends SpectralError {
  override readonly name = 'DimensionMismatchError';
  /** What was expected, e.g. `"80 x 256"`, `"a positive integer"`. */
  readonly expected: string;
  /** What was received. */
  readonly actual: string;

  constructor(operation: string, what: string, expected: string | number, actual: string | number) {
    super(operation, `${what}: expected ${expected}, got ${actual}`);
    this.expected = String(expected);
    this.actual = String(actual);
  }
}

/** An input contained NaN or +-Infinity. */
export class NonFiniteInputError extends SpectralError {
  override readonly name = 'NonFiniteInputError';
  /** Where the first non-finite value sits, e.g. `"w[3, 7]"`. */
  readonly location: string;
  /** The offending value. */
  readonly value: number;

  constructor(operation: string, location: string, value: number) {
    super(operation, `non-finite value ${value} at ${location}`);
    this.location = location;
    this.value = value;
  }
}

/** An argument is invalid for a reason other than shape or finiteness (a band outside the axis, an unknown grid). */
export class InvalidArgumentError extends SpectralError {
  override readonly name = 'InvalidArgumentError';
  /** The argument's name. */
  readonly argument: string;

  constructor(operation: string, argument: string, detail: string) {
    super(operation, `${argument}: ${detail}`);
    this.argument = argument;
  }
}

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
