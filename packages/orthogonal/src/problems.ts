/**
 * Ready-made problems on O(d) and a validating builder for user-written costs.
 *
 *   brockett                  f(P) = tr(A P B P^T)    G = 2 A P B        H[V] = 2 A V B
 *   maxDiagonalSum            f(P) = -tr(P W)         G = -W^T           H[V] = 0
 *   maxDiagonalNormSquare     f(P) = -||diag(P W)||^2 G_ik = -2 d_i W_ki H[V]_ik = -2 (V W)_ii W_ki
 *
 * (A, B symmetric; d = diag(P W).)
 */

import { assertSymmetric } from '@descramble/core';
import { AbstractMatrix, Matrix } from 'ml-matrix';
import { symmetricEigen } from '@descramble/linalg';
import { multiply, multiplyTransposeLeft, multiplyTransposeRight, skewPart } from './dense.js';
import { DimensionMismatchError, InvalidOptionError, NonFiniteInputError, orthogonalScope } from './errors.js';
import { flatToMatrix, squareToFlat } from './matrix-io.js';
import type { Problem, ProblemKernels } from './problem.js';

/** The Brockett problem, carrying its matrices for certificates. */
export interface BrockettProblem extends Problem {
  readonly kind: 'brockett';
  readonly A: Matrix;
  readonly B: Matrix;
  readonly euclideanHessian: (P: Matrix, V: Matrix) => Matrix;
  readonly kernels: ProblemKernels;
}

export interface MaxDiagonalProblem extends Problem {
  readonly kind: 'max-diagonal-sum' | 'max-diagonal-norm-square';
  readonly W: Matrix;
  readonly euclideanHessian: (P: Matrix, V: Matrix) => Matrix;
  readonly kernels: ProblemKernels;
}

function squareDimension(m: Matrix, location: string): number {
  if (m.rows !== m.columns || m.rows < 1) {
    throw new DimensionMismatchError({ operation: location, what: 'matrix', expected: 'a non-empty square matrix', actual: `${m.rows}x${m.columns}`, ...orthogonalScope });
  }
  return m.rows;
}

/** Wraps flat kernels as the Matrix-level methods of a Problem. */
function matrixMethods(n: number, kernels: ProblemKernels, name: string) {
  return {
    cost(P: Matrix): number {
      const g = new Float64Array(n * n);
      return kernels.costAndGradient(squareToFlat(P, n, `${name}.cost(P)`), g);
    },
    euclideanGradient(P: Matrix): Matrix {
      const g = new Float64Array(n * n);
      kernels.costAndGradient(squareToFlat(P, n, `${name}.euclideanGradient(P)`), g);
      return flatToMatrix(g, n);
    },
    euclideanHessian(P: Matrix, V: Matrix): Matrix {
      const out = new Float64Array(n * n);
      kernels.hessian!(squareToFlat(P, n, `${name}.euclideanHessian(P)`), squareToFlat(V, n, `${name}.euclideanHessian(V)`), out);
      return flatToMatrix(out, n);
    },
  };
}

/**
 * Brockett cost `tr(A P B P^T)` for symmetric A and B: the smoothness criterion
 * `||D P S||_F^2` with A = D^T D and B = S S^T. Its minimum over O(d) is
 * `sum_i omega_i sigma_i^2` (Lemma 1; see `brockettCertificate`).
 */
export function brockettProblem(A: Matrix, B: Matrix): BrockettProblem {
  const n = squareDimension(A, 'brockettProblem(A)');
  const a = squareToFlat(A, n, 'brockettProblem(A)');
  const b = squareToFlat(B, n, 'brockettProblem(B)');
  assertSymmetric({ get: (i, j) => a[i * n + j]! }, n, { ...orthogonalScope, operation: 'brockettProblem(A)', name: 'entry' });
  assertSymmetric({ get: (i, j) => b[i * n + j]! }, n, { ...orthogonalScope, operation: 'brockettProblem(B)', name: 'entry' });
  const ap = new Float64Array(n * n);
  const av = new Float64Array(n * n);
  let basis: EigenBasis | undefined;
  // diagonal B (e.g. after rotating into its eigenbasis): products with B are scalings
  let bIsDiagonal = true;
  for (let i = 0; i < n && bIsDiagonal; i++) for (let j = 0; j < n; j++) if (i !== j && b[i * n + j] !== 0) bIsDiagonal = false;
  const bDiagonal = new Float64Array(n);
  for (let i = 0; i < n; i++) bDiagonal[i] = b[i * n + i]!;
  const timesB = (x: Float64Array, out: Float64Array): void => {
    if (!bIsDiagonal) {
      multiply(x, b, out, n);
      return;
    }
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = x[i * n + j]! * bDiagonal[j]!;
  };
  const kernels: ProblemKernels = {
    costAndGradient(p, g) {
      multiply(a, p, ap, n);
      timesB(ap, g);
      let cost = 0;
      for (let i = 0; i < n * n; i++) {
        cost += p[i]! * g[i]!;
        g[i]! *= 2;
      }
      return cost;
    },
    hessian(_p, v, out) {
      multiply(a, v, av, n);
      timesB(av, out);
      for (let i = 0; i < n * n; i++) out[i]! *= 2;
    },
    preconditioner(p) {
      basis ??= eigenBasis(B, b, n);
      return jacobiPreconditioner(a, basis, p, n);
    },
  };
  return {
    kind: 'brockett',
    dimension: n,
    A: A.clone(),
    B: B.clone(),
    kernels,
    ...matrixMethods(n, kernels, 'brockettProblem'),
  };
}

