/**
 * Riemannian trust regions (Absil, Baker, Gallivan 2007) with the truncated conjugate
 * gradient (Steihaug-Toint) inner solver, as in Manopt's `trustregions`: model
 * m(eta) = f + <g, eta> + <eta, Hess[eta]>/2 on the tangent space, inner stopping at
 * ||r|| <= ||r0|| min(||r0||^theta, kappa) (theta = 1, kappa = 0.1), radius update on
 * rho = actual / predicted decrease with a small regularisation against round-off.
 * Hessian-vector products are exact when the problem has a Euclidean Hessian, else by
 * finite differences of the gradient.
 */

import { axpy, dot } from '../dense.js';
import type { Engine, Point, SolverOutcome } from '../engine.js';

export interface TrustRegionOptions {
  /** Maximum radius (default pi sqrt(d (d - 1) / 2)). */
  maxRadius?: number;
  /** Initial radius (default maxRadius / 8). */
  initialRadius?: number;
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
  const maxRadius = options.maxRadius ?? Math.PI * Math.sqrt(Math.max(manifoldDimension, 1));
  let radius = options.initialRadius ?? maxRadius / 8;
  const maxInner = options.maxInnerIterations ?? Math.max(manifoldDimension, 1);
  const rhoPrime = 0.1;
  const kappa = 0.1;
  const theta = 1;

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
    const r0 = x.gradientNorm;
    for (let i = 0; i < size; i++) d[i] = -z[i]!;
    let ee = 0;
    let ed = 0;
    let dd = zr;
    let hitBoundary = false;
    const signal = engine.monitor.rules.signal;
    for (let j = 0; j < maxInner; j++) {
      // The inner CG can take up to d(d-1)/2 Hessian products: abort between them too.
      signal?.throwIfAborted();
      engine.hessian(x, d, hd, fdPoint);
      const dHd = dot(d, hd);
      const alpha = zr / dHd;
      const eeNew = ee + 2 * alpha * ed + alpha * alpha * dd;
      if (!(dHd > 0) || eeNew >= radius * radius) {
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
  }
  return { point: x, iterations: k, stoppedBy: reason };
}
