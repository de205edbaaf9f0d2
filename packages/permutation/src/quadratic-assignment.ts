import { brockettRoundoff, relativeGap } from '@descramble/orthogonal';
import { createRng, type Rng } from '@descramble/linalg';
import type { Matrix } from 'ml-matrix';
import { DimensionMismatchError, InvalidArgumentError, NonFiniteInputError, permutationScope } from './errors.js';
import { assertPermutation } from './permutations.js';
import { branchAndBoundKernel } from './qap-branch-and-bound.js';
import {
  createGilmoreLawlerWorkspace,
  gilmoreLawlerKernel,
  gilmoreLawlerOrders,
  lemma1Kernel,
  roundToPermutation,
} from './qap-bounds.js';
import { barycentre, createFaqWorkspace, faqKernel, randomisedStart } from './qap-faq.js';
import { qapValue, robustTabuSearch, twoOptKernel } from './qap-kernels.js';

/** Solvers of {@link solveQuadraticAssignment}. */
export type QuadraticAssignmentMethod =
  | 'auto'
  | 'branch-and-bound'
  | 'lemma1-rounding'
  | 'faq'
  | 'two-opt'
  | 'tabu';

/** Which lower bound to report. */
export type QuadraticAssignmentBound = 'best' | 'eigenvalue' | 'gilmore-lawler' | 'none';

/** Options of {@link solveQuadraticAssignment}. */
export interface QuadraticAssignmentOptions {
  /** Default `'auto'`. */
  readonly method?: QuadraticAssignmentMethod;
  /** Seed of every random choice (randomised FAQ starts, tabu tenures). Default 0. */
  readonly seed?: number;
  /** Starting permutation for 'two-opt' and 'tabu', incumbent for 'branch-and-bound'. */
  readonly initial?: Int32Array;
  /**
   * 'faq': Frank-Wolfe iterations per start (default 30, as scipy). 'tabu': tabu moves
   * (default 100 n). 'auto': tabu moves in total over all restarts (default
   * `max(2000, 2 n^2)`, ~20-50 ms at n = 30).
   */
  readonly maxIterations?: number;
  /** 'faq': stop when ||P_{k+1} - P_k||_F / sqrt(n) < tolerance (default 0.03, as scipy). */
  readonly tolerance?: number;
  /** 'faq': start from the barycentre (default) or scipy's randomised start. */
  readonly faqStart?: 'barycentre' | 'randomised';
  /** 'auto': number of restarts sharing the tabu budget (default 4). */
  readonly restarts?: number;
  /**
   * 'auto': stop the tabu search (and start no new restart) after this many milliseconds;
   * the FAQ and Lemma 1 starts with their 2-opt polish always run. Makes the result
   * depend on the machine's speed; leave unset for a result determined by the seed.
   */
  readonly timeLimitMs?: number;
  /** 'branch-and-bound': node budget (default 2e6); beyond it the best found is returned, unproved. */
  readonly maxNodes?: number;
  /** Lower bound to report (default 'best': the larger of eigenvalue and Gilmore-Lawler for n <= 256). */
  readonly bound?: QuadraticAssignmentBound;
  /**
   * Checked between FAQ iterations, 2-opt passes, every 8 tabu moves, every 256 branch-and-bound
   * nodes and between restarts: aborting throws the signal's reason.
   */
  readonly signal?: AbortSignal;
}

/** A permutation with its value, a lower bound and the evidence of the search. */
export interface QuadraticAssignmentResult {
  /** p with objective sum_ij A[i, j] B[p(i), p(j)] (scipy's `col_ind`). */
  readonly permutation: Int32Array;
  readonly value: number;
  /** A certified lower bound of the optimum (`-Infinity` with `bound: 'none'`). */
  readonly lowerBound: number;
  /**
   * orthogonal's `relativeGap` of the value to the lower bound: `(value - lowerBound) /
   * max(|lowerBound|, roundoff)`, 0 when they agree within roundoff (e.g. proved optimal);
   * `Infinity` without a bound.
   */
  readonly gap: number;
  readonly method: QuadraticAssignmentMethod;
  /** Frank-Wolfe iterations ('faq'), swaps ('two-opt'), tabu moves ('tabu', 'auto') or nodes ('branch-and-bound'). */
  readonly iterations: number;
  /** True when `value` is proved optimal (complete branch and bound, or value = bound). */
  readonly proved: boolean;
}

