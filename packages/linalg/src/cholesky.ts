import type { AbstractMatrix, Matrix } from 'ml-matrix';
import { readMatrix, readSquare, wrapRowMajor } from './convert.js';
import { DimensionMismatchError, InvalidArgumentError } from './errors.js';

/**
 * Cholesky factorisation `A = L L^T` in place (row-major n x n, left-looking): the lower
 * triangle of `a` receives L; the strict upper triangle is neither read nor written.
 * Stops at the first column j whose pivot `a_jj - sum_k l_jk^2` is not above `pivotFloor`
 * and returns j, leaving that pivot in `a[j * n + j]` (the caller's evidence for its error);
 * returns -1 on success. No allocation, no validation.
 */
export function choleskyKernel(n: number, a: Float64Array, pivotFloor = 0): number {
  for (let j = 0; j < n; j++) {
    const oj = j * n;
    let d = a[oj + j]!;
    for (let k = 0; k < j; k++) d -= a[oj + k]! * a[oj + k]!;
    if (!(d > pivotFloor)) {
      a[oj + j] = d;
      return j;
    }
    const ljj = Math.sqrt(d);
    a[oj + j] = ljj;
    const inv = 1 / ljj;
    for (let i = j + 1; i < n; i++) {
      const oi = i * n;
      let s = a[oi + j]!;
      for (let k = 0; k < j; k++) s -= a[oi + k]! * a[oj + k]!;
      a[oi + j] = s * inv;
    }
  }
  return -1;
}

/**
 * Solves (L L^T) X = B in place for the L of {@link choleskyKernel}: `b` (n x nrhs
 * row-major) receives X. Row operations only. No allocation, no validation.
 */
export function choleskySolveKernel(n: number, l: Float64Array, b: Float64Array, nrhs: number): void {
  for (let i = 0; i < n; i++) {
    const oi = i * nrhs;
    for (let k = 0; k < i; k++) {
      const f = l[i * n + k]!;
      if (f === 0) continue;
      const ok = k * nrhs;
      for (let j = 0; j < nrhs; j++) b[oi + j]! -= f * b[ok + j]!;
    }
    const inv = 1 / l[i * n + i]!;
    for (let j = 0; j < nrhs; j++) b[oi + j]! *= inv;
  }
  for (let i = n - 1; i >= 0; i--) {
    const oi = i * nrhs;
    for (let k = i + 1; k < n; k++) {
      const f = l[k * n + i]!;
      if (f === 0) continue;
      const ok = k * nrhs;
      for (let j = 0; j < nrhs; j++) b[oi + j]! -= f * b[ok + j]!;
    }
    const inv = 1 / l[i * n + i]!;
    for (let j = 0; j < nrhs; j++) b[oi + j]! *= inv;
  }
}

/**
 * Cholesky factor L (lower triangular, positive diagonal) of a symmetric positive-definite
 * matrix; only the lower triangle of `a` is read. Throws `InvalidArgumentError` when a pivot
 * is not positive (A not positive definite).
 */
export function cholesky(a: AbstractMatrix): Matrix {
  const n = a.rows;
  const l = Float64Array.from(readSquare('cholesky', 'a', a));
  const j = choleskyKernel(n, l);
  if (j >= 0) {
    throw new InvalidArgumentError({ operation: 'cholesky', argument: 'a', what: `not positive definite: pivot ${l[j * n + j]} at column ${j}`, scope: 'linalg' });
  }
  for (let i = 0; i < n; i++) for (let k = i + 1; k < n; k++) l[i * n + k] = 0;
  return wrapRowMajor(l, n, n);
}

/** Solves A X = B for a symmetric positive-definite A by Cholesky (errors as {@link cholesky}). */
export function choleskySolve(a: AbstractMatrix, b: AbstractMatrix): Matrix {
  const n = a.rows;
  const l = Float64Array.from(readSquare('choleskySolve', 'a', a));
  if (b.rows !== n) throw new DimensionMismatchError({ operation: 'choleskySolve', what: 'b rows', expected: n, actual: b.rows, scope: 'linalg' });
  const x = Float64Array.from(readMatrix('choleskySolve', 'b', b));
  const j = choleskyKernel(n, l);
  if (j >= 0) {
    throw new InvalidArgumentError({ operation: 'choleskySolve', argument: 'a', what: `not positive definite: pivot ${l[j * n + j]} at column ${j}`, scope: 'linalg' });
  }
  choleskySolveKernel(n, l, x, b.columns);
  return wrapRowMajor(x, n, b.columns);
}
