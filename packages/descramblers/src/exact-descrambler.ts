import { LuDecomposition, Matrix } from 'ml-matrix';
import { descramblersScope, InvalidArgumentError, NonFiniteInputError, NotPositiveSemidefiniteError, ZeroMatrixError } from './errors.js';
import { multiply, multiplyTransposeB, type Rng, randomOrthogonal, symmetricEigen } from '@descramble/linalg';
import { brockettRoundoff, CertificateViolationError, relativeGap } from '@descramble/orthogonal';
import { checkOperator, type SmoothnessOperator, smoothnessMatrix, smoothnessValue, spectralRescaleFactor } from './smoothness.js';
import {
  consecutiveGaps,
  type EigenvalueUncertainty,
  eigenvalueUncertainty,
  familyDimensionFromLabels,
  groupsFromLabels,
  ROUNDOFF_FACTOR,
  relativeEigenvalueRoundoff,
  smallestGapBetweenGroups,
  type TieGroup,
  type TieReason,
  tieLabels,
} from './spectrum.js';
import { assertSquareMatrix, assertSymmetric, assertUnitInterval } from '@descramble/core';

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
  /**
   * Relative roundoff bound of the eigenvalues (of A, and of B) used to decide ties: the
   * roundoff term of each eigenvalue's uncertainty is `max(tolerance, 10 d eps) ||M||_2`.
   * Default: `10 d eps` alone (what floating point can resolve). A larger tolerance declares B
   * (or A) less precise than its roundoff; the ties it adds are reported as `'roundoff'`
   * (exact freedom at the declared precision). The sampling term adds to it.
   */
  readonly tolerance?: number;
  /** `'orthogonal'` (default) or `'special-orthogonal'` (det P = +1). */
  readonly group?: DescramblerGroup;
  /**
   * Number N of samples B was accumulated from: adds the sampling uncertainty
   * `|lambda_i| sqrt(2 / N)` to each eigenvalue of B when deciding ties, and flags N < d.
   * Default: none (B taken as exact).
   */
  readonly sampleCount?: number;
  /**
   * B is a Gram matrix (positive semidefinite by construction): eigenvalues in
   * `[-roundoff, 0)` are clamped to 0 (counted in `clampedEigenvalues`), lower ones throw
   * NotPositiveSemidefiniteError, and a value below 0 within roundoff is reported as 0.
   * Default false (Lemma 1 needs no definiteness); `descrambleLayer` sets it.
   */
  readonly positiveSemidefinite?: boolean;
  /** Names what is descrambled (e.g. `"layer fc1 of model.onnx"`) in every error message. */
  readonly label?: string;
  /** Aborts the eigen-decompositions (between their phases and merges): throws the signal's reason. */
  readonly signal?: AbortSignal;
}