function readSquare(operation: string, what: string, m: Matrix, n: number): Float64Array {
  if (m.rows !== n || m.columns !== n) {
    throw new DimensionMismatchError({ operation, what, expected: `${n} x ${n}`, actual: `${m.rows} x ${m.columns}`, ...permutationScope });
  }
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const row = m.getRow(i);
    for (let j = 0; j < n; j++) {
      const x = row[j]!;
      if (!Number.isFinite(x)) throw new NonFiniteInputError({ operation, location: `${what}[${i}, ${j}]`, value: x, ...permutationScope });
      out[i * n + j] = x;
    }
  }
  return out;
}

/** The QAP objective sum_ij A[i, j] B[p(i), p(j)] of a permutation p. */
export function quadraticAssignmentValue(a: Matrix, b: Matrix, permutation: ArrayLike<number>): number {
  const operation = 'quadraticAssignmentValue';
  const n = a.rows;
  const fa = readSquare(operation, 'A', a, n);
  const fb = readSquare(operation, 'B', b, n);
  assertPermutation(operation, 'permutation', permutation, n);
  return qapValue(n, fa, fb, Int32Array.from(permutation));
}

/**
 * The Lemma 1 (eigenvalue, Finke-Burkard-Rendl) lower bound of min_p sum_ij A_ij B_p(i)p(j):
 * sum_i omega_i beta_i with omega the ascending eigenvalues of (A + A^T)/2 and beta the
 * descending eigenvalues of (B + B^T)/2, minus sum_i sigma_i(A_skew) sigma_i(B_skew) when
 * both matrices are asymmetric. It is the minimum over all orthogonal P, hence below every
 * permutation.
 */
export function eigenvalueBound(a: Matrix, b: Matrix): number {
  const operation = 'eigenvalueBound';
  const n = a.rows;
  return lemma1Kernel(n, readSquare(operation, 'A', a, n), readSquare(operation, 'B', b, n)).bound;
}

/** The Gilmore-Lawler lower bound of min_p sum_ij A_ij B_p(i)p(j) (valid for asymmetric data). */
export function gilmoreLawlerBound(a: Matrix, b: Matrix): number {
  const operation = 'gilmoreLawlerBound';
  const n = a.rows;
  const fa = readSquare(operation, 'A', a, n);
  const fb = readSquare(operation, 'B', b, n);
  return gilmoreLawlerFlat(n, fa, fb);
}

function gilmoreLawlerFlat(n: number, a: Float64Array, b: Float64Array): number {
  return gilmoreLawlerKernel(
    n,
    a,
    b,
    gilmoreLawlerOrders(n, a, b),
    new Int32Array(n).fill(-1),
    new Uint8Array(n),
    new Float64Array(n * n),
    0,
    createGilmoreLawlerWorkspace(n),
  );
}

/**
 * The one gap (orthogonal's `relativeGap`) of a QAP value above a lower bound. The value is
 * tr(A P B P^T) for the permutation matrix P, so its roundoff is the Brockett one, with
 * Frobenius norms (upper bounds of the 2-norms, and cheap).
 */
export function qapGap(value: number, bound: number, a: Float64Array, b: Float64Array, n: number, location: string): number {
  if (bound === Number.NEGATIVE_INFINITY) return Number.POSITIVE_INFINITY;
  const norm = (m: Float64Array) => Math.sqrt(m.reduce((sum, x) => sum + x * x, 0));
  return relativeGap(value, bound, brockettRoundoff(n, norm(a), norm(b)), location).gap;
}

interface Problem {
  readonly n: number;
  readonly a: Float64Array;
  readonly b: Float64Array;
}

interface Candidate {
  permutation: Int32Array;
  value: number;
  iterations: number;
  proved: boolean;
}

function runFaq(problem: Problem, options: QuadraticAssignmentOptions, rng: Rng, randomised: boolean): Candidate {
  const { n, a, b } = problem;
  const p = new Float64Array(n * n);
  if (randomised) randomisedStart(n, p, rng);
  else barycentre(n, p);
  const out = new Int32Array(n);
  const iterations = faqKernel(n, a, b, p, options.maxIterations ?? 30, options.tolerance ?? 0.03, out, createFaqWorkspace(n), options.signal);
  return { permutation: out, value: qapValue(n, a, b, out), iterations, proved: false };
}

