/**
 * Typed errors of `@descramble/permutation`. Every message follows one pattern:
 * `permutation: <function>: <what was wrong>`.
 *
 * The shared kinds (`DimensionMismatchError`, `NonFiniteInputError`, `InvalidArgumentError`) are
 * `@descramble/core`'s classes, thrown with {@link permutationScope}; they are re-exported here so
 * this package's API keeps their names. Only the errors particular to assignment are defined here.
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

/** The scope of every shared error this package throws: messages read `permutation: ...`. */
export const permutationScope = { scope: 'permutation' } as const;

/** Base class of this package's errors: `PermutationError.isInstance(e)` holds for every error it throws, shared kinds included. */
export const PermutationError = scopedErrorBase('permutation', 'PermutationError');
/** An error thrown by `@descramble/permutation`. */
export type PermutationError = InstanceType<typeof PermutationError>;

/** What every constructor of this package's errors takes besides its own facts: the function, and optionally the cause. */
export type PermutationErrorContext = Omit<ErrorContext, 'scope'>;

/** No assignment avoids the forbidden (infinite-cost) pairs. */
export class InfeasibleAssignmentError extends PermutationError {
  override readonly name = 'InfeasibleAssignmentError';
  override readonly kind = 'InfeasibleAssignment' as const;
  /** Whether {@link index} counts rows or columns of the problem as given. */
  readonly axis: 'row' | 'column';
  /** The row (or column) that could not be assigned. */
  readonly index: number;

  static {
    markErrorClass(InfeasibleAssignmentError, 'InfeasibleAssignmentError');
  }

  constructor(options: PermutationErrorContext & { readonly axis: 'row' | 'column'; readonly index: number }) {
    const { axis, index } = options;
    super({
      ...options,
      reason: `infeasible: ${axis} ${index} cannot be assigned without a forbidden (infinite-cost) pair`,
      detail: { axis, index },
    });
    this.axis = axis;
    this.index = index;
  }

  static override isInstance(value: unknown): value is InfeasibleAssignmentError {
    return hasErrorMarker(value, 'InfeasibleAssignmentError');
  }
}

/** Every failure `@descramble/permutation` reports, discriminated by `kind`. */
export type PermutationFailure = DimensionMismatchError | NonFiniteInputError | InvalidArgumentError | InfeasibleAssignmentError;
