/**
 * Machinery shared by the Riemannian solvers: points with their cached cost and
 * gradient, retraction moves, Armijo backtracking, Hessian-vector products (exact or
 * by finite differences of the gradient) and the common result.
 */

import type { Matrix } from 'ml-matrix';
import { axpy, dot, multiply, norm, orthogonalityDrift, skewPart } from './dense.js';
import { flatToMatrix } from './matrix-io.js';
import { type FlatRetraction, type RetractionName, trivialisedGradient, trivialisedHessian, type Workspace } from './manifold.js';
import type { Objective } from './problem.js';
import { isConverged, type IterationLogEntry, type Monitor, type StopReason } from './stopping.js';

// Workspace buffers 0..3 belong to retractions; the engine uses 5..11.
const B_FACTOR = 5;
const B_HESS1 = 6;
const B_HESS2 = 7;
const B_HESS3 = 8;
const B_HESS4 = 9;

/** A point on O(d) with its cost, Euclidean gradient G, P^T G and trivialised gradient. */
export class Point {
  readonly p: Float64Array;
  readonly g: Float64Array;
  readonly ptg: Float64Array;
  readonly omega: Float64Array;
  cost = Number.NaN;
  gradientNorm = Number.NaN;
  hasGradient = false;
  constructor(n: number) {
    this.p = new Float64Array(n * n);
    this.g = new Float64Array(n * n);
    this.ptg = new Float64Array(n * n);
    this.omega = new Float64Array(n * n);
  }
}

export interface LineSearchResult {
  t: number;
  accepted: boolean;
}

export class Engine {
  readonly n: number;
  constructor(
    readonly objective: Objective,
    readonly retraction: FlatRetraction,
    readonly ws: Workspace,
    readonly monitor: Monitor,
  ) {
    this.n = objective.n;
  }

  point(): Point {
    return new Point(this.n);
  }

  /** Cost and gradient at pt.p. */
  evaluate(pt: Point): void {
    pt.cost = this.objective.costAndGradient(pt.p, pt.g);
    this.finishGradient(pt);
  }

  /** Cost at pt.p (with the gradient too when the problem has no cheaper cost). */
  evaluateCost(pt: Point): void {
    if (this.objective.hasCheapCost) {
      pt.cost = this.objective.cost(pt.p, pt.g);
      pt.hasGradient = false;
    } else {
      this.evaluate(pt);
    }
  }

  ensureGradient(pt: Point): void {
    if (pt.hasGradient) return;
    this.objective.gradient(pt.p, pt.g);
    this.finishGradient(pt);
  }

  private finishGradient(pt: Point): void {
    trivialisedGradient(pt.p, pt.g, pt.ptg, pt.omega, this.n);
    pt.gradientNorm = norm(pt.omega);
    pt.hasGradient = true;
  }

  /** to.p = from.p r(t eta); `factor` (optional) receives r(t eta). */
  retractTo(from: Point, eta: Float64Array, t: number, to: Point, factor?: Float64Array): void {
    const c = factor ?? this.ws.buffer(B_FACTOR);
    this.retraction.factor(eta, t, c, this.ws);
    multiply(from.p, c, to.p, this.n);
  }

  /**
   * Armijo backtracking along t -> R_x(t eta): accepts the first t = t0, t0 beta, ...
   * with f(R_x(t eta)) <= reference + c1 t slope. `trial` receives the accepted point
   * with its gradient.
   */
  armijo(
    x: Point,
    eta: Float64Array,
    slope: number,
    t0: number,
    trial: Point,
    reference = x.cost,
    contraction = 0.5,
    c1 = 1e-4,
    maxSteps = 60,
  ): LineSearchResult {
    let t = t0;
    // Below this, cost differences are round-off.
    const noise = Math.max(100, 10 * this.n) * Number.EPSILON * Math.max(1, Math.abs(x.cost));
    for (let step = 0; step < maxSteps; step++) {
      this.retractTo(x, eta, t, trial);
      this.evaluateCost(trial);
      if (trial.cost <= reference + c1 * t * slope) {
        this.ensureGradient(trial);
        return { t, accepted: true };
      }
      if (trial.cost <= x.cost + noise) {
        // Hager-Zhang approximate Wolfe test: the cost cannot resolve this step, so
        // accept it when the slope along eta has not turned (phi'(t) <= 0.8 |phi'(0)|).
        this.ensureGradient(trial);
        if (dot(trial.omega, eta) <= -0.8 * slope) return { t, accepted: true };
      }
      t *= contraction;
    }
    return { t, accepted: false };
  }

