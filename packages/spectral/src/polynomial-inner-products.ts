/**
 * The Figure 4 reading: inner products between given vectors (e.g. the top principal
 * components of a layer's preactivations) and the first polynomials of an orthogonal
 * family, and how close that matrix is to banded.
 */
import { assertNonNegativeInteger } from '@descramble/core';
import { gemm } from '@descramble/linalg';
import type { AbstractMatrix, Matrix } from 'ml-matrix';
import { DegenerateInputError, InvalidArgumentError, spectralScope } from './errors.js';
import { readMatrix, rowMajorToMatrix } from './matrix-data.js';
import { chebyshevBasis, legendreBasis, type PolynomialGrid, rescaleToUnitInterval } from './polynomial-basis.js';

export interface PolynomialInnerProductOptions {
  /** Polynomial family (default `'chebyshev'`). */
  readonly basis?: 'chebyshev' | 'legendre';
  /** Grid the vectors are sampled on (default `'equispaced'`: index i at `linspace(-1, 1, n)[i]`). */
  readonly grid?: PolynomialGrid;
  /** Use the grid-orthonormalised polynomials instead of the raw ones (default false). */
  readonly orthonormalise?: boolean;
  /**
   * Divide each inner product by the two Euclidean norms, giving the cosine of the angle
   * between vector and polynomial, in [-1, 1] (default true). With `false` the raw sums
   * `sum_i v(x_i) p(x_i)` are returned.
   */
  readonly normalise?: boolean;
  /** Shift-and-rescale each vector's values to [-1, 1] first (`rescaleToUnitInterval`; default false). */
  readonly rescale?: boolean;
}

/** The k columns of a row-major n x k array as the rows of a k x n one, each rescaled to [-1, 1] when asked. */
function rowsOfColumns(data: Float64Array, n: number, k: number, rescale: boolean): Float64Array {
  const out = new Float64Array(k * n);
  for (let i = 0; i < k; i++) {
    const v = new Float64Array(n);
    for (let r = 0; r < n; r++) v[r] = data[r * k + i]!;
    out.set(rescale ? rescaleToUnitInterval(v) : v, i * n);
  }
  return out;
}

/** Euclidean norms of the columns of a row-major n x width array. */
function columnNorms(a: Float64Array, n: number, width: number): Float64Array {
  const norms = new Float64Array(width);
  for (let j = 0; j < width; j++) {
    let s = 0;
    for (let r = 0; r < n; r++) s += a[r * width + j]! ** 2;
    norms[j] = Math.sqrt(s);
  }
  return norms;
}

/**
 * Matrix `G` of size `k x (degree + 1)` with `G[i, j] = <v_i, p_j>` (cosine by default),
 * where `v_i` is column i of `vectors` (an `n x k` matrix: vectors as columns, e.g. principal
 * components) and `p_j` is the polynomial of degree j on the grid. The paper's Figure 4 uses
 * the top 5 principal components and the first 20 Chebyshev polynomials (`degree = 19`).
 */
export function polynomialInnerProducts(
  vectors: AbstractMatrix,
  degree: number,
  options: PolynomialInnerProductOptions = {},
): Matrix {
  const operation = 'polynomialInnerProducts';
  const data = readMatrix(operation, 'vectors', vectors);
  assertNonNegativeInteger(degree, { ...spectralScope, operation: operation, argument: 'degree' });
  const n = vectors.rows;
  const k = vectors.columns;
  const family = options.basis ?? 'chebyshev';
  if (family !== 'chebyshev' && family !== 'legendre') {
    throw new InvalidArgumentError({ operation, argument: 'basis', what: `expected 'chebyshev' or 'legendre', got '${String(family)}'`, ...spectralScope });
  }
  const basisOptions = { grid: options.grid ?? 'equispaced', orthonormalise: options.orthonormalise ?? false };
  const polynomials = family === 'chebyshev' ? chebyshevBasis(n, degree, basisOptions) : legendreBasis(n, degree, basisOptions);
  const p = readMatrix(operation, 'basis', polynomials);
  const width = degree + 1;
  const vectorRows = rowsOfColumns(data, n, k, options.rescale ?? false);
  const normalise = options.normalise ?? true;
  // G = V^T P with the vectors as the rows of `vectorRows` (k x n).
  const out = new Float64Array(k * width);
  gemm(false, false, k, width, n, 1, vectorRows, 0, n, p, 0, width, 0, out, 0, width);
  if (normalise) {
    const polynomialNorms = columnNorms(p, n, width);
    for (let i = 0; i < k; i++) {
      const v = vectorRows.subarray(i * n, (i + 1) * n);
      let vNorm = 0;
      for (let r = 0; r < n; r++) vNorm += v[r]! * v[r]!;
      vNorm = Math.sqrt(vNorm);
      if (vNorm === 0) throw new DegenerateInputError({ operation, reason: `vector ${i} is zero; its cosines are undefined` });
      const row = out.subarray(i * width, (i + 1) * width);
      for (let j = 0; j < width; j++) {
        const pNorm = polynomialNorms[j]!;
        if (pNorm === 0) throw new DegenerateInputError({ operation, reason: `polynomial of degree ${j} vanishes on the grid` });
        row[j]! /= vNorm * pNorm;
      }
    }
  }
  return rowMajorToMatrix(out, k, width);
}

/**
 * Share of the squared mass within the band `|i - j| <= bandwidth`:
 * `sum_{|i-j| <= b} a_ij^2 / sum a_ij^2`, in [0, 1] (1 for an exactly banded matrix).
 * Works for rectangular matrices. A zero matrix throws `DegenerateInputError`.
 */
export function bandedness(matrix: AbstractMatrix, bandwidth: number): number {
  const data = readMatrix('bandedness', 'matrix', matrix);
  assertNonNegativeInteger(bandwidth, { ...spectralScope, operation: 'bandedness', argument: 'bandwidth' });
  const columns = matrix.columns;
  let inside = 0;
  let total = 0;
  for (let i = 0; i < matrix.rows; i++) {
    for (let j = 0; j < columns; j++) {
      const e = data[i * columns + j]! ** 2;
      total += e;
      if (Math.abs(i - j) <= bandwidth) inside += e;
    }
  }
  if (total === 0) throw new DegenerateInputError({ operation: 'bandedness', reason: 'the matrix is zero' });
  return Math.min(1, inside / total);
}
