import { multiply } from '@descramble/linalg';
import {
  brockettProblem,
  type IterationLogEntry,
  type MethodName,
  minimize,
  type RelativeGap,
  relativeGap,
  type StopReason,
  type StoppingOptions,
} from '@descramble/orthogonal';
import { Matrix } from 'ml-matrix';
import type { LayerDescrambler } from './descramble-layer.js';
import { descramblerDistance } from './descrambler-distance.js';
import { determinant, labelled } from './exact-descrambler.js';
import { smoothnessValue } from './smoothness.js';

/**
 * Where an iterative search for the descrambler starts, after the paper's Figure 1:
 * (a) `'identity'`: from P = I; (b) `'warm-start'`: from T, the eigenvectors of A (signed so
 * that det T = +1); (c) `'rescaled'`: A replaced by diag(omega), solved from I, then
 * multiplied by T.
 */
export type StrategyStart = 'identity' | 'warm-start' | 'rescaled';

/** Options of `iterativeDescrambler`: the start, the solver and its stopping rules. */
export interface IterativeDescramblerOptions extends StoppingOptions {
  /** Default `'identity'`. */
  readonly start?: StrategyStart;
  /** `@descramble/orthogonal`'s solver (default `'cayley-pgd'`, the 2021 method). */
  readonly method?: MethodName;
  /** Seed the solver may use (default 0). */
  readonly seed?: number;
  /** Names the layer in error messages. */
  readonly label?: string;
}

/** An iteratively found descrambler, measured against the exact one. */
export interface IterativeDescrambler {
  readonly start: StrategyStart;
  readonly method: MethodName;
  /** The descrambler found (orthogonal). */
  readonly P: Matrix;
  /** `P W`. */
  readonly descrambledWeights: Matrix;
  /** `tr(A P B P^T)`, evaluated directly. */
  readonly value: number;
  /** Its gap to the Lemma 1 optimum, with the exact result's roundoff bound. */
  readonly gap: RelativeGap;
  readonly iterations: number;
  /** Wall-clock seconds of the solver. */
  readonly time: number;
  /** True when a gradient-norm rule stopped the solver. */
  readonly converged: boolean;
  readonly stoppedBy: StopReason;
  /** Riemannian gradient norm at the end. */
  readonly gradientNorm: number;
  /** `||P^T P - I||` at the end. */
  readonly orthogonalityError: number;
  /** Per-iteration log (empty unless `recordLog`). */
  readonly log: readonly IterationLogEntry[];
  /** Tie-invariant distance to the exact descrambler (0: the same explanation). */
  readonly distanceToExact: number;
}

/**
 * Searches for the smoothness descrambler of a layer with an iterative solver on the orthogonal
 * group, from one of the paper's Figure 1 starts, and measures the answer against the exact one
 * (`exact`, from `descrambleLayer` on the same layer): its value, gap and distance.
 *
 * @throws the signal's reason when aborted; `@descramble/orthogonal`'s errors for bad options.
 */
export function iterativeDescrambler(exact: LayerDescrambler, weights: Matrix, options: IterativeDescramblerOptions = {}): IterativeDescrambler {
  const operation = labelled('iterativeDescrambler', options.label);
  const { start = 'identity', method = 'cayley-pgd', label: _label, ...solverOptions } = options;
  const a = exact.smoothness;
  const b = exact.gram;
  const d = a.rows;
  const identity = Matrix.eye(d);
  let p: Matrix;
  let run: ReturnType<typeof minimize>;
  if (start === 'rescaled') {
    const omega = Matrix.diag(Array.from(exact.smoothnessEigenvalues));
    run = minimize(brockettProblem(omega, b), { ...solverOptions, method, P0: identity });
    p = multiply(exact.smoothnessEigenvectors, run.P);
  } else {
    let p0 = identity;
    if (start === 'warm-start') {
      p0 = exact.smoothnessEigenvectors.clone();
      // The chart of the 2021 method stays in SO(d): start there.
      if (determinant(p0) < 0) for (let i = 0; i < d; i++) p0.set(i, 0, -p0.get(i, 0));
    }
    run = minimize(brockettProblem(a, b), { ...solverOptions, method, P0: p0 });
    p = run.P;
  }
  const value = smoothnessValue(p, a, b);
  return {
    start,
    method,
    P: p,
    descrambledWeights: multiply(p, weights),
    value,
    gap: relativeGap(value, exact.optimum, exact.gapRoundoff, operation),
    iterations: run.iterations,
    time: run.time,
    converged: run.converged,
    stoppedBy: run.stoppedBy,
    gradientNorm: run.gradientNorm,
    orthogonalityError: run.orthogonalityError,
    log: run.log,
    distanceToExact: descramblerDistance(p, exact.P, a, { tolerance: exact.tolerance }),
  };
}