/** Something a caller must know before trusting the numbers (the result is still exact). */
export interface DescramblerWarning {
  /**
   * `'fewer-samples-than-neurons'` (N < d), `'rank-deficient'` (numerical rank of B below d),
   * `'clamped-eigenvalues'` (tiny negative eigenvalues of a Gram set to 0),
   * `'value-clamped'` (a negative value of a sum of squares within roundoff reported as 0),
   * `'value-within-roundoff'` (|value| and |optimum| below the roundoff bound: no significant
   * digits, e.g. one huge outlier makes B rank 1 to working precision).
   */
  readonly kind: 'fewer-samples-than-neurons' | 'rank-deficient' | 'clamped-eigenvalues' | 'value-clamped' | 'value-within-roundoff';
  /** One plain-English sentence with the numbers. */
  readonly message: string;
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
  /**
   * `relativeGap(value, optimum, gapRoundoff).gap` (`@descramble/orthogonal`):
   * `(value - optimum) / max(|optimum|, gapRoundoff)`, exactly 0 when `withinRoundoff`.
   */
  readonly gap: number;
  /** `value - optimum`, unclamped. */
  readonly absoluteGap: number;
  /** `max(|optimum|, gapRoundoff)`: what `gap` was divided by. */
  readonly gapScale: number;
  /**
   * Roundoff bound of `value - optimum`: `brockettRoundoff(d, ||A||_2, ||B||_2)` (about
   * `10 d eps ||A||_2 ||B||_2`) plus `sum_i |omega_i| |shift_i| + |lambda_i| |shift'_i|` for
   * the eigenvalues of B and of an operator's A clamped to 0 from within roundoff below it.
   */
  readonly gapRoundoff: number;
  /** `|value - optimum| <= gapRoundoff`: the gap is reported as 0 (clamped). */
  readonly withinRoundoff: boolean;
  /** `'optimum'` when `gapScale = |optimum|`, `'roundoff'` when the optimum is below roundoff. */
  readonly gapNormalisation: 'optimum' | 'roundoff';
  /**
   * Groups (size >= 2) of tied eigenvalues of A (ascending positions) and of B (descending),
   * by roundoff or sampling uncertainty (see `tieRule`); each says why (`reason`).
   */
  readonly ties: { readonly a: readonly TieGroup[]; readonly b: readonly TieGroup[] };
  /** Groups tied by roundoff alone: the exact ties of this A and this B. */
  readonly exactTies: { readonly a: readonly TieGroup[]; readonly b: readonly TieGroup[] };
  /**
   * Dimension of the manifold of descramblers `T Q_A Q_B U^T` that the data cannot tell
   * apart, Q_A and Q_B block-orthogonal over the tie groups (`ties`) of A and of B: the
   * number of pairs i < j tied in A or in B. Zero means unique up to the 2^d sign choices.
   */
  readonly familyDimension: number;
  /** The same over `exactTies`: the dimension of the family that is exactly optimal for this B. */
  readonly exactFamilyDimension: number;
  /** One plain-English sentence: the tie rule and its numbers. */
  readonly tieRule: string;
  /** The uncertainty model of the eigenvalues of A and of B that decided the ties. */
  readonly tieUncertainty: { readonly a: EigenvalueUncertainty; readonly b: EigenvalueUncertainty };
  readonly eigengaps: Eigengaps;
  /** Numerical rank of B: eigenvalues with `|lambda| > rankThreshold`. */
  readonly gramRank: number;
  /** `10 d eps ||B||_2 + 10 d 2^-1074`, the roundoff bound of the eigenvalues of B. */
  readonly rankThreshold: number;
  /** The rank rule in words, with its threshold. */
  readonly rankRule: string;
  /** Eigenvalues of B in `[-rankThreshold, 0)` set to 0 (only with `positiveSemidefinite`). */
  readonly clampedEigenvalues: number;
  /** N, when given (`sampleCount` option); null otherwise. */
  readonly sampleCount: number | null;
  /** What to know before trusting the numbers (empty for a clean full-rank problem). */
  readonly warnings: readonly DescramblerWarning[];
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
  /** The relative roundoff bound used for ties: `max(tolerance option, 10 d eps)`. */
  readonly tolerance: number;
}

/** @internal A's eigen-decomposition and the resolved options. */
export interface ResolvedSmoothness {
  readonly a: Matrix;
  readonly omega: Float64Array;
  readonly t: Matrix;
  readonly rescale: boolean;
  readonly tolerance: number;
  readonly group: DescramblerGroup;
  readonly sampleCount: number | null;
  readonly positiveSemidefinite: boolean;
  readonly operation: string;
  /** Total |shift| of eigenvalues of an operator's A (PSD: D^T D) clamped from [-roundoff, 0) to 0, per position. */
  readonly omegaShift: Float64Array;
}

/** @internal `operation (label)`: the function name, and what it works on when the caller said. */
export function labelled(operation: string, label: string | undefined): string {
  return label === undefined || label === '' ? operation : `${operation} (${label})`;
}

