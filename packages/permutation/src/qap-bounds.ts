/**
 * Lower bounds for the quadratic assignment problem min_p sum_ij a[i, j] b[p(i), p(j)],
 * and the rounding of the Lemma 1 orthogonal optimum to a permutation.
 * Kernels on flat row-major data (no validation).
 */
import { addTransposedKernel, gemm, symmetricEigenFlat, syrk } from '@descramble/linalg';
import { linearAssignmentKernel } from './linear-assignment-kernel.js';

/** The symmetric and skew parts of a square matrix: a = sym + skew. */
function splitSymmetric(n: number, a: Float64Array): { sym: Float64Array; skew: Float64Array; skewNorm: number } {
  const sym = new Float64Array(n * n);
  const skew = new Float64Array(n * n);
  addTransposedKernel(n, a, 0.5, 0.5, sym);
  addTransposedKernel(n, a, 0.5, -0.5, skew);
  // max |a_ij - a_ji| = 2 max |skew_ij| exactly (halving is exact)
  let skewNorm = 0;
  for (let i = 0; i < n * n; i++) skewNorm = Math.max(skewNorm, 2 * Math.abs(skew[i]!));
  return { sym, skew, skewNorm };
}

/** Singular values of a skew-symmetric matrix, descending (square roots of eig(S^T S)). */
function skewSingularValues(n: number, skew: Float64Array): Float64Array {
  const gram = new Float64Array(n * n);
  syrk(true, n, n, 1, skew, 0, n, 0, gram, 0, n);
  const values = symmetricEigenFlat(gram, n).values;
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) out[k] = Math.sqrt(Math.max(0, values[n - 1 - k]!));
  return out;
}

/** Result of {@link lemma1Kernel}. */
export interface Lemma1Parts {
  /** The eigenvalue (Finke-Burkard-Rendl) lower bound, skew-corrected when needed. */
  readonly bound: number;
  /** The orthogonal optimum P* = T U^T of the symmetrised problem, row-major n x n. */
  readonly orthogonal: Float64Array;
}

/**
 * Lemma 1 on the symmetrised problem. With A_s = (A + A^T)/2 = T Omega T^T (ascending)
 * and B_s = U Beta U^T (descending), tr(A^T P B P^T) = tr(A_s P B_s P^T) +
 * tr(A_k^T P B_k P^T) for every orthogonal P (A_k, B_k the skew parts; the cross terms
 * vanish). The first term is at least sum_i omega_i beta_i (Lemma 1, attained at
 * P* = T U^T); the second is at least -sum_i sigma_i(A_k) sigma_i(B_k) (von Neumann's
 * trace inequality). Both are exact for symmetric instances, where the second term is 0.
 * With `skewCorrection = false` (rounding only) the second term is skipped and `bound` is
 * only the symmetric part's value (not a bound for asymmetric instances).
 */
export function lemma1Kernel(n: number, a: Float64Array, b: Float64Array, skewCorrection = true): Lemma1Parts {
  const sa = splitSymmetric(n, a);
  const sb = splitSymmetric(n, b);
  const ea = symmetricEigenFlat(sa.sym, n);
  const eb = symmetricEigenFlat(sb.sym, n);
  let bound = 0;
  for (let i = 0; i < n; i++) bound += ea.values[i]! * eb.values[n - 1 - i]!;
  if (skewCorrection && sa.skewNorm > 0 && sb.skewNorm > 0) {
    const sigmaA = skewSingularValues(n, sa.skew);
    const sigmaB = skewSingularValues(n, sb.skew);
    for (let i = 0; i < n; i++) bound -= sigmaA[i]! * sigmaB[i]!;
  }
  // P* = T U^T, U the eigenvectors of B_s in descending order: U[:, k] = V_B[:, n-1-k].
  const u = eb.vectors.slice();
  for (let i = 0; i < n; i++) u.subarray(i * n, (i + 1) * n).reverse();
  const orthogonal = new Float64Array(n * n);
  gemm(false, true, n, n, n, 1, ea.vectors, 0, n, u, 0, n, 0, orthogonal, 0, n);
  return { bound, orthogonal };
}

/** Rounds an orthogonal matrix to the permutation maximising sum_i |q[i, p(i)]|. */
export function roundToPermutation(n: number, q: Float64Array, out: Int32Array): void {
  const cost = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) cost[i] = -Math.abs(q[i]!);
  linearAssignmentKernel(n, n, cost, out);
}

