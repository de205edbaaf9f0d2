import { Matrix } from 'ml-matrix';
import { multiply, multiplyTransposeB, svd } from '@descramble/linalg';
import { assertSquareMatrix } from '@descramble/core';
import { descramblersScope } from './errors.js';
import { maxDiagonalNormSquareProblem, type MethodName, minimize } from '@descramble/orthogonal';

/** `tr(P W)`: the "max diagonal sum" criterion of the 2021 code (larger is better). */
export function diagonalSumCriterion(p: Matrix, weights: Matrix): number {
  const operation = 'diagonalSumCriterion';
  assertSquareMatrix(weights, { ...descramblersScope, operation, name: 'weights' });
  assertSquareMatrix(p, { ...descramblersScope, operation, name: 'p', size: weights.rows });
  let sum = 0;
  for (let i = 0; i < p.rows; i++) for (let k = 0; k < p.columns; k++) sum += p.get(i, k) * weights.get(k, i);
  return sum;
}

/** The maximiser of `tr(P W)` over O(d) and its value. */
export interface DiagonalSumDescrambler {
  /** `P = V U^T` from `W = U Sigma V^T` (orthogonal Procrustes). */
  readonly P: Matrix;
  /** `tr(P W)`, evaluated directly. */
  readonly value: number;
  /** The bound `sum sigma_i` (nuclear norm of W), attained by P. */
  readonly optimum: number;
  /** Singular values of W, descending: the maximiser is unique iff the smallest is nonzero. */
  readonly singularValues: Float64Array;
}

/**
 * Maximises the "max diagonal sum" criterion `tr(P W)` over O(d) for a square W (the
 * "left_diag" criterion of the 2021 code). Closed form: the orthogonal Procrustes solution
 * `P = V U^T` from `W = U Sigma V^T`, with `tr(P W) = sum sigma_i` (von Neumann's trace
 * inequality). Then `P W = V Sigma V^T` is symmetric positive semidefinite.
 */
export function maxDiagonalSum(weights: Matrix): DiagonalSumDescrambler {
  const operation = 'maxDiagonalSum';
  assertSquareMatrix(weights, { ...descramblersScope, operation, name: 'weights' });
  const { u, s, v } = svd(weights);
  const p = multiplyTransposeB(v, u);
  let optimum = 0;
  for (let i = 0; i < s.length; i++) optimum += s[i]!;
  return { P: p, value: diagonalSumCriterion(p, weights), optimum, singularValues: Float64Array.from(s) };
}

/** Value and Euclidean gradient of the "max diagonal norm-square" criterion. */
export interface DiagonalNormSquare {
  /** `||diag(P W)||^2 = sum_i (P W)_ii^2` (larger is better). */
  readonly value: number;
  /** Euclidean gradient in P: `2 diag(diag(P W)) W^T`. */
  readonly gradient: Matrix;
}

/**
 * The "max diagonal norm-square" criterion `||diag(P W)||^2` of the 2021 code and its
 * Euclidean gradient `2 diag(diag(P W)) W^T` (no closed-form maximiser: iterate on O(d)).
 */
export function diagonalNormSquareCriterion(p: Matrix, weights: Matrix): DiagonalNormSquare {
  const operation = 'diagonalNormSquareCriterion';
  assertSquareMatrix(weights, { ...descramblersScope, operation, name: 'weights' });
  assertSquareMatrix(p, { ...descramblersScope, operation, name: 'p', size: weights.rows });
  const d = p.rows;
  const pw = multiply(p, weights);
  let value = 0;
  const gradient = new Matrix(d, d);
  for (let i = 0; i < d; i++) {
    const diagonal = pw.get(i, i);
    value += diagonal * diagonal;
    for (let j = 0; j < d; j++) gradient.set(i, j, 2 * diagonal * weights.get(j, i));
  }
  return { value, gradient };
}

/** Options of `maxDiagonalNormSquare`. */
export interface MaxDiagonalNormSquareOptions {
  /** Start point (orthogonal). Default: the `maxDiagonalSum` (Procrustes) solution. */
  readonly P0?: Matrix;
  /** Solver of `@descramble/orthogonal` (default `'trust-regions'`). */
  readonly method?: MethodName;
  /** Iteration budget (default 1000). */
  readonly maxIterations?: number;
  /** Stop when the Riemannian gradient norm is below this (default 1e-10 ||W||_F^2). */
  readonly gradientTolerance?: number;
}

/** A maximiser of `||diag(P W)||^2` found by iteration, with its evidence. */
export interface DiagonalNormSquareDescrambler {
  readonly P: Matrix;
  /** `||diag(P W)||^2`. */
  readonly value: number;
  /**
   * `||W||_F^2`, an upper bound (`(P W)_ii <= ||W e_i||` by Cauchy-Schwarz), attained exactly
   * when some orthogonal P makes P W diagonal, i.e. when W's columns are orthogonal.
   */
  readonly upperBound: number;
  readonly iterations: number;
  readonly converged: boolean;
  readonly stoppedBy: string;
  /** Riemannian gradient norm at P (a first-order certificate; the problem is not convex). */
  readonly gradientNorm: number;
}

/**
 * Maximises the "max diagonal norm-square" criterion `||diag(P W)||^2` over O(d) (the second
 * "left_diag" criterion of the 2021 code). No closed form: a Riemannian solver of
 * `@descramble/orthogonal` from the Procrustes solution. The result is a critical point with a
 * small gradient, not a certified global maximiser; `upperBound` bounds what is possible.
 */
export function maxDiagonalNormSquare(weights: Matrix, options: MaxDiagonalNormSquareOptions = {}): DiagonalNormSquareDescrambler {
  const operation = 'maxDiagonalNormSquare';
  assertSquareMatrix(weights, { ...descramblersScope, operation, name: 'weights' });
  if (options.P0 !== undefined) assertSquareMatrix(options.P0, { ...descramblersScope, operation, name: 'P0', size: weights.rows });
  const upperBound = weights.norm('frobenius') ** 2;
  const start = options.P0 ?? maxDiagonalSum(weights).P;
  const run = minimize(maxDiagonalNormSquareProblem(weights), {
    method: options.method ?? 'trust-regions',
    P0: start,
    maxIterations: options.maxIterations ?? 1000,
    gradientTolerance: options.gradientTolerance ?? 1e-10 * Math.max(upperBound, Number.MIN_VALUE),
    recordLog: false,
  });
  return {
    P: run.P,
    value: diagonalNormSquareCriterion(run.P, weights).value,
    upperBound,
    iterations: run.iterations,
    converged: run.converged,
    stoppedBy: run.stoppedBy,
    gradientNorm: run.gradientNorm,
  };
}
