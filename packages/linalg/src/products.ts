import { assertFiniteArray, assertLength, assertSize } from '@descramble/core';
import type { AbstractMatrix, Matrix } from 'ml-matrix';
import { readMatrix, wrapRowMajor } from './convert.js';
import { DimensionMismatchError, linalgScope } from './errors.js';
import { gemm } from './gemm.js';

function checkFlat(operation: string, name: string, data: Float64Array, rows: number, columns: number): void {
  assertSize(rows, { ...linalgScope, operation, what: `${name} rows` });
  assertSize(columns, { ...linalgScope, operation, what: `${name} columns` });
  assertLength(data.length, rows * columns, { ...linalgScope, operation, what: `${name} length`, formula: `${rows} * ${columns}` });
  assertFiniteArray(data, { ...linalgScope, operation, name, columns });
}

/** `A B` on row-major flat arrays: A m x k, B k x n; returns C m x n (new array). Validates. */
export function multiplyFlat(a: Float64Array, b: Float64Array, m: number, k: number, n: number): Float64Array {
  checkFlat('multiplyFlat', 'a', a, m, k);
  checkFlat('multiplyFlat', 'b', b, k, n);
  const c = new Float64Array(m * n);
  gemm(false, false, m, n, k, 1, a, 0, k, b, 0, n, 0, c, 0, n);
  return c;
}

/** `A B^T` on row-major flat arrays: A m x k, B n x k; returns C m x n. Validates. */
export function multiplyTransposeBFlat(a: Float64Array, b: Float64Array, m: number, k: number, n: number): Float64Array {
  checkFlat('multiplyTransposeBFlat', 'a', a, m, k);
  checkFlat('multiplyTransposeBFlat', 'b', b, n, k);
  const c = new Float64Array(m * n);
  gemm(false, true, m, n, k, 1, a, 0, k, b, 0, k, 0, c, 0, n);
  return c;
}

/** `A^T B` on row-major flat arrays: A k x m, B k x n; returns C m x n. Validates. */
export function multiplyTransposeAFlat(a: Float64Array, b: Float64Array, k: number, m: number, n: number): Float64Array {
  checkFlat('multiplyTransposeAFlat', 'a', a, k, m);
  checkFlat('multiplyTransposeAFlat', 'b', b, k, n);
  const c = new Float64Array(m * n);
  gemm(true, false, m, n, k, 1, a, 0, m, b, 0, n, 0, c, 0, n);
  return c;
}

/** `A B` (A m x k, B k x n). Throws `DimensionMismatchError` / `NonFiniteInputError`. */
export function multiply(a: AbstractMatrix, b: AbstractMatrix): Matrix {
  if (a.columns !== b.rows) {
    throw new DimensionMismatchError({ operation: 'multiply', what: 'b rows (= a columns)', expected: a.columns, actual: b.rows, scope: 'linalg' });
  }
  const m = a.rows;
  const k = a.columns;
  const n = b.columns;
  const ad = readMatrix('multiply', 'a', a, true);
  const bd = readMatrix('multiply', 'b', b, true);
  const c = new Float64Array(m * n);
  gemm(false, false, m, n, k, 1, ad, 0, k, bd, 0, n, 0, c, 0, n);
  return wrapRowMajor(c, m, n);
}

/** `A B^T` (A m x k, B n x k). */
export function multiplyTransposeB(a: AbstractMatrix, b: AbstractMatrix): Matrix {
  if (a.columns !== b.columns) {
    throw new DimensionMismatchError({ operation: 'multiplyTransposeB', what: 'b columns (= a columns)', expected: a.columns, actual: b.columns, scope: 'linalg' });
  }
  const m = a.rows;
  const k = a.columns;
  const n = b.rows;
  const ad = readMatrix('multiplyTransposeB', 'a', a, true);
  const bd = readMatrix('multiplyTransposeB', 'b', b, true);
  const c = new Float64Array(m * n);
  gemm(false, true, m, n, k, 1, ad, 0, k, bd, 0, k, 0, c, 0, n);
  return wrapRowMajor(c, m, n);
}

/** `A^T B` (A k x m, B k x n). */
export function multiplyTransposeA(a: AbstractMatrix, b: AbstractMatrix): Matrix {
  if (a.rows !== b.rows) {
    throw new DimensionMismatchError({ operation: 'multiplyTransposeA', what: 'b rows (= a rows)', expected: a.rows, actual: b.rows, scope: 'linalg' });
  }
  const k = a.rows;
  const m = a.columns;
  const n = b.columns;
  const ad = readMatrix('multiplyTransposeA', 'a', a, true);
  const bd = readMatrix('multiplyTransposeA', 'b', b, true);
  const c = new Float64Array(m * n);
  gemm(true, false, m, n, k, 1, ad, 0, m, bd, 0, n, 0, c, 0, n);
  return wrapRowMajor(c, m, n);
}