/** Eigen-basis of B (B = U diag(s) U^T), computed once per problem when first needed. */
interface EigenBasis {
  /** Row-major U, or undefined when B is already diagonal (U = I). */
  u: Float64Array | undefined;
  s: Float64Array;
}

function eigenBasis(B: Matrix, b: Float64Array, n: number): EigenBasis {
  let offDiagonal = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) offDiagonal = Math.max(offDiagonal, Math.abs(b[i * n + j]!));
  if (offDiagonal === 0) {
    const s = new Float64Array(n);
    for (let i = 0; i < n; i++) s[i] = b[i * n + i]!;
    return { u: undefined, s };
  }
  const { values, vectors } = symmetricEigen(B);
  return { u: Float64Array.from(vectors.to1DArray()), s: Float64Array.from(values) };
}

/**
 * Jacobi preconditioner of the Brockett Hessian in the eigenbasis of B. In trivialised
 * coordinates rotated by U (Omega^ = U^T Omega U), the Hessian's diagonal in the basis
 * E_ij - E_ji is h_ij = (Ah_ii - Ah_jj)(s_j - s_i) with Ah = U^T P^T A P U: at the
 * minimiser Ah is diagonal and these are the exact Hessian eigenvalues (Lemma 1), so
 * near it the preconditioned Hessian is close to the identity. Applied as
 * U (Omega^_ij / max(|h_ij|, 1e-6 max |h|)) U^T. Costs 2 products per point and 4 per
 * application (one per point and none per application when B is diagonal).
 */
function jacobiPreconditioner(
  a: Float64Array,
  basis: EigenBasis,
  p: Float64Array,
  n: number,
): (omega: Float64Array, out: Float64Array) => void {
  const { u, s } = basis;
  // diagonal of Ah = (P U)^T A (P U): two products (one when U = I)
  const pu = u === undefined ? p : multiply(p, u, new Float64Array(n * n), n);
  const apu = multiply(a, pu, new Float64Array(n * n), n);
  const diagonal = new Float64Array(n);
  for (let k = 0; k < n; k++) for (let i = 0; i < n; i++) diagonal[i]! += pu[k * n + i]! * apu[k * n + i]!;
  // Per-pair floor at the gradient's round-off. The computed gradient entry
  // Ah_ij s_j - Ah_ji s_i carries an error of about n eps ||A|| max(|s_i|, |s_j|), plus
  // n eps ||A|| ||B|| on every pair when B is not diagonal (the product with a full B mixes
  // all of its spectrum); the floor keeps the preconditioned step of that error below 1e-6.
  // A floor relative to the largest h (1e-6 max |h| before) overstated the soft pairs'
  // curvature by up to the spread of B's spectrum (1e10 for a raw DEERNet Gram) and the
  // inner CG then needed thousands of steps; no floor turns the noise along tied pairs
  // (zero curvature) into large flat steps.
  const normA = frobeniusNorm(a);
  let normB = 0;
  for (let i = 0; i < n; i++) normB = Math.max(normB, Math.abs(s[i]!));
  const noiseToStep = (n * Number.EPSILON) / 1e-6;
  const mixed = u === undefined ? 0 : normB;
  const inverse = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const h = Math.abs((diagonal[i]! - diagonal[j]!) * (s[j]! - s[i]!));
      const floor = noiseToStep * normA * (Math.max(Math.abs(s[i]!), Math.abs(s[j]!)) + mixed) + Number.MIN_VALUE;
      const v = 1 / Math.max(h, floor);
      inverse[i * n + j] = v;
      inverse[j * n + i] = v;
    }
  }
  if (u === undefined) {
    return (omega, out) => {
      for (let i = 0; i < n * n; i++) out[i] = omega[i]! * inverse[i]!;
    };
  }
  const t1 = new Float64Array(n * n);
  const t2 = new Float64Array(n * n);
  return (omega, out) => {
    multiplyTransposeLeft(u, omega, t1, n); // U^T Omega
    multiply(t1, u, t2, n); // U^T Omega U
    for (let i = 0; i < n * n; i++) t2[i]! *= inverse[i]!;
    multiply(u, t2, t1, n); // U Omega^
    multiplyTransposeRight(t1, u, t2, n); // U Omega^ U^T
    skewPart(t2, out, n);
  };
}

function frobeniusNorm(x: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i]! * x[i]!;
  return Math.sqrt(sum);
}

