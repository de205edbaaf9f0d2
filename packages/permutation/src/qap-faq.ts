/**
 * FAQ (Vogelstein et al. 2015): Frank-Wolfe on the doubly stochastic relaxation of
 * min_P tr(A^T P B P^T), then projection onto the permutations by a linear assignment.
 * Kernel: flat row-major data, no validation. Mirrors scipy's `quadratic_assignment`
 * (method 'faq'): gradient A P B^T + A^T P B, direction by linear assignment, exact line
 * search of the quadratic along the segment, stop when ||P_{k+1} - P_k||_F / sqrt(n) < tol.
 */
import { gemm, type Rng } from '@descramble/linalg';
import { linearAssignmentKernel } from './linear-assignment-kernel.js';

/** Workspace of {@link faqKernel}, reusable across calls with the same n. */
export interface FaqWorkspace {
  readonly work1: Float64Array;
  readonly work2: Float64Array;
  readonly grad: Float64Array;
  readonly direction: Float64Array;
  readonly cols: Int32Array;
}

export function createFaqWorkspace(n: number): FaqWorkspace {
  return {
    work1: new Float64Array(n * n),
    work2: new Float64Array(n * n),
    grad: new Float64Array(n * n),
    direction: new Float64Array(n * n),
    cols: new Int32Array(n),
  };
}

/** Fills `p0` with the barycentre J / n. */
export function barycentre(n: number, p0: Float64Array): void {
  p0.fill(1 / n);
}

/**
 * Fills `p0` with scipy's randomised start (J/n + K) / 2, K a doubly stochastic matrix
 * obtained by Sinkhorn balancing of a uniform random matrix.
 */
export function randomisedStart(n: number, p0: Float64Array, rng: Rng): void {
  const k = rng.uniformArray(n * n);
  const colSums = new Float64Array(n);
  for (let sweep = 0; sweep < 1000; sweep++) {
    let worst = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += k[i * n + j]!;
      for (let j = 0; j < n; j++) k[i * n + j] = k[i * n + j]! / s;
    }
    colSums.fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) colSums[j] = colSums[j]! + k[i * n + j]!;
    for (let j = 0; j < n; j++) worst = Math.max(worst, Math.abs(colSums[j]! - 1));
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) k[i * n + j] = k[i * n + j]! / colSums[j]!;
    if (worst < 1e-10) break;
  }
  for (let i = 0; i < n * n; i++) p0[i] = (1 / n + k[i]!) / 2;
}

/**
 * Runs FAQ from the doubly stochastic `p` (modified in place) and writes the projected
 * permutation into `out`. Returns the number of Frank-Wolfe iterations performed.
 */
export function faqKernel(
  n: number,
  a: Float64Array,
  b: Float64Array,
  p: Float64Array,
  maxIterations: number,
  tolerance: number,
  out: Int32Array,
  ws: FaqWorkspace,
  signal?: AbortSignal,
): number {
  const { work1, work2, grad, direction, cols } = ws;
  let iterations = 0;
  for (let it = 1; it <= maxIterations; it++) {
    signal?.throwIfAborted();
    iterations = it;
    // grad = A P B^T + A^T P B
    gemm(false, false, n, n, n, 1, a, 0, n, p, 0, n, 0, work1, 0, n);
    gemm(false, true, n, n, n, 1, work1, 0, n, b, 0, n, 0, grad, 0, n);
    gemm(true, false, n, n, n, 1, a, 0, n, p, 0, n, 0, work1, 0, n);
    gemm(false, false, n, n, n, 1, work1, 0, n, b, 0, n, 1, grad, 0, n);
    linearAssignmentKernel(n, n, grad, cols);
    // direction D = Q - P; slope b = <grad, D>; curvature a = <A, D B D^T>
    let slope = 0;
    let norm2 = 0;
    for (let i = 0; i < n * n; i++) direction[i] = -p[i]!;
    for (let i = 0; i < n; i++) direction[i * n + cols[i]!] = direction[i * n + cols[i]!]! + 1;
    for (let i = 0; i < n * n; i++) {
      slope += grad[i]! * direction[i]!;
      norm2 += direction[i]! * direction[i]!;
    }
    gemm(false, false, n, n, n, 1, direction, 0, n, b, 0, n, 0, work1, 0, n);
    gemm(false, true, n, n, n, 1, work1, 0, n, direction, 0, n, 0, work2, 0, n);
    let curvature = 0;
    for (let i = 0; i < n * n; i++) curvature += a[i]! * work2[i]!;
    let step: number;
    if (curvature > 0 && -slope / (2 * curvature) >= 0 && -slope / (2 * curvature) <= 1) {
      step = -slope / (2 * curvature);
    } else {
      step = curvature + slope <= 0 ? 1 : 0;
    }
    for (let i = 0; i < n * n; i++) p[i] = p[i]! + step * direction[i]!;
    if ((step * Math.sqrt(norm2)) / Math.sqrt(n) < tolerance) break;
  }
  // Project onto the permutations: max sum_i P[i, p(i)].
  for (let i = 0; i < n * n; i++) work1[i] = -p[i]!;
  linearAssignmentKernel(n, n, work1, out);
  return iterations;
}
