/** A group of tied eigenvalues: positions in the sorted order, and their mean value. */
export interface TieGroup {
  /** Positions in the sorted order (ascending for A, descending for B), consecutive. */
  readonly indices: readonly number[];
  /** Mean of the tied eigenvalues. */
  readonly value: number;
}

/**
 * @internal Labels consecutive sorted eigenvalues into groups: neighbours whose difference is at
 * most `relativeTolerance * max |value|` share a group (chained). All-zero input is one group.
 */
export function groupLabels(values: Float64Array, relativeTolerance: number): Int32Array {
  const n = values.length;
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(values[i]!));
  const threshold = relativeTolerance * scale;
  const labels = new Int32Array(n);
  let label = 0;
  for (let i = 1; i < n; i++) {
    if (Math.abs(values[i]! - values[i - 1]!) > threshold) label++;
    labels[i] = label;
  }
  return labels;
}

/** @internal All groups (singletons included) from labels, in order. */
export function groupsFromLabels(values: Float64Array, labels: Int32Array): TieGroup[] {
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
      groups.push({ indices, value: sum / indices.length });
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
