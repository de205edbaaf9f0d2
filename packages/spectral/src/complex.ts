import type { Matrix } from 'ml-matrix';

/** A complex vector stored as two real arrays of equal length. */
export interface ComplexVector {
  readonly re: Float64Array;
  readonly im: Float64Array;
}

/** Complex input accepted by the 1-D transforms: any two array-likes of equal length. */
export interface ComplexVectorLike {
  readonly re: ArrayLike<number>;
  readonly im: ArrayLike<number>;
}

/**
 * A complex matrix stored as two real `Matrix`es of equal shape (the package's boundary
 * type for 2-D transforms; ml-matrix has no complex type).
 */
export interface ComplexMatrix {
  readonly re: Matrix;
  readonly im: Matrix;
}

/** True when `x` has `re` and `im` fields (a `ComplexVector` or `ComplexMatrix`). */
export function isComplex(x: unknown): x is { re: unknown; im: unknown } {
  return typeof x === 'object' && x !== null && 're' in x && 'im' in x;
}
