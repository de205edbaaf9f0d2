/**
 * Riemannian trust regions (Absil, Baker, Gallivan 2007) with the truncated conjugate
 * gradient (Steihaug-Toint) inner solver, as in Manopt's `trustregions`: model
 * m(eta) = f + <g, eta> + <eta, Hess[eta]>/2 on the tangent space, inner stopping at
 * ||r|| <= ||r0|| min(||r0||^theta, kappa) (theta = 1, kappa = 0.1), radius update on
 * rho = actual / predicted decrease with a small regularisation against round-off.
 * Hessian-vector products are exact when the problem has a Euclidean Hessian, else by
 * finite differences of the gradient.
 *
 * With a preconditioner M ~ Hess^{-1} the region is the ball <eta, M^{-1} eta> <= radius^2
 * (as in Manopt), whose scale is the cost's, not the manifold's: the initial radius is the
 * M^{-1}-norm of the first preconditioned step, sqrt(<g, M g>), and there is no maximum
 * radius unless one is given (a fixed pi sqrt(dim) cap in that norm stalled a DEERNet layer,
 * cost 1e12, at 1e-3 per step). Without one the region is the Frobenius ball of radius at
 * most pi sqrt(d (d - 1) / 2), starting at an eighth of it.
 *
 * Stopping at round-off ('modelDecrease'): when the inner solver ends inside the region (a
 * Newton-like step on a convex model) and the model's decrease is at most n eps |f|, the
 * local quadratic predicts f - f* below what the cost can resolve; further iterations only
 * shrink the radius on noisy rho.
 */

import { axpy, dot } from '../dense.js';
import type { Engine, Point, SolverOutcome } from '../engine.js';

export interface TrustRegionOptions {
  /**
   * Maximum radius (default pi sqrt(d (d - 1) / 2) without a preconditioner, none with one:
   * the preconditioned norm has the cost's scale).
   */
  maxRadius?: number;
  /** Initial radius (default maxRadius / 8; with a preconditioner sqrt(<g, M g>) at P0). */
  initialRadius?: number;
  /** Stop with 'modelDecrease' when an interior model step predicts at most n eps |f| (default true). */
  stopAtRoundoff?: boolean;
  /** Maximum inner iterations (default the manifold dimension d (d - 1) / 2). */
  maxInnerIterations?: number;
}

export type Preconditioner = ((omega: Float64Array, out: Float64Array) => void) | undefined;

