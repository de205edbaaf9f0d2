/**
 * Square dense kernels on row-major `Float64Array`s (n x n), used by the solvers'
 * hot loops. Kernels neither allocate (except where a workspace is documented) nor
 * validate; `out` never aliases an input unless stated.
 *
 * Thin adapters over @descramble/linalg's kernels (packed gemm, LU, Householder QR, Newton
 * polar, skew exponential, Jacobi eigen, block inverse) that keep this package's argument
 * order and turn a kernel's singular-pivot status into this package's typed error. The
 * loops live in linalg; here are only vector (length n^2) updates.
 */

import {
  addTransposedKernel,
  distanceToIdentityKernel,
  expmSkewKernel,
  gemm,
  householderQrFlat,
  invertPositiveRealKernel,
  jacobiEigenKernel,
  luDeterminantSign,
  luFactorKernel,
  luInverseKernel,
  polarFactorKernel,
  setIdentityKernel,
  syrk,
} from '@descramble/linalg';
import { orthogonalScope, SingularMatrixError } from './errors.js';

/** Pivot indices for the LU calls below, grown on demand (single-threaded, never re-entered). */
let pivotScratch = new Int32Array(0);
function pivots(n: number): Int32Array {
  if (pivotScratch.length < n) pivotScratch = new Int32Array(n);
  return pivotScratch;
}

/** out = I. */
export function setIdentity(out: Float64Array, n: number): Float64Array {
  setIdentityKernel(n, out);
  return out;
}

/** out = a b (n x n), by linalg's packed gemm. `out` must not alias `a` or `b`. */
export function multiply(a: Float64Array, b: Float64Array, out: Float64Array, n: number): Float64Array {
  gemm(false, false, n, n, n, 1, a, 0, n, b, 0, n, 0, out, 0, n);
  return out;
}

/** out = a^T (n x n). */
export function transpose(a: Float64Array, out: Float64Array, n: number): Float64Array {
  addTransposedKernel(n, a, 0, 1, out);
  return out;
}

/** out = a^T b. */
export function multiplyTransposeLeft(a: Float64Array, b: Float64Array, out: Float64Array, n: number): Float64Array {
  gemm(true, false, n, n, n, 1, a, 0, n, b, 0, n, 0, out, 0, n);
  return out;
}

/** out = a b^T. */
export function multiplyTransposeRight(a: Float64Array, b: Float64Array, out: Float64Array, n: number): Float64Array {
  gemm(false, true, n, n, n, 1, a, 0, n, b, 0, n, 0, out, 0, n);
  return out;
}

/** out = (m - m^T) / 2. `out` may not alias `m`. */
export function skewPart(m: Float64Array, out: Float64Array, n: number): Float64Array {
  addTransposedKernel(n, m, 0.5, -0.5, out);
  return out;
}

/** out = (m + m^T) / 2. `out` may not alias `m`. */
export function symmetricPart(m: Float64Array, out: Float64Array, n: number): Float64Array {
  addTransposedKernel(n, m, 0.5, 0.5, out);
  return out;
}

/** Frobenius inner product. */
export function dot(a: Float64Array, b: Float64Array): number {
  let s0 = 0;
  let s1 = 0;
  const len = a.length;
  const len2 = len - (len % 2);
  let i = 0;
  for (; i < len2; i += 2) {
    s0 += a[i]! * b[i]!;
    s1 += a[i + 1]! * b[i + 1]!;
  }
  for (; i < len; i++) s0 += a[i]! * b[i]!;
  return s0 + s1;
}

/** Frobenius norm. */
export function norm(a: Float64Array): number {
  return Math.sqrt(dot(a, a));
}

/** y += alpha x. */
export function axpy(alpha: number, x: Float64Array, y: Float64Array): Float64Array {
  for (let i = 0; i < x.length; i++) y[i]! += alpha * x[i]!;
  return y;
}

/** out = alpha x (out may alias x). */
export function scaleInto(alpha: number, x: Float64Array, out: Float64Array): Float64Array {
  for (let i = 0; i < x.length; i++) out[i] = alpha * x[i]!;
  return out;
}

/**
 * ||P P^T - I||_F, which equals ||P^T P - I||_F for square P (same singular values).
 * `scratch` (n x n) receives P P^T (by syrk).
 */
export function orthogonalityDrift(p: Float64Array, n: number, scratch: Float64Array = new Float64Array(n * n)): number {
  syrk(false, n, n, 1, p, 0, n, 0, scratch, 0, n);
  return distanceToIdentityKernel(n, scratch);
}

/**
 * In place: one Newton-Schulz step towards the polar factor,
 * P <- (3 I - P P^T) P / 2. Converges quadratically from ||P P^T - I|| < 1.
 * Workspace: `w1`, `w2` (n x n).
 */