/** Row orders for the Gilmore-Lawler minimal scalar products. */
export interface GilmoreLawlerOrders {
  /** orderA[i * n + t]: the t-th smallest entry's column in row i of A. */
  readonly orderA: Int32Array;
  /** orderB[k * n + t]: the t-th largest entry's column in row k of B. */
  readonly orderB: Int32Array;
}

export function gilmoreLawlerOrders(n: number, a: Float64Array, b: Float64Array): GilmoreLawlerOrders {
  const orderA = new Int32Array(n * n);
  const orderB = new Int32Array(n * n);
  const idx = Array.from({ length: n }, (_, j) => j);
  for (let i = 0; i < n; i++) {
    const rowA = idx.slice().sort((x, y) => a[i * n + x]! - a[i * n + y]! || x - y);
    const rowB = idx.slice().sort((x, y) => b[i * n + y]! - b[i * n + x]! || x - y);
    for (let t = 0; t < n; t++) {
      orderA[i * n + t] = rowA[t]!;
      orderB[i * n + t] = rowB[t]!;
    }
  }
  return { orderA, orderB };
}

/** Scratch space of {@link gilmoreLawlerKernel}. */
export interface GilmoreLawlerWorkspace {
  readonly sortedA: Float64Array;
  readonly sortedB: Float64Array;
  readonly cost: Float64Array;
  readonly cols: Int32Array;
  readonly facilities: Int32Array;
  readonly locations: Int32Array;
}

export function createGilmoreLawlerWorkspace(n: number): GilmoreLawlerWorkspace {
  return {
    sortedA: new Float64Array(n * n),
    sortedB: new Float64Array(n * n),
    cost: new Float64Array(n * n),
    cols: new Int32Array(n),
    facilities: new Int32Array(n),
    locations: new Int32Array(n),
  };
}

/**
 * Gilmore-Lawler bound of a partial assignment. `location[i]` is the location of facility
 * i or -1 (free); `locationUsed[k]` marks used locations; `linear[i * n + k]` holds
 * sum over assigned j of a[i, j] b[k, p(j)] + a[j, i] b[p(j), k], and `fixed` the value
 * of the assigned pairs among themselves. Returns fixed + LAP(l) with
 * l[i, k] = a[i, i] b[k, k] + linear[i, k] + minprod(a[i, free facilities != i],
 * b[k, free locations != k]), a lower bound of every completion (valid for asymmetric
 * instances: each off-diagonal pair is counted once, in the row of its first index).
 * After the call, `ws.facilities`/`ws.locations` list the free ones (m of each) and
 * `ws.cost` (m x m) holds l.
 */
export function gilmoreLawlerKernel(
  n: number,
  a: Float64Array,
  b: Float64Array,
  orders: GilmoreLawlerOrders,
  location: Int32Array,
  locationUsed: Uint8Array,
  linear: Float64Array,
  fixed: number,
  ws: GilmoreLawlerWorkspace,
): number {
  const { sortedA, sortedB, cost, cols, facilities, locations } = ws;
  let m = 0;
  for (let i = 0; i < n; i++) if (location[i]! < 0) facilities[m++] = i;
  let ml = 0;
  for (let k = 0; k < n; k++) if (!locationUsed[k]) locations[ml++] = k;
  if (m === 0) return fixed;
  const len = m - 1;
  for (let u = 0; u < m; u++) {
    const i = facilities[u]!;
    let t = 0;
    for (let q = 0; q < n; q++) {
      const j = orders.orderA[i * n + q]!;
      if (j !== i && location[j]! < 0) sortedA[u * n + t++] = a[i * n + j]!;
    }
  }
  for (let w = 0; w < m; w++) {
    const k = locations[w]!;
    let t = 0;
    for (let q = 0; q < n; q++) {
      const l = orders.orderB[k * n + q]!;
      if (l !== k && !locationUsed[l]) sortedB[w * n + t++] = b[k * n + l]!;
    }
  }
  // minimal scalar products: cost = sortedA sortedB^T (m x len each, row stride n), plus the
  // diagonal and linear terms
  gemm(false, true, m, m, len, 1, sortedA, 0, n, sortedB, 0, n, 0, cost, 0, m);
  for (let u = 0; u < m; u++) {
    const i = facilities[u]!;
    const aii = a[i * n + i]!;
    for (let w = 0; w < m; w++) {
      const k = locations[w]!;
      cost[u * m + w] = aii * b[k * n + k]! + linear[i * n + k]! + cost[u * m + w]!;
    }
  }
  linearAssignmentKernel(m, m, cost, cols);
  let total = fixed;
  for (let u = 0; u < m; u++) total += cost[u * m + cols[u]!]!;
  return total;
}