function runTwoOpt(problem: Problem, start: Int32Array, signal: AbortSignal | undefined): Candidate {
  const { n, a, b } = problem;
  const p = Int32Array.from(start);
  const swaps = twoOptKernel(n, a, b, p, new Float64Array(n * n), 0, 100 * n * n + 1000, signal);
  return { permutation: p, value: qapValue(n, a, b, p), iterations: swaps, proved: false };
}

function runTabu(
  problem: Problem,
  start: Int32Array,
  iterations: number,
  rng: Rng,
  signal: AbortSignal | undefined,
  deadline?: number,
  minimumIterations = 0,
): Candidate {
  const { n, a, b } = problem;
  const p = Int32Array.from(start);
  const best = new Int32Array(n);
  const outcome = robustTabuSearch(n, a, b, p, iterations, rng, best, new Float64Array(n * n), new Float64Array(n * n), deadline, minimumIterations, signal);
  return { permutation: best, value: outcome.value, iterations: outcome.iterations, proved: false };
}

function runLemma1Rounding(problem: Problem): Candidate {
  const { n, a, b } = problem;
  const out = new Int32Array(n);
  roundToPermutation(n, lemma1Kernel(n, a, b, false).orthogonal, out);
  return { permutation: out, value: qapValue(n, a, b, out), iterations: 0, proved: false };
}

function better(x: Candidate, y: Candidate): Candidate {
  return y.value < x.value ? y : x;
}

function runAuto(problem: Problem, options: QuadraticAssignmentOptions, rng: Rng): Candidate {
  const { n } = problem;
  const started = performance.now();
  const signal = options.signal;
  if (n <= 8) {
    const seed = runTwoOpt(problem, runFaq(problem, options, rng, false).permutation, signal);
    const exact = branchAndBoundKernel(n, problem.a, problem.b, seed.permutation, options.maxNodes ?? 2_000_000, signal);
    return { permutation: exact.permutation, value: exact.value, iterations: exact.nodes, proved: exact.proved };
  }
  const faqOptions = { ...options, maxIterations: 30 };
  const deadline = options.timeLimitMs === undefined ? undefined : started + options.timeLimitMs;
  // Untimed: each start is polished by 2-opt and the best goes first into the tabu search;
  // the FAQ barycentre start is one of them. Timed: no polish (the tabu search begins with
  // the same steepest descent) and the FAQ start is postponed to the second restart, so
  // that a tight limit goes to the tabu search.
  const polish = (p: Int32Array): Candidate =>
    deadline === undefined
      ? runTwoOpt(problem, p, signal)
      : { permutation: p, value: qapValue(n, problem.a, problem.b, p), iterations: 0, proved: false };
  let best = polish(runLemma1Rounding(problem).permutation);
  if (options.initial !== undefined) best = better(best, polish(Int32Array.from(options.initial)));
  if (deadline === undefined) best = better(best, polish(runFaq(problem, faqOptions, rng, false).permutation));
  const restarts = Math.max(1, options.restarts ?? 4);
  const total = options.maxIterations ?? Math.max(2000, 2 * n * n);
  const perRestart = Math.max(1, Math.floor(total / restarts));
  let moves = 0;
  for (let r = 0; r < restarts; r++) {
    signal?.throwIfAborted();
    if (deadline !== undefined && r > 0 && performance.now() > deadline) break;
    // first restart continues from the best start (at least n moves even when timed, about
    // one steepest descent); the others from FAQ starts
    const start =
      r === 0 ? best.permutation : runFaq(problem, faqOptions, rng, !(deadline !== undefined && r === 1)).permutation;
    const found = runTabu(problem, start, perRestart, rng, signal, deadline, r === 0 ? n : 0);
    best = better(best, found);
    moves += found.iterations;
  }
  return { ...best, iterations: moves };
}

