/**
 * Exact QAP by depth-first branch and bound with the Gilmore-Lawler bound (kernel, flat
 * row-major data, no validation). Facilities are fixed in a static order (largest total
 * flow first); children are visited in increasing order of their Gilmore-Lawler cost
 * entry. The cross terms between free and assigned facilities are carried down the tree
 * incrementally (O(n^2) per node), so a node costs O(m^3) for m free facilities.
 */
import {
  createGilmoreLawlerWorkspace,
  type GilmoreLawlerOrders,
  gilmoreLawlerKernel,
  gilmoreLawlerOrders,
} from './qap-bounds.js';
import { qapValue } from './qap-kernels.js';

/** Outcome of {@link branchAndBoundKernel}. */
export interface BranchAndBoundOutcome {
  /** Best permutation found (the incumbent if the search found nothing better). */
  readonly permutation: Int32Array;
  readonly value: number;
  /** True when the tree was searched completely: `value` is the optimum. */
  readonly proved: boolean;
  /** Nodes visited. */
  readonly nodes: number;
  /** Gilmore-Lawler bound at the root. */
  readonly rootBound: number;
}

/**
 * Searches for a permutation better than `incumbent` (a valid permutation; its value is
 * the initial upper bound), visiting at most `maxNodes` nodes.
 */
export function branchAndBoundKernel(
  n: number,
  a: Float64Array,
  b: Float64Array,
  incumbent: Int32Array,
  maxNodes: number,
  signal?: AbortSignal,
): BranchAndBoundOutcome {
  let integral = true;
  for (let i = 0; i < n * n && integral; i++) integral = Number.isInteger(a[i]!) && Number.isInteger(b[i]!);
  const best = Int32Array.from(incumbent);
  let upper = qapValue(n, a, b, best);
  // prune when bound cannot beat the incumbent (by >= 1 on integral data)
  const slack = (): number => (integral ? 1 - 1e-7 : 1e-12 * Math.abs(upper));

  const flow = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) flow[i] = flow[i]! + Math.abs(a[i * n + j]!) + Math.abs(a[j * n + i]!);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => flow[y]! - flow[x]! || x - y);
  const orders: GilmoreLawlerOrders = gilmoreLawlerOrders(n, a, b);
  const ws = createGilmoreLawlerWorkspace(n);
  const location = new Int32Array(n).fill(-1);
  const locationUsed = new Uint8Array(n);
  const linear: Float64Array[] = Array.from({ length: n + 1 }, () => new Float64Array(n * n));
  const childOrder: Int32Array[] = Array.from({ length: n + 1 }, () => new Int32Array(n));
  const childKey = new Float64Array(n);
  let nodes = 0;
  let aborted = false;
  let rootBound = Number.NEGATIVE_INFINITY;

  const visit = (depth: number, fixed: number): void => {
    if (aborted) return;
    // every 256 nodes: a node costs O(m^3) for m free facilities
    if ((nodes & 255) === 0) signal?.throwIfAborted();
    if (++nodes > maxNodes) {
      aborted = true;
      return;
    }
    if (depth === n) {
      if (fixed < upper) {
        upper = fixed;
        best.set(location);
      }
      return;
    }
    const lin = linear[depth]!;
    const bound = gilmoreLawlerKernel(n, a, b, orders, location, locationUsed, lin, fixed, ws);
    if (depth === 0) rootBound = bound;
    if (bound > upper - slack()) return;
    const f = order[depth]!;
    // children: free locations by increasing l[f, k]
    const m = n - depth;
    let u = 0;
    while (ws.facilities[u] !== f) u++;
    const kids = childOrder[depth]!;
    for (let w = 0; w < m; w++) {
      kids[w] = ws.locations[w]!;
      childKey[ws.locations[w]!] = ws.cost[u * m + w]!;
    }
    const sorted = Array.from(kids.subarray(0, m)).sort((x, y) => childKey[x]! - childKey[y]! || x - y);
    for (let w = 0; w < m; w++) kids[w] = sorted[w]!;
    const next = linear[depth + 1]!;
    for (let w = 0; w < m; w++) {
      const k = kids[w]!;
      const childFixed = fixed + a[f * n + f]! * b[k * n + k]! + lin[f * n + k]!;
      location[f] = k;
      locationUsed[k] = 1;
      for (let i = 0; i < n; i++) {
        if (location[i]! >= 0) continue;
        const afi = a[f * n + i]!;
        const aif = a[i * n + f]!;
        for (let l = 0; l < n; l++) {
          if (locationUsed[l]) continue;
          next[i * n + l] = lin[i * n + l]! + aif * b[l * n + k]! + afi * b[k * n + l]!;
        }
      }
      visit(depth + 1, childFixed);
      location[f] = -1;
      locationUsed[k] = 0;
      if (aborted) return;
    }
  };
  visit(0, 0);
  return { permutation: best, value: qapValue(n, a, b, best), proved: !aborted, nodes, rootBound };
}
