import type { AbstractMatrix, Matrix } from 'ml-matrix';
import { readMatrix, wrapRowMajor } from './convert.js';
import { DimensionMismatchError } from './errors.js';
import { norm2Kernel } from './norms.js';

/** Thin QR decomposition `A = Q R`, Q m x n orthonormal columns, R n x n upper triangular. */
export interface QrResult {
  readonly q: Matrix;
  /** Upper triangular with non-negative diagonal (unique when A has full column rank). */
  readonly r: Matrix;
}

/**
 * Householder QR kernel on transposed storage: `at` is A^T (n x m, row j = column j of A,
 * m >= n), overwritten by the Householder vectors. Writes `qt` (n x m, row j = column j of Q)
 * and `r` (n x n row-major), with R's diagonal made non-negative (Q's columns flipped to match).
 * `beta` (length n) is workspace; pass it to avoid the one allocation.
 */
export function householderQrKernel(
  m: number,
  n: number,
  at: Float64Array,
  qt: Float64Array,
  r: Float64Array,
  beta: Float64Array = new Float64Array(n),
): void {
  for (let k = 0; k < n; k++) {
    const ak = k * m;
    const norm = norm2Kernel(m - k, at, ak + k);
    const x0 = at[ak + k]!;
    const alpha = x0 >= 0 ? -norm : norm;
    // v = x - alpha e1 (stored in place), H = I - beta v v^T.
    if (norm === 0) {
      beta[k] = 0;
      r[k * n + k] = 0;
    } else {
      at[ak + k] = x0 - alpha;
      let vv = 0;
      for (let i = k; i < m; i++) vv += at[ak + i]! * at[ak + i]!;
      beta[k] = 2 / vv;
      r[k * n + k] = alpha;
      for (let j = k + 1; j < n; j++) {
        const aj = j * m;
        let t = 0;
        for (let i = k; i < m; i++) t += at[ak + i]! * at[aj + i]!;
        t *= beta[k]!;
        for (let i = k; i < m; i++) at[aj + i] = at[aj + i]! - (t * at[ak + i]!);
      }
    }
    for (let j = k + 1; j < n; j++) r[k * n + j] = at[j * m + k]!;
    for (let j = 0; j < k; j++) r[k * n + j] = 0;
  }
  // Q = H_0 H_1 ... H_{n-1} [I; 0]: apply backwards to the unit columns (rows of qt).
  qt.fill(0);
  for (let j = 0; j < n; j++) qt[j * m + j] = 1;
  for (let k = n - 1; k >= 0; k--) {
    const b = beta[k]!;
    if (b === 0) continue;
    const ak = k * m;
    for (let j = k; j < n; j++) {
      const qj = j * m;
      let t = 0;
      for (let i = k; i < m; i++) t += at[ak + i]! * qt[qj + i]!;
      t *= b;
      for (let i = k; i < m; i++) qt[qj + i] = qt[qj + i]! - (t * at[ak + i]!);
    }
  }
  // Non-negative diagonal of R.
  for (let k = 0; k < n; k++) {
    if (r[k * n + k]! < 0) {
      for (let j = k; j < n; j++) r[k * n + j] = -r[k * n + j]!;
      for (let i = 0; i < m; i++) qt[k * m + i] = -qt[k * m + i]!;
    }
  }
}

/**
 * Thin Householder QR of an m x n matrix with m >= n: `A = Q R`, Q m x n with orthonormal
 * columns, R n x n upper triangular with non-negative diagonal.
 */
export function qr(a: AbstractMatrix): QrResult {
  const m = a.rows;
  const n = a.columns;
  const data = readMatrix('qr', 'a', a);
  if (m < n) throw new DimensionMismatchError({ operation: 'qr', what: 'shape', expected: 'rows >= columns', actual: `${m} x ${n}`, scope: 'linalg' });
  const at = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) at[j * m + i] = data[i * n + j]!;
  const qt = new Float64Array(n * m);
  const r = new Float64Array(n * n);
  householderQrKernel(m, n, at, qt, r);
  const q = new Float64Array(m * n);
  for (let j = 0; j < n; j++) for (let i = 0; i < m; i++) q[i * n + j] = qt[j * m + i]!;
  return { q: wrapRowMajor(q, m, n), r: wrapRowMajor(r, n, n) };
}

/**
 * Thin Householder QR on row-major storage, `A = Q R` (A m x n, m >= n): `q` (m x n) and `r`
 * (n x n, upper triangular, diagonal >= 0, so unique for full column rank). Workspace: `at`
 * and `qt` (m * n each), `beta` (n); `a` is not modified. No allocation, no validation.
 * The reflectors run on the transposed copy so every inner loop is contiguous.
 */
export function householderQrFlat(
  m: number,
  n: number,
  a: Float64Array,
  q: Float64Array,
  r: Float64Array,
  at: Float64Array,
  qt: Float64Array,
  beta: Float64Array,
): void {
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) at[j * m + i] = a[i * n + j]!;
  householderQrKernel(m, n, at, qt, r, beta);
  for (let j = 0; j < n; j++) for (let i = 0; i < m; i++) q[i * n + j] = qt[j * m + i]!;
}