export function newtonSchulzStep(p: Float64Array, n: number, w1: Float64Array, w2: Float64Array): void {
  multiplyTransposeRight(p, p, w1, n); // w1 = P P^T
  for (let i = 0; i < n * n; i++) w1[i] = -0.5 * w1[i]!;
  for (let i = 0; i < n; i++) w1[i * n + i]! += 1.5;
  multiply(w1, p, w2, n);
  p.set(w2);
}

/**
 * out = m^{-1} by linalg's LU with partial pivoting. `work` (n x n) receives the LU
 * factors. Throws SingularMatrixError at an exactly zero (or non-finite) pivot.
 */
export function invert(
  m: Float64Array,
  out: Float64Array,
  n: number,
  work: Float64Array,
  location = 'invert',
): Float64Array {
  work.set(m.subarray(0, n * n));
  const piv = pivots(n);
  const zero = luFactorKernel(n, work, piv);
  if (zero >= 0) throw new SingularMatrixError({ operation: location, what: 'matrix', pivot: zero, ...orthogonalScope });
  luInverseKernel(n, work, piv, out);
  return out;
}

/** Scratch of {@link qrDecomposition}: transposed copies, R when not wanted, reflector scalars. */
let qrScratch = { n: -1, qt: new Float64Array(0), r: new Float64Array(0), beta: new Float64Array(0) };

/**
 * Q factor of a square matrix by linalg's Householder QR, made unique by R's diagonal >= 0:
 * `q` receives Q, `r` (optional) receives R. `work` (n x n) is overwritten. Throws
 * SingularMatrixError when a column is exactly dependent (zero diagonal of R).
 */
export function qrDecomposition(
  m: Float64Array,
  q: Float64Array,
  n: number,
  work: Float64Array,
  r?: Float64Array,
): void {
  if (qrScratch.n !== n) {
    qrScratch = { n, qt: new Float64Array(n * n), r: new Float64Array(n * n), beta: new Float64Array(n) };
  }
  const rr = r ?? qrScratch.r;
  householderQrFlat(n, n, m, q, rr, work, qrScratch.qt, qrScratch.beta);
  for (let j = 0; j < n; j++) {
    if (rr[j * n + j] === 0) throw new SingularMatrixError({ operation: 'qrDecomposition', what: 'matrix', pivot: j, ...orthogonalScope });
  }
}

/**
 * out = exp(s) for a skew-symmetric s by linalg's scaling and squaring (degree-18 Taylor).
 * Workspace `w1`, `w2`, `w3` (n x n).
 */
export function expmSkew(
  s: Float64Array,
  out: Float64Array,
  n: number,
  w1: Float64Array,
  w2: Float64Array,
  w3: Float64Array,
): Float64Array {
  expmSkewKernel(n, s, out, w1, w2, w3);
  return out;
}

/**
 * Orthogonal polar factor of a nonsingular m by linalg's Newton iteration
 * X <- (X + X^{-T}) / 2, stopped at relative change <= 1e-15.
 * Workspace `w1`, `w2` (n x n; `w3` is no longer needed and kept for the call sites).
 * Throws SingularMatrixError when an iterate is singular.
 */
export function polarFactor(
  m: Float64Array,
  out: Float64Array,
  n: number,
  w1: Float64Array,
  w2: Float64Array,
  _w3?: Float64Array,
): Float64Array {
  const status = polarFactorKernel(n, m, out, w1, w2, pivots(n));
  if (status < 0) throw new SingularMatrixError({ operation: 'polarFactor', what: 'matrix', pivot: -1 - status, ...orthogonalScope });
  return out;
}

/**
 * Eigen-decomposition of a small symmetric matrix by linalg's cyclic Jacobi kernel.
 * Returns eigenvalues ascending and eigenvectors as columns of a row-major array.
 */
export function jacobiEigen(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  jacobiEigenKernel(n, Float64Array.from(a.subarray(0, n * n)), values, vectors);
  return { values, vectors };
}

/** Sign of det(m) via linalg's LU with partial pivoting (0 when singular). `work` n x n. */
export function determinantSign(m: Float64Array, n: number, work: Float64Array): number {
  work.set(m.subarray(0, n * n));
  const piv = pivots(n);
  luFactorKernel(n, work, piv);
  return luDeterminantSign(n, work, piv);
}

/**
 * out = m^{-1} for a matrix whose symmetric part is positive definite (such as I + skew,
 * the Cayley transform's matrix): linalg's recursive block inversion through Schur
 * complements. Throws SingularMatrixError at a zero pivot of a base block.
 */
export function invertPositiveReal(m: Float64Array, out: Float64Array, n: number): Float64Array {
  const zero = invertPositiveRealKernel(n, m, out);
  if (zero >= 0) throw new SingularMatrixError({ operation: 'invertPositiveReal', what: 'matrix', pivot: zero, ...orthogonalScope });
  return out;
}