/** @internal Validates options, builds A (rescaled if asked) and its eigen-decomposition. */
export function resolveSmoothness(operation: string, d: number, options: SmoothnessOptions): ResolvedSmoothness {
  const requested = options.tolerance ?? 0;
  assertUnitInterval(requested, { ...descramblersScope, operation, argument: 'tolerance', noun: 'a relative tolerance' });
  const tolerance = Math.max(requested, relativeEigenvalueRoundoff(d));
  const sampleCount = options.sampleCount ?? null;
  if (sampleCount !== null && (!Number.isSafeInteger(sampleCount) || sampleCount < 1)) {
    throw new InvalidArgumentError({ operation, argument: 'sampleCount', what: `expected a positive integer, got ${sampleCount}`, ...descramblersScope });
  }
  const group = options.group ?? 'orthogonal';
  if (group !== 'orthogonal' && group !== 'special-orthogonal') {
    throw new InvalidArgumentError({ operation, argument: 'group', what: `expected 'orthogonal' or 'special-orthogonal', got ${String(group)}`, ...descramblersScope });
  }
  let a: Matrix;
  if (options.smoothness !== undefined) {
    if (options.operator !== undefined) {
      throw new InvalidArgumentError({ operation, argument: 'smoothness', what: 'give either operator or smoothness, not both', ...descramblersScope });
    }
    assertSquareMatrix(options.smoothness, { ...descramblersScope, operation, name: 'smoothness', size: d });
    assertSymmetric(options.smoothness, options.smoothness.rows, { ...descramblersScope, operation, name: 'smoothness' });
    a = Matrix.checkMatrix(options.smoothness).clone();
    symmetrise(a);
  } else {
    const operator = options.operator ?? 'fourier';
    checkOperator(operation, operator);
    a = smoothnessMatrix(d, operator);
  }
  const rescale = options.rescale ?? false;
  const eig = symmetricEigen(a, options.signal === undefined ? {} : { signal: options.signal });
  let omega = eig.values;
  // d = 1 is trivially descrambled (P = +-1) whatever A is; for d > 1 a zero A decides nothing.
  if (d > 1 && omega[0] === 0 && omega[d - 1] === 0) {
    throw new ZeroMatrixError({ operation, what: 'smoothness', why: 'a zero smoothness matrix A' });
  }
  if (rescale) {
    const factor = spectralRescaleFactor(omega);
    a = a.mul(factor);
    omega = omega.map((w) => w * factor);
  }
  // An operator's A = D^T D is PSD: its eigenvalues in [-roundoff, 0) (the constant mode's 0,
  // computed as -1e-13 say) are 0. Unclamped, omega_0 ~ -eps ||A|| times a huge sigma_0^2 would
  // make the optimum of a sum of squares negative.
  const omegaShift = new Float64Array(d);
  if (options.smoothness === undefined) {
    const roundoff = eigenvalueUncertainty(omega, relativeEigenvalueRoundoff(d), null).roundoff;
    for (let i = 0; i < d; i++) {
      const w = omega[i]!;
      if (w < 0 && w >= -roundoff) {
        omegaShift[i] = -w;
        omega[i] = 0;
      }
    }
  }
  return {
    a,
    omega,
    t: eig.vectors,
    rescale,
    tolerance,
    group,
    sampleCount,
    positiveSemidefinite: options.positiveSemidefinite ?? false,
    operation,
    omegaShift,
  };
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
export function gramSpectrum(b: Matrix, rescale: boolean, signal?: AbortSignal): { b: Matrix; lambda: Float64Array; u: Matrix } {
  const eig = symmetricEigen(b, signal === undefined ? {} : { signal });
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
  const { a, omega, t, tolerance, group, sampleCount, operation } = smooth;
  const d = a.rows;
  const normA = Math.max(Math.abs(omega[0]!), Math.abs(omega[d - 1]!));
  const normB = Math.max(Math.abs(lambda[0]!), Math.abs(lambda[d - 1]!));
  if (normB === 0) throw new ZeroMatrixError({ operation, what: 'gram', why: 'an all-zero layer or all-zero data' });
  // The roundoff bound of B's eigenvalues (the same as the tie rule's roundoff term at tolerance 0).
  const rankThreshold = eigenvalueUncertainty(lambda, relativeEigenvalueRoundoff(d), null).roundoff;
  // A Gram matrix is PSD: eigenvalues within roundoff below 0 are roundoff, lower ones are wrong.
  let clampedEigenvalues = 0;
  let clampShift = 0;
  if (smooth.positiveSemidefinite) {
    for (let i = 0; i < d; i++) {
      const x = lambda[i]!;
      if (x >= 0) continue;
      if (x < -rankThreshold) throw new NotPositiveSemidefiniteError({ operation, index: i, eigenvalue: x, roundoff: rankThreshold });
      clampShift += Math.abs(omega[i]!) * -x;
      lambda[i] = 0;
      clampedEigenvalues++;
    }
  }
  let p = multiplyTransposeB(t, u);
  if (group === 'special-orthogonal' && determinant(p) < 0) {
    for (let i = 0; i < d; i++) u.set(i, d - 1, -u.get(i, d - 1));
    p = multiplyTransposeB(t, u);
  }
  let optimum = 0;
  for (let i = 0; i < d; i++) {
    optimum += omega[i]! * lambda[i]!;
    clampShift += smooth.omegaShift[i]! * Math.abs(lambda[i]!);
  }
  let value = smoothnessValue(p, a, b);
  if (!Number.isFinite(value)) {
    throw new NonFiniteInputError({ operation, location: `value tr(A P B P^T) (overflow: ||A||_2 = ${normA}, ||B||_2 = ${normB})`, value, ...descramblersScope });
  }
  const certificate = relativeGap(value, optimum, brockettRoundoff(d, normA, normB) + clampShift, operation);
  const warnings: DescramblerWarning[] = [];
  // With A and B PSD the value is a sum of squares ||D P S||_F^2: never negative.
  const aPositive = omega[0]! >= -relativeEigenvalueRoundoff(d) * normA;
  if (smooth.positiveSemidefinite && aPositive && value < 0) {
    if (value < -certificate.roundoff) throw new CertificateViolationError({ location: operation, value, reference: 0, roundoff: certificate.roundoff });
    warnings.push({ kind: 'value-clamped', message: `the value of a sum of squares came out as ${value}, within the roundoff bound ${certificate.roundoff} of 0, and is reported as 0` });
    value = 0;
  }
  if (Math.abs(value) <= certificate.roundoff && Math.abs(optimum) <= certificate.roundoff) {
    warnings.push({
      kind: 'value-within-roundoff',
      message: `the value ${value} and the optimum ${optimum} are below their roundoff bound ${certificate.roundoff.toExponential(3)} (10 d eps ||A||_2 ||B||_2): they carry no significant digits, only the descrambler P and the ties do`,
    });
  }
  const uncertaintyA = eigenvalueUncertainty(omega, tolerance, null);
  const uncertaintyB = eigenvalueUncertainty(lambda, tolerance, sampleCount);
  const tiesA = tieLabels(omega, uncertaintyA);
  const tiesB = tieLabels(lambda, uncertaintyB);
  const exactB = sampleCount === null ? tiesB : tieLabels(lambda, { roundoff: uncertaintyB.roundoff, samplingRelative: 0 });
  const gapsA = consecutiveGaps(omega);
  const gapsB = consecutiveGaps(lambda);
  let explanation = Number.POSITIVE_INFINITY;
  for (let i = 0; i + 1 < d; i++) {
    if (tiesA.labels[i] !== tiesA.labels[i + 1]) explanation = Math.min(explanation, gapsB[i]!);
  }
  let gramRank = 0;
  for (let i = 0; i < d; i++) if (Math.abs(lambda[i]!) > rankThreshold) gramRank++;
  const rankRule = `eigenvalues of B with |lambda| > ${ROUNDOFF_FACTOR} d eps ||B||_2 = ${rankThreshold.toExponential(3)} (their roundoff bound)`;
  if (sampleCount !== null && sampleCount < d) {
    warnings.push({
      kind: 'fewer-samples-than-neurons',
      message: `B comes from ${sampleCount} samples for ${d} neurons, so its rank is at most ${sampleCount} and the descrambler is not determined on the null space of B`,
    });
  }
  if (gramRank < d) {
    warnings.push({ kind: 'rank-deficient', message: `B has numerical rank ${gramRank} of ${d} (${rankRule}); its ${d - gramRank} null directions are one tie group` });
  }
  if (clampedEigenvalues > 0) {
    warnings.push({ kind: 'clamped-eigenvalues', message: `${clampedEigenvalues} eigenvalues of the Gram matrix B were negative within roundoff (> -${rankThreshold.toExponential(3)}) and were set to 0` });
  }
  const bigGroups = (values: Float64Array, labels: { labels: Int32Array; reasons: readonly TieReason[] }) =>
    groupsFromLabels(values, labels.labels, labels.reasons).filter((g) => g.indices.length > 1);
  return {
    P: p,
    value,
    optimum,
    gap: certificate.gap,
    absoluteGap: certificate.absoluteGap,
    gapScale: certificate.scale,
    gapRoundoff: certificate.roundoff,
    withinRoundoff: certificate.withinRoundoff,
    gapNormalisation: Math.abs(optimum) >= certificate.roundoff ? 'optimum' : 'roundoff',
    ties: { a: bigGroups(omega, tiesA), b: bigGroups(lambda, tiesB) },
    exactTies: { a: bigGroups(omega, tiesA), b: bigGroups(lambda, exactB) },
    familyDimension: familyDimensionFromLabels(tiesA.labels, tiesB.labels),
    exactFamilyDimension: familyDimensionFromLabels(tiesA.labels, exactB.labels),
    tieRule: tieRuleSentence(d, tolerance, uncertaintyA, uncertaintyB, sampleCount),
    tieUncertainty: { a: uncertaintyA, b: uncertaintyB },
    eigengaps: {
      a: gapsA,
      b: gapsB,
      smallestA: smallestGapBetweenGroups(gapsA, tiesA.labels),
      smallestB: smallestGapBetweenGroups(gapsB, tiesB.labels),
      explanation,
    },
    gramRank,
    rankThreshold,
    rankRule,
    clampedEigenvalues,
    sampleCount,
    warnings,
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

function tieRuleSentence(
  d: number,
  tolerance: number,
  a: EigenvalueUncertainty,
  b: EigenvalueUncertainty,
  sampleCount: number | null,
): string {
  const roundoffTerm =
    tolerance > relativeEigenvalueRoundoff(d)
      ? `a roundoff bound of ${tolerance.toExponential(2)} ||M||_2 each (the tolerance option, above ${ROUNDOFF_FACTOR} d eps)`
      : `a roundoff bound of ${ROUNDOFF_FACTOR} d eps ||M||_2 each (Weyl's bound for a backward-stable eigensolver, with a factor ${ROUNDOFF_FACTOR} margin)`;
  const sampling =
    sampleCount === null
      ? ' (B is taken as exact: no sample count was given)'
      : ` plus, for B from N = ${sampleCount} samples, a sampling error of |lambda| sqrt(2/N) = ${(100 * b.samplingRelative).toPrecision(3)}% each (the standard error of a sample-covariance eigenvalue for independent, roughly Gaussian samples)`;
  return `Two eigenvalues are tied when they differ by at most their combined uncertainty, always measured from the first eigenvalue of a group so that small steps never chain across a large gap: ${roundoffTerm} (${a.roundoff.toExponential(3)} for A, ${b.roundoff.toExponential(3)} for B)${sampling}.`;
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
 * @throws DimensionMismatchError, NonFiniteInputError, NotSymmetricError, InvalidArgumentError,
 *   ZeroMatrixError (B or A is zero), NotPositiveSemidefiniteError (with `positiveSemidefinite`),
 *   CertificateViolationError (value below the optimum beyond roundoff: a bug or corrupt input)
 */
export function exactDescrambler(gram: Matrix, options: SmoothnessOptions = {}): ExactDescrambler {
  return exactDescramblerFor(labelled('exactDescrambler', options.label), gram, options);
}

/** @internal `exactDescrambler` with the caller's operation name in its errors. */
export function exactDescramblerFor(operation: string, gram: Matrix, options: SmoothnessOptions): ExactDescrambler {
  assertSquareMatrix(gram, { ...descramblersScope, operation, name: 'gram' });
  assertSymmetric(gram, gram.rows, { ...descramblersScope, operation, name: 'gram' });
  const b = Matrix.checkMatrix(gram).clone();
  symmetrise(b);
  const smooth = resolveSmoothness(operation, b.rows, options);
  options.signal?.throwIfAborted();
  const spectrum = gramSpectrum(b, smooth.rescale, options.signal);
  return assembleDescrambler(smooth, spectrum.b, spectrum.lambda, spectrum.u);
}

/**
 * A random member of the family of equally optimal descramblers of `result`:
 * `T Q_A Q_B U^T` with `Q_A`, `Q_B` random block-orthogonal matrices over the tie groups of
 * A and of B (`exactTies`: exact freedom only; random signs on singletons). Keeps det = +1 for `'special-orthogonal'` results.
 * Every member has the same value and the same `descramblerDistance` (zero) to `result.P`
 * when B's ties sit inside A's tie groups.
 */
export function tieFamilyMember(result: ExactDescrambler, rng: Rng): Matrix {
  const d = result.P.rows;
  const qa = blockOrthogonal(d, result.exactTies.a, rng);
  const qb = blockOrthogonal(d, result.exactTies.b, rng);
  // R = Q_A Q_B^T (Q_B^T is as random as Q_B); P = T R U^T.
  const r = multiplyTransposeB(qa, qb);
  if (result.group === 'special-orthogonal' && determinant(r) * determinant(result.P) < 0) {
    // Flip the sign of a column of R: multiply by a diagonal sign matrix in G_B.
    for (let i = 0; i < d; i++) r.set(i, 0, -r.get(i, 0));
  }
  return multiplyTransposeB(multiply(result.smoothnessEigenvectors, r), result.gramEigenvectors);
}

/** Random orthogonal blocks on the tie groups (size >= 2), random signs elsewhere. */
function blockOrthogonal(d: number, ties: readonly TieGroup[], rng: Rng): Matrix {
  const q = new Matrix(d, d);
  const inGroup = new Uint8Array(d);
  for (const g of ties) for (const i of g.indices) inGroup[i] = 1;
  for (let i = 0; i < d; i++) if (inGroup[i] === 0) q.set(i, i, rng.uniform() < 0.5 ? -1 : 1);
  for (const g of ties) {
    const n = g.indices.length;
    const start = g.indices[0]!;
    const block = randomOrthogonal(n, rng);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) q.set(start + i, start + j, block.get(i, j));
  }
  return q;
}
