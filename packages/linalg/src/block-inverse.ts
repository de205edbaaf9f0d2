import { gemm } from './gemm.js';
import { luFactorKernel, luInverseKernel } from './lu.js';

/** Below this size the block recursion hands over to LU. */
const BLOCK_BASE = 32;

/**
 * out = M^{-1} for a matrix whose symmetric part is positive definite (such as I + skew, the
 * Cayley transform's matrix): recursive 2 x 2 block inversion through Schur complements,
 * every product by gemm, LU with partial pivoting at n <= 32. No pivoting is needed across
 * blocks because leading blocks and Schur complements inherit the positive-definite
 * symmetric part. Returns the first zero LU pivot of a base block (-1 when none; `out` is
 * then not an inverse). Allocates O(n^2) scratch per recursion level; no validation.
 */
export function invertPositiveRealKernel(n: number, m: Float64Array, out: Float64Array): number {
  return blockInverse(m, 0, n, out, 0, n, n);
}

function blockInverse(
  m: Float64Array,
  offM: number,
  strideM: number,
  out: Float64Array,
  offOut: number,
  strideOut: number,
  n: number,
): number {
  if (n <= BLOCK_BASE) {
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = m[offM + i * strideM + j]!;
    const pivots = new Int32Array(n);
    const zero = luFactorKernel(n, a, pivots);
    if (zero >= 0) return zero;
    const inv = new Float64Array(n * n);
    luInverseKernel(n, a, pivots, inv);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[offOut + i * strideOut + j] = inv[i * n + j]!;
    return -1;
  }
  const k = n >> 1;
  const r = n - k;
  const offB = offM + k;
  const offC = offM + k * strideM;
  const offD = offC + k;
  // Ainv into the top-left block of out
  const zeroA = blockInverse(m, offM, strideM, out, offOut, strideOut, k);
  if (zeroA >= 0) return zeroA;
  const e = new Float64Array(k * r); // Ainv B
  const f = new Float64Array(r * k); // C Ainv
  gemm(false, false, k, r, k, 1, out, offOut, strideOut, m, offB, strideM, 0, e, 0, r);
  gemm(false, false, r, k, k, 1, m, offC, strideM, out, offOut, strideOut, 0, f, 0, k);
  const s = new Float64Array(r * r); // D - C E
  for (let i = 0; i < r; i++) for (let j = 0; j < r; j++) s[i * r + j] = m[offD + i * strideM + j]!;
  gemm(false, false, r, r, k, -1, m, offC, strideM, e, 0, r, 1, s, 0, r);
  const offOutD = offOut + k * strideOut + k;
  const zeroS = blockInverse(s, 0, r, out, offOutD, strideOut, r); // Sinv into bottom-right
  if (zeroS >= 0) return k + zeroS;
  const g = new Float64Array(k * r); // E Sinv
  gemm(false, false, k, r, r, 1, e, 0, r, out, offOutD, strideOut, 0, g, 0, r);
  // top-left += G F
  gemm(false, false, k, k, r, 1, g, 0, r, f, 0, k, 1, out, offOut, strideOut);
  // top-right = -G
  for (let i = 0; i < k; i++) for (let j = 0; j < r; j++) out[offOut + i * strideOut + k + j] = -g[i * r + j]!;
  // bottom-left = -Sinv F
  gemm(false, false, r, k, r, -1, out, offOutD, strideOut, f, 0, k, 0, out, offOut + k * strideOut, strideOut);
  return -1;
}
