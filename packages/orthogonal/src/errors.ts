/**
 * Typed errors of @descramble/orthogonal. Every message follows one pattern:
 * `orthogonal: <function>: <what was wrong>`.
 *
 * The shared kinds (`DimensionMismatchError`, `NonFiniteInputError`, `NotSymmetricError`,
 * `SingularMatrixError`) are `@descramble/core`'s classes, thrown with {@link orthogonalScope}
 * and re-exported here so this package's API keeps their names; `InvalidOptionError` keeps this
 * package's name as a subclass of core's `InvalidArgumentError`. Only the errors particular
 * to O(d) are defined here.
 */

import {
  type DimensionMismatchError,
  hasErrorMarker,
  InvalidArgumentError,
  markErrorClass,
  type NonFiniteInputError,
  type NotSymmetricError,
  type SingularMatrixError,
  scopedErrorBase,
} from '@descramble/core';

export {
  DimensionMismatchError,
  NonFiniteInputError,
  NotSymmetricError,
  SingularMatrixError,
} from '@descramble/core';

/** The `cause` of an error's options, when given. */
function causeOf(options: { readonly cause?: unknown }): { readonly cause?: unknown } {
  return options.cause === undefined ? {} : { cause: options.cause };
}

/** The scope of every shared error this package throws: messages read `orthogonal: ...`. */
export const orthogonalScope = { scope: 'orthogonal' } as const;

/** Base class of this package's errors: `OrthogonalError.isInstance(e)` holds for every error it throws, shared kinds included. */
export const OrthogonalError = scopedErrorBase('orthogonal', 'OrthogonalError');
/** An error thrown by `@descramble/orthogonal`. */
export type OrthogonalError = InstanceType<typeof OrthogonalError>;

/** A matrix that must be orthogonal is not (||P^T P - I||_F above tolerance). */
export class NotOrthogonalError extends OrthogonalError {
  override readonly name = 'NotOrthogonalError';
  override readonly kind = 'NotOrthogonal' as const;

  static {
    markErrorClass(NotOrthogonalError, 'NotOrthogonalError');
  }

  readonly location: string;
  readonly orthogonalityError: number;

  constructor(options: { readonly location: string; readonly orthogonalityError: number; readonly cause?: unknown }) {
    const { location, orthogonalityError } = options;
    super({ ...causeOf(options), operation: location, reason: `matrix is not orthogonal (||P^T P - I||_F = ${orthogonalityError})`, detail: { orthogonalityError } });
    this.location = location;
    this.orthogonalityError = orthogonalityError;
  }

  static override isInstance(value: unknown): value is NotOrthogonalError {
    return hasErrorMarker(value, 'NotOrthogonalError');
  }
}

/** An option has an invalid value (an `InvalidArgumentError` whose `argument` is the option). */
export class InvalidOptionError extends InvalidArgumentError {
  override readonly name: string = 'InvalidOptionError';

  static {
    markErrorClass(InvalidOptionError, 'InvalidOptionError');
  }

  readonly location: string;
  readonly option: string;
  readonly value: unknown;

  constructor(options: { readonly location: string; readonly option: string; readonly value: unknown; readonly cause?: unknown }) {
    const { location, option, value } = options;
    super({ ...causeOf(options), operation: location, argument: option, what: `invalid option value ${String(value)}`, ...orthogonalScope });
    this.location = location;
    this.option = option;
    this.value = value;
  }

  static override isInstance(value: unknown): value is InvalidOptionError {
    return hasErrorMarker(value, 'InvalidOptionError');
  }
}

/**
 * A point lies outside the domain of the global Cayley chart
 * `P = (I + Q)^{-1} (I - Q)`: P has an eigenvalue -1 (every P with det P = -1 does).
 */
export class ChartDomainError extends OrthogonalError {
  override readonly name = 'ChartDomainError';
  override readonly kind = 'ChartDomain' as const;

  static {
    markErrorClass(ChartDomainError, 'ChartDomainError');
  }

  readonly location: string;
  readonly determinantSign: number;

  constructor(options: { readonly location: string; readonly determinantSign: number; readonly cause?: unknown }) {
    const { location, determinantSign } = options;
    super({
      ...causeOf(options),
      operation: location,
      reason: `point outside the Cayley chart (eigenvalue -1; determinant sign ${determinantSign})`,
      detail: { determinantSign },
    });
    this.location = location;
    this.determinantSign = determinantSign;
  }

  static override isInstance(value: unknown): value is ChartDomainError {
    return hasErrorMarker(value, 'ChartDomainError');
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
  override readonly kind = 'InverseRetractionDomain' as const;

  static {
    markErrorClass(InverseRetractionDomainError, 'InverseRetractionDomainError');
  }

  readonly location: string;
  readonly retraction: string;
  readonly pivot: number;

  constructor(options: { readonly location: string; readonly retraction: string; readonly pivot: number; readonly cause?: unknown }) {
    const { location, retraction, pivot } = options;
    super({
      ...causeOf(options),
      operation: location,
      reason: `point outside the image of the ${retraction} retraction (Cholesky pivot ${pivot} not positive)`,
      detail: { retraction, pivot },
    });
    this.location = location;
    this.retraction = retraction;
    this.pivot = pivot;
  }

  static override isInstance(value: unknown): value is InverseRetractionDomainError {
    return hasErrorMarker(value, 'InverseRetractionDomainError');
  }
}

/**
 * A value lies below its proven lower bound by more than the roundoff of computing it:
 * `value < reference - roundoff`. Mathematically impossible, so an input or a kernel is wrong.
 */
export class CertificateViolationError extends OrthogonalError {
  override readonly name = 'CertificateViolationError';
  override readonly kind = 'CertificateViolation' as const;

  static {
    markErrorClass(CertificateViolationError, 'CertificateViolationError');
  }

  readonly location: string;
  readonly value: number;
  readonly reference: number;
  readonly roundoff: number;

  constructor(options: { readonly location: string; readonly value: number; readonly reference: number; readonly roundoff: number; readonly cause?: unknown }) {
    const { location, value, reference, roundoff } = options;
    super({
      ...causeOf(options),
      operation: location,
      reason: `value ${value} is below the lower bound ${reference} by ${reference - value}, more than the roundoff bound ${roundoff} (certificate violated)`,
      detail: { value, reference, roundoff },
    });
    this.location = location;
    this.value = value;
    this.reference = reference;
    this.roundoff = roundoff;
  }

  static override isInstance(value: unknown): value is CertificateViolationError {
    return hasErrorMarker(value, 'CertificateViolationError');
  }
}

/** Every failure `@descramble/orthogonal` reports, discriminated by `kind` (`InvalidOptionError` is of kind `InvalidArgument`). */
export type OrthogonalFailure =
  | DimensionMismatchError
  | NonFiniteInputError
  | NotSymmetricError
  | SingularMatrixError
  | InvalidArgumentError
  | NotOrthogonalError
  | ChartDomainError
  | InverseRetractionDomainError
  | CertificateViolationError;