export function trustRegions(
  engine: Engine,
  start: Point,
  options: TrustRegionOptions,
  usePreconditioner: boolean,
): SolverOutcome {
  const n = engine.n;
  const size = n * n;
  const manifoldDimension = (n * (n - 1)) / 2;
  const preconditioned = usePreconditioner && engine.objective.hasPreconditioner;
  const maxRadius = options.maxRadius ?? (preconditioned ? Number.POSITIVE_INFINITY : Math.PI * Math.sqrt(Math.max(manifoldDimension, 1)));
  let radius = options.initialRadius ?? Number.NaN;
  const maxInner = options.maxInnerIterations ?? Math.max(manifoldDimension, 1);
  const rhoPrime = 0.1;
  const kappa = 0.1;
  const theta = 1;
  const stopAtRoundoff = options.stopAtRoundoff ?? true;

  let x = start;
  let trial = engine.point();
  const fdPoint = engine.point();
  const eta = new Float64Array(size);
  const hEta = new Float64Array(size);
  const r = new Float64Array(size);
  const d = new Float64Array(size);
  const hd = new Float64Array(size);
  const z = new Float64Array(size);

  let reason = engine.monitor.record(0, x.cost, x.gradientNorm, 0, x.p);
  let k = 0;
  while (reason === undefined) {
    k++;
    // --- truncated (preconditioned) CG on the model; radius in the M^{-1} norm ---
    const precondition = usePreconditioner ? engine.objective.preconditioner(x.p) : undefined;
    eta.fill(0);
    hEta.fill(0);
    r.set(x.omega);
    if (precondition === undefined) z.set(r);
    else precondition(r, z);
    let zr = dot(z, r);
    if (Number.isNaN(radius)) radius = preconditioned ? Math.sqrt(zr) : maxRadius / 8;
    const r0 = x.gradientNorm;
    for (let i = 0; i < size; i++) d[i] = -z[i]!;
    let ee = 0;
    let ed = 0;
    let dd = zr;
    let hitBoundary = false;
    let negativeCurvature = false;
    const signal = engine.monitor.rules.signal;
    for (let j = 0; j < maxInner; j++) {
      // The inner CG can take up to d(d-1)/2 Hessian products: abort between them too.
      signal?.throwIfAborted();
      engine.hessian(x, d, hd, fdPoint);
      const dHd = dot(d, hd);
      const alpha = zr / dHd;
      const eeNew = ee + 2 * alpha * ed + alpha * alpha * dd;
      if (!(dHd > 0) || eeNew >= radius * radius) {
        negativeCurvature = !(dHd > 0);
        const tau = (-ed + Math.sqrt(ed * ed + dd * (radius * radius - ee))) / dd;
        axpy(tau, d, eta);
        axpy(tau, hd, hEta);
        hitBoundary = true;
        break;
      }
      ee = eeNew;
      axpy(alpha, d, eta);
      axpy(alpha, hd, hEta);
      axpy(alpha, hd, r);
      const rNorm = Math.sqrt(dot(r, r));
      if (rNorm <= r0 * Math.min(r0 ** theta, kappa)) break;
      if (precondition === undefined) z.set(r);
      else precondition(r, z);
      const zrNew = dot(z, r);
      const beta = zrNew / zr;
      zr = zrNew;
      for (let i = 0; i < size; i++) d[i] = -z[i]! + beta * d[i]!;
      ed = beta * (ed + alpha * dd);
      dd = zr + beta * beta * dd;
    }
    // model decrease must be positive; fall back to the Cauchy point if not
    let predicted = -(dot(x.omega, eta) + 0.5 * dot(eta, hEta));
    const resolved = stopAtRoundoff && !hitBoundary && !negativeCurvature && predicted <= n * Number.EPSILON * Math.abs(x.cost);
    if (!(predicted > 0)) {
      engine.hessian(x, x.omega, hd, fdPoint);
      const gHg = dot(x.omega, hd);
      const gg = x.gradientNorm * x.gradientNorm;
      const tau = gHg > 0 ? Math.min(gg / gHg, radius / x.gradientNorm) : radius / x.gradientNorm;
      for (let i = 0; i < size; i++) {
        eta[i] = -tau * x.omega[i]!;
        hEta[i] = -tau * hd[i]!;
      }
      predicted = tau * gg - 0.5 * tau * tau * gHg;
    }
    engine.retractTo(x, eta, 1, trial);
    engine.evaluateCost(trial);
    const regularisation = Math.max(1, Math.abs(x.cost)) * Number.EPSILON * 1e3;
    const rho = (x.cost - trial.cost + regularisation) / (predicted + regularisation);
    const stepNorm = Math.sqrt(dot(eta, eta));
    if (!(rho >= 0.25) || !Number.isFinite(trial.cost)) {
      radius /= 4;
    } else if (rho > 0.75 && hitBoundary) {
      radius = Math.min(2 * radius, maxRadius);
    }
    if (rho > rhoPrime && Number.isFinite(trial.cost)) {
      engine.ensureGradient(trial);
      const t = x;
      x = trial;
      trial = t;
      reason = engine.monitor.record(k, x.cost, x.gradientNorm, stepNorm, x.p);
    } else {
      reason = engine.monitor.record(k, x.cost, x.gradientNorm, 0, x.p);
      if (reason === 'minStepSize' && radius > engine.monitor.rules.minStepSize) reason = undefined;
    }
    if (reason === undefined && resolved) reason = 'modelDecrease';
  }
  return { point: x, iterations: k, stoppedBy: reason };
}
