import type { AbstractMatrix, Matrix } from 'ml-matrix';
import { readMatrix, readSquare, wrapRowMajor } from './convert.js';
import { DimensionMismatchError, SingularMatrixError } from './errors.js';

/**
 * LU factorisation with partial pivoting in place, `P A = L U` (LAPACK dgetrf, unblocked):
 * `a` (n x n row-major) receives U in its upper triangle and the multipliers of the unit
 * lower-triangular L below the diagonal; `pivots[k]` is the row swapped with row k at step k.
 * A column without a nonzero pivot is skipped (no division by zero), so the factorisation
 * always completes. Returns the first k with u_kk = 0 (or non-finite), or -1 when U is
 * nonsingular. No allocation, no validation.
 */
export function luFactorKernel(n: number, a: Float64Array, pivots: Int32Array): number {
  let firstZero = -1;
  for (let k = 0; k < n; k++) {
    let p = k;
    let best = Math.abs(a[k * n + k]!);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(a[i * n + k]!);
      if (v > best) {
        best = v;
        p = i;
      }
    }
    pivots[k] = p;
    if (p !== k) {
      const ok = k * n;
      const op = p * n;
      for (let j = 0; j < n; j++) {
        const t = a[ok + j]!;
        a[ok + j] = a[op + j]!;
        a[op + j] = t;
      }
    }
    if (best === 0 || !Number.isFinite(best)) {
      if (firstZero < 0) firstZero = k;
      continue;
    }
    const ok = k * n;
    const inv = 1 / a[ok + k]!;
    for (let i = k + 1; i < n; i++) {
      const oi = i * n;
      const f = a[oi + k]! * inv;
      a[oi + k] = f;
      if (f === 0) continue;
      for (let j = k + 1; j < n; j++) a[oi + j]! -= f * a[ok + j]!;
    }
  }
  return firstZero;
}

/**
 * Solves A X = B in place from the factors of {@link luFactorKernel}: `b` (n x nrhs
 * row-major) receives X. Row operations only, so the inner loops run along rows.
 * Requires a nonsingular U (factor returned -1). No allocation, no validation.
 */
export function luSolveKernel(n: number, lu: Float64Array, pivots: Int32Array, b: Float64Array, nrhs: number): void {
  for (let k = 0; k < n; k++) {
    const p = pivots[k]!;
    if (p !== k) {
      const ok = k * nrhs;
      const op = p * nrhs;
      for (let j = 0; j < nrhs; j++) {
        const t = b[ok + j]!;
        b[ok + j] = b[op + j]!;
        b[op + j] = t;
      }
    }
  }
  // L Y = P B (unit diagonal).
  for (let i = 1; i < n; i++) {
    const oi = i * nrhs;
    for (let k = 0; k < i; k++) {
      const f = lu[i * n + k]!;
      if (f === 0) continue;
      const ok = k * nrhs;
      for (let j = 0; j < nrhs; j++) b[oi + j]! -= f * b[ok + j]!;
    }
  }
  // U X = Y.
  for (let i = n - 1; i >= 0; i--) {
    const oi = i * nrhs;
    for (let k = i + 1; k < n; k++) {
      const f = lu[i * n + k]!;
      if (f === 0) continue;
      const ok = k * nrhs;
      for (let j = 0; j < nrhs; j++) b[oi + j]! -= f * b[ok + j]!;
    }
    const inv = 1 / lu[i * n + i]!;
    for (let j = 0; j < nrhs; j++) b[oi + j]! *= inv;
  }
}

/**
 * out = A^{-1} from the factors of {@link luFactorKernel} (solve against the identity).
 * No allocation, no validation; `out` must not alias `lu`.
 */
export function luInverseKernel(n: number, lu: Float64Array, pivots: Int32Array, out: Float64Array): void {
  out.fill(0, 0, n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = 1;
  luSolveKernel(n, lu, pivots, out, n);
}

/** Sign of det(A) from the factors of {@link luFactorKernel}: +1, -1, or 0 when U is singular. */
export function luDeterminantSign(n: number, lu: Float64Array, pivots: Int32Array): number {
  let sign = 1;
  for (let k = 0; k < n; k++) {
    const u = lu[k * n + k]!;
    if (u === 0 || !Number.isFinite(u)) return 0;
    if (u < 0) sign = -sign;
    if (pivots[k] !== k) sign = -sign;
  }
  return sign;
}

/** Result of {@link luFactor}: `P A = L U` with the permutation as row indices. */
export interface LuResult {
  /** Unit lower-triangular L (n x n). */
  readonly l: Matrix;
  /** Upper-triangular U (n x n). */
  readonly u: Matrix;
  /** Row i of P A is row `permutation[i]` of A. */
  readonly permutation: Int32Array;
  /** Sign of det(A): +1, -1, or 0 when U has a zero pivot. */
  readonly determinantSign: number;
}

/** LU factorisation with partial pivoting of a square matrix (validating wrapper). */
export function luFactor(a: AbstractMatrix): LuResult {
  const n = a.rows;
  const lu = Float64Array.from(readSquare('luFactor', 'a', a));
  const pivots = new Int32Array(n);
  luFactorKernel(n, lu, pivots);
  const l = new Float64Array(n * n);
  const u = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (j < i) l[i * n + j] = lu[i * n + j]!;
      else u[i * n + j] = lu[i * n + j]!;
    }
    l[i * n + i] = 1;
  }
  const permutation = Int32Array.from({ length: n }, (_, i) => i);
  for (let k = 0; k < n; k++) {
    const p = pivots[k]!;
    const t = permutation[k]!;
    permutation[k] = permutation[p]!;
    permutation[p] = t;
  }
  return {
    l: wrapRowMajor(l, n, n),
    u: wrapRowMajor(u, n, n),
    permutation,
    determinantSign: luDeterminantSign(n, lu, pivots),
  };
}

/**
 * Solves A X = B (A n x n, B n x k) by LU with partial pivoting. Throws `SingularMatrixError`
 * when a pivot is at or below n eps max|a_ij| (A numerically singular).
 */
export function luSolve(a: AbstractMatrix, b: AbstractMatrix): Matrix {
  const operation = 'luSolve';
  const n = a.rows;
  const lu = Float64Array.from(readSquare(operation, 'a', a));
  if (b.rows !== n) throw new DimensionMismatchError({ operation, what: 'b rows', expected: n, actual: b.rows, scope: 'linalg' });
  const x = Float64Array.from(readMatrix(operation, 'b', b));
  const pivots = new Int32Array(n);
  let scale = 0;
  for (const v of lu) scale = Math.max(scale, Math.abs(v));
  luFactorKernel(n, lu, pivots);
  const k = singularPivot(n, lu, n * Number.EPSILON * scale);
  if (k >= 0) throw new SingularMatrixError({ operation, what: 'a', pivot: k, scope: 'linalg' });
  luSolveKernel(n, lu, pivots, x, b.columns);
  return wrapRowMajor(x, n, b.columns);
}

/** First k with |u_kk| <= floor (or non-finite), else -1. */
export function singularPivot(n: number, lu: Float64Array, floor: number): number {
  for (let k = 0; k < n; k++) {
    const u = Math.abs(lu[k * n + k]!);
    if (!(u > floor) || !Number.isFinite(u)) return k;
  }
  return -1;
}
