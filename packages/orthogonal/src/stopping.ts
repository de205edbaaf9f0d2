/**
 * Stopping rules and the per-iteration log shared by all solvers.
 */

import type { Matrix } from 'ml-matrix';
import { InvalidOptionError } from './errors.js';
import { flatToMatrix } from './matrix-io.js';
import { reorthonormalise, type Workspace } from './manifold.js';
import { orthogonalityDrift } from './dense.js';

/**
 * Which rule stopped a solver. `gradientNorm`, `relativeGradientNorm` and `modelDecrease`
 * (trust regions: an interior model step predicts a decrease of at most n eps |f|, the
 * cost's round-off) mean converged.
 */
export type StopReason =
  | 'gradientNorm'
  | 'relativeGradientNorm'
  | 'modelDecrease'
  | 'maxIterations'
  | 'maxTime'
  | 'minStepSize'
  | 'costTolerance'
  | 'callback';

/** One row of the per-iteration log (iteration 0 is the start point). */
export interface IterationLogEntry {
  iteration: number;
  cost: number;
  /** Riemannian gradient norm ||skew(P^T G)||_F. */
  gradientNorm: number;
  /** Norm of the accepted tangent step (0 at iteration 0). */
  stepSize: number;
  /** Cost evaluations so far. */
  functionEvaluations: number;
  /** Seconds since the solver started. */
  time: number;
  /** ||P^T P - I||_F before any re-orthonormalisation at this iteration. */
  orthogonalityError: number;
}

export interface StoppingOptions {
  /** Stop when the Riemannian gradient norm is <= this (default 1e-6). */
  gradientTolerance?: number;
  /** Stop when gradient norm <= this times the initial gradient norm (default 0: off). */
  relativeGradientTolerance?: number;
  /** Default 1000. */
  maxIterations?: number;
  /** Seconds (default Infinity). */
  maxTime?: number;
  /** Stop when the accepted step norm is <= this (default 1e-14). */
  minStepSize?: number;
  /** Stop when |f_{k-1} - f_k| <= costTolerance * max(1, |f_k|) (default 0: off). */
  costTolerance?: number;
  /** Called after every iteration; return true to stop. */
  callback?: (entry: IterationLogEntry, P: Matrix) => boolean | undefined;
  /** Keep the per-iteration log (default true). */
  recordLog?: boolean;
  /** Re-orthonormalise when ||P^T P - I||_F exceeds this (default 1e-13). */
  reorthonormaliseAbove?: number;
  /**
   * Aborts the solver: checked before it starts and at every iteration; the solver throws
   * the signal's reason (`signal.throwIfAborted()`), it does not return a partial result.
   */
  signal?: AbortSignal;
}

export interface ResolvedStopping {
  gradientTolerance: number;
  relativeGradientTolerance: number;
  maxIterations: number;
  maxTime: number;
  minStepSize: number;
  costTolerance: number;
  callback: ((entry: IterationLogEntry, P: Matrix) => boolean | undefined) | undefined;
  recordLog: boolean;
  reorthonormaliseAbove: number;
  signal: AbortSignal | undefined;
}

function nonNegative(location: string, name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(value >= 0) || Number.isNaN(value)) throw new InvalidOptionError({ location, option: name, value });
  return value;
}

export function resolveStopping(options: StoppingOptions, location: string): ResolvedStopping {
  const maxIterations = nonNegative(location, 'maxIterations', options.maxIterations, 1000);
  if (!Number.isInteger(maxIterations) && maxIterations !== Number.POSITIVE_INFINITY) {
    throw new InvalidOptionError({ location, option: 'maxIterations', value: maxIterations });
  }
  return {
    gradientTolerance: nonNegative(location, 'gradientTolerance', options.gradientTolerance, 1e-6),
    relativeGradientTolerance: nonNegative(location, 'relativeGradientTolerance', options.relativeGradientTolerance, 0),
    maxIterations,
    maxTime: nonNegative(location, 'maxTime', options.maxTime, Number.POSITIVE_INFINITY),
    minStepSize: nonNegative(location, 'minStepSize', options.minStepSize, 1e-14),
    costTolerance: nonNegative(location, 'costTolerance', options.costTolerance, 0),
    callback: options.callback,
    recordLog: options.recordLog ?? true,
    reorthonormaliseAbove: nonNegative(location, 'reorthonormaliseAbove', options.reorthonormaliseAbove, 1e-13),
    signal: options.signal,
  };
}

export function isConverged(reason: StopReason): boolean {
  return reason === 'gradientNorm' || reason === 'relativeGradientNorm' || reason === 'modelDecrease';
}

/**
 * Records the log, re-orthonormalises drifting iterates and applies the stopping rules.
 */
export class Monitor {
  readonly log: IterationLogEntry[] = [];
  readonly start = performance.now();
  reorthonormalisations = 0;
  private initialGradientNorm = Number.NaN;
  private previousCost = Number.NaN;
  private readonly n: number;

  constructor(
    readonly rules: ResolvedStopping,
    n: number,
    private readonly ws: Workspace,
    private readonly functionEvaluations: () => number,
  ) {
    this.n = n;
  }

  elapsed(): number {
    return (performance.now() - this.start) / 1000;
  }

  /**
   * Called once per iteration with the accepted point (may re-orthonormalise `p` in place).
   * Returns the stop reason or undefined to continue.
   */
  record(iteration: number, cost: number, gradientNorm: number, stepSize: number, p: Float64Array): StopReason | undefined {
    this.rules.signal?.throwIfAborted();
    const drift = orthogonalityDrift(p, this.n, this.ws.buffer(12));
    if (drift > this.rules.reorthonormaliseAbove) {
      reorthonormalise(p, this.n, this.ws);
      this.reorthonormalisations++;
    }
    const entry: IterationLogEntry = {
      iteration,
      cost,
      gradientNorm,
      stepSize,
      functionEvaluations: this.functionEvaluations(),
      time: this.elapsed(),
      orthogonalityError: drift,
    };
    if (this.rules.recordLog) this.log.push(entry);
    if (iteration === 0) this.initialGradientNorm = gradientNorm;
    const previous = this.previousCost;
    this.previousCost = cost;
    const r = this.rules;
    if (gradientNorm <= r.gradientTolerance) return 'gradientNorm';
    if (gradientNorm <= r.relativeGradientTolerance * this.initialGradientNorm) return 'relativeGradientNorm';
    if (r.callback?.(entry, flatToMatrix(p, this.n)) === true) return 'callback';
    // A callback may abort the signal: stop here rather than after one more iteration.
    r.signal?.throwIfAborted();
    if (iteration >= r.maxIterations) return 'maxIterations';
    if (entry.time >= r.maxTime) return 'maxTime';
    if (iteration > 0 && stepSize <= r.minStepSize) return 'minStepSize';
    if (iteration > 0 && r.costTolerance > 0 && Math.abs(previous - cost) <= r.costTolerance * Math.max(1, Math.abs(cost))) {
      return 'costTolerance';
    }
    return undefined;
  }
}
