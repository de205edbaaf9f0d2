/**
 * Derivative checks (Taylor-slope tests, as Manopt's checkgradient / checkhessian) and
 * the smallest Riemannian Hessian eigenvalue by Lanczos.
 *
 * Along the exponential curve c(t) = P exp(t Omega) (a second-order retraction):
 *   |f(c(t)) - f(P) - t <grad, Omega>|                         = O(t^2)  (slope 2)
 *   |f(c(t)) - f(P) - t <grad, Omega> - t^2/2 <Hess Omega, Omega>| = O(t^3)  (slope 3)
 * A wrong gradient gives slope 1, a wrong Hessian slope 2.
 */

import { Matrix } from 'ml-matrix';
import { axpy, dot, jacobiEigen, norm } from './dense.js';
import { Engine } from './engine.js';
import { InvalidOptionError } from './errors.js';
import { flatRetraction, Workspace } from './manifold.js';
import { assertOrthogonal, squareToFlat } from './matrix-io.js';
import { Objective, type Problem } from './problem.js';
import { randomOrthogonalFlat, randomSkewFlat, seededNormalSource } from './random.js';
import { Monitor, resolveStopping } from './stopping.js';

export interface SlopeCheckOptions {
  /** Point of the check (default: Haar-random from `seed`). */
  P?: Matrix;
  /** Seed of the random point and direction (default 0). */
  seed?: number;
}

export interface SlopeCheckResult {
  /** Measured slope of log(error) against log(t) on the best-fitting window. */
  slope: number;
  expectedSlope: number;
  /** |slope - expectedSlope| <= 0.1. */
  passed: boolean;
  /** Step sizes and errors (t from 1 down to 1e-8, four per decade). */
  points: Array<{ t: number; error: number }>;
  /** [smallest t, largest t] of the window the slope was fitted on. */
  window: [number, number];
}

export interface HessianCheckResult extends SlopeCheckResult {
  /** |<H u, v> - <u, H v>| / (||H u|| ||v||) for two random tangent directions. */
  symmetryError: number;
}

function makeEngine(problem: Problem, location: string): Engine {
  const objective = new Objective(problem, location);
  const ws = new Workspace(objective.n);
  const monitor = new Monitor(resolveStopping({}, location), objective.n, ws, () => objective.counts.costEvaluations);
  return new Engine(objective, flatRetraction('exponential', location), ws, monitor);
}

function startPoint(engine: Engine, options: SlopeCheckOptions, location: string) {
  const n = engine.n;
  const source = seededNormalSource(options.seed ?? 0);
  const x = engine.point();
  if (options.P !== undefined) {
    const p = squareToFlat(options.P, n, `${location}(P)`);
    assertOrthogonal(p, n, `${location}(P)`, 1e-8 * Math.sqrt(n));
    x.p.set(p);
  } else {
    x.p.set(randomOrthogonalFlat(n, source));
  }
  engine.evaluate(x);
  return { x, source };
}

/** Least-squares slope over the window of 9 points (two decades) with the best fit above the noise floor. */
function fitSlope(points: Array<{ t: number; error: number }>, floor: number): { slope: number; window: [number, number] } {
  const width = 9;
  let best = { slope: Number.NaN, residual: Number.POSITIVE_INFINITY, window: [Number.NaN, Number.NaN] as [number, number] };
  for (let start = 0; start + width <= points.length; start++) {
    const slice = points.slice(start, start + width);
    if (!slice.every((p) => p.error > floor)) continue;
    const xs = slice.map((p) => Math.log10(p.t));
    const ys = slice.map((p) => Math.log10(p.error));
    const mx = xs.reduce((a, b) => a + b, 0) / width;
    const my = ys.reduce((a, b) => a + b, 0) / width;
    let sxy = 0;
    let sxx = 0;
    for (let i = 0; i < width; i++) {
      sxy += (xs[i]! - mx) * (ys[i]! - my);
      sxx += (xs[i]! - mx) ** 2;
    }
    const slope = sxy / sxx;
    let residual = 0;
    for (let i = 0; i < width; i++) residual += (ys[i]! - my - slope * (xs[i]! - mx)) ** 2;
    if (residual < best.residual) {
      best = { slope, residual, window: [slice[width - 1]!.t, slice[0]!.t] };
    }
  }
  return { slope: best.slope, window: best.window };
}

function taylorErrors(
  engine: Engine,
  x: ReturnType<typeof startPoint>['x'],
  direction: Float64Array,
  model: (t: number) => number,
): Array<{ t: number; error: number }> {
  const trial = engine.point();
  const points: Array<{ t: number; error: number }> = [];
  for (let k = 0; k <= 32; k++) {
    const t = 10 ** (-k / 4);
    engine.retractTo(x, direction, t, trial);
    const value = engine.objective.cost(trial.p, trial.g);
    points.push({ t, error: Math.abs(value - model(t)) });
  }
  return points;
}

/**
 * Taylor-slope test of the gradient along a random unit tangent direction: returns the
 * measured slope (2 for a correct gradient, 1 for a wrong one).
 */
export function checkGradient(problem: Problem, options: SlopeCheckOptions = {}): SlopeCheckResult {
  const location = 'checkGradient';
  const engine = makeEngine(problem, location);
  const { x, source } = startPoint(engine, options, location);
  const direction = randomSkewFlat(engine.n, source);
  const f0 = x.cost;
  const df = dot(x.omega, direction);
  const points = taylorErrors(engine, x, direction, (t) => f0 + t * df);
  const floor = 1e3 * Number.EPSILON * Math.max(1, Math.abs(f0));
  const { slope, window } = fitSlope(points, floor);
  return { slope, expectedSlope: 2, passed: Math.abs(slope - 2) <= 0.1, points, window };
}

