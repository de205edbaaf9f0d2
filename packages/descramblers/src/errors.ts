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
  type ErrorContext,
  type GramOverflowError,
  hasErrorMarker,
  type InvalidArgumentError,
  markErrorClass,
  type NonFiniteInputError,
  type NotSymmetricError,
  scopedErrorBase,
} from '@descramble/core';
import type { CertificateViolationError } from '@descramble/orthogonal';

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

/** What every constructor of this package's errors takes besides its own facts: the function, and optionally the cause. */
export type DescramblerErrorContext = Omit<ErrorContext, 'scope'>;

/** The data stream held no samples, so there is no Gram matrix to descramble. */
export class EmptyDataError extends DescramblerError {
  override readonly name = 'EmptyDataError';
  override readonly kind = 'EmptyData' as const;

  static {
    markErrorClass(EmptyDataError, 'EmptyDataError');
  }

  constructor(options: DescramblerErrorContext) {
    super({ ...options, reason: 'data: expected at least one sample (row), got none', detail: { samples: 0 } });
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

  constructor(options: DescramblerErrorContext & { readonly what: string; readonly why: string }) {
    const { what, why } = options;
    super({
      ...options,
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

  constructor(options: DescramblerErrorContext & { readonly index: number; readonly eigenvalue: number; readonly roundoff: number }) {
    const { index, eigenvalue, roundoff } = options;
    super({
      ...options,
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

/**
 * Every failure `@descramble/descramblers` reports, discriminated by `kind`: its own, the shared
 * kinds (a Gram overflow rethrown with this scope), and orthogonal's certificate violation.
 */
export type DescramblersFailure =
  | DimensionMismatchError
  | NonFiniteInputError
  | NotSymmetricError
  | InvalidArgumentError
  | GramOverflowError
  | EmptyDataError
  | ZeroMatrixError
  | NotPositiveSemidefiniteError
  | CertificateViolationError;
