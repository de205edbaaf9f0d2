import { assertFiniteArray, assertLength, assertPositiveSize } from '@descramble/core';
import type { AbstractMatrix, Matrix } from 'ml-matrix';
import { readSquare, wrapRowMajor } from './convert.js';
import { ConvergenceError, linalgScope, NotSymmetricError } from './errors.js';
import { binaryExponent, maxAbs, maxAsymmetry, timesPowerOfTwo } from './norms.js';
import { tridiagonalEigenDivideConquer } from './tridiagonal-dc.js';
import { tridiagonalQl } from './tridiagonal-ql.js';
import { applyTridiagonalReflectors, tridiagonalize } from './tridiagonalize.js';

/** Options of `symmetricEigen` and `symmetricEigenvalues`. */
export interface SymmetricEigenOptions {
  /**
   * Largest accepted `max |a_ij - a_ji|`, relative to `max |a_ij|` (default 1e-8). Within it the
   * symmetric part `(A + A^T) / 2` is decomposed; beyond it `NotSymmetricError` is thrown.
   */
  readonly symmetryTolerance?: number;
  /**
   * Aborts between the phases (tridiagonalisation, divide and conquer, back-transformation)
   * and between the divide-and-conquer merges: throws the signal's reason.
   */
  readonly signal?: AbortSignal;
}

/** Eigen-decomposition `A = V diag(values) V^T` of a symmetric matrix. */
export interface SymmetricEigenResult {
  /** Eigenvalues in ascending order. */
  readonly values: Float64Array;
  /** Orthonormal eigenvectors as columns, column j belongs to `values[j]`. */
  readonly vectors: Matrix;
}

/** Flat variant of `SymmetricEigenResult`: `vectors` row-major n x n, columns are eigenvectors. */
export interface SymmetricEigenFlatResult {
  readonly values: Float64Array;
  readonly vectors: Float64Array;
}

const DEFAULT_SYMMETRY_TOLERANCE = 1e-8;

/**
 * Validates, checks symmetry, and returns the symmetric part scaled by a power of two
 * `2^-exponent` close to 1 / max|a_ij| (so the largest entry lies in [1, 2)), together with
 * max|a_ij| (0 for the zero matrix) and the exponent. A power of two scales exactly, and,
 * unlike 1 / max|a_ij|, its inverse exists for subnormal max|a_ij| (1 / 1e-310 overflows)
 * and never underflows for huge ones: the safe-minimum scaling of LAPACK's dsyev.
 */
function prepare(
  operation: string,
  n: number,
  data: Float64Array,
  options: SymmetricEigenOptions | undefined,
): { scale: number; exponent: number; work: Float64Array } {
  const scale = maxAbs(data);
  const tolerance = (options?.symmetryTolerance ?? DEFAULT_SYMMETRY_TOLERANCE) * scale;
  const asym = maxAsymmetry(n, data);
  if (asym.value > tolerance) {
    throw new NotSymmetricError({ operation, asymmetry: asym.value, tolerance, location: `a[${asym.i}, ${asym.j}]`, scope: 'linalg' });
  }
  const work = new Float64Array(n * n);
  if (scale === 0) return { scale, exponent: 0, work };
  const exponent = binaryExponent(scale);
  for (let i = 0; i < n; i++) {
    work[i * n + i] = timesPowerOfTwo(data[i * n + i]!, -exponent);
    for (let j = 0; j < i; j++) {
      // Scale before halving: halving a subnormal entry first would drop its last bit.
      const s = 0.5 * timesPowerOfTwo(data[i * n + j]!, -exponent) + 0.5 * timesPowerOfTwo(data[j * n + i]!, -exponent);
      work[i * n + j] = s;
      work[j * n + i] = s;
    }
  }
  return { scale, exponent, work };
}

/** Undoes the scaling of `prepare` on computed eigenvalues. */
function unscale(values: Float64Array, exponent: number): void {
  for (let i = 0; i < values.length; i++) values[i] = timesPowerOfTwo(values[i]!, exponent);
}

/**
 * Eigen-decomposition kernel on a scaled symmetric matrix (row-major, full storage, overwritten).
 * Writes ascending eigenvalues to `values` and, when `vectors` is given, the eigenvectors as
 * its columns (row-major n x n): Householder tridiagonalisation, then divide and conquer on
 * the tridiagonal matrix, then the blocked back-transformation. Without vectors the
 * tridiagonal eigenvalues come from implicit QL (O(n^2)).
 */
