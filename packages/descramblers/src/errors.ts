/**
 * Typed errors of `@descramble/descramblers`. Every message follows one pattern:
 * `descramblers: <function>: <what was wrong>`.
 */

/** Base class of every error thrown by this package. */
export class DescramblerError extends Error {
  override readonly name: string = 'DescramblerError';
  /** The public function that rejected its input or failed. */
  readonly operation: string;

  constructor(operation: string, detail: string) {
    super(`descramblers: ${operation}: ${detail}`);
    this.operation = operation;
  }
}

/** A size or shape did not match what the operation needs (including zero dimensions). */
export class DimensionMismatchError extends DescramblerError {
  override readonly name = 'DimensionMismatchError';
  /** What was expected, e.g. `"square matrix"`, `"columns = 256"`. */
  readonly expected: string;
  /** What was received, e.g. `"3 x 4"`. */
  readonly actual: string;

  constructor(operation: string, what: string, expected: string | number, actual: string | number) {
    super(operation, `${what}: expected ${expected}, got ${actual}`);
    this.expected = String(expected);
    this.actual = String(actual);
  }
}

/** An input contained NaN or +-Infinity. */
export class NonFiniteInputError extends DescramblerError {
  override readonly name = 'NonFiniteInputError';
  /** Where the first non-finite value sits, e.g. `"data block 3[17, 4]"`. */
  readonly location: string;
  /** The offending value. */
  readonly value: number;

  constructor(operation: string, location: string, value: number) {
    super(operation, `non-finite value ${value} at ${location}`);
    this.location = location;
    this.value = value;
  }
}

/** A matrix that must be symmetric (A, B, a second moment) is not, beyond the tolerance. */
export class NotSymmetricError extends DescramblerError {
  override readonly name = 'NotSymmetricError';
  /** Which argument, e.g. `"gram"`. */
  readonly argument: string;
  /** max |a_ij - a_ji| found. */
  readonly asymmetry: number;
  /** The absolute tolerance it was compared against. */
  readonly tolerance: number;

  constructor(operation: string, argument: string, asymmetry: number, tolerance: number) {
    super(operation, `${argument} is not symmetric: max |a_ij - a_ji| = ${asymmetry} exceeds ${tolerance}`);
    this.argument = argument;
    this.asymmetry = asymmetry;
    this.tolerance = tolerance;
  }
}

/** The data stream held no samples, so there is no Gram matrix to descramble. */
export class EmptyDataError extends DescramblerError {
  override readonly name = 'EmptyDataError';

  constructor(operation: string) {
    super(operation, 'data: expected at least one sample (row), got none');
  }
}

/** An argument is invalid for a reason other than shape or finiteness (e.g. an unknown option). */
export class InvalidArgumentError extends DescramblerError {
  override readonly name = 'InvalidArgumentError';
  /** The argument's name. */
  readonly argument: string;

  constructor(operation: string, argument: string, detail: string) {
    super(operation, `${argument}: ${detail}`);
    this.argument = argument;
  }
}