/**
 * Taylor-slope test of the Hessian (slope 3 expected) along a random unit tangent
 * direction, plus a symmetry check. Requires a problem with a Euclidean Hessian.
 */
export function checkHessian(problem: Problem, options: SlopeCheckOptions = {}): HessianCheckResult {
  const location = 'checkHessian';
  const engine = makeEngine(problem, location);
  if (!engine.objective.hasHessian) throw new InvalidOptionError({ location, option: 'problem.euclideanHessian', value: 'undefined' });
  const { x, source } = startPoint(engine, options, location);
  const n = engine.n;
  const direction = randomSkewFlat(n, source);
  const hd = new Float64Array(n * n);
  const fd = engine.point();
  engine.hessian(x, direction, hd, fd);
  const f0 = x.cost;
  const df = dot(x.omega, direction);
  const curvature = dot(hd, direction);
  const points = taylorErrors(engine, x, direction, (t) => f0 + t * df + 0.5 * t * t * curvature);
  const floor = 1e3 * Number.EPSILON * Math.max(1, Math.abs(f0));
  const { slope, window } = fitSlope(points, floor);
  const other = randomSkewFlat(n, source);
  const ho = new Float64Array(n * n);
  engine.hessian(x, other, ho, fd);
  const symmetryError = Math.abs(dot(hd, other) - dot(direction, ho)) / Math.max(norm(hd) * norm(other), norm(ho), 1e-300);
  return { slope, expectedSlope: 3, passed: Math.abs(slope - 3) <= 0.1, points, window, symmetryError };
}

export interface HessianEigenvalueOptions {
  /** Lanczos steps (default min(dimension of O(d), 200)). */
  maxIterations?: number;
  /** Stop when the Ritz residual <= tolerance * max(1, |value|) (default 1e-10). */
  tolerance?: number;
  seed?: number;
}

export interface HessianEigenvalueResult {
  /** Smallest Ritz value of the Riemannian Hessian (trivialised, Frobenius metric). */
  value: number;
  /** Ritz residual bound |beta_k s_k|. */
  residual: number;
  iterations: number;
  /** Ritz vector as the skew Omega of the tangent vector P Omega. */
  direction: Matrix;
}

/**
 * Smallest eigenvalue of the Riemannian Hessian at P by Lanczos with full
 * reorthogonalisation on the d (d - 1) / 2-dimensional tangent space (finite
 * differences of the gradient when the problem has no Hessian). At a critical point a
 * negative value proves a saddle; a non-negative one is the second-order condition.
 */
export function smallestHessianEigenvalue(
  problem: Problem,
  P: Matrix,
  options: HessianEigenvalueOptions = {},
): HessianEigenvalueResult {
  const location = 'smallestHessianEigenvalue';
  const engine = makeEngine(problem, location);
  const n = engine.n;
  const dim = (n * (n - 1)) / 2;
  const { x, source } = startPoint(engine, { P, seed: options.seed ?? 0 }, location);
  const maxIterations = Math.min(options.maxIterations ?? 200, dim);
  if (!(maxIterations >= 1)) throw new InvalidOptionError({ location, option: 'maxIterations', value: options.maxIterations });
  const tolerance = options.tolerance ?? 1e-10;
  const basis: Float64Array[] = [];
  const alphas: number[] = [];
  const betas: number[] = [];
  const fd = engine.point();
  let v = randomSkewFlat(n, source);
  let value = Number.NaN;
  let residual = Number.POSITIVE_INFINITY;
  let ritz = new Float64Array(0);
  for (let k = 0; k < maxIterations; k++) {
    basis.push(v);
    const w = new Float64Array(n * n);
    engine.hessian(x, v, w, fd);
    const a = dot(w, v);
    alphas.push(a);
    for (const b of basis) axpy(-dot(w, b), b, w);
    for (const b of basis) axpy(-dot(w, b), b, w);
    const beta = norm(w);
    const m = alphas.length;
    const t = new Float64Array(m * m);
    for (let i = 0; i < m; i++) {
      t[i * m + i] = alphas[i]!;
      if (i + 1 < m) {
        t[i * m + i + 1] = betas[i]!;
        t[(i + 1) * m + i] = betas[i]!;
      }
    }
    const eig = jacobiEigen(t, m);
    value = eig.values[0]!;
    ritz = new Float64Array(m);
    for (let i = 0; i < m; i++) ritz[i] = eig.vectors[i * m]!;
    residual = Math.abs(beta * ritz[m - 1]!);
    if (residual <= tolerance * Math.max(1, Math.abs(value)) || beta <= 1e-14 * Math.max(1, Math.abs(a))) break;
    betas.push(beta);
    v = w;
    for (let i = 0; i < v.length; i++) v[i]! /= beta;
  }
  const direction = new Float64Array(n * n);
  for (let i = 0; i < ritz.length; i++) axpy(ritz[i]!, basis[i]!, direction);
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) rows.push(Array.from(direction.subarray(i * n, (i + 1) * n)));
  return { value, residual, iterations: alphas.length, direction: new Matrix(rows) };
}