/**
 * Quadratic assignment: min over permutations p of sum_ij A[i, j] B[p(i), p(j)]
 * (scipy's `quadratic_assignment` convention; for the channel-smoothness problem
 * tr(A_c Pi B_c Pi^T) pass A = A_c, B = B_c). NP-hard; every result carries a lower
 * bound and its gap.
 *
 * Methods: 'branch-and-bound' (exact, Gilmore-Lawler bound; small n only),
 * 'lemma1-rounding' (the orthogonal optimum T U^T of the symmetrised problem rounded by a
 * linear assignment maximising sum_i |P*_{i,p(i)}|; Lemma 1 needs symmetric matrices, and
 * tr(A^T P B P^T) = tr(A_s P B_s P^T) + tr(A_k^T P B_k P^T) for the symmetric and skew
 * parts, so symmetrising is exact when A or B is symmetric and a heuristic (the skew
 * term ignored) when both are asymmetric), 'faq' (Frank-Wolfe on the doubly
 * stochastic relaxation, as scipy), 'two-opt' (best-improvement pairwise exchange with
 * O(1)-updated swap costs), 'tabu' (robust tabu search, Taillard 1991) and 'auto'
 * (default): exact for n <= 8; otherwise Lemma 1 rounding and FAQ (barycentre), each
 * polished by 2-opt, then robust tabu search from the best of them and from randomised
 * FAQ starts, within an iteration budget (deterministic for a seed) and optionally a time
 * limit.
 */
export function solveQuadraticAssignment(
  a: Matrix,
  b: Matrix,
  options: QuadraticAssignmentOptions = {},
): QuadraticAssignmentResult {
  const operation = 'solveQuadraticAssignment';
  options.signal?.throwIfAborted();
  const n = a.rows;
  if (n === 0) throw new DimensionMismatchError({ operation, what: 'A', expected: 'a non-empty square matrix', actual: '0 x 0', ...permutationScope });
  const problem: Problem = { n, a: readSquare(operation, 'A', a, n), b: readSquare(operation, 'B', b, n) };
  const method = options.method ?? 'auto';
  if (options.initial !== undefined) assertPermutation(operation, 'initial', options.initial, n);
  const rng = createRng(options.seed ?? 0);
  const identity = Int32Array.from({ length: n }, (_, i) => i);
  let found: Candidate;
  switch (method) {
    case 'auto':
      found = runAuto(problem, options, rng);
      break;
    case 'branch-and-bound': {
      const signal = options.signal;
      const start = options.initial ?? runTwoOpt(problem, runFaq(problem, signal === undefined ? {} : { signal }, rng, false).permutation, signal).permutation;
      const exact = branchAndBoundKernel(n, problem.a, problem.b, start, options.maxNodes ?? 2_000_000, signal);
      found = { permutation: exact.permutation, value: exact.value, iterations: exact.nodes, proved: exact.proved };
      break;
    }
    case 'lemma1-rounding':
      found = runLemma1Rounding(problem);
      break;
    case 'faq':
      found = runFaq(problem, options, rng, options.faqStart === 'randomised');
      break;
    case 'two-opt':
      found = runTwoOpt(problem, options.initial ?? identity, options.signal);
      break;
    case 'tabu':
      found = runTabu(problem, options.initial ?? identity, options.maxIterations ?? 100 * n, rng, options.signal);
      break;
    default:
      throw new InvalidArgumentError({ operation, argument: 'method', what: `unknown method ${String(method)}`, ...permutationScope });
  }
  const lowerBound = found.proved ? found.value : computeBound(problem, options.bound ?? 'best');
  const proved = found.proved || found.value <= lowerBound;
  const bound = proved ? Math.min(lowerBound, found.value) : lowerBound;
  return {
    permutation: found.permutation,
    value: found.value,
    lowerBound: bound,
    gap: qapGap(found.value, bound, problem.a, problem.b, n, operation),
    method,
    iterations: found.iterations,
    proved,
  };
}

function computeBound(problem: Problem, kind: QuadraticAssignmentBound): number {
  const { n, a, b } = problem;
  switch (kind) {
    case 'none':
      return Number.NEGATIVE_INFINITY;
    case 'eigenvalue':
      return lemma1Kernel(n, a, b).bound;
    case 'gilmore-lawler':
      return gilmoreLawlerFlat(n, a, b);
    default: {
      const eigen = lemma1Kernel(n, a, b).bound;
      return n <= 256 ? Math.max(eigen, gilmoreLawlerFlat(n, a, b)) : eigen;
    }
  }
}
