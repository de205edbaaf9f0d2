import { LuDecomposition, Matrix } from 'ml-matrix';
import { descramblersScope, InvalidArgumentError } from './errors.js';
import { multiply, multiplyTransposeB, type Rng, randomOrthogonal, symmetricEigen } from '@descramble/linalg';
import { checkOperator, type SmoothnessOperator, smoothnessMatrix, smoothnessValue, spectralRescaleFactor } from './smoothness.js';
import {
  consecutiveGaps,
  familyDimensionFromLabels,
  groupLabels,
  groupsFromLabels,
  smallestGapBetweenGroups,
  type TieGroup,
} from './spectrum.js';
import { checkSquare, checkSymmetric, checkTolerance } from './validate.js';

/** The group a descrambler is sought in. SO(d) costs nothing: flip one column of U. */
export type DescramblerGroup = 'orthogonal' | 'special-orthogonal';

/** Options shared by every smoothness descrambler. */
export interface SmoothnessOptions {
  /** Second-derivative operator for `A = D^T D` (default `'fourier'`, as in the 2021 code). */
  readonly operator?: SmoothnessOperator;
  /** Any symmetric d x d matrix A to use instead of an operator. */
  readonly smoothness?: Matrix;
  /** Apply the 2021 rescaling `A <- d A/||A||_2`, `B <- d B/||B||_2` (changes value, never P). */
  readonly rescale?: boolean;
  /** Relative tolerance for tied eigenvalues (of A, and of B), default `1e-8`. */
  readonly tolerance?: number;
  /** `'orthogonal'` (default) or `'special-orthogonal'` (det P = +1). */
  readonly group?: DescramblerGroup;
}

/** Eigengaps of A and B that make the answer stable (perturbation / gap bounds the change). */
export interface Eigengaps {
  /** `omega_{i+1} - omega_i`, length d - 1. */
  readonly a: Float64Array;
  /** `sigma_i^2 - sigma_{i+1}^2`, length d - 1. */
  readonly b: Float64Array;
  /** Smallest gap between different tie groups of A (Infinity when A is one group). */
  readonly smallestA: number;
  /** Smallest gap between different tie groups of B (Infinity when B is one group). */
  readonly smallestB: number;
  /**
   * Smallest gap of B at a boundary between tie groups of A: the eigengap that decides the
   * explanation `P^T Pi_b P`. A perturbation E of B moves it by about `||E|| / explanation`;
   * when it is 0 the data do not determine the explanation. Infinity when A is one group.
   */
  readonly explanation: number;
}

/** The exact smoothness descrambler of Lemma 1, with the evidence that it is optimal. */
export interface ExactDescrambler {
  /** The descrambler `P = T U^T` (d x d, orthogonal). */
  readonly P: Matrix;
  /** `tr(A P B P^T)`, evaluated directly from P. */
  readonly value: number;
  /** The Lemma 1 lower bound `sum_i omega_i sigma_i^2`, attained by every optimal P. */
  readonly optimum: number;
  /** `(value - optimum) / |optimum|`; see `gapNormalisation`. Roundoff only: 1e-16..1e-12 (the optimum can be far below `||A|| ||B||`). */
  readonly gap: number;
  /**
   * What `gap` was divided by: `'optimum'` (|optimum|), or `'norms'` (`||A||_2 ||B||_2`,
   * used when the optimum is zero to working precision, e.g. B = 0 or rank-1 B with a
   * Fourier A whose constant mode has omega = 0; 0/0 gives gap 0).
   */
  readonly gapNormalisation: 'optimum' | 'norms';
  /** Groups (size >= 2) of tied eigenvalues of A (ascending positions) and of B (descending). */
  readonly ties: { readonly a: readonly TieGroup[]; readonly b: readonly TieGroup[] };
  /**
   * Dimension of the manifold of equally optimal descramblers `T Q_A Q_B U^T`, Q_A and Q_B
   * block-orthogonal over the tie groups of A and of B: the number of pairs i < j tied in A
   * or in B. Zero means unique up to the 2^d sign choices.
   */
  readonly familyDimension: number;
  readonly eigengaps: Eigengaps;
  /** Rank of B: eigenvalues above `10 d eps max|eigenvalue|`. */
  readonly gramRank: number;
  /** `omega`, eigenvalues of A ascending (after rescaling, if any). */
  readonly smoothnessEigenvalues: Float64Array;
  /** T, eigenvectors of A, columns in the order of `smoothnessEigenvalues`. */
  readonly smoothnessEigenvectors: Matrix;
  /** `sigma^2`, eigenvalues of B descending (after rescaling, if any). */
  readonly gramEigenvalues: Float64Array;
  /** U, eigenvectors of B, columns in the order of `gramEigenvalues`. */
  readonly gramEigenvectors: Matrix;
  /** The A used (rescaled if asked). */
  readonly smoothness: Matrix;
  /** The B used (rescaled if asked). */
  readonly gram: Matrix;
  readonly group: DescramblerGroup;
  /** The tie tolerance used. */
  readonly tolerance: number;
}

