/**
 * Two-dimensional DFTs of matrices of any shape, numpy's conventions
 * (`fft2` unnormalised, `ifft2` with 1/(rows * columns)). Results are `ComplexMatrix`
 * (`{ re: Matrix, im: Matrix }`).
 *
 * Kernels: rows first, then columns (gathered in blocks of 16 for locality). For real
 * input, pairs of rows share one complex transform (z = x_r + i x_{r+1}, split through
 * `X_r[k] = (Z[k] + conj Z[-k]) / 2`, `X_{r+1}[k] = (Z[k] - conj Z[-k]) / 2i`) and only the
 * columns 0..floor(n/2) are transformed; the rest follow from Hermitian symmetry
 * `Y[-r, -k] = conj Y[r, k]`.
 */
import type { AbstractMatrix } from 'ml-matrix';
import { type ComplexMatrix, isComplex } from './complex.js';
import { DimensionMismatchError, spectralScope } from './errors.js';
import { type FftPlan, fftPlan } from './fft-plan.js';
import { readMatrix, rowMajorToMatrix } from './matrix-data.js';

const COLUMN_BLOCK = 16;

/**
 * Transforms `count` complex columns (0..count-1) of an interleaved row-major array with
 * `stride` complex entries per row and `rows` rows, in place.
 */
function transformColumns(data: Float64Array, rows: number, stride: number, count: number, plan: FftPlan, inverse: boolean): void {
  if (rows === 1) return;
  const block = Math.min(COLUMN_BLOCK, count);
  const inputs: Float64Array[] = [];
  const outputs: Float64Array[] = [];
  for (let b = 0; b < block; b++) {
    inputs.push(new Float64Array(2 * rows));
    outputs.push(new Float64Array(2 * rows));
  }
  for (let c0 = 0; c0 < count; c0 += block) {
    const width = Math.min(block, count - c0);
    for (let r = 0; r < rows; r++) {
      const base = 2 * (r * stride + c0);
      for (let b = 0; b < width; b++) {
        const buffer = inputs[b]!;
        buffer[2 * r] = data[base + 2 * b]!;
        buffer[2 * r + 1] = data[base + 2 * b + 1]!;
      }
    }
    for (let b = 0; b < width; b++) {
      if (inverse) plan.inverse(outputs[b]!, inputs[b]!);
      else plan.forward(outputs[b]!, inputs[b]!);
    }
    for (let r = 0; r < rows; r++) {
      const base = 2 * (r * stride + c0);
      for (let b = 0; b < width; b++) {
        const buffer = outputs[b]!;
        data[base + 2 * b] = buffer[2 * r]!;
        data[base + 2 * b + 1] = buffer[2 * r + 1]!;
      }
    }
  }
}

/** @internal 2-D DFT of interleaved complex row-major data; returns a new interleaved array. */
export function complexFft2Kernel(input: Float64Array, rows: number, columns: number, inverse: boolean): Float64Array {
  const out = new Float64Array(2 * rows * columns);
  const rowPlan = fftPlan(columns);
  const width = 2 * columns;
  for (let r = 0; r < rows; r++) {
    const source = input.subarray(r * width, (r + 1) * width);
    const target = out.subarray(r * width, (r + 1) * width);
    if (inverse) rowPlan.inverse(target, source);
    else rowPlan.forward(target, source);
  }
  transformColumns(out, rows, columns, columns, fftPlan(rows), inverse);
  return out;
}

/**
 * @internal Forward 2-D DFT of a real row-major matrix, columns 0..floor(columns/2) only:
 * returns interleaved data of `rows x (floor(columns/2) + 1)` complex entries.
 */
export function realFft2HalfKernel(x: Float64Array, rows: number, columns: number): Float64Array {
  const half = Math.floor(columns / 2) + 1;
  const out = new Float64Array(2 * rows * half);
  const plan = fftPlan(columns);
  const z = new Float64Array(2 * columns);
  const spectrum = new Float64Array(2 * columns);
  let r = 0;
  for (; r + 1 < rows; r += 2) {
    const a = r * columns;
    const b = a + columns;
    for (let j = 0; j < columns; j++) {
      z[2 * j] = x[a + j]!;
      z[2 * j + 1] = x[b + j]!;
    }
    plan.forward(spectrum, z);
    const first = 2 * r * half;
    const second = first + 2 * half;
    for (let k = 0; k < half; k++) {
      const mirror = k === 0 ? 0 : columns - k;
      const zr = spectrum[2 * k]!;
      const zi = spectrum[2 * k + 1]!;
      const wr = spectrum[2 * mirror]!;
      const wi = -spectrum[2 * mirror + 1]!;
      out[first + 2 * k] = 0.5 * (zr + wr);
      out[first + 2 * k + 1] = 0.5 * (zi + wi);
      out[second + 2 * k] = 0.5 * (zi - wi);
      out[second + 2 * k + 1] = -0.5 * (zr - wr);
    }
  }
  if (r < rows) {
    const a = r * columns;
    for (let j = 0; j < columns; j++) {
      z[2 * j] = x[a + j]!;
      z[2 * j + 1] = 0;
    }
    plan.forward(spectrum, z);
    out.set(spectrum.subarray(0, 2 * half), 2 * r * half);
  }
  transformColumns(out, rows, half, half, fftPlan(rows), false);
  return out;
}

