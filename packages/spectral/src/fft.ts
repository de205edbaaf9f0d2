/**
 * One-dimensional DFTs of any length with numpy's conventions:
 * `fft` is unnormalised (`X_k = sum_j x_j exp(-2 pi i j k / n)`), `ifft` carries 1/n,
 * `rfft` returns the `floor(n/2) + 1` non-negative frequencies of a real input and
 * `irfft` inverts it (as numpy.fft.rfft / irfft).
 */
import { assertPositiveInteger } from '@descramble/core';
import { type ComplexVector, type ComplexVectorLike, isComplex } from './complex.js';
import { DimensionMismatchError, spectralScope } from './errors.js';
import { fftPlan } from './fft-plan.js';
import { readVector } from './matrix-data.js';

/** Real input (any array-like of numbers) or complex input. */
export type VectorInput = ArrayLike<number> | ComplexVectorLike;

/** Validates and interleaves a real or complex vector. */
function readInterleaved(operation: string, x: VectorInput): Float64Array {
  if (isComplex(x)) {
    const re = readVector(operation, 'x.re', x.re);
    const im = readVector(operation, 'x.im', x.im);
    if (re.length !== im.length) {
      throw new DimensionMismatchError({ operation, what: 'x.im length', expected: re.length, actual: im.length, ...spectralScope });
    }
    const out = new Float64Array(2 * re.length);
    for (let k = 0; k < re.length; k++) {
      out[2 * k] = re[k]!;
      out[2 * k + 1] = im[k]!;
    }
    return out;
  }
  const re = readVector(operation, 'x', x);
  const out = new Float64Array(2 * re.length);
  for (let k = 0; k < re.length; k++) out[2 * k] = re[k]!;
  return out;
}

function split(interleaved: Float64Array, length: number): ComplexVector {
  const re = new Float64Array(length);
  const im = new Float64Array(length);
  for (let k = 0; k < length; k++) {
    re[k] = interleaved[2 * k]!;
    im[k] = interleaved[2 * k + 1]!;
  }
  return { re, im };
}

/** Forward DFT of a real or complex vector of any length >= 1 (unnormalised, as numpy.fft.fft). */
export function fft(x: VectorInput): ComplexVector {
  const input = readInterleaved('fft', x);
  const n = input.length / 2;
  const out = new Float64Array(2 * n);
  fftPlan(n).forward(out, input);
  return split(out, n);
}

/** Inverse DFT with the 1/n factor (as numpy.fft.ifft). `ifft(fft(x))` returns x. */
export function ifft(x: VectorInput): ComplexVector {
  const input = readInterleaved('ifft', x);
  const n = input.length / 2;
  const out = new Float64Array(2 * n);
  fftPlan(n).inverse(out, input);
  return split(out, n);
}

/** DFT of a real vector, frequencies 0..floor(n/2) only (as numpy.fft.rfft). */
export function rfft(x: ArrayLike<number>): ComplexVector {
  const input = readInterleaved('rfft', readVector('rfft', 'x', x));
  const n = input.length / 2;
  const out = new Float64Array(2 * n);
  fftPlan(n).forward(out, input);
  return split(out, Math.floor(n / 2) + 1);
}

/**
 * Inverse of `rfft` (as numpy.fft.irfft): treats `X` as the non-negative half of a
 * Hermitian spectrum of length `n` (default `2 (X.length - 1)`), truncating or zero-padding
 * `X` to `floor(n/2) + 1` entries; the imaginary parts at frequency 0 (and n/2 for even n)
 * are ignored, as numpy does.
 */
export function irfft(X: ComplexVectorLike, n?: number): Float64Array {
  const re = readVector('irfft', 'X.re', X.re);
  const im = readVector('irfft', 'X.im', X.im);
  if (re.length !== im.length) throw new DimensionMismatchError({ operation: 'irfft', what: 'X.im length', expected: re.length, actual: im.length, ...spectralScope });
  const length = n ?? 2 * (re.length - 1);
  assertPositiveInteger(length, { ...spectralScope, operation: 'irfft', argument: 'n' });
  const half = Math.floor(length / 2);
  const full = new Float64Array(2 * length);
  for (let k = 0; k <= half; k++) {
    const r = k < re.length ? re[k]! : 0;
    const i = k < im.length ? im[k]! : 0;
    const isReal = k === 0 || 2 * k === length;
    full[2 * k] = r;
    full[2 * k + 1] = isReal ? 0 : i;
    if (k > 0 && !isReal) {
      full[2 * (length - k)] = r;
      full[2 * (length - k) + 1] = -i;
    }
  }
  const out = new Float64Array(2 * length);
  fftPlan(length).inverse(out, full);
  const result = new Float64Array(length);
  for (let j = 0; j < length; j++) result[j] = out[2 * j]!;
  return result;
}