const DEFAULT_TOLERANCE = 1e-8;

/** @internal A's eigen-decomposition and the resolved options. */
export interface ResolvedSmoothness {
  readonly a: Matrix;
  readonly omega: Float64Array;
  readonly t: Matrix;
  readonly rescale: boolean;
  readonly tolerance: number;
  readonly group: DescramblerGroup;
}

/** @internal Validates options, builds A (rescaled if asked) and its eigen-decomposition. */
export function resolveSmoothness(operation: string, d: number, options: SmoothnessOptions): ResolvedSmoothness {
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  checkTolerance(operation, 'tolerance', tolerance);
  const group = options.group ?? 'orthogonal';
  if (group !== 'orthogonal' && group !== 'special-orthogonal') {
    throw new InvalidArgumentError(operation, 'group', `expected 'orthogonal' or 'special-orthogonal', got ${String(group)}`, descramblersScope);
  }
  let a: Matrix;
  if (options.smoothness !== undefined) {
    if (options.operator !== undefined) {
      throw new InvalidArgumentError(operation, 'smoothness', 'give either operator or smoothness, not both', descramblersScope);
    }
    checkSquare(operation, 'smoothness', options.smoothness, d);
    checkSymmetric(operation, 'smoothness', options.smoothness);
    a = Matrix.checkMatrix(options.smoothness).clone();
    symmetrise(a);
  } else {
    const operator = options.operator ?? 'fourier';
    checkOperator(operation, operator);
    a = smoothnessMatrix(d, operator);
  }
  const rescale = options.rescale ?? false;
  const eig = symmetricEigen(a);
  let omega = eig.values;
  if (rescale) {
    const factor = spectralRescaleFactor(omega);
    a = a.mul(factor);
    omega = omega.map((w) => w * factor);
  }
  return { a, omega, t: eig.vectors, rescale, tolerance, group };
}

/** @internal Makes a square matrix exactly symmetric in place: `(M + M^T) / 2`. */
export function symmetrise(m: Matrix): void {
  for (let i = 0; i < m.rows; i++) {
    for (let j = i + 1; j < m.columns; j++) {
      const s = 0.5 * (m.get(i, j) + m.get(j, i));
      m.set(i, j, s);
      m.set(j, i, s);
    }
  }
}

/** @internal Eigen-decomposition of symmetric B, descending, rescaled if asked. */
export function gramSpectrum(b: Matrix, rescale: boolean): { b: Matrix; lambda: Float64Array; u: Matrix } {
  const eig = symmetricEigen(b);
  const d = b.rows;
  const lambda = new Float64Array(d);
  const u = new Matrix(d, d);
  for (let k = 0; k < d; k++) {
    const src = d - 1 - k;
    lambda[k] = eig.values[src]!;
    for (let i = 0; i < d; i++) u.set(i, k, eig.vectors.get(i, src));
  }
  if (!rescale) return { b, lambda, u };
  const factor = spectralRescaleFactor(eig.values);
  return { b: b.clone().mul(factor), lambda: lambda.map((x) => x * factor), u };
}

/**
 * @internal Lemma 1 from the spectra: P = T U^T and its certificate. `u` may be modified
 * (one column flipped for SO(d)).
 */
