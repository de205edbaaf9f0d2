/**
 * Typed errors of `@descramble/descramblers`. Every message follows one pattern:
 * `descramblers: <function>: <what was wrong>`.
 *
 * The shared kinds (`DimensionMismatchError`, `NonFiniteInputError`, `NotSymmetricError`,
 * `InvalidArgumentError`) are `@descramble/linalg`'s classes, thrown with {@link descramblersScope};
 * they are re-exported here so this package's API keeps their names.
 */

import { type ErrorScope, scopedErrorBase } from '@descramble/linalg';

export {
  DimensionMismatchError,
  InvalidArgumentError,
  NonFiniteInputError,
  NotSymmetricError,
} from '@descramble/linalg';

/** The last argument of every shared error this package throws: messages read `descramblers: ...`. */
export const descramblersScope: ErrorScope = { scope: 'descramblers' };

/** Base class of this package's errors: `instanceof DescramblerError` holds for every error it throws. */
export const DescramblerError = scopedErrorBase('descramblers', 'DescramblerError');
/** An error thrown by `@descramble/descramblers`. */
export type DescramblerError = InstanceType<typeof DescramblerError>;

/** The data stream held no samples, so there is no Gram matrix to descramble. */
export class EmptyDataError extends DescramblerError {
  override readonly name = 'EmptyDataError';

  constructor(operation: string) {
    super(operation, 'data: expected at least one sample (row), got none');
  }
}
