/**
 * Square dense kernels on row-major `Float64Array`s (n x n), used by the solvers'
 * hot loops. Kernels neither allocate (except where a workspace is documented) nor
 * validate; `out` never aliases an input unless stated.
 *
 * Products go through @descramble/linalg's packed `gemm`; the rest are the few
 * in-place kernels the optimisers need that linalg does not provide on flat arrays
 * with caller-owned buffers (skew parts, a pivoted inverse, Gram-Schmidt QR, polar
 * Newton, exponential of a skew matrix, a small Jacobi eigensolver for Lanczos).
 */

import { gemm, syrk } from '@descramble/linalg';
import { orthogonalScope, SingularMatrixError } from './errors.js';

/** out = I. */
export function setIdentity(out: Float64Array, n: number): Float64Array {
  out.fill(0);
  for (let i = 0; i < n; i++) out[i * n + i] = 1;
  return out;
}

/** out = a b (n x n), by linalg's packed gemm. `out` must not alias `a` or `b`. */
export function multiply(a: Float64Array, b: Float64Array, out: Float64Array, n: number): Float64Array {
  gemm(false, false, n, n, n, 1, a, 0, n, b, 0, n, 0, out, 0, n);
  return out;
}

/** out = a^T (n x n). */
export function transpose(a: Float64Array, out: Float64Array, n: number): Float64Array {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) out[j * n + i] = a[i * n + j]!;
  }
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
  for (let i = 0; i < n; i++) {
    out[i * n + i] = 0;
    for (let j = i + 1; j < n; j++) {
      const v = 0.5 * (m[i * n + j]! - m[j * n + i]!);
      out[i * n + j] = v;
      out[j * n + i] = -v;
    }
  }
  return out;
}

/** out = (m + m^T) / 2. `out` may not alias `m`. */
export function symmetricPart(m: Float64Array, out: Float64Array, n: number): Float64Array {
  for (let i = 0; i < n; i++) {
    out[i * n + i] = m[i * n + i]!;
    for (let j = i + 1; j < n; j++) {
      const v = 0.5 * (m[i * n + j]! + m[j * n + i]!);
      out[i * n + j] = v;
      out[j * n + i] = v;
    }
  }
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
  let s = 0;
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    const d = scratch[ri + i]! - 1;
    s += d * d;
    for (let j = i + 1; j < n; j++) s += 2 * scratch[ri + j]! * scratch[ri + j]!;
  }
  return Math.sqrt(s);
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
 * out = m^{-1} by Gauss-Jordan elimination with partial pivoting.
 * `work` (n x n) is overwritten with a copy of m. Throws SingularMatrixError.
 */
export function invert(
  m: Float64Array,
  out: Float64Array,
  n: number,
  work: Float64Array,
  location = 'invert',
): Float64Array {
  work.set(m.subarray(0, n * n));
  setIdentity(out, n);
  for (let col = 0; col < n; col++) {
    let pivotRow = col;
    let pivotAbs = Math.abs(work[col * n + col]!);
    for (let r = col + 1; r < n; r++) {
      const v = Math.abs(work[r * n + col]!);
      if (v > pivotAbs) {
        pivotAbs = v;
        pivotRow = r;
      }
    }
    if (pivotAbs === 0 || !Number.isFinite(pivotAbs)) throw new SingularMatrixError(location, 'matrix', col, orthogonalScope);
    if (pivotRow !== col) {
      swapRows(work, n, pivotRow, col);
      swapRows(out, n, pivotRow, col);
    }
    const rc = col * n;
    const inv = 1 / work[rc + col]!;
    for (let j = 0; j < n; j++) {
      work[rc + j]! *= inv;
      out[rc + j]! *= inv;
    }
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const rr = r * n;
      const f = work[rr + col]!;
      if (f === 0) continue;
      for (let j = col; j < n; j++) work[rr + j]! -= f * work[rc + j]!;
      for (let j = 0; j < n; j++) out[rr + j]! -= f * out[rc + j]!;
    }
  }
  return out;
}

function swapRows(a: Float64Array, n: number, r1: number, r2: number): void {
  const o1 = r1 * n;
  const o2 = r2 * n;
  for (let j = 0; j < n; j++) {
    const t = a[o1 + j]!;
    a[o1 + j] = a[o2 + j]!;
    a[o2 + j] = t;
  }
}

