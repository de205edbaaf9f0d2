/**
 * Typed errors of @descramble/orthogonal. One message pattern:
 * `<function>: <what is wrong> (<fields>)`.
 */

/** Base class: every error this package throws is an `OrthogonalError`. */
export class OrthogonalError extends Error {
  override name = 'OrthogonalError';
}

/** A matrix or vector has the wrong shape. */
export class DimensionMismatchError extends OrthogonalError {
  override name = 'DimensionMismatchError';
  constructor(
    readonly location: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`${location}: dimension mismatch (expected ${expected}, actual ${actual})`);
  }
}

/** An input, or a value returned by user code, is NaN or infinite. */
export class NonFiniteInputError extends OrthogonalError {
  override name = 'NonFiniteInputError';
  constructor(
    readonly location: string,
    readonly index: number,
  ) {
    super(`${location}: non-finite value (at flat index ${index})`);
  }
}

/** A matrix that must be symmetric is not (relative asymmetry above tolerance). */
export class NotSymmetricError extends OrthogonalError {
  override name = 'NotSymmetricError';
  constructor(
    readonly location: string,
    readonly asymmetry: number,
  ) {
    super(`${location}: matrix is not symmetric (relative asymmetry ${asymmetry})`);
  }
}

/** A matrix that must be orthogonal is not (||P^T P - I||_F above tolerance). */
export class NotOrthogonalError extends OrthogonalError {
  override name = 'NotOrthogonalError';
  constructor(
    readonly location: string,
    readonly orthogonalityError: number,
  ) {
    super(`${location}: matrix is not orthogonal (||P^T P - I||_F = ${orthogonalityError})`);
  }
}

/** An option has an invalid value. */
export class InvalidOptionError extends OrthogonalError {
  override name = 'InvalidOptionError';
  constructor(
    readonly location: string,
    readonly option: string,
    readonly value: unknown,
  ) {
    super(`${location}: invalid option (${option} = ${String(value)})`);
  }
}

/** A linear system that must be solved is singular to working precision. */
export class SingularMatrixError extends OrthogonalError {
  override name = 'SingularMatrixError';
  constructor(
    readonly location: string,
    readonly pivotIndex: number,
  ) {
    super(`${location}: matrix is singular (zero pivot at ${pivotIndex})`);
  }
}

/**
 * A point lies outside the domain of the global Cayley chart
 * `P = (I + Q)^{-1} (I - Q)`: P has an eigenvalue -1 (every P with det P = -1 does).
 */
export class ChartDomainError extends OrthogonalError {
  override name = 'ChartDomainError';
  constructor(
    readonly location: string,
    readonly determinantSign: number,
  ) {
    super(
      `${location}: point outside the Cayley chart (eigenvalue -1; determinant sign ${determinantSign})`,
    );
  }
}

/** A retraction has no inverse implemented here. */
export class NoInverseRetractionError extends OrthogonalError {
  override name = 'NoInverseRetractionError';
  constructor(
    readonly location: string,
    readonly retraction: string,
  ) {
    super(`${location}: no inverse available (retraction ${retraction})`);
  }
}
