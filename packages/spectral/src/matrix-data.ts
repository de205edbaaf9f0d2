/**
 * Internal conversions between ml-matrix `Matrix` (the boundary type) and row-major
 * `Float64Array`s (what the kernels loop over; delegated to `@descramble/linalg`), plus the
 * shared input checks, which throw this package's errors.
 * Nothing here is exported from the package.
 */
import { fromFloat64Array, toFloat64Array } from '@descramble/linalg';
import { type AbstractMatrix, Matrix } from 'ml-matrix';
import { DimensionMismatchError, InvalidArgumentError, NonFiniteInputError, spectralScope } from './errors.js';

/** Copies a matrix into a new row-major array (entry (i, j) at `i * columns + j`). */
export function matrixToRowMajor(a: AbstractMatrix): Float64Array {
  return toFloat64Array(a);
}

/** Builds a new `Matrix` from row-major data (copied). */
export function rowMajorToMatrix(data: Float64Array, rows: number, columns: number): Matrix {
  return fromFloat64Array(data, rows, columns);
}

/** Throws `NonFiniteInputError` at the first NaN/Inf of row-major data. */
export function checkFinite(operation: string, name: string, data: ArrayLike<number>, columns: number): void {
  for (let k = 0; k < data.length; k++) {
    const x = data[k]!;
    if (x - x !== 0) {
      const location = columns > 0 ? `${name}[${Math.floor(k / columns)}, ${k % columns}]` : `${name}[${k}]`;
      throw new NonFiniteInputError({ operation, location, value: x, ...spectralScope });
    }
  }
}

/** Copies a matrix to row-major data, rejecting non-matrices, empty shapes and non-finite entries. */
export function readMatrix(operation: string, name: string, a: AbstractMatrix): Float64Array {
  if (!Matrix.isMatrix(a)) {
    throw new InvalidArgumentError({ operation, argument: name, what: 'expected an ml-matrix Matrix', ...spectralScope });
  }
  if (a.rows === 0 || a.columns === 0) {
    throw new DimensionMismatchError({ operation, what: `${name} shape`, expected: 'a non-empty matrix', actual: `${a.rows} x ${a.columns}`, ...spectralScope });
  }
  const data = matrixToRowMajor(a);
  checkFinite(operation, name, data, a.columns);
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
  for (let k = 0; k < out.length; k++) {
    const x = out[k]!;
    if (x - x !== 0) throw new NonFiniteInputError({ operation, location: `${name}[${k}]`, value: x, ...spectralScope });
  }
  return out;
}

/** Throws unless `n` is an integer >= `minimum`. */
export function checkInteger(operation: string, name: string, n: number, minimum: number): void {
  if (!Number.isInteger(n) || n < minimum) {
    throw new InvalidArgumentError({ operation, argument: name, what: `expected an integer >= ${minimum}, got ${n}`, ...spectralScope });
  }
}
