/**
 * Typed errors of `@descramble/permutation`. Every message follows one pattern:
 * `permutation: <function>: <what was wrong>`.
 */

/** Base class of every error thrown by this package. */
export class PermutationError extends Error {
  override readonly name: string = 'PermutationError';
  /** The public function that rejected its input or failed. */
  readonly operation: string;

  constructor(operation: string, detail: string) {
    super(`permutation: ${operation}: ${detail}`);
    this.operation = operation;
  }
}

/** A size or shape did not match what the operation needs (including zero dimensions). */
export class DimensionMismatchError extends PermutationError {
  override readonly name = 'DimensionMismatchError';
  /** What was expected, e.g. `"square matrix"`, `"[16, 8, 3, 3]"`. */
  readonly expected: string;
  /** What was received, e.g. `"3 x 4"`. */
  readonly actual: string;

  constructor(operation: string, what: string, expected: string | number, actual: string | number) {
    super(operation, `${what}: expected ${expected}, got ${actual}`);
    this.expected = String(expected);
    this.actual = String(actual);
  }
}

/** An input contained NaN, or an infinity that the operation cannot give a meaning to. */
export class NonFiniteInputError extends PermutationError {
  override readonly name = 'NonFiniteInputError';
  /** Where the first offending value sits, e.g. `"cost[3, 7]"`. */
  readonly location: string;
  /** The offending value. */
  readonly value: number;

  constructor(operation: string, location: string, value: number) {
    super(operation, `non-finite value ${value} at ${location}`);
    this.location = location;
    this.value = value;
  }
}

/** No assignment avoids the forbidden (infinite-cost) pairs. */
export class InfeasibleAssignmentError extends PermutationError {
  override readonly name = 'InfeasibleAssignmentError';
  /** Whether {@link index} counts rows or columns of the problem as given. */
  readonly axis: 'row' | 'column';
  /** The row (or column) that could not be assigned. */
  readonly index: number;

  constructor(operation: string, axis: 'row' | 'column', index: number) {
    super(operation, `infeasible: ${axis} ${index} cannot be assigned without a forbidden (infinite-cost) pair`);
    this.axis = axis;
    this.index = index;
  }
}

/** An argument is invalid for a reason other than shape or finiteness (e.g. not a permutation). */
export class InvalidArgumentError extends PermutationError {
  override readonly name = 'InvalidArgumentError';
  /** The argument's name. */
  readonly argument: string;

  constructor(operation: string, argument: string, detail: string) {
    super(operation, `${argument}: ${detail}`);
    this.argument = argument;
  }
}
