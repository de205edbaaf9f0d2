import { assertNonNegativeInteger } from '@descramble/core';
import type { IterationLogEntry, StopReason } from '@descramble/orthogonal';
import type { Matrix } from 'ml-matrix';
import { descrambleLayer, type LayerDescrambler } from './descramble-layer.js';
import { labelled, type SmoothnessOptions } from './exact-descrambler.js';
import { descramblersScope } from './errors.js';
import { iterativeDescrambler, type StrategyStart } from './iterative-descrambler.js';
import type { LayerData } from './layer-gram.js';

/** The paper's Figure 1 strategies. */
export type StrategyName = 'identity' | 'warm-start' | 'rescaled' | 'exact';

/** Input of `compareStrategies`: a layer (weights with data or gram) and the solver budget. */
export interface CompareStrategiesInput extends Omit<SmoothnessOptions, 'group' | 'positiveSemidefinite'> {
  /** Weights `out x in` (PyTorch layout). */
  readonly weights: Matrix;
  /** Layer inputs (rows are samples); or give `gram`. */
  readonly data?: LayerData;
  /** Gram matrix of the preactivations; or give `data`. */
  readonly gram?: Matrix;
  /** Iteration budget of each iterative strategy (default 1000). */
  readonly maxIterations?: number;
  /** Time budget of each iterative strategy, seconds (default Infinity). */
  readonly maxTime?: number;
  /** Stop an iterative strategy when the Riemannian gradient norm is below this (default 1e-6). */
  readonly gradientTolerance?: number;
  /** ... or below this times the starting gradient norm (default 0: off). */
  readonly relativeGradientTolerance?: number;
  /** Keep the per-iteration convergence logs (default true). */
  readonly recordLog?: boolean;
  /** Aborts between strategies and at every solver iteration: throws the signal's reason. */
  readonly signal?: AbortSignal;
}

/** One strategy's answer and how it compares with the exact one. */
export interface StrategyResult {
  readonly name: StrategyName;
  /** The descrambler found (orthogonal). */
  readonly P: Matrix;
  /** `P W`. */
  readonly descrambledWeights: Matrix;
  /** `tr(A P B P^T)`, evaluated directly. */
  readonly value: number;
  /**
   * `relativeGap(value, optimum, exact.gapRoundoff).gap` (`@descramble/orthogonal`): the same
   * definition and roundoff bound as the exact result's gap; 0 when `withinRoundoff`.
   */
  readonly gap: number;
  /** `value - optimum`, unclamped. */
  readonly absoluteGap: number;
  /** `|value - optimum| <= exact.gapRoundoff`: the gap is reported as 0. */
  readonly withinRoundoff: boolean;
  /** Solver iterations (0 for the exact strategy). */
  readonly iterations: number;
  /** Wall-clock seconds computing P from B (the Gram matrix is shared, not timed). */
  readonly time: number;
  /** True when a gradient-norm rule stopped the solver (always true for the exact strategy). */
  readonly converged: boolean;
  /** Which rule stopped the solver; `'closed-form'` for the exact strategy. */
  readonly stoppedBy: StopReason | 'closed-form';
  /** Per-iteration log (cost, gradient norm, time; empty for the exact strategy). */
  readonly log: readonly IterationLogEntry[];
  /** Tie-invariant distance to the exact descrambler (0: the same explanation). */
  readonly distanceToExact: number;
}

/** All four strategies, in the order of the paper's Figure 1, and the exact result. */
export interface StrategyComparison {
  /** (a) identity, (b) warm-start, (c) rescaled, (d) exact. */
  readonly strategies: readonly StrategyResult[];
  /** The exact descrambler with its certificate (strategy (d)). */
  readonly exact: LayerDescrambler;
}

/**
 * The paper's Figure 1: four ways to compute a smoothness descrambler for one layer.
 * (a) Cayley projected gradient descent (the 2021 method, `@descramble/orthogonal`'s
 * `'cayley-pgd'`) from P = I; (b) the same from P = T (eigenvectors of A, signed so that
 * det T = +1 as the chart needs); (c) "rescaled": A replaced by diag(omega), solved from I,
 * then multiplied by T; (d) exact (Lemma 1). Each reports its descrambler, value, gap,
 * iterations, time, convergence log and tie-invariant distance to the exact answer.
 *
 * @throws the errors of `descrambleLayer`; InvalidArgumentError for a bad budget.
 */
export function compareStrategies(input: CompareStrategiesInput): StrategyComparison {
  const operation = labelled('compareStrategies', input.label);
  input.signal?.throwIfAborted();
  const maxIterations = input.maxIterations ?? 1000;
  assertNonNegativeInteger(maxIterations, { ...descramblersScope, operation, argument: 'maxIterations' });
  const { weights } = input;
  const exact = descrambleLayer({
    weights,
    ...(input.data !== undefined && { data: input.data }),
    ...(input.gram !== undefined && { gram: input.gram }),
    ...(input.operator !== undefined && { operator: input.operator }),
    ...(input.smoothness !== undefined && { smoothness: input.smoothness }),
    ...(input.rescale !== undefined && { rescale: input.rescale }),
    ...(input.tolerance !== undefined && { tolerance: input.tolerance }),
    ...(input.sampleCount !== undefined && { sampleCount: input.sampleCount }),
    ...(input.label !== undefined && { label: input.label }),
    ...(input.signal !== undefined && { signal: input.signal }),
  });
  const a = exact.smoothness;
  const b = exact.gram;
  // Time of the exact strategy: Lemma 1 from B (the Gram matrix is shared by all four).
  const exactStart = performance.now();
  descrambleLayer({ weights, gram: b, smoothness: a, tolerance: exact.tolerance, ...(input.label !== undefined && { label: input.label }) });
  const exactTime = (performance.now() - exactStart) / 1000;

  const stopping = {
    maxIterations,
    ...(input.maxTime !== undefined && { maxTime: input.maxTime }),
    ...(input.gradientTolerance !== undefined && { gradientTolerance: input.gradientTolerance }),
    ...(input.relativeGradientTolerance !== undefined && { relativeGradientTolerance: input.relativeGradientTolerance }),
    recordLog: input.recordLog ?? true,
    ...(input.signal !== undefined && { signal: input.signal }),
  };
  const fromStart = (name: StrategyName, start: StrategyStart): StrategyResult => {
    const run = iterativeDescrambler(exact, weights, { start, method: 'cayley-pgd', ...stopping, ...(input.label !== undefined && { label: input.label }) });
    return {
      name,
      P: run.P,
      descrambledWeights: run.descrambledWeights,
      value: run.value,
      gap: run.gap.gap,
      absoluteGap: run.gap.absoluteGap,
      withinRoundoff: run.gap.withinRoundoff,
      iterations: run.iterations,
      time: run.time,
      converged: run.converged,
      stoppedBy: run.stoppedBy,
      log: run.log,
      distanceToExact: run.distanceToExact,
    };
  };

  const strategies: StrategyResult[] = [
    fromStart('identity', 'identity'),
    fromStart('warm-start', 'warm-start'),
    fromStart('rescaled', 'rescaled'),
    {
      name: 'exact',
      P: exact.P,
      descrambledWeights: exact.descrambledWeights,
      value: exact.value,
      gap: exact.gap,
      absoluteGap: exact.absoluteGap,
      withinRoundoff: exact.withinRoundoff,
      iterations: 0,
      time: exactTime,
      converged: true,
      stoppedBy: 'closed-form',
      log: [],
      distanceToExact: 0,
    },
  ];
  return { strategies, exact };
}
