import type { Matrix } from 'ml-matrix';
import { descramblersScope, InvalidArgumentError } from './errors.js';
import { multiply, multiplyTransposeA, secondDerivative, symmetricEigen } from '@descramble/linalg';
import { assertPositiveSize, assertSquareMatrix, assertSymmetric } from '@descramble/core';

/**
 * Second-derivative operators along the neuron axis. `'fourier'` is the Fourier spectral
 * differentiation matrix on a periodic grid (Weideman-Reddy `fourdif`, as in the 2021
 * code), `'periodic'` circulant second differences, `'dirichlet'` second differences with
 * zero boundary values.
 */
export type SmoothnessOperator = 'fourier' | 'periodic' | 'dirichlet';

const OPERATORS: readonly SmoothnessOperator[] = ['fourier', 'periodic', 'dirichlet'];

/** @internal Throws unless `operator` is one of the known operators. */
export function checkOperator(operation: string, operator: string): asserts operator is SmoothnessOperator {
  if (!(OPERATORS as readonly string[]).includes(operator)) {
    throw new InvalidArgumentError({ operation, argument: 'operator', what: `expected one of ${OPERATORS.join(', ')}, got ${operator}`, ...descramblersScope });
  }
}

/**
 * The smoothness matrix `A = D^T D` of a second-derivative operator `D` on `d` points, so
 * that `||D P S||_F^2 = tr(A P B P^T)` with `B = S S^T`. Symmetric positive semidefinite.
 */
export function smoothnessMatrix(d: number, operator: SmoothnessOperator = 'fourier'): Matrix {
  assertPositiveSize(d, { ...descramblersScope, operation: 'smoothnessMatrix', what: 'd' });
  checkOperator('smoothnessMatrix', operator);
  const derivative = secondDerivative(d, operator);
  const a = multiplyTransposeA(derivative, derivative);
  // D^T D is symmetric in exact arithmetic; make it symmetric in floating point too.
  for (let i = 0; i < d; i++) {
    for (let j = i + 1; j < d; j++) {
      const s = 0.5 * (a.get(i, j) + a.get(j, i));
      a.set(i, j, s);
      a.set(j, i, s);
    }
  }
  return a;
}

/**
 * The smoothness criterion `tr(A P B P^T)` (= `||D P S||_F^2` when `A = D^T D`, `B = S S^T`).
 * A and B must be symmetric d x d, P d x d. Lower is smoother.
 */
export function smoothnessCriterion(p: Matrix, a: Matrix, b: Matrix): number {
  const operation = 'smoothnessCriterion';
  assertSquareMatrix(p, { ...descramblersScope, operation, name: 'p' });
  const d = p.rows;
  assertSquareMatrix(a, { ...descramblersScope, operation, name: 'a', size: d });
  assertSquareMatrix(b, { ...descramblersScope, operation, name: 'b', size: d });
  return smoothnessValue(p, a, b);
}

/** @internal `tr(A P B P^T) = sum_ij (A P)_ij (P B)_ij` for symmetric B, without validation. */
export function smoothnessValue(p: Matrix, a: Matrix, b: Matrix): number {
  const ap = multiply(a, p);
  const pb = multiply(p, b);
  let sum = 0;
  for (let i = 0; i < p.rows; i++) {
    for (let j = 0; j < p.columns; j++) sum += ap.get(i, j) * pb.get(i, j);
  }
  return sum;
}

/**
 * The 2021 rescaling `M -> d M / ||M||_2` of a symmetric d x d matrix (spectral norm: the
 * largest |eigenvalue|). It changes the criterion's value by a positive factor, never its
 * minimiser. A zero matrix is returned as a zero matrix (no division by zero).
 */
export function rescaleSpectral(m: Matrix): Matrix {
  const operation = 'rescaleSpectral';
  assertSquareMatrix(m, { ...descramblersScope, operation, name: 'm' });
  assertSymmetric(m, m.rows, { ...descramblersScope, operation, name: 'm' });
  const { values } = symmetricEigen(m);
  return m.clone().mul(spectralRescaleFactor(values));
}

/** @internal `d / max |eigenvalue|` from ascending eigenvalues (1 for the zero matrix). */
export function spectralRescaleFactor(values: Float64Array): number {
  const d = values.length;
  const norm = Math.max(Math.abs(values[0] ?? 0), Math.abs(values[d - 1] ?? 0));
  return norm > 0 ? d / norm : 1;
}
