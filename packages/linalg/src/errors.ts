/**
 * The errors of `@descramble/linalg`. The base and the shared kinds live in `@descramble/core`
 * (so packages that must not depend on linalg throw the same classes); they are re-exported here
 * so this package's API keeps their names. Messages read `linalg: <function>: <what was wrong>`.
 */

import { type SharedFailure, scopedErrorBase } from '@descramble/core';

export {
  ConvergenceError,
  DescrambleError,
  DimensionMismatchError,
  EmptyGramError,
  type ErrorContext,
  FormatError,
  GramOverflowError,
  InvalidArgumentError,
  NonFiniteInputError,
  NotSymmetricError,
  type ScopedErrorClass,
  SingularMatrixError,
  scopedErrorBase,
} from '@descramble/core';

/** The scope of every error this package throws: messages read `linalg: ...`. */
export const linalgScope = { scope: 'linalg' } as const;

/** Base class of `@descramble/linalg`'s errors: `LinalgError.isInstance(e)` holds for every error with scope `linalg`. */
export const LinalgError = scopedErrorBase('linalg', 'LinalgError');
/** An error thrown by `@descramble/linalg`. */
export type LinalgError = InstanceType<typeof LinalgError>;

/** Every failure `@descramble/linalg` reports, discriminated by `kind`: exactly core's shared kinds. */
export type LinalgFailure = SharedFailure;
