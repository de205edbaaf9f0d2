/**
 * Internal conversions between ml-matrix `Matrix` (the boundary type) and row-major
 * `Float64Array`s (what the kernels loop over; delegated to `@descramble/linalg`), and the
 * matrix and vector readers that validate with `@descramble/core`'s kit in this package's scope.
 * Nothing here is exported from the package.
 */
import { assertFiniteArray, assertNonEmpty } from '@descramble/core';
import { fromFloat64Array, toFloat64Array } from '@descramble/linalg';
import { type AbstractMatrix, Matrix } from 'ml-matrix';
import { DimensionMismatchError, InvalidArgumentError, spectralScope } from './errors.js';

/** Copies a matrix into a new row-major array (entry (i, j) at `i * columns + j`). */
export function matrixToRowMajor(a: AbstractMatrix): Float64Array {
  return toFloat64Array(a);
}

/** Builds a new `Matrix` from row-major data (copied). */
export function rowMajorToMatrix(data: Float64Array, rows: number, columns: number): Matrix {
  return fromFloat64Array(data, rows, columns);
}

/** Copies a matrix to row-major data, rejecting non-matrices, empty shapes and non-finite entries. */
export function readMatrix(operation: string, name: string, a: AbstractMatrix): Float64Array {
  if (!Matrix.isMatrix(a)) {
    throw new InvalidArgumentError({ operation, argument: name, what: 'expected an ml-matrix Matrix', ...spectralScope });
  }
  assertNonEmpty(a, { ...spectralScope, operation, name });
  const data = matrixToRowMajor(a);
  assertFiniteArray(data, { ...spectralScope, operation, name, columns: a.columns });
  return data;
}

/** Copies a vector (any array-like of numbers) to a new `Float64Array`, rejecting empty and non-finite input. */
export function readVector(operation: string, name: string, v: ArrayLike<number>, allowEmpty = false): Float64Array {
  if (v === null || typeof v !== 'object' || typeof v.length !== 'number') {
    throw new InvalidArgumentError({ operation, argument: name, what: 'expected an array of numbers', ...spectralScope });
  }
  if (!allowEmpty && v.length === 0) {
    throw new DimensionMismatchError({ operation, what: `${name} length`, expected: 'a non-empty vector', actual: 0, ...spectralScope });
  }
  const out = Float64Array.from(v);
  assertFiniteArray(out, { ...spectralScope, operation, name });
  return out;
}
