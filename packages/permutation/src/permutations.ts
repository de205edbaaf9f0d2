import { DimensionMismatchError, InvalidArgumentError, permutationScope } from './errors.js';

/** Throws unless p is a permutation of 0..n-1. */
export function assertPermutation(operation: string, what: string, p: ArrayLike<number>, n: number): void {
  if (p.length !== n) throw new DimensionMismatchError({ operation, what: `${what} length`, expected: n, actual: p.length, ...permutationScope });
  const seen = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const k = p[i]!;
    if (!Number.isInteger(k) || k < 0 || k >= n || seen[k]) {
      throw new InvalidArgumentError({ operation, argument: what, what: `entry ${i} = ${k} does not make a permutation of 0..${n - 1}`, ...permutationScope });
    }
    seen[k] = 1;
  }
}

/** The inverse permutation q with q[permutation[i]] = i. */
export function invertPermutation(permutation: ArrayLike<number>): Int32Array {
  assertPermutation('invertPermutation', 'permutation', permutation, permutation.length);
  const inverse = new Int32Array(permutation.length);
  for (let i = 0; i < permutation.length; i++) inverse[permutation[i]!] = i;
  return inverse;
}

/**
 * Composition in the gather convention (new unit i is old unit p[i]): reordering by
 * `first` and then by `second` equals one reordering by `r[i] = first[second[i]]`.
 */
export function composePermutations(first: ArrayLike<number>, second: ArrayLike<number>): Int32Array {
  const n = first.length;
  assertPermutation('composePermutations', 'first', first, n);
  assertPermutation('composePermutations', 'second', second, n);
  return Int32Array.from({ length: n }, (_, i) => first[second[i]!]!);
}
