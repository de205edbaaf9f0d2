/**
 * Typed errors of `@descramble/descramblers`. Every message follows one pattern:
 * `descramblers: <function>: <what was wrong>`.
 *
 * The shared kinds (`DimensionMismatchError`, `NonFiniteInputError`, `NotSymmetricError`,
 * `InvalidArgumentError`) are `@descramble/core`'s classes, thrown with {@link descramblersScope};
 * they are re-exported here so this package's API keeps their names.
 */

import {
  type DimensionMismatchError,
  hasErrorMarker,
  type InvalidArgumentError,
  markErrorClass,
  type NonFiniteInputError,
  type NotSymmetricError,
  scopedErrorBase,
} from '@descramble/core';

export {
  DimensionMismatchError,
  InvalidArgumentError,
  NonFiniteInputError,
  NotSymmetricError,
} from '@descramble/core';

/** The scope of every shared error this package throws: messages read `descramblers: ...`. */
export const descramblersScope = { scope: 'descramblers' } as const;

/** Base class of this package's errors: `DescramblerError.isInstance(e)` holds for every error it throws, shared kinds included. */
export const DescramblerError = scopedErrorBase('descramblers', 'DescramblerError');
/** An error thrown by `@descramble/descramblers`. */
export type DescramblerError = InstanceType<typeof DescramblerError>;

/** The data stream held no samples, so there is no Gram matrix to descramble. */
export class EmptyDataError extends DescramblerError {
  override readonly name = 'EmptyDataError';
  override readonly kind = 'EmptyData' as const;

  static {
    markErrorClass(EmptyDataError, 'EmptyDataError');
  }

  constructor(operation: string) {
    super({ operation, reason: 'data: expected at least one sample (row), got none', detail: { samples: 0 } });
  }

  static override isInstance(value: unknown): value is EmptyDataError {
    return hasErrorMarker(value, 'EmptyDataError');
  }
}

/**
 * A matrix the descrambler needs is exactly zero (an all-zero layer, all-zero data, or a zero
 * smoothness matrix): every P is then optimal and no number would mean anything.
 */
export class ZeroMatrixError extends DescramblerError {
  override readonly name = 'ZeroMatrixError';
  override readonly kind = 'ZeroMatrix' as const;
  /** Which matrix, e.g. `'gram'`. */
  readonly what: string;

  static {
    markErrorClass(ZeroMatrixError, 'ZeroMatrixError');
  }

  constructor(operation: string, what: string, why: string) {
    super({
      operation,
      reason: `${what}: is the zero matrix (${why}); every P is optimal, so there is nothing to descramble`,
      detail: { what, why },
    });
    this.what = what;
  }

  static override isInstance(value: unknown): value is ZeroMatrixError {
    return hasErrorMarker(value, 'ZeroMatrixError');
  }
}

/**
 * A Gram matrix (positive semidefinite by construction) has an eigenvalue below minus its
 * roundoff bound: it was not formed as `S S^T`, or it was corrupted.
 */
export class NotPositiveSemidefiniteError extends DescramblerError {
  override readonly name = 'NotPositiveSemidefiniteError';
  override readonly kind = 'NotPositiveSemidefinite' as const;
  /** Position of the eigenvalue in descending order. */
  readonly index: number;
  readonly eigenvalue: number;
  /** The roundoff bound it was compared against. */
  readonly roundoff: number;

  static {
    markErrorClass(NotPositiveSemidefiniteError, 'NotPositiveSemidefiniteError');
  }

  constructor(operation: string, index: number, eigenvalue: number, roundoff: number) {
    super({
      operation,
      reason: `gram: eigenvalue ${index} is ${eigenvalue}, below -${roundoff} (the roundoff bound), so the matrix is not a Gram matrix S S^T`,
      detail: { index, eigenvalue, roundoff },
    });
    this.index = index;
    this.eigenvalue = eigenvalue;
    this.roundoff = roundoff;
  }

  static override isInstance(value: unknown): value is NotPositiveSemidefiniteError {
    return hasErrorMarker(value, 'NotPositiveSemidefiniteError');
  }
}

/** Every failure `@descramble/descramblers` reports, discriminated by `kind`. */
export type DescramblersFailure =
  | DimensionMismatchError
  | NonFiniteInputError
  | NotSymmetricError
  | InvalidArgumentError
  | EmptyDataError
  | ZeroMatrixError
  | NotPositiveSemidefiniteError;