/**
 * Q factor of a square matrix (Householder QR made unique by a positive diagonal of R):
 * `q` receives Q, `r` (optional) receives R. `work` (n x n) is overwritten.
 * Modified Gram-Schmidt applied twice on the columns (held as rows of the transpose).
 */
export function qrDecomposition(
  m: Float64Array,
  q: Float64Array,
  n: number,
  work: Float64Array,
  r?: Float64Array,
): void {
  transpose(m, work, n); // rows of work = columns of m
  if (r !== undefined) r.fill(0);
  for (let j = 0; j < n; j++) {
    const oj = j * n;
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < j; i++) {
        const oi = i * n;
        let c = 0;
        for (let k = 0; k < n; k++) c += work[oi + k]! * work[oj + k]!;
        for (let k = 0; k < n; k++) work[oj + k]! -= c * work[oi + k]!;
        if (r !== undefined) r[i * n + j]! += c;
      }
    }
    let s = 0;
    for (let k = 0; k < n; k++) s += work[oj + k]! * work[oj + k]!;
    const nrm = Math.sqrt(s);
    if (nrm === 0) throw new SingularMatrixError('qrDecomposition', 'matrix', j, orthogonalScope);
    for (let k = 0; k < n; k++) work[oj + k]! /= nrm;
    if (r !== undefined) r[j * n + j] = nrm;
  }
  transpose(work, q, n);
}

/**
 * out = exp(s) for a skew-symmetric s, by scaling and squaring with a degree-18
 * Taylor polynomial (truncation below 1e-17 after scaling to ||s||_F <= 1/2).
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
  const nrm = norm(s);
  let squarings = 0;
  if (nrm > 0.5) squarings = Math.ceil(Math.log2(nrm / 0.5));
  const scale = 2 ** -squarings;
  scaleInto(scale, s, w1); // w1 = scaled s
  const degree = 18;
  // Horner: out = I + x/1 (I + x/2 (I + ... (I + x/degree)))
  setIdentity(out, n);
  for (let k = degree; k >= 1; k--) {
    multiply(w1, out, w2, n);
    const f = 1 / k;
    for (let i = 0; i < n * n; i++) out[i] = f * w2[i]!;
    for (let i = 0; i < n; i++) out[i * n + i]! += 1;
  }
  for (let q = 0; q < squarings; q++) {
    multiply(out, out, w3, n);
    out.set(w3);
  }
  return out;
}

/**
 * Orthogonal polar factor of a nonsingular m by Newton's iteration
 * X <- (X + X^{-T}) / 2 (quadratic convergence), stopped at relative change <= 1e-15.
 * Workspace `w1`, `w2`, `w3` (n x n).
 */
export function polarFactor(
  m: Float64Array,
  out: Float64Array,
  n: number,
  w1: Float64Array,
  w2: Float64Array,
  w3: Float64Array,
): Float64Array {
  out.set(m.subarray(0, n * n));
  for (let iteration = 0; iteration < 100; iteration++) {
    invert(out, w1, n, w2, 'polarFactor');
    transpose(w1, w3, n); // X^{-T}
    let change = 0;
    let size = 0;
    for (let i = 0; i < n * n; i++) {
      const next = 0.5 * (out[i]! + w3[i]!);
      const delta = next - out[i]!;
      change += delta * delta;
      size += next * next;
      out[i] = next;
    }
    if (change <= 1e-30 * size) break;
  }
  return out;
}

/**
 * Eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations.
 * Returns eigenvalues ascending and eigenvectors as columns of a row-major array.
 */
export function jacobiEigen(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const m = Float64Array.from(a.subarray(0, n * n));
  const v = setIdentity(new Float64Array(n * n), n);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let total = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const x = m[i * n + j]! * m[i * n + j]!;
        total += x;
        if (i !== j) off += x;
      }
    }
    if (off <= 1e-32 * total || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q]!;
        if (apq === 0) continue;
        const app = m[p * n + p]!;
        const aqq = m[q * n + q]!;
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const mkp = m[k * n + p]!;
          const mkq = m[k * n + q]!;
          m[k * n + p] = c * mkp - s * mkq;
          m[k * n + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p * n + k]!;
          const mqk = m[q * n + k]!;
          m[p * n + k] = c * mpk - s * mqk;
          m[q * n + k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!;
          const vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => m[x * n + x]! - m[y * n + y]!);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = m[src * n + src]!;
    for (let k = 0; k < n; k++) vectors[k * n + dst] = v[k * n + src]!;
  });
  return { values, vectors };
}

