/**
 * Why a group of eigenvalues counts as tied: `'roundoff'` when every member is within the
 * floating-point uncertainty of the group's first member (exact freedom of this matrix),
 * `'sampling'` when some member needs the N^-1/2 sampling uncertainty of a Gram of N samples.
 */
export type TieReason = 'roundoff' | 'sampling';

/** A group of tied eigenvalues: positions in the sorted order, and their mean value. */
export interface TieGroup {
  /** Positions in the sorted order (ascending for A, descending for B), consecutive. */
  readonly indices: readonly number[];
  /** Mean of the tied eigenvalues. */
  readonly value: number;
  /** Why the members are tied (`'roundoff'` for singletons). */
  readonly reason: TieReason;
}

/**
 * Safety factor c of the roundoff bound `c d eps ||M||_2` on computed eigenvalues. The
 * symmetric eigensolver (Householder tridiagonalisation, divide and conquer) is backward
 * stable: it returns the exact eigenvalues of `M + E` with `||E||_2 <= p(d) eps ||M||_2`,
 * p(d) a modest multiple of d (Demmel, Applied Numerical Linear Algebra, section 5.4;
 * Higham, Accuracy and Stability of Numerical Algorithms, section 19.3), and by Weyl's
 * theorem each eigenvalue moves by at most `||E||_2`. Observed p(d)/d is below 1; c = 10
 * leaves a margin for the roundoff already in M (its accumulation, symmetrisation).
 */
export const ROUNDOFF_FACTOR = 10;

/** `c d eps`: the relative roundoff bound of a computed eigenvalue of a d x d symmetric matrix. */
export function relativeEigenvalueRoundoff(d: number): number {
  return ROUNDOFF_FACTOR * d * Number.EPSILON;
}

/** The uncertainty model of the eigenvalues of one matrix. */
export interface EigenvalueUncertainty {
  /** Absolute roundoff bound `r = max(tolerance, c d eps) ||M||_2 + c d 2^-1074` of every eigenvalue. */
  readonly roundoff: number;
  /**
   * Relative sampling standard error `s = sqrt(2 / N)` (0 when M does not come from N samples):
   * eigenvalue i is uncertain by `s |lambda_i|`.
   */
  readonly samplingRelative: number;
}

/** @internal The uncertainty model for sorted eigenvalues `values`. */
export function eigenvalueUncertainty(values: Float64Array, relativeRoundoff: number, sampleCount: number | null): EigenvalueUncertainty {
  let norm = 0;
  for (let i = 0; i < values.length; i++) norm = Math.max(norm, Math.abs(values[i]!));
  return {
    // Plus the absolute rounding of the subnormal range, where relative bounds underflow.
    roundoff: relativeRoundoff * norm + ROUNDOFF_FACTOR * values.length * Number.MIN_VALUE,
    samplingRelative: sampleCount === null ? 0 : Math.sqrt(2 / sampleCount),
  };
}

/** Labels per position and the reason of each group (indexed by label). */
export interface TieLabels {
  readonly labels: Int32Array;
  readonly reasons: readonly TieReason[];
}

/**
 * @internal Groups consecutive sorted eigenvalues: position k joins the group that starts at
 * position f when `|v_k - v_f| <= u_f + u_k`, `u_i = r + s |v_i|` (the combined uncertainty of
 * the two, roundoff plus sampling). Comparing with the group's first member, never with the
 * previous one, means a chain of small steps cannot bridge a large gap. A group is
 * `'roundoff'` when every member is within `2 r` of the first, else `'sampling'`.
 */
export function tieLabels(values: Float64Array, uncertainty: EigenvalueUncertainty): TieLabels {
  const n = values.length;
  const { roundoff: r, samplingRelative: s } = uncertainty;
  const labels = new Int32Array(n);
  const reasons: TieReason[] = n > 0 ? ['roundoff'] : [];
  let label = 0;
  let first = 0;
  for (let k = 1; k < n; k++) {
    const vf = values[first]!;
    const vk = values[k]!;
    const diff = Math.abs(vk - vf);
    if (diff <= 2 * r) {
      labels[k] = label;
    } else if (diff <= 2 * r + s * (Math.abs(vf) + Math.abs(vk))) {
      labels[k] = label;
      reasons[label] = 'sampling';
    } else {
      label++;
      first = k;
      labels[k] = label;
      reasons.push('roundoff');
    }
  }
  return { labels, reasons };
}

/**
 * @internal Labels with a plain relative tolerance and no sampling term (every group a
 * roundoff group): `|v_k - v_f| <= 2 tolerance max|v|` against the group's first member.
 */
export function groupLabels(values: Float64Array, relativeTolerance: number): Int32Array {
  return tieLabels(values, eigenvalueUncertainty(values, relativeTolerance, null)).labels;
}

/** @internal All groups (singletons included) from labels, in order. */
export function groupsFromLabels(values: Float64Array, labels: Int32Array, reasons: readonly TieReason[] = []): TieGroup[] {
  const groups: TieGroup[] = [];
  let start = 0;
  for (let i = 1; i <= labels.length; i++) {
    if (i === labels.length || labels[i] !== labels[start]) {
      const indices: number[] = [];
      let sum = 0;
      for (let k = start; k < i; k++) {
        indices.push(k);
        sum += values[k]!;
      }
      groups.push({ indices, value: sum / indices.length, reason: indices.length > 1 ? (reasons[labels[start]!] ?? 'roundoff') : 'roundoff' });
      start = i;
    }
  }
  return groups;
}

/**
 * @internal Dimension of the set of equally optimal descramblers: the number of pairs i < j of
 * Lemma 1 positions tied in A or tied in B. The minimisers of `tr(Omega R Lambda R^T)` are
 * `G_A G_B` (block-diagonal orthogonal groups of the tie partitions of A and of B), of
 * dimension `dim G_A + dim G_B - dim(G_A cap G_B)`; counted pairwise this is the number of
 * pairs tied in either partition, which is also the nullity of the Hessian at the optimum.
 */
export function familyDimensionFromLabels(labelsA: Int32Array, labelsB: Int32Array): number {
  const d = labelsA.length;
  let count = 0;
  for (let i = 0; i < d; i++) {
    for (let j = i + 1; j < d; j++) {
      if (labelsA[i] === labelsA[j] || labelsB[i] === labelsB[j]) count++;
    }
  }
  return count;
}

/** @internal |v_{i+1} - v_i| for sorted values. */
export function consecutiveGaps(values: Float64Array): Float64Array {
  const gaps = new Float64Array(Math.max(values.length - 1, 0));
  for (let i = 0; i + 1 < values.length; i++) gaps[i] = Math.abs(values[i + 1]! - values[i]!);
  return gaps;
}

/** @internal Smallest gap between positions in different groups (Infinity if one group). */
export function smallestGapBetweenGroups(gaps: Float64Array, labels: Int32Array): number {
  let smallest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < gaps.length; i++) {
    if (labels[i] !== labels[i + 1]) smallest = Math.min(smallest, gaps[i]!);
  }
  return smallest;
}