/** Max diagonal sum of the 2021 code as a minimisation: f(P) = -tr(P W). */
export function maxDiagonalSumProblem(W: Matrix): MaxDiagonalProblem {
  const n = squareDimension(W, 'maxDiagonalSumProblem(W)');
  const w = squareToFlat(W, n, 'maxDiagonalSumProblem(W)');
  const kernels: ProblemKernels = {
    costAndGradient(p, g) {
      let trace = 0;
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < n; k++) {
          trace += p[i * n + k]! * w[k * n + i]!;
          g[i * n + k] = -w[k * n + i]!;
        }
      }
      return -trace;
    },
    cost(p) {
      let trace = 0;
      for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) trace += p[i * n + k]! * w[k * n + i]!;
      return -trace;
    },
    hessian(_p, _v, out) {
      out.fill(0);
    },
  };
  return {
    kind: 'max-diagonal-sum',
    dimension: n,
    W: W.clone(),
    kernels,
    ...matrixMethods(n, kernels, 'maxDiagonalSumProblem'),
  };
}

/** Max diagonal norm-square of the 2021 code as a minimisation: f(P) = -||diag(P W)||^2. */
export function maxDiagonalNormSquareProblem(W: Matrix): MaxDiagonalProblem {
  const n = squareDimension(W, 'maxDiagonalNormSquareProblem(W)');
  const w = squareToFlat(W, n, 'maxDiagonalNormSquareProblem(W)');
  const diagonal = new Float64Array(n);
  const computeDiagonal = (p: Float64Array): number => {
    let sum = 0;
    for (let i = 0; i < n; i++) {
      let di = 0;
      for (let k = 0; k < n; k++) di += p[i * n + k]! * w[k * n + i]!;
      diagonal[i] = di;
      sum += di * di;
    }
    return sum;
  };
  const kernels: ProblemKernels = {
    costAndGradient(p, g) {
      const sum = computeDiagonal(p);
      for (let i = 0; i < n; i++) {
        const f = -2 * diagonal[i]!;
        for (let k = 0; k < n; k++) g[i * n + k] = f * w[k * n + i]!;
      }
      return -sum;
    },
    cost(p) {
      return -computeDiagonal(p);
    },
    hessian(_p, v, out) {
      for (let i = 0; i < n; i++) {
        let dv = 0;
        for (let k = 0; k < n; k++) dv += v[i * n + k]! * w[k * n + i]!;
        for (let k = 0; k < n; k++) out[i * n + k] = -2 * dv * w[k * n + i]!;
      }
    },
  };
  return {
    kind: 'max-diagonal-norm-square',
    dimension: n,
    W: W.clone(),
    kernels,
    ...matrixMethods(n, kernels, 'maxDiagonalNormSquareProblem'),
  };
}

/** A d x d value returned by user code: a Matrix or an array of rows. */
export type MatrixLike = AbstractMatrix | number[][];

function fromUser(value: MatrixLike, n: number, location: string): Matrix {
  if (value instanceof AbstractMatrix) {
    const copy = new Matrix(value);
    squareToFlat(copy, n, location);
    return copy;
  }
  if (!Array.isArray(value) || value.length !== n || !value.every((row) => Array.isArray(row) && row.length === n)) {
    const shape = Array.isArray(value) ? `${value.length} rows` : typeof value;
    throw new DimensionMismatchError({ operation: location, what: 'matrix', expected: `${n}x${n}`, actual: shape, ...orthogonalScope });
  }
  const m = new Matrix(value);
  squareToFlat(m, n, location);
  return m;
}

/**
 * Builds a Problem from user functions, validating everything they return: a finite
 * number from `cost`, finite d x d matrices from `gradient` and `hessian`
 * (DimensionMismatchError / NonFiniteInputError otherwise).
 */
export function problemFromFunctions(
  dimension: number,
  cost: (P: Matrix) => number,
  gradient: (P: Matrix) => MatrixLike,
  hessian?: (P: Matrix, V: Matrix) => MatrixLike,
): Problem {
  if (!Number.isInteger(dimension) || dimension < 1) {
    throw new InvalidOptionError({ location: 'problemFromFunctions', option: 'dimension', value: dimension });
  }
  const n = dimension;
  const problem: Problem = {
    dimension: n,
    cost(P: Matrix): number {
      squareToFlat(P, n, 'problemFromFunctions(P)');
      const value = cost(P.clone());
      if (typeof value !== 'number') throw new DimensionMismatchError({ operation: 'problemFromFunctions.cost', what: 'cost value type', expected: 'number', actual: typeof value, ...orthogonalScope });
      if (!Number.isFinite(value)) throw new NonFiniteInputError({ operation: 'problemFromFunctions.cost', location: 'the returned cost', value, ...orthogonalScope });
      return value;
    },
    euclideanGradient(P: Matrix): Matrix {
      squareToFlat(P, n, 'problemFromFunctions(P)');
      return fromUser(gradient(P.clone()), n, 'problemFromFunctions.gradient');
    },
  };
  if (hessian === undefined) return problem;
  return {
    ...problem,
    euclideanHessian(P: Matrix, V: Matrix): Matrix {
      squareToFlat(P, n, 'problemFromFunctions(P)');
      squareToFlat(V, n, 'problemFromFunctions(V)');
      return fromUser(hessian(P.clone(), V.clone()), n, 'problemFromFunctions.hessian');
    },
  };
}
