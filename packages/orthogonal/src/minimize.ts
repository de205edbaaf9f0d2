/**
 * `minimize(problem, options)`: one entry point for every solver on O(d) / SO(d).
 */

import type { Matrix } from 'ml-matrix';
import { determinantSign } from './dense.js';
import { Engine, type MethodName, type MinimizeResult, buildResult } from './engine.js';
import { InvalidOptionError } from './errors.js';
import { flatRetraction, type RetractionName, reorthonormalise, Workspace } from './manifold.js';
import { assertOrthogonal, squareToFlat } from './matrix-io.js';
import { Objective, type Problem } from './problem.js';
import { randomOrthogonalFlat, seededNormalSource } from './random.js';
import { type ChartStepRule, cayleyPgd } from './solvers/cayley-pgd.js';
import { type ConjugateGradientRule, conjugateGradient, lbfgs, steepestDescent, wenYin } from './solvers/first-order.js';
import { type TrustRegionOptions, trustRegions } from './solvers/trust-regions.js';
import { Monitor, resolveStopping, type StoppingOptions } from './stopping.js';

export const methodNames: readonly MethodName[] = [
  'cayley-pgd',
  'steepest-descent',
  'wen-yin',
  'conjugate-gradient',
  'lbfgs',
  'trust-regions',
];

export interface MinimizeOptions extends StoppingOptions {
  /** Default 'trust-regions'. */
  method?: MethodName;
  /** Start point (orthogonal). Default: Haar-random from `seed` (det +1 for SO). */
  P0?: Matrix;
  /** Seed of the random start point (default 0). */
  seed?: number;
  /** Retraction of the Riemannian solvers (default 'cayley'; 'wen-yin' requires 'cayley'). */
  retraction?: RetractionName;
  /** 'O' (default): stay in P0's component of O(d). 'SO': require det P0 = +1. */
  group?: 'O' | 'SO';
  /**
   * 'start' (default): optimise in P0's connected component only. 'both': also run from
   * P0 with its first column negated (the other component of O(d)) and return the better.
   */
  components?: 'start' | 'both';
  /** Conjugate gradient rule (default 'hestenes-stiefel'). */
  conjugateGradientRule?: ConjugateGradientRule;
  /** L-BFGS memory (default 30). */
  memory?: number;
  /** Trust-region parameters. */
  trustRegion?: TrustRegionOptions;
  /**
   * Use the problem's preconditioner (kernels.preconditioner, e.g. the Brockett Jacobi
   * preconditioner) in the trust-region inner solver when it has one (default true).
   */
  preconditioner?: boolean;
  /** Step rule of the 2021 chart method (default 'armijo'). */
  chartStep?: ChartStepRule;
}

/** Result of `minimize`; with `components: 'both'`, `alternative` holds the other run. */
export interface MinimizeOutput extends MinimizeResult {
  alternative?: MinimizeResult;
}

const location = 'minimize';

/** Minimises a problem over O(d) (or SO(d)); see `MinimizeOptions`. */
export function minimize(problem: Problem, options: MinimizeOptions = {}): MinimizeOutput {
  options.signal?.throwIfAborted();
  const objectiveCheck = new Objective(problem, location);
  const n = objectiveCheck.n;
  const method = options.method ?? 'trust-regions';
  if (!methodNames.includes(method)) throw new InvalidOptionError({ location, option: 'method', value: method });
  const group = options.group ?? 'O';
  if (group !== 'O' && group !== 'SO') throw new InvalidOptionError({ location, option: 'group', value: group });
  const components = options.components ?? 'start';
  if (components !== 'start' && components !== 'both') throw new InvalidOptionError({ location, option: 'components', value: components });
  if (components === 'both' && group === 'SO') throw new InvalidOptionError({ location, option: 'components', value: 'both (with group SO)' });
  const retractionName = options.retraction ?? 'cayley';
  flatRetraction(retractionName, location);
  if (method === 'wen-yin' && retractionName !== 'cayley') {
    throw new InvalidOptionError({ location, option: 'retraction', value: `${retractionName} (wen-yin uses the Cayley curve)` });
  }
  const memory = options.memory ?? 30;
  if (!Number.isInteger(memory) || memory < 1) throw new InvalidOptionError({ location, option: 'memory', value: memory });
  const cgRule = options.conjugateGradientRule ?? 'hestenes-stiefel';
  if (cgRule !== 'hestenes-stiefel' && cgRule !== 'polak-ribiere') {
    throw new InvalidOptionError({ location, option: 'conjugateGradientRule', value: cgRule });
  }
  const chartStep = options.chartStep ?? 'armijo';
  if (chartStep !== 'armijo' && chartStep !== 'barzilai-borwein') {
    throw new InvalidOptionError({ location, option: 'chartStep', value: chartStep });
  }
  const stopping = resolveStopping(options, location);
  const usePreconditioner = options.preconditioner ?? true;

  let p0: Float64Array;
  if (options.P0 !== undefined) {
    p0 = squareToFlat(options.P0, n, 'minimize(P0)');
    assertOrthogonal(p0, n, 'minimize(P0)', 1e-8 * Math.sqrt(n));
  } else {
    const seed = options.seed ?? 0;
    if (!Number.isSafeInteger(seed)) throw new InvalidOptionError({ location, option: 'seed', value: seed });
    p0 = randomOrthogonalFlat(n, seededNormalSource(seed));
    if (group === 'SO' && determinantSign(p0, n, new Float64Array(n * n)) < 0) negateFirstColumn(p0, n);
  }
  if (group === 'SO' && determinantSign(p0, n, new Float64Array(n * n)) < 0) {
    throw new InvalidOptionError({ location, option: 'P0', value: 'a matrix with det -1 (group SO)' });
  }

  const run = (start: Float64Array): MinimizeResult => {
    const objective = new Objective(problem, location);
    const ws = new Workspace(n);
    const monitor = new Monitor(stopping, n, ws, () => objective.counts.costEvaluations);
    const engine = new Engine(objective, flatRetraction(retractionName, location), ws, monitor);
    if (method === 'cayley-pgd') {
      return buildResult(engine, cayleyPgd(engine, start, chartStep), method);
    }
    const x = engine.point();
    x.p.set(start);
    reorthonormalise(x.p, n, ws);
    engine.evaluate(x);
    switch (method) {
      case 'steepest-descent':
        return buildResult(engine, steepestDescent(engine, x), method);
      case 'wen-yin':
        return buildResult(engine, wenYin(engine, x), method);
      case 'conjugate-gradient':
        return buildResult(engine, conjugateGradient(engine, x, cgRule), method);
      case 'lbfgs':
        return buildResult(engine, lbfgs(engine, x, memory), method);
      default:
        return buildResult(engine, trustRegions(engine, x, options.trustRegion ?? {}, usePreconditioner), method);
    }
  };

  const first = run(p0);
  options.signal?.throwIfAborted();
  if (components === 'start') return first;
  const flipped = Float64Array.from(p0);
  negateFirstColumn(flipped, n);
  const second = run(flipped);
  return second.cost < first.cost ? { ...second, alternative: first } : { ...first, alternative: second };
}

function negateFirstColumn(p: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) p[i * n] = -p[i * n]!;
}