/** Sign of det(m) via LU with partial pivoting (0 when singular). `work` n x n. */
export function determinantSign(m: Float64Array, n: number, work: Float64Array): number {
  work.set(m.subarray(0, n * n));
  let sign = 1;
  for (let col = 0; col < n; col++) {
    let pivotRow = col;
    let pivotAbs = Math.abs(work[col * n + col]!);
    for (let r = col + 1; r < n; r++) {
      const v = Math.abs(work[r * n + col]!);
      if (v > pivotAbs) {
        pivotAbs = v;
        pivotRow = r;
      }
    }
    if (pivotAbs === 0) return 0;
    if (pivotRow !== col) {
      swapRows(work, n, pivotRow, col);
      sign = -sign;
    }
    const pivot = work[col * n + col]!;
    if (pivot < 0) sign = -sign;
    for (let r = col + 1; r < n; r++) {
      const f = work[r * n + col]! / pivot;
      if (f === 0) continue;
      for (let j = col; j < n; j++) work[r * n + j]! -= f * work[col * n + j]!;
    }
  }
  return sign;
}

/**
 * out = m^{-1} for a matrix whose symmetric part is positive definite (such as
 * I + skew, the Cayley transform's matrix): recursive 2 x 2 block inversion through
 * Schur complements, every product by gemm. No pivoting is needed because leading
 * blocks and Schur complements inherit the positive-definite symmetric part.
 */
export function invertPositiveReal(m: Float64Array, out: Float64Array, n: number): Float64Array {
  blockInverse(m, 0, n, out, 0, n, n);
  return out;
}

function blockInverse(
  m: Float64Array,
  offM: number,
  strideM: number,
  out: Float64Array,
  offOut: number,
  strideOut: number,
  n: number,
): void {
  if (n <= 32) {
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = m[offM + i * strideM + j]!;
    const inv = new Float64Array(n * n);
    invert(a, inv, n, new Float64Array(n * n), 'invertPositiveReal');
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[offOut + i * strideOut + j] = inv[i * n + j]!;
    return;
  }
  const k = n >> 1;
  const r = n - k;
  const offB = offM + k;
  const offC = offM + k * strideM;
  const offD = offC + k;
  // Ainv into the top-left block of out
  blockInverse(m, offM, strideM, out, offOut, strideOut, k);
  const e = new Float64Array(k * r); // Ainv B
  const f = new Float64Array(r * k); // C Ainv
  gemm(false, false, k, r, k, 1, out, offOut, strideOut, m, offB, strideM, 0, e, 0, r);
  gemm(false, false, r, k, k, 1, m, offC, strideM, out, offOut, strideOut, 0, f, 0, k);
  const s = new Float64Array(r * r); // D - C E
  for (let i = 0; i < r; i++) for (let j = 0; j < r; j++) s[i * r + j] = m[offD + i * strideM + j]!;
  gemm(false, false, r, r, k, -1, m, offC, strideM, e, 0, r, 1, s, 0, r);
  const offOutD = offOut + k * strideOut + k;
  blockInverse(s, 0, r, out, offOutD, strideOut, r); // Sinv into bottom-right
  const g = new Float64Array(k * r); // E Sinv
  gemm(false, false, k, r, r, 1, e, 0, r, out, offOutD, strideOut, 0, g, 0, r);
  // top-left += G F
  gemm(false, false, k, k, r, 1, g, 0, r, f, 0, k, 1, out, offOut, strideOut);
  // top-right = -G
  for (let i = 0; i < k; i++) for (let j = 0; j < r; j++) out[offOut + i * strideOut + k + j] = -g[i * r + j]!;
  // bottom-left = -Sinv F
  gemm(false, false, r, k, r, -1, out, offOutD, strideOut, f, 0, k, 0, out, offOut + k * strideOut, strideOut);
}
