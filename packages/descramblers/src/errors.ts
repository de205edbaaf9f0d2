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

/**
 * A matrix the descrambler needs is exactly zero (an all-zero layer, all-zero data, or a zero
 * smoothness matrix): every P is then optimal and no number would mean anything.
 */
export class ZeroMatrixError extends DescramblerError {
  override readonly name = 'ZeroMatrixError';

  constructor(
    operation: string,
    /** Which matrix, e.g. `'gram'`. */
    readonly what: string,
    detail: string,
  ) {
    super(operation, `${what}: is the zero matrix (${detail}); every P is optimal, so there is nothing to descramble`);
  }
}

/**
 * A Gram matrix (positive semidefinite by construction) has an eigenvalue below minus its
 * roundoff bound: it was not formed as `S S^T`, or it was corrupted.
 */
export class NotPositiveSemidefiniteError extends DescramblerError {
  override readonly name = 'NotPositiveSemidefiniteError';

  constructor(
    operation: string,
    /** Position of the eigenvalue in descending order. */
    readonly index: number,
    readonly eigenvalue: number,
    /** The roundoff bound it was compared against. */
    readonly roundoff: number,
  ) {
    super(operation, `gram: eigenvalue ${index} is ${eigenvalue}, below -${roundoff} (the roundoff bound), so the matrix is not a Gram matrix S S^T`);
  }
}
