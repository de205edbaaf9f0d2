import type { AbstractMatrix, Matrix } from 'ml-matrix';
import { readSquare, wrapRowMajor } from './convert.js';
import { InvalidArgumentError } from './errors.js';
import { gemm } from './gemm.js';
import { maxAbs } from './norms.js';

/** Degree of the Taylor polynomial of {@link expmSkewKernel}: 1/19! / 2^19 < 1e-22 at norm 1/2. */
const TAYLOR_DEGREE = 18;

/**
 * out = exp(S) for a skew-symmetric S (n x n row-major) by scaling and squaring: S is scaled
 * by 2^-s to Frobenius norm <= 1/2, exp is the degree-18 Taylor polynomial by Horner
 * (truncation < 1e-22, far below rounding), then squared s times. Every step is a product
 * of near-orthogonal matrices, so ||exp(S)^T exp(S) - I|| stays at a few d eps per squaring
 * and the result matches the exact exponential to ~ d eps (1 + ||S||). Workspace `w1`,
 * `w2`, `w3` (n x n). No allocation, no validation (S is not checked to be skew).
 */
export function expmSkewKernel(
  n: number,
  s: Float64Array,
  out: Float64Array,
  w1: Float64Array,
  w2: Float64Array,
  w3: Float64Array,
): void {
  const nn = n * n;
  let sumSquares = 0;
  for (let i = 0; i < nn; i++) sumSquares += s[i]! * s[i]!;
  const norm = Math.sqrt(sumSquares);
  const squarings = norm > 0.5 ? Math.ceil(Math.log2(norm / 0.5)) : 0;
  const scale = 2 ** -squarings;
  for (let i = 0; i < nn; i++) w1[i] = scale * s[i]!;
  // Horner: out = I + x/1 (I + x/2 (I + ... (I + x/degree))).
  out.fill(0, 0, nn);
  for (let i = 0; i < n; i++) out[i * n + i] = 1;
  for (let k = TAYLOR_DEGREE; k >= 1; k--) {
    gemm(false, false, n, n, n, 1, w1, 0, n, out, 0, n, 0, w2, 0, n);
    const f = 1 / k;
    for (let i = 0; i < nn; i++) out[i] = f * w2[i]!;
    for (let i = 0; i < n; i++) out[i * n + i]! += 1;
  }
  for (let q = 0; q < squarings; q++) {
    gemm(false, false, n, n, n, 1, out, 0, n, out, 0, n, 0, w3, 0, n);
    for (let i = 0; i < nn; i++) out[i] = w3[i]!;
  }
}

/**
 * exp(S) of a skew-symmetric matrix, an orthogonal matrix with determinant 1 (validating
 * wrapper of {@link expmSkewKernel}). Throws `InvalidArgumentError` when S is not
 * skew-symmetric beyond 1e-8 relative to max |s_ij|.
 */
export function expmSkew(s: AbstractMatrix): Matrix {
  const operation = 'expmSkew';
  const n = s.rows;
  const data = readSquare(operation, 's', s);
  const tolerance = 1e-8 * maxAbs(data);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const v = Math.abs(data[i * n + j]! + data[j * n + i]!);
      if (v > tolerance) {
        throw new InvalidArgumentError({ operation, argument: 's', what: `not skew-symmetric: |s_ij + s_ji| = ${v} at [${i}, ${j}]`, scope: 'linalg' });
      }
    }
  }
  const out = new Float64Array(n * n);
  expmSkewKernel(n, data, out, new Float64Array(n * n), new Float64Array(n * n), new Float64Array(n * n));
  return wrapRowMajor(out, n, n);
}
