/**
 * The centred 2-D DFT magnitude of a weight matrix, the picture the descrambling papers
 * read their results from. Rows of W are the hidden/output axis, columns the input axis;
 * the same holds for the spectrum: row r is hidden-axis frequency `rowFrequencies[r]`,
 * column c is input-axis frequency `columnFrequencies[c]` (both in fftshift order, so
 * frequency 0 sits at index floor(n/2)).
 */
import type { AbstractMatrix, Matrix } from 'ml-matrix';
import { realFft2HalfKernel } from './fft2.js';
import { readMatrix, rowMajorToMatrix } from './matrix-data.js';
import { centredFrequencies } from './shift.js';

/** A centred magnitude spectrum with its frequency labels. */
export interface WeightSpectrum {
  /** `|fftshift(fft2(W))|`, or its symmetrised form; rows x columns like W. */
  readonly magnitude: Matrix;
  /** Integer frequency of each row (hidden/output axis): `-floor(rows/2) .. ceil(rows/2) - 1`. */
  readonly rowFrequencies: readonly number[];
  /** Integer frequency of each column (input axis): `-floor(columns/2) .. ceil(columns/2) - 1`. */
  readonly columnFrequencies: readonly number[];
  /** Whether `symmetriseSpectrum` was applied. */
  readonly symmetrised: boolean;
}

export interface WeightSpectrumOptions {
  /**
   * Apply the 2021 figures' display `|A| + |circshift(fliplr(A), 1, 2)|` (see
   * `symmetriseSpectrum`). Default false.
   */
  readonly symmetrise?: boolean;
}

/**
 * @internal Centred magnitude of the 2-D DFT of a real row-major matrix, row-major.
 * Uses the half-spectrum kernel and `|Y[-p, -q]| = |Y[p, q]|` for the other half.
 */
export function centredMagnitudeKernel(w: Float64Array, rows: number, columns: number): Float64Array {
  const half = realFft2HalfKernel(w, rows, columns);
  const h = Math.floor(columns / 2) + 1;
  const rowCentre = Math.floor(rows / 2);
  const columnCentre = Math.floor(columns / 2);
  const out = new Float64Array(rows * columns);
  for (let p = 0; p < rows; p++) {
    const row = ((p + rowCentre) % rows) * columns;
    const mirrorRow = (((rows - p) % rows + rowCentre) % rows) * columns;
    const base = 2 * p * h;
    for (let q = 0; q < h; q++) {
      const re = half[base + 2 * q]!;
      const im = half[base + 2 * q + 1]!;
      const magnitude = Math.sqrt(re * re + im * im);
      out[row + ((q + columnCentre) % columns)] = magnitude;
      out[mirrorRow + (((columns - q) % columns + columnCentre) % columns)] = magnitude;
    }
  }
  return out;
}

/** @internal Row-major `S[i, j] = A[i, j] + A[i, (n - j) mod n]`. */
export function symmetriseKernel(a: Float64Array, rows: number, columns: number): Float64Array {
  const out = new Float64Array(rows * columns);
  for (let i = 0; i < rows; i++) {
    const base = i * columns;
    for (let j = 0; j < columns; j++) {
      out[base + j] = Math.abs(a[base + j]!) + Math.abs(a[base + ((columns - j) % columns)]!);
    }
  }
  return out;
}

/**
 * The 2021 figures' symmetrisation, `|A| + |circshift(fliplr(A), 1, 2)|` in MATLAB
 * notation, on a centred spectrum A (any real matrix; absolute values are taken).
 * `fliplr` reverses the columns (`B[i, j] = A[i, n-1-j]`) and `circshift(., 1, 2)` moves
 * every column one place right, cyclically (`C[i, j] = B[i, (j - 1) mod n]`), so
 * `C[i, j] = A[i, (n - j) mod n]` and the result is `|A[i, j]| + |A[i, (n - j) mod n]|`.
 * For even n, with column j at frequency `j - n/2`, that is `|A(k1, k2)| + |A(k1, -k2)|`
 * (a mirror about input frequency 0, with -n/2 paired with itself). For odd n the
 * formula pairs k2 with `1 - k2`, off by one from a mirror; it is reproduced as written.
 */
export function symmetriseSpectrum(a: AbstractMatrix): Matrix {
  const data = readMatrix('symmetriseSpectrum', 'a', a);
  return rowMajorToMatrix(symmetriseKernel(data, a.rows, a.columns), a.rows, a.columns);
}

/**
 * `|fftshift(fft2(W))|` with frequency labels, optionally symmetrised.
 *
 * @example
 * const spectrum = weightSpectrum(descrambledW1, { symmetrise: true });
 * spectrum.magnitude;          // 80 x 256
 * spectrum.columnFrequencies;  // [-128, ..., 127]
 */
export function weightSpectrum(w: AbstractMatrix, options: WeightSpectrumOptions = {}): WeightSpectrum {
  const data = readMatrix('weightSpectrum', 'w', w);
  const rows = w.rows;
  const columns = w.columns;
  let magnitude = centredMagnitudeKernel(data, rows, columns);
  const symmetrised = options.symmetrise ?? false;
  if (symmetrised) magnitude = symmetriseKernel(magnitude, rows, columns);
  return {
    magnitude: rowMajorToMatrix(magnitude, rows, columns),
    rowFrequencies: centredFrequencies(rows),
    columnFrequencies: centredFrequencies(columns),
    symmetrised,
  };
}
