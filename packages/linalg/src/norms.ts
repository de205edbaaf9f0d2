import type { AbstractMatrix, Matrix } from 'ml-matrix';
import { readMatrix, readSquare, wrapRowMajor } from './convert.js';
import { syrk } from './gemm.js';

/** @internal Overflow-safe 2-norm of `x[offset .. offset + length)`. Kernel: no validation. */
export function norm2Kernel(length: number, x: Float64Array, offset: number): number {
  let scale = 0;
  for (let i = offset; i < offset + length; i++) {
    const v = Math.abs(x[i]!);
    if (v > scale) scale = v;
  }
  if (scale === 0) return 0;
  const inv = 1 / scale;
  let sum = 0;
  for (let i = offset; i < offset + length; i++) {
    const v = x[i]! * inv;
    sum += v * v;
  }
  return scale * Math.sqrt(sum);
}

/** Frobenius norm `sqrt(sum a_ij^2)`, overflow-safe. Throws on NaN/Inf. */
export function frobeniusNorm(a: AbstractMatrix): number {
  const data = readMatrix('frobeniusNorm', 'a', a, true);
  return norm2Kernel(data.length, data, 0);
}

/**
 * `||P^T P - I||_F` for any n x k matrix P (0 for orthonormal columns).
 * Throws on NaN/Inf.
 */
export function orthogonalityError(p: AbstractMatrix): number {
  const k = p.columns;
  const n = p.rows;
  const data = readMatrix('orthogonalityError', 'p', p, true);
  const gram = new Float64Array(k * k);
  syrk(true, k, n, 1, data, 0, k, 0, gram, 0, k);
  for (let i = 0; i < k; i++) gram[i * k + i] = gram[i * k + i]! - 1;
  return norm2Kernel(gram.length, gram, 0);
}

/** `(A + A^T) / 2` for square A. */
export function symmetricPart(a: AbstractMatrix): Matrix {
  const n = a.rows;
  const data = readSquare('symmetricPart', 'a', a);
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    out[i * n + i] = data[i * n + i]!;
    for (let j = i + 1; j < n; j++) {
      const s = 0.5 * data[i * n + j]! + 0.5 * data[j * n + i]!;
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return wrapRowMajor(out, n, n);
}

/** @internal max |a_ij - a_ji| and where, on row-major square data. */
export function maxAsymmetry(n: number, data: Float64Array): { value: number; i: number; j: number } {
  let value = 0;
  let bi = 0;
  let bj = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const diff = Math.abs(data[i * n + j]! - data[j * n + i]!);
      if (diff > value) {
        value = diff;
        bi = i;
        bj = j;
      }
    }
  }
  return { value, i: bi, j: bj };
}

/** @internal max |a_ij| of an array. */
export function maxAbs(data: Float64Array): number {
  let m = 0;
  for (let k = 0; k < data.length; k++) {
    const v = Math.abs(data[k]!);
    if (v > m) m = v;
  }
  return m;
}

/**
 * True when A is square, finite and `max |a_ij - a_ji| <= relativeTolerance * max |a_ij|`.
 * Never throws: non-square or non-finite input gives `false`.
 */
export function isSymmetric(a: AbstractMatrix, relativeTolerance = 1e-10): boolean {
  if (a.rows !== a.columns) return false;
  const n = a.rows;
  let data: Float64Array;
  try {
    data = readMatrix('isSymmetric', 'a', a, true);
  } catch {
    return false;
  }
  return maxAsymmetry(n, data).value <= relativeTolerance * maxAbs(data);
}

/** `x 2^k` without intermediate overflow or underflow of the factor (exact unless the result leaves the range). */
export function timesPowerOfTwo(x: number, k: number): number {
  const half = Math.trunc(k / 2);
  return x * 2 ** half * 2 ** (k - half);
}

/**
 * `floor(log2 x)` for x > 0 (subnormals included): dividing by `2^exponent` brings x into
 * [1, 2) exactly, where dividing by x itself overflows for subnormal x (1 / 1e-310 = Infinity).
 */
export function binaryExponent(x: number): number {
  return Math.floor(Math.log2(x));
}
