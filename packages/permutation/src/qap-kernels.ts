/**
 * Kernels of the quadratic assignment solvers, on flat row-major `Float64Array`s.
 * Objective: f(p) = sum_ij a[i, j] * b[p(i), p(j)] (Koopmans-Beckmann, scipy's convention).
 * No validation; `p` is a permutation of 0..n-1 as an `Int32Array`.
 *
 * Swap costs follow Taillard (1991): the change of f when p(r) and p(s) are exchanged
 * costs O(n) from scratch and O(1) to update after an unrelated swap, so a full
 * best-improvement sweep of the n(n-1)/2 neighbours costs O(n^2).
 */
import type { Rng } from '@descramble/linalg';

/** f(p) = sum_ij a[i, j] * b[p(i), p(j)]. */
export function qapValue(n: number, a: Float64Array, b: Float64Array, p: Int32Array): number {
  let total = 0;
  for (let i = 0; i < n; i++) {
    const rowB = p[i]! * n;
    const rowA = i * n;
    for (let j = 0; j < n; j++) total += a[rowA + j]! * b[rowB + p[j]!]!;
  }
  return total;
}

/** f(p with p(r), p(s) exchanged) - f(p), in O(n). */
export function swapDelta(n: number, a: Float64Array, b: Float64Array, p: Int32Array, r: number, s: number): number {
  const pr = p[r]!;
  const ps = p[s]!;
  let d =
    (a[r * n + r]! - a[s * n + s]!) * (b[ps * n + ps]! - b[pr * n + pr]!) +
    (a[r * n + s]! - a[s * n + r]!) * (b[ps * n + pr]! - b[pr * n + ps]!);
  for (let k = 0; k < n; k++) {
    if (k === r || k === s) continue;
    const pk = p[k]!;
    d +=
      (a[k * n + r]! - a[k * n + s]!) * (b[pk * n + ps]! - b[pk * n + pr]!) +
      (a[r * n + k]! - a[s * n + k]!) * (b[ps * n + pk]! - b[pr * n + pk]!);
  }
  return d;
}

/** Fills delta[i * n + j] (i < j) with swapDelta(i, j). O(n^3). */
export function fillSwapDeltas(n: number, a: Float64Array, b: Float64Array, p: Int32Array, delta: Float64Array): void {
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) delta[i * n + j] = swapDelta(n, a, b, p, i, j);
  }
}

/**
 * After p(r), p(s) were exchanged (p is already the new permutation), brings every
 * delta[i * n + j] (i < j) up to date: O(1) for pairs disjoint from {r, s} (Taillard's
 * update, factored as (x_i - x_j)(y_i - y_j) + (z_i - z_j)(w_i - w_j) with
 * x_k = a[r,k] - a[s,k], y_k = b[p(s),p(k)] - b[p(r),p(k)], z_k = a[k,r] - a[k,s],
 * w_k = b[p(k),p(s)] - b[p(k),p(r)]), O(n) for the others. `scratch` holds >= 4n doubles.
 */
export function updateSwapDeltas(
  n: number,
  a: Float64Array,
  b: Float64Array,
  p: Int32Array,
  delta: Float64Array,
  r: number,
  s: number,
  scratch: Float64Array = new Float64Array(4 * n),
): void {
  const pr = p[r]!;
  const ps = p[s]!;
  for (let k = 0; k < n; k++) {
    const pk = p[k]!;
    scratch[k] = a[r * n + k]! - a[s * n + k]!;
    scratch[n + k] = b[ps * n + pk]! - b[pr * n + pk]!;
    scratch[2 * n + k] = a[k * n + r]! - a[k * n + s]!;
    scratch[3 * n + k] = b[pk * n + ps]! - b[pk * n + pr]!;
  }
  for (let i = 0; i < n; i++) {
    if (i === r || i === s) {
      for (let j = i + 1; j < n; j++) delta[i * n + j] = swapDelta(n, a, b, p, i, j);
      continue;
    }
    const xi = scratch[i]!;
    const yi = scratch[n + i]!;
    const zi = scratch[2 * n + i]!;
    const wi = scratch[3 * n + i]!;
    const row = i * n;
    for (let j = i + 1; j < n; j++) {
      if (j === r || j === s) {
        delta[row + j] = swapDelta(n, a, b, p, i, j);
        continue;
      }
      delta[row + j] =
        delta[row + j]! +
        (xi - scratch[j]!) * (yi - scratch[n + j]!) +
        (zi - scratch[2 * n + j]!) * (wi - scratch[3 * n + j]!);
    }
  }
}

