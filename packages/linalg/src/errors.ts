/**
 * Typed errors of `@descramble/linalg`. Every message follows one pattern:
 * `linalg: <function>: <what was wrong>`.
 */

/** Base class of every error thrown by this package. */
export class LinalgError extends Error {
  override readonly name: string = 'LinalgError';
  /** The public function that rejected its input or failed. */
  readonly operation: string;

  constructor(operation: string, detail: string) {
    super(`linalg: ${operation}: ${detail}`);
    this.operation = operation;
  }
}

/** A size or shape did not match what the operation needs (including zero dimensions). */
export class DimensionMismatchError extends LinalgError {
  override readonly name = 'DimensionMismatchError';
  /** What was expected, e.g. `"square matrix"`, `"80"`, `"rows = 256"`. */
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
export class NonFiniteInputError extends LinalgError {
  override readonly name = 'NonFiniteInputError';
  /** Where the first non-finite value sits, e.g. `"a[3, 7]"`. */
  readonly location: string;
  /** The offending value. */
  readonly value: number;

  constructor(operation: string, location: string, value: number) {
    super(operation, `non-finite value ${value} at ${location}`);
    this.location = location;
    this.value = value;
  }
}

/** A matrix that must be symmetric is not, beyond the tolerance. */
export class NotSymmetricError extends LinalgError {
  override readonly name = 'NotSymmetricError';
  /** max |a_ij - a_ji| found. */
  readonly asymmetry: number;
  /** The tolerance it was compared against (absolute). */
  readonly tolerance: number;
  /** Where the largest asymmetry sits, e.g. `"a[2, 5]"`. */
  readonly location: string;

  constructor(operation: string, asymmetry: number, tolerance: number, location: string) {
    super(
      operation,
      `matrix is not symmetric: |a_ij - a_ji| = ${asymmetry} at ${location} exceeds tolerance ${tolerance}`,
    );
    this.asymmetry = asymmetry;
    this.tolerance = tolerance;
    this.location = location;
  }
}

/** An iterative algorithm did not converge within its iteration budget. */
export class ConvergenceError extends LinalgError {
  override readonly name = 'ConvergenceError';
  /** Iterations performed before giving up. */
  readonly iterations: number;

  constructor(operation: string, iterations: number, detail = 'did not converge') {
    super(operation, `${detail} after ${iterations} iterations`);
    this.iterations = iterations;
  }
}

/** An argument is invalid for a reason other than shape or finiteness (e.g. an unknown kind). */
export class InvalidArgumentError extends LinalgError {
  override readonly name = 'InvalidArgumentError';
  /** The argument's name. */
  readonly argument: string;

  constructor(operation: string, argument: string, detail: string) {
    super(operation, `${argument}: ${detail}`);
    this.argument = argument;
  }
}

/** A matrix that must be invertible is singular to working precision. */
export class SingularMatrixError extends LinalgError {
  override readonly name = 'SingularMatrixError';
  /** Index of the pivot that vanished. */
  readonly pivot: number;

  constructor(operation: string, what: string, pivot: number) {
    super(operation, `${what} is singular to working precision (pivot ${pivot})`);
    this.pivot = pivot;
  }
}

/** Serialized bytes are not in the expected format. */
export class FormatError extends LinalgError {
  override readonly name = 'FormatError';
  /** Byte offset where the problem was found. */
  readonly offset: number;

  constructor(operation: string, offset: number, detail: string) {
    super(operation, `${detail} (at byte ${offset})`);
    this.offset = offset;
  }
}
