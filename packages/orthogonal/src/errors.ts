/**
 * Typed errors of @descramble/orthogonal. Every message follows one pattern:
 * `orthogonal: <function>: <what was wrong>`.
 *
 * The shared kinds (`DimensionMismatchError`, `NonFiniteInputError`, `NotSymmetricError`,
 * `SingularMatrixError`) are `@descramble/linalg`'s classes, thrown with {@link orthogonalScope}
 * and re-exported here so this package's API keeps their names; `InvalidOptionError` keeps this
 * package's name as a subclass of linalg's `InvalidArgumentError`. Only the errors particular
 * to O(d) are defined here.
 */

import { type ErrorScope, InvalidArgumentError, scopedErrorBase } from '@descramble/linalg';

export {
  DimensionMismatchError,
  NonFiniteInputError,
  NotSymmetricError,
  SingularMatrixError,
} from '@descramble/linalg';

/** The last argument of every shared error this package throws: messages read `orthogonal: ...`. */
export const orthogonalScope: ErrorScope = { scope: 'orthogonal' };

/** Base class of this package's errors: `instanceof OrthogonalError` holds for every error it throws. */
export const OrthogonalError = scopedErrorBase('orthogonal', 'OrthogonalError');
/** An error thrown by `@descramble/orthogonal`. */
export type OrthogonalError = InstanceType<typeof OrthogonalError>;

/** A matrix that must be orthogonal is not (||P^T P - I||_F above tolerance). */
export class NotOrthogonalError extends OrthogonalError {
  override readonly name = 'NotOrthogonalError';
  constructor(
    readonly location: string,
    readonly orthogonalityError: number,
  ) {
    super(location, `matrix is not orthogonal (||P^T P - I||_F = ${orthogonalityError})`);
  }
}

/** An option has an invalid value (an `InvalidArgumentError` whose `argument` is the option). */
export class InvalidOptionError extends InvalidArgumentError {
  override readonly name: string = 'InvalidOptionError';
  constructor(
    readonly location: string,
    readonly option: string,
    readonly value: unknown,
  ) {
    super(location, option, `invalid option value ${String(value)}`, orthogonalScope);
  }
}

/**
 * A point lies outside the domain of the global Cayley chart
 * `P = (I + Q)^{-1} (I - Q)`: P has an eigenvalue -1 (every P with det P = -1 does).
 */
export class ChartDomainError extends OrthogonalError {
  override readonly name = 'ChartDomainError';
  constructor(
    readonly location: string,
    readonly determinantSign: number,
  ) {
    super(location, `point outside the Cayley chart (eigenvalue -1; determinant sign ${determinantSign})`);
  }
}

/**
 * Q lies outside the image of a retraction at P, so the inverse retraction is undefined:
 * for 'exponential' C = P^T Q has an eigenvalue at (or numerically at) -1, i.e.
 * 2I + C + C^T is not positive definite; for 'polar' C has an eigenvalue with real part
 * <= 0, i.e. C + C^T is not positive definite. `pivot` is the first Cholesky pivot of that
 * matrix that fell at or below the tolerance.
 */
export class InverseRetractionDomainError extends OrthogonalError {
  override readonly name = 'InverseRetractionDomainError';
  constructor(
    readonly location: string,
    readonly retraction: string,
    readonly pivot: number,
  ) {
    super(location, `point outside the image of the ${retraction} retraction (Cholesky pivot ${pivot} not positive)`);
  }
}

/**
 * A value lies below its proven lower bound by more than the roundoff of computing it:
 * `value < reference - roundoff`. Mathematically impossible, so an input or a kernel is wrong.
 */
export class CertificateViolationError extends OrthogonalError {
  override readonly name = 'CertificateViolationError';
  constructor(
    readonly location: string,
    readonly value: number,
    readonly reference: number,
    readonly roundoff: number,
  ) {
    super(location, `value ${value} is below the lower bound ${reference} by ${reference - value}, more than the roundoff bound ${roundoff} (certificate violated)`);
  }
}