  /**
   * Riemannian Hessian in trivialised form at x applied to omega, into out. Exact
   * when the problem has a Euclidean Hessian; otherwise a finite difference of the
   * Riemannian gradient along the retraction, transported back by projection.
   */
  hessian(x: Point, omega: Float64Array, out: Float64Array, fdPoint: Point): void {
    const n = this.n;
    if (this.objective.hasHessian) {
      const v = this.ws.buffer(B_HESS1);
      const ehess = this.ws.buffer(B_HESS2);
      multiply(x.p, omega, v, n);
      this.objective.hessian(x.p, v, ehess);
      trivialisedHessian(x.p, x.ptg, omega, ehess, out, n, this.ws.buffer(B_HESS3), this.ws.buffer(B_HESS4), v);
      return;
    }
    const size = norm(omega);
    if (size === 0) {
      out.fill(0);
      return;
    }
    const h = 2 ** -14 / size;
    const c = this.ws.buffer(B_HESS1);
    this.retractTo(x, omega, h, fdPoint, c);
    this.evaluate(fdPoint);
    // gradient at P' = P C is P C Omega'; its projection onto T_P is P skew(C Omega').
    const tmp = this.ws.buffer(B_HESS2);
    multiply(c, fdPoint.omega, tmp, n);
    skewPart(tmp, out, n);
    axpy(-1, x.omega, out);
    for (let i = 0; i < n * n; i++) out[i]! /= h;
  }
}

export interface SolverOutcome {
  point: Point;
  iterations: number;
  stoppedBy: StopReason;
}

/** What every solver returns. */
export interface MinimizeResult {
  /** The final iterate (orthogonal to ||P^T P - I||_F <= ~1e-13). */
  P: Matrix;
  cost: number;
  /** Riemannian gradient norm at P. */
  gradientNorm: number;
  iterations: number;
  /** True exactly when a gradient-norm rule (or trust regions' `modelDecrease`) stopped the solver. */
  converged: boolean;
  stoppedBy: StopReason;
  /** Seconds. */
  time: number;
  /** Cost evaluations. */
  functionEvaluations: number;
  gradientEvaluations: number;
  hessianEvaluations: number;
  method: MethodName;
  retraction: RetractionName;
  /** ||P^T P - I||_F of the returned P. */
  orthogonalityError: number;
  reorthonormalisations: number;
  log: IterationLogEntry[];
}

export type MethodName =
  | 'cayley-pgd'
  | 'steepest-descent'
  | 'wen-yin'
  | 'conjugate-gradient'
  | 'lbfgs'
  | 'trust-regions';

export function buildResult(engine: Engine, outcome: SolverOutcome, method: MethodName): MinimizeResult {
  const counts = engine.objective.counts;
  const n = engine.n;
  const p = outcome.point.p;
  const orthogonality = orthogonalityDrift(p, n);
  return {
    P: flatToMatrix(p, n),
    cost: outcome.point.cost,
    gradientNorm: outcome.point.gradientNorm,
    iterations: outcome.iterations,
    converged: isConverged(outcome.stoppedBy),
    stoppedBy: outcome.stoppedBy,
    time: engine.monitor.elapsed(),
    functionEvaluations: counts.costEvaluations,
    gradientEvaluations: counts.gradientEvaluations,
    hessianEvaluations: counts.hessianEvaluations,
    method,
    retraction: engine.retraction.name,
    orthogonalityError: orthogonality,
    reorthonormalisations: engine.monitor.reorthonormalisations,
    log: engine.monitor.log,
  };
}

export { dot, norm };
