/**
 * The Figure 3 reading: spectra of the leading singular vectors of a matrix (a discretised
 * kernel, a trained weight matrix), and a similarity score between two such spectra.
 */
import { assertPositiveInteger } from '@descramble/core';
import { svd } from '@descramble/linalg';
import { type AbstractMatrix, Matrix } from 'ml-matrix';
import { DegenerateInputError, DimensionMismatchError, InvalidArgumentError, spectralScope } from './errors.js';
import { fftPlan } from './fft-plan.js';
import { matrixToRowMajor, readMatrix, rowMajorToMatrix } from './matrix-data.js';
import { centredMagnitudeKernel, symmetriseKernel, type WeightSpectrum } from './weight-spectrum.js';
import { centredFrequencies } from './shift.js';

export interface SingularVectorSpectraOptions {
  /** Multiply singular vector i by sigma_i before transforming (default false). */
  readonly scaled?: boolean;
  /** Symmetrise the 2-D spectra as `weightSpectrum` does (default false). */
  readonly symmetrise?: boolean;
}

/** Spectra of the leading k singular vectors, with the vectors themselves. */
export interface SingularVectorSpectra {
  /** sigma_1 >= ... >= sigma_k. */
  readonly singularValues: Float64Array;
  /** k x rows(M): row i is u_i (times sigma_i when scaled), after the sign convention. */
  readonly leftVectors: Matrix;
  /** k x columns(M): row i is v_i (times sigma_i when scaled), after the sign convention. */
  readonly rightVectors: Matrix;
  /** Centred 2-D DFT magnitude of `leftVectors` (rows: mode axis, columns: the vectors' own axis). */
  readonly left: WeightSpectrum;
  /** Centred 2-D DFT magnitude of `rightVectors`. */
  readonly right: WeightSpectrum;
  /** k x rows(M): row i is `|fftshift(fft(u_i))|` (sign-invariant; no mixing between vectors). */
  readonly leftVectorSpectra: Matrix;
  /** k x columns(M): row i is `|fftshift(fft(v_i))|`. */
  readonly rightVectorSpectra: Matrix;
}

/** Row-wise `|fftshift(fft(row))|` of a row-major k x n array. */
function rowSpectra(data: Float64Array, k: number, n: number): Float64Array {
  const plan = fftPlan(n);
  const input = new Float64Array(2 * n);
  const output = new Float64Array(2 * n);
  const out = new Float64Array(k * n);
  const centre = Math.floor(n / 2);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < n; j++) {
      input[2 * j] = data[i * n + j]!;
      input[2 * j + 1] = 0;
    }
    plan.forward(output, input);
    for (let q = 0; q < n; q++) {
      out[i * n + ((q + centre) % n)] = Math.hypot(output[2 * q]!, output[2 * q + 1]!);
    }
  }
  return out;
}

function spectrumOf(data: Float64Array, k: number, n: number, symmetrise: boolean): WeightSpectrum {
  let magnitude = centredMagnitudeKernel(data, k, n);
  if (symmetrise) magnitude = symmetriseKernel(magnitude, k, n);
  return {
    magnitude: rowMajorToMatrix(magnitude, k, n),
    rowFrequencies: centredFrequencies(k),
    columnFrequencies: centredFrequencies(n),
    symmetrised: symmetrise,
  };
}

/**
 * Thin SVD `M = U diag(sigma) V^T`, then the spectra of the leading k singular vectors,
 * each stacked as the rows of a k x length matrix. Signs: singular pairs are determined
 * up to a common sign, which changes 2-D spectra (they mix vectors along the mode axis),
 * so each pair (u_i, v_i) is flipped to make the largest-magnitude entry of v_i positive
 * (the first such entry on ties). The per-vector spectra are sign-invariant regardless.
 */
export function singularVectorSpectra(m: AbstractMatrix, k: number, options: SingularVectorSpectraOptions = {}): SingularVectorSpectra {
  const operation = 'singularVectorSpectra';
  readMatrix(operation, 'm', m);
  assertPositiveInteger(k, { ...spectralScope, operation: operation, argument: 'k' });
  const rank = Math.min(m.rows, m.columns);
  if (k > rank) throw new InvalidArgumentError({ operation, argument: 'k', what: `must be <= min(rows, columns) = ${rank}, got ${k}`, ...spectralScope });
  const { u, s, v } = svd(m);
  const rows = m.rows;
  const columns = m.columns;
  const uData = matrixToRowMajor(u);
  const vData = matrixToRowMajor(v);
  const uWidth = u.columns;
  const vWidth = v.columns;
  const left = new Float64Array(k * rows);
  const right = new Float64Array(k * columns);
  const scaled = options.scaled ?? false;
  for (let i = 0; i < k; i++) {
    let best = 0;
    let sign = 1;
    for (let j = 0; j < columns; j++) {
      const x = vData[j * vWidth + i]!;
      if (Math.abs(x) > best) {
        best = Math.abs(x);
        sign = x < 0 ? -1 : 1;
      }
    }
    const factor = sign * (scaled ? s[i]! : 1);
    for (let j = 0; j < rows; j++) left[i * rows + j] = factor * uData[j * uWidth + i]!;
    for (let j = 0; j < columns; j++) right[i * columns + j] = factor * vData[j * vWidth + i]!;
  }
  const symmetrise = options.symmetrise ?? false;
  return {
    singularValues: s.slice(0, k),
    leftVectors: rowMajorToMatrix(left, k, rows),
    rightVectors: rowMajorToMatrix(right, k, columns),
    left: spectrumOf(left, k, rows, symmetrise),
    right: spectrumOf(right, k, columns, symmetrise),
    leftVectorSpectra: rowMajorToMatrix(rowSpectra(left, k, rows), k, rows),
    rightVectorSpectra: rowMajorToMatrix(rowSpectra(right, k, columns), k, columns),
  };
}

/**
 * Similarity of two magnitude spectra of the same shape: the cosine of the angle between
 * them as vectors, `sum |a_ij| |b_ij| / (||a||_F ||b||_F)`, in [0, 1]. It is 1 exactly when
 * one is a positive multiple of the other, so overall scale does not matter; magnitudes
 * already ignore the signs and phases of the underlying vectors. Either argument may be a
 * `WeightSpectrum` or a magnitude `Matrix`.
 */
export function spectrumSimilarity(a: WeightSpectrum | AbstractMatrix, b: WeightSpectrum | AbstractMatrix): number {
  const operation = 'spectrumSimilarity';
  const ma = !Matrix.isMatrix(a) && 'magnitude' in a ? a.magnitude : (a as AbstractMatrix);
  const mb = !Matrix.isMatrix(b) && 'magnitude' in b ? b.magnitude : (b as AbstractMatrix);
  const x = readMatrix(operation, 'a', ma);
  const y = readMatrix(operation, 'b', mb);
  if (ma.rows !== mb.rows || ma.columns !== mb.columns) {
    throw new DimensionMismatchError({ operation, what: 'b shape', expected: `${ma.rows} x ${ma.columns}`, actual: `${mb.rows} x ${mb.columns}`, ...spectralScope });
  }
  let dot = 0;
  let xx = 0;
  let yy = 0;
  for (let i = 0; i < x.length; i++) {
    const p = Math.abs(x[i]!);
    const q = Math.abs(y[i]!);
    dot += p * q;
    xx += p * p;
    yy += q * q;
  }
  if (xx === 0 || yy === 0) throw new DegenerateInputError({ operation, reason: 'a spectrum is zero; the similarity is undefined' });
  return Math.min(1, dot / (Math.sqrt(xx) * Math.sqrt(yy)));
}