function eigenKernel(
  operation: string,
  n: number,
  work: Float64Array,
  values: Float64Array,
  vectors: Float64Array | null,
  signal: AbortSignal | undefined,
): void {
  const e = new Float64Array(n);
  const tau = new Float64Array(n);
  signal?.throwIfAborted();
  tridiagonalize(n, work, values, e, tau);
  signal?.throwIfAborted();
  if (vectors === null) {
    tridiagonalQl(n, values, e, null, n, operation);
    return;
  }
  tridiagonalEigenDivideConquer(n, values, e, vectors, operation, signal);
  signal?.throwIfAborted();
  applyTridiagonalReflectors(n, work, tau, vectors);
}

/**
 * Symmetric eigen-decomposition on row-major data: `a` is n x n (not modified).
 * Returns ascending eigenvalues and row-major eigenvector matrix (columns are eigenvectors).
 */
export function symmetricEigenFlat(
  a: Float64Array,
  n: number,
  options?: SymmetricEigenOptions,
): SymmetricEigenFlatResult {
  const operation = 'symmetricEigenFlat';
  const data = readSquareFlat(operation, a, n);
  const { scale, exponent, work } = prepare(operation, n, data, options);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  if (scale === 0) {
    for (let i = 0; i < n; i++) vectors[i * n + i] = 1;
    return { values, vectors };
  }
  eigenKernel(operation, n, work, values, vectors, options?.signal);
  unscale(values, exponent);
  checkResult(operation, values);
  checkResult(operation, vectors);
  return { values, vectors };
}

function readSquareFlat(operation: string, a: Float64Array, n: number): Float64Array {
  assertPositiveSize(n, { ...linalgScope, operation, what: 'n' });
  assertLength(a.length, n * n, { ...linalgScope, operation, what: 'a length', formula: `${n} * ${n}` });
  assertFiniteArray(a, { ...linalgScope, operation, name: 'a', columns: n });
  return a;
}

/** Result of `symmetricEigen(a, { vectors: false })`. */
export interface SymmetricEigenValuesResult {
  /** Eigenvalues in ascending order. */
  readonly values: Float64Array;
  readonly vectors: null;
}

/**
 * Eigen-decomposition of a symmetric matrix: `A = V diag(values) V^T`, values ascending,
 * V orthonormal (also for repeated and clustered eigenvalues). With `{ vectors: false }` only the
 * eigenvalues are computed (much cheaper) and `vectors` is null.
 * Throws `DimensionMismatchError` (non-square, empty), `NonFiniteInputError`, `NotSymmetricError`,
 * `ConvergenceError`.
 */
export function symmetricEigen(a: AbstractMatrix, options?: SymmetricEigenOptions & { readonly vectors?: true }): SymmetricEigenResult;
export function symmetricEigen(
  a: AbstractMatrix,
  options: SymmetricEigenOptions & { readonly vectors: false },
): SymmetricEigenValuesResult;
export function symmetricEigen(
  a: AbstractMatrix,
  options?: SymmetricEigenOptions & { readonly vectors?: boolean },
): SymmetricEigenResult | SymmetricEigenValuesResult {
  const operation = 'symmetricEigen';
  if (options?.vectors === false) {
    return { values: eigenvaluesOf(operation, a, options), vectors: null };
  }
  const n = a.rows;
  const data = readSquare(operation, 'a', a);
  const { scale, exponent, work } = prepare(operation, n, data, options);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  if (scale === 0) {
    for (let i = 0; i < n; i++) vectors[i * n + i] = 1;
  } else {
    eigenKernel(operation, n, work, values, vectors, options?.signal);
    unscale(values, exponent);
  }
  checkResult(operation, values);
  checkResult(operation, vectors);
  return { values, vectors: wrapRowMajor(vectors, n, n) };
}

/** Safety net: a decomposition never hands back NaN or Infinity. */
function checkResult(operation: string, data: Float64Array): void {
  for (let i = 0; i < data.length; i++) {
    const x = data[i]!;
    if (x - x !== 0) throw new ConvergenceError({ operation, iterations: 0, what: 'non-finite value in the result', scope: 'linalg' });
  }
}

function eigenvaluesOf(operation: string, a: AbstractMatrix, options: SymmetricEigenOptions | undefined): Float64Array {
  const n = a.rows;
  const data = readSquare(operation, 'a', a);
  const { scale, exponent, work } = prepare(operation, n, data, options);
  const values = new Float64Array(n);
  if (scale === 0) return values;
  eigenKernel(operation, n, work, values, null, options?.signal);
  unscale(values, exponent);
  checkResult(operation, values);
  return values;
}

/** Eigenvalues only (ascending) of a symmetric matrix; same as `symmetricEigen(a, { vectors: false }).values`. */
export function symmetricEigenvalues(a: AbstractMatrix, options?: SymmetricEigenOptions): Float64Array {
  return eigenvaluesOf('symmetricEigenvalues', a, options);
}