export function assembleDescrambler(smooth: ResolvedSmoothness, b: Matrix, lambda: Float64Array, u: Matrix): ExactDescrambler {
  const { a, omega, t, tolerance, group } = smooth;
  const d = a.rows;
  let p = multiplyTransposeB(t, u);
  if (group === 'special-orthogonal' && determinant(p) < 0) {
    for (let i = 0; i < d; i++) u.set(i, d - 1, -u.get(i, d - 1));
    p = multiplyTransposeB(t, u);
  }
  let optimum = 0;
  for (let i = 0; i < d; i++) optimum += omega[i]! * lambda[i]!;
  const value = smoothnessValue(p, a, b);
  const normA = Math.max(Math.abs(omega[0]!), Math.abs(omega[d - 1]!));
  const normB = Math.max(Math.abs(lambda[0]!), Math.abs(lambda[d - 1]!));
  const roundoff = 10 * d * Number.EPSILON * normA * normB;
  let gap: number;
  let gapNormalisation: 'optimum' | 'norms';
  if (Math.abs(optimum) > roundoff) {
    gap = (value - optimum) / Math.abs(optimum);
    gapNormalisation = 'optimum';
  } else {
    gap = normA * normB > 0 ? (value - optimum) / (normA * normB) : 0;
    gapNormalisation = 'norms';
  }
  const labelsA = groupLabels(omega, tolerance);
  const labelsB = groupLabels(lambda, tolerance);
  const gapsA = consecutiveGaps(omega);
  const gapsB = consecutiveGaps(lambda);
  let explanation = Number.POSITIVE_INFINITY;
  for (let i = 0; i + 1 < d; i++) {
    if (labelsA[i] !== labelsA[i + 1]) explanation = Math.min(explanation, gapsB[i]!);
  }
  let gramRank = 0;
  const rankThreshold = 10 * d * Number.EPSILON * normB;
  for (let i = 0; i < d; i++) if (Math.abs(lambda[i]!) > rankThreshold) gramRank++;
  return {
    P: p,
    value,
    optimum,
    gap,
    gapNormalisation,
    ties: {
      a: groupsFromLabels(omega, labelsA).filter((g) => g.indices.length > 1),
      b: groupsFromLabels(lambda, labelsB).filter((g) => g.indices.length > 1),
    },
    familyDimension: familyDimensionFromLabels(labelsA, labelsB),
    eigengaps: {
      a: gapsA,
      b: gapsB,
      smallestA: smallestGapBetweenGroups(gapsA, labelsA),
      smallestB: smallestGapBetweenGroups(gapsB, labelsB),
      explanation,
    },
    gramRank,
    smoothnessEigenvalues: omega,
    smoothnessEigenvectors: t,
    gramEigenvalues: lambda,
    gramEigenvectors: u,
    smoothness: a,
    gram: b,
    group,
    tolerance,
  };
}

/** @internal det of a square matrix by LU (sign is what matters here). */
export function determinant(m: Matrix): number {
  return new LuDecomposition(m).determinant;
}

/**
 * The exact smoothness descrambler (Lemma 1): minimises `tr(A P B P^T)` over O(d) (or SO(d))
 * for the Gram matrix `B = S S^T` of a layer's preactivations. With `A = T Omega T^T`
 * (ascending) and `B = U Sigma^2 U^T` (descending), `P = T U^T` and the minimum is
 * `sum omega_i sigma_i^2`. B may be any symmetric matrix (Lemma 1 needs no definiteness).
 *
 * @throws DimensionMismatchError, NonFiniteInputError, NotSymmetricError, InvalidArgumentError
 */
export function exactDescrambler(gram: Matrix, options: SmoothnessOptions = {}): ExactDescrambler {
  const operation = 'exactDescrambler';
  checkSquare(operation, 'gram', gram);
  checkSymmetric(operation, 'gram', gram);
  const b = Matrix.checkMatrix(gram).clone();
  symmetrise(b);
  const smooth = resolveSmoothness(operation, b.rows, options);
  const spectrum = gramSpectrum(b, smooth.rescale);
  return assembleDescrambler(smooth, spectrum.b, spectrum.lambda, spectrum.u);
}

/**
 * A random member of the family of equally optimal descramblers of `result`:
 * `T Q_A Q_B U^T` with `Q_A`, `Q_B` random block-orthogonal matrices over the tie groups of
 * A and of B (random signs on singletons). Keeps det = +1 for `'special-orthogonal'` results.
 * Every member has the same value and the same `descramblerDistance` (zero) to `result.P`
 * when B's ties sit inside A's tie groups.
 */
export function tieFamilyMember(result: ExactDescrambler, rng: Rng): Matrix {
  const d = result.P.rows;
  const qa = blockOrthogonal(d, groupsFromLabels(result.smoothnessEigenvalues, groupLabels(result.smoothnessEigenvalues, result.tolerance)), rng);
  const qb = blockOrthogonal(d, groupsFromLabels(result.gramEigenvalues, groupLabels(result.gramEigenvalues, result.tolerance)), rng);
  // R = Q_A Q_B^T (Q_B^T is as random as Q_B); P = T R U^T.
  const r = multiplyTransposeB(qa, qb);
  if (result.group === 'special-orthogonal' && determinant(r) * determinant(result.P) < 0) {
    // Flip the sign of a column of R: multiply by a diagonal sign matrix in G_B.
    for (let i = 0; i < d; i++) r.set(i, 0, -r.get(i, 0));
  }
  return multiplyTransposeB(multiply(result.smoothnessEigenvectors, r), result.gramEigenvectors);
}

function blockOrthogonal(d: number, groups: readonly TieGroup[], rng: Rng): Matrix {
  const q = new Matrix(d, d);
  for (const g of groups) {
    const n = g.indices.length;
    const start = g.indices[0]!;
    if (n === 1) {
      q.set(start, start, rng.uniform() < 0.5 ? -1 : 1);
      continue;
    }
    const block = randomOrthogonal(n, rng);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) q.set(start + i, start + j, block.get(i, j));
  }
  return q;
}