/**
 * @internal Expands a half spectrum (columns 0..floor(n/2)) of a real input into the full
 * rows x columns spectrum, as separate row-major real and imaginary parts.
 */
export function expandHalfSpectrum(half: Float64Array, rows: number, columns: number): { re: Float64Array; im: Float64Array } {
  const h = Math.floor(columns / 2) + 1;
  const re = new Float64Array(rows * columns);
  const im = new Float64Array(rows * columns);
  for (let r = 0; r < rows; r++) {
    const mirrorRow = r === 0 ? 0 : rows - r;
    const target = r * columns;
    const source = 2 * r * h;
    for (let k = 0; k < h; k++) {
      re[target + k] = half[source + 2 * k]!;
      im[target + k] = half[source + 2 * k + 1]!;
    }
    const mirror = 2 * mirrorRow * h;
    for (let k = h; k < columns; k++) {
      re[target + k] = half[mirror + 2 * (columns - k)]!;
      im[target + k] = -half[mirror + 2 * (columns - k) + 1]!;
    }
  }
  return { re, im };
}

/** Splits interleaved row-major complex data into a `ComplexMatrix`. */
function toComplexMatrix(data: Float64Array, rows: number, columns: number): ComplexMatrix {
  const size = rows * columns;
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  for (let k = 0; k < size; k++) {
    re[k] = data[2 * k]!;
    im[k] = data[2 * k + 1]!;
  }
  return { re: rowMajorToMatrix(re, rows, columns), im: rowMajorToMatrix(im, rows, columns) };
}

/** A real `Matrix` or a `ComplexMatrix`. */
export type MatrixInput = AbstractMatrix | ComplexMatrix;

/** @internal Validates a real or complex matrix; returns interleaved data (or real data when `real`). */
export function readMatrixInput(
  operation: string,
  a: MatrixInput,
): { rows: number; columns: number; real: Float64Array | undefined; interleaved: Float64Array | undefined } {
  if (isComplex(a)) {
    const c = a as ComplexMatrix;
    const re = readMatrix(operation, 'a.re', c.re);
    const im = readMatrix(operation, 'a.im', c.im);
    if (c.re.rows !== c.im.rows || c.re.columns !== c.im.columns) {
      throw new DimensionMismatchError({ operation, what: 'a.im shape', expected: `${c.re.rows} x ${c.re.columns}`, actual: `${c.im.rows} x ${c.im.columns}`, ...spectralScope });
    }
    const interleaved = new Float64Array(2 * re.length);
    for (let k = 0; k < re.length; k++) {
      interleaved[2 * k] = re[k]!;
      interleaved[2 * k + 1] = im[k]!;
    }
    return { rows: c.re.rows, columns: c.re.columns, real: undefined, interleaved };
  }
  const m = a as AbstractMatrix;
  const real = readMatrix(operation, 'a', m);
  return { rows: m.rows, columns: m.columns, real, interleaved: undefined };
}

/**
 * 2-D DFT (as numpy.fft.fft2): `Y[p, q] = sum_{i,j} a[i, j] exp(-2 pi i (p i / rows + q j / columns))`.
 * Real input takes the half-spectrum path (about half the work).
 */
export function fft2(a: MatrixInput): ComplexMatrix {
  const { rows, columns, real, interleaved } = readMatrixInput('fft2', a);
  if (real !== undefined) {
    const { re, im } = expandHalfSpectrum(realFft2HalfKernel(real, rows, columns), rows, columns);
    return { re: rowMajorToMatrix(re, rows, columns), im: rowMajorToMatrix(im, rows, columns) };
  }
  return toComplexMatrix(complexFft2Kernel(interleaved!, rows, columns, false), rows, columns);
}

/** Inverse 2-D DFT with 1/(rows * columns) (as numpy.fft.ifft2). `ifft2(fft2(a))` returns a. */
export function ifft2(a: MatrixInput): ComplexMatrix {
  const { rows, columns, real, interleaved } = readMatrixInput('ifft2', a);
  let data = interleaved;
  if (data === undefined) {
    data = new Float64Array(2 * real!.length);
    for (let k = 0; k < real!.length; k++) data[2 * k] = real![k]!;
  }
  return toComplexMatrix(complexFft2Kernel(data, rows, columns, true), rows, columns);
}