/**
 * 2-opt (pairwise exchange) descent: repeatedly applies the best improving swap until
 * none improves by more than `tolerance`. Modifies p in place; returns the number of swaps.
 */
export function twoOptKernel(
  n: number,
  a: Float64Array,
  b: Float64Array,
  p: Int32Array,
  delta: Float64Array,
  tolerance: number,
  maxSwaps: number,
  signal?: AbortSignal,
): number {
  fillSwapDeltas(n, a, b, p, delta);
  const scratch = new Float64Array(4 * n);
  let swaps = 0;
  while (swaps < maxSwaps) {
    // one check per pass: a pass scans all n (n - 1) / 2 swaps
    signal?.throwIfAborted();
    let best = -tolerance;
    let r = -1;
    let s = -1;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const d = delta[i * n + j]!;
        if (d < best) {
          best = d;
          r = i;
          s = j;
        }
      }
    }
    if (r < 0) break;
    const t = p[r]!;
    p[r] = p[s]!;
    p[s] = t;
    swaps++;
    updateSwapDeltas(n, a, b, p, delta, r, s, scratch);
  }
  return swaps;
}

/**
 * Robust tabu search (Taillard 1991) from p, for `iterations` moves. Each move takes the
 * best non-tabu swap (aspiration: a swap that beats the best value found, or one whose
 * tabu entries are older than 5 n^2 iterations, is always allowed); the tabu tenure is
 * redrawn uniformly in [0.9 n, 1.1 n] every 2n iterations. On return `best` holds the best
 * permutation seen; returns its value (computed from scratch) and the moves performed. With a
 * finite `deadline` (a `performance.now()` time) the search also stops once it is passed,
 * but not before `minimumIterations` moves.
 */
export function robustTabuSearch(
  n: number,
  a: Float64Array,
  b: Float64Array,
  p: Int32Array,
  iterations: number,
  rng: Rng,
  best: Int32Array,
  delta: Float64Array,
  tabu: Float64Array,
  deadline = Number.POSITIVE_INFINITY,
  minimumIterations = 0,
  signal?: AbortSignal,
): { value: number; iterations: number } {
  best.set(p);
  if (n < 2) return { value: qapValue(n, a, b, best), iterations: 0 };
  fillSwapDeltas(n, a, b, p, delta);
  let current = qapValue(n, a, b, p);
  let bestValue = current;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) tabu[i * n + j] = -(n * i + j);
  const aspiration = 5 * n * n;
  const scratch = new Float64Array(4 * n);
  const tenureLow = Math.floor(0.9 * n);
  const tenureSpan = Math.max(1, Math.ceil(1.1 * n) - tenureLow + 1);
  let tenure = n;
  let performed = 0;
  for (let iteration = 1; iteration <= iterations; iteration++) {
    if ((iteration & 7) === 0) signal?.throwIfAborted();
    if ((iteration & 7) === 0 && iteration > minimumIterations && deadline !== Number.POSITIVE_INFINITY && performance.now() > deadline) {
      break;
    }
    performed = iteration;
    if ((iteration - 1) % (2 * n) === 0) tenure = Math.max(2, tenureLow + Math.floor(rng.uniform() * tenureSpan));
    let r = -1;
    let s = -1;
    let minDelta = Number.POSITIVE_INFINITY;
    let alreadyAspired = false;
    for (let i = 0; i < n - 1; i++) {
      const pi = p[i]!;
      for (let j = i + 1; j < n; j++) {
        const pj = p[j]!;
        const d = delta[i * n + j]!;
        const ti = tabu[i * n + pj]!;
        const tj = tabu[j * n + pi]!;
        const authorised = ti < iteration || tj < iteration;
        const aspired = ti < iteration - aspiration || tj < iteration - aspiration || current + d < bestValue;
        if (
          (aspired && !alreadyAspired) ||
          (aspired && alreadyAspired && d < minDelta) ||
          (!aspired && !alreadyAspired && d < minDelta && authorised)
        ) {
          r = i;
          s = j;
          minDelta = d;
          if (aspired) alreadyAspired = true;
        }
      }
    }
    if (r < 0) continue;
    const t = p[r]!;
    p[r] = p[s]!;
    p[s] = t;
    current += minDelta;
    tabu[r * n + p[s]!] = iteration + tenure;
    tabu[s * n + p[r]!] = iteration + tenure;
    if (current < bestValue - 1e-9 * Math.abs(bestValue)) {
      bestValue = current;
      best.set(p);
    }
    updateSwapDeltas(n, a, b, p, delta, r, s, scratch);
  }
  return { value: qapValue(n, a, b, best), iterations: performed };
}
