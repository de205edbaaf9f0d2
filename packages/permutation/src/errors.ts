/**
 * Typed errors of `@descramble/permutation`. Every message follows one pattern:
 * `permutation: <function>: <what was wrong>`.
 *
 * The shared kinds (`DimensionMismatchError`, `NonFiniteInputError`, `InvalidArgumentError`) are
 * `@descramble/linalg`'s classes, thrown with {@link permutationScope}; they are re-exported here so
 * this package's API keeps their names. Only the errors particular to assignment are defined here.
 */

import { type ErrorScope, scopedErrorBase } from '@descramble/linalg';

export { DimensionMismatchError, InvalidArgumentError, NonFiniteInputError } from '@descramble/linalg';

/** The last argument of every shared error this package throws: messages read `permutation: ...`. */
export const permutationScope: ErrorScope = { scope: 'permutation' };

/** Base class of this package's errors: `instanceof PermutationError` holds for every error it throws. */
export const PermutationError = scopedErrorBase('permutation', 'PermutationError');
/** An error thrown by `@descramble/permutation`. */
export type PermutationError = InstanceType<typeof PermutationError>;

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
