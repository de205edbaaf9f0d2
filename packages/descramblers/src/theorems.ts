import { Matrix } from 'ml-matrix';
import { descramblersScope, InvalidArgumentError } from './errors.js';
import {
  assembleDescrambler,
  determinant,
  type ExactDescrambler,
  exactDescrambler,
  resolveSmoothness,
  type SmoothnessOptions,
  symmetrise,
} from './exact-descrambler.js';
import { checkBias } from './layer-gram.js';
import { multiply, multiplyTransposeB, svd, symmetricEigen } from '@descramble/linalg';
import { assertMatrix, assertSquareMatrix, assertSymmetric } from '@descramble/core';

/**
 * @internal `E[(W x + b)(W x + b)^T] = W Gamma W^T + W mu b^T + b mu^T W^T + b b^T` from the
 * second moment Gamma (and mean mu, needed only with a bias).
 */
export function secondMomentGram(
  operation: string,
  weights: Matrix,
  secondMoment: Matrix,
  bias?: ArrayLike<number>,
  mean?: ArrayLike<number>,
): Matrix {
  assertMatrix(weights, { ...descramblersScope, operation, name: 'weights' });
  assertSquareMatrix(secondMoment, { ...descramblersScope, operation, name: 'secondMoment', size: weights.columns });
  assertSymmetric(secondMoment, secondMoment.rows, { ...descramblersScope, operation, name: 'secondMoment' });
  const gram = multiplyTransposeB(multiply(weights, secondMoment), weights);
  if (bias !== undefined) {
    if (mean === undefined) {
      throw new InvalidArgumentError({ operation, argument: 'mean', what: 'a bias with a second moment needs the mean of the inputs', ...descramblersScope });
    }
    const b = checkBias(operation, bias, weights.rows);
    const mu = checkBias(operation, mean, weights.columns);
    const wMu = multiply(weights, Matrix.columnVector(Array.from(mu))).getColumn(0);
    for (let i = 0; i < weights.rows; i++) {
      for (let j = 0; j < weights.rows; j++) {
        gram.set(i, j, gram.get(i, j) + wMu[i]! * b[j]! + b[i]! * wMu[j]! + b[i]! * b[j]!);
      }
    }
  } else if (mean !== undefined) {
    checkBias(operation, mean, weights.columns);
  }
  symmetrise(gram);
  return gram;
}

/** Options of `largeDataDescrambler`. */
export interface LargeDataOptions extends SmoothnessOptions {
  /** Bias of the layer (length out). Needs `mean`. */
  readonly bias?: ArrayLike<number>;
  /** Mean of the inputs (length in), needed with a bias. */
  readonly mean?: ArrayLike<number>;
}

/** A descrambler together with the weights it descrambles. */
export interface WeightDescrambler extends ExactDescrambler {
  /** `P W`. */
  readonly descrambledWeights: Matrix;
}

/**
 * Theorem 1: the large-data limit of the descrambler, from the weights `W` (out x in) and the
 * inputs' second moment `Gamma = E[x x^T]` alone: Lemma 1 with `B = W Gamma W^T`. The
 * descrambler of N samples converges to it (up to the tie family) like `N^{-1/2} / eigengap`.
 */
export function largeDataDescrambler(weights: Matrix, secondMoment: Matrix, options: LargeDataOptions = {}): WeightDescrambler {
  const operation = 'largeDataDescrambler';
  const gram = secondMomentGram(operation, weights, secondMoment, options.bias, options.mean);
  const { bias: _bias, mean: _mean, ...smoothness } = options;
  // W Gamma W^T is positive semidefinite by construction.
  const exact = exactDescrambler(gram, { positiveSemidefinite: true, ...smoothness });
  return { ...exact, descrambledWeights: multiply(exact.P, weights) };
}

/** The isotropic descrambler and the SVD it reduces to. */
export interface IsotropicDescrambler extends WeightDescrambler {
  /** Singular values of W, descending (length min(out, in)). */
  readonly singularValues: Float64Array;
  /** V, right singular vectors of W (in x min(out, in)), signs matched so `P W = T Sigma V^T`. */
  readonly rightSingularVectors: Matrix;
}

/**
 * Theorem 2: for isotropic inputs (`Gamma = c I`, e.g. a first layer fed whitened data) the
 * descrambler is `P = T U^T` with U the left singular vectors of `W = U Sigma V^T`, and the
 * descrambled weights are `P W = T Sigma V^T`: the SVD with its left factor replaced by the
 * smooth modes of A in order. `descrambledWeights` is built as `T Sigma V^T`.
 */
export function isotropicDescrambler(weights: Matrix, options: SmoothnessOptions = {}): IsotropicDescrambler {
  const operation = 'isotropicDescrambler';
  assertMatrix(weights, { ...descramblersScope, operation, name: 'weights' });
  const d = weights.rows;
  const n = weights.columns;
  const k = Math.min(d, n);
  const smooth = resolveSmoothness(operation, d, options);
  const factors = svd(weights);
  const u = new Matrix(d, d);
  for (let i = 0; i < d; i++) for (let j = 0; j < k; j++) u.set(i, j, factors.u.get(i, j));
  if (d > n) {
    // Complete U with an orthonormal basis of range(W)^perp: eigenvalue-1 eigenvectors of I - U_k U_k^T.
    const projector = Matrix.eye(d).sub(multiplyTransposeB(factors.u, factors.u));
    symmetrise(projector);
    const complement = symmetricEigen(projector).vectors;
    for (let i = 0; i < d; i++) for (let j = k; j < d; j++) u.set(i, j, complement.get(i, j));
  }
  const lambda = new Float64Array(d);
  for (let j = 0; j < k; j++) lambda[j] = factors.s[j]! ** 2;
  const gram = multiplyTransposeB(weights, weights);
  symmetrise(gram);
  let b = gram;
  let scaledLambda = lambda;
  if (smooth.rescale) {
    const norm = lambda[0]!;
    const factor = norm > 0 ? d / norm : 1;
    b = gram.clone().mul(factor);
    scaledLambda = lambda.map((x) => x * factor);
  }
  const v = factors.v.clone();
  if (smooth.group === 'special-orthogonal' && determinant(multiplyTransposeB(smooth.t, u)) < 0) {
    // Flip the last left singular vector, and its right partner when it has one.
    for (let i = 0; i < d; i++) u.set(i, d - 1, -u.get(i, d - 1));
    if (d <= n) for (let i = 0; i < n; i++) v.set(i, d - 1, -v.get(i, d - 1));
  }
  const exact = assembleDescrambler(smooth, b, scaledLambda, u);
  const t = exact.smoothnessEigenvectors;
  const tSigma = new Matrix(d, k);
  for (let i = 0; i < d; i++) for (let j = 0; j < k; j++) tSigma.set(i, j, t.get(i, j) * factors.s[j]!);
  return {
    ...exact,
    descrambledWeights: multiplyTransposeB(tSigma, v),
    singularValues: Float64Array.from(factors.s),
    rightSingularVectors: v,
  };
}
