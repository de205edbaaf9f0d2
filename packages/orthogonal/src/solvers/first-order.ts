/**
 * First-order Riemannian solvers in right-trivialised coordinates (tangent vectors
 * P Omega stored as skew Omega; vector transport is the identity on Omega).
 *
 * - steepest descent with Armijo backtracking (initial step doubled from the last one);
 * - Wen-Yin: Cayley curve (with the Cayley retraction), alternating Barzilai-Borwein
 *   steps and the Zhang-Hager non-monotone line search;
 * - nonlinear conjugate gradient (Hestenes-Stiefel+ or Polak-Ribiere+), Armijo;
 * - limited-memory BFGS (two-loop recursion, cautious updates), Armijo from t = 1.
 */

import { axpy, dot } from '../dense.js';
import type { Engine, Point, SolverOutcome } from '../engine.js';

function swap(a: { x: Point; trial: Point }): void {
  const t = a.x;
  a.x = a.trial;
  a.trial = t;
}

export function steepestDescent(engine: Engine, start: Point): SolverOutcome {
  const n = engine.n;
  const pts = { x: start, trial: engine.point() };
  const eta = new Float64Array(n * n);
  let reason = engine.monitor.record(0, pts.x.cost, pts.x.gradientNorm, 0, pts.x.p);
  let previousStep = 1 / Math.max(pts.x.gradientNorm, 1e-300);
  let k = 0;
  while (reason === undefined) {
    k++;
    const x = pts.x;
    for (let i = 0; i < n * n; i++) eta[i] = -x.omega[i]!;
    const slope = -x.gradientNorm * x.gradientNorm;
    const ls = engine.armijo(x, eta, slope, k === 1 ? previousStep : 2 * previousStep, pts.trial);
    if (!ls.accepted) {
      reason = 'minStepSize';
      k--;
      break;
    }
    previousStep = ls.t;
    swap(pts);
    reason = engine.monitor.record(k, pts.x.cost, pts.x.gradientNorm, ls.t * x.gradientNorm, pts.x.p);
  }
  return { point: pts.x, iterations: k, stoppedBy: reason };
}

export function wenYin(engine: Engine, start: Point): SolverOutcome {
  const n = engine.n;
  const pts = { x: start, trial: engine.point() };
  const eta = new Float64Array(n * n);
  const s = new Float64Array(n * n);
  const y = new Float64Array(n * n);
  const zhangHagerDecay = 0.85;
  let reference = pts.x.cost;
  let q = 1;
  let tau = 1e-3 / Math.max(pts.x.gradientNorm, 1e-300);
  let reason = engine.monitor.record(0, pts.x.cost, pts.x.gradientNorm, 0, pts.x.p);
  let k = 0;
  while (reason === undefined) {
    k++;
    const x = pts.x;
    for (let i = 0; i < n * n; i++) eta[i] = -x.omega[i]!;
    const slope = -x.gradientNorm * x.gradientNorm;
    const ls = engine.armijo(x, eta, slope, tau, pts.trial, reference, 0.2, 1e-4);
    if (!ls.accepted) {
      reason = 'minStepSize';
      k--;
      break;
    }
    const xn = pts.trial;
    for (let i = 0; i < n * n; i++) {
      s[i] = ls.t * eta[i]!;
      y[i] = xn.omega[i]! - x.omega[i]!;
    }
    const sy = Math.abs(dot(s, y));
    tau = sy > 0 ? (k % 2 === 1 ? dot(s, s) / sy : sy / dot(y, y)) : 2 * ls.t;
    tau = Math.min(Math.max(tau, 1e-20), 1e20);
    const qNext = zhangHagerDecay * q + 1;
    reference = (zhangHagerDecay * q * reference + xn.cost) / qNext;
    q = qNext;
    swap(pts);
    reason = engine.monitor.record(k, pts.x.cost, pts.x.gradientNorm, ls.t * x.gradientNorm, pts.x.p);
  }
  return { point: pts.x, iterations: k, stoppedBy: reason };
}

export type ConjugateGradientRule = 'hestenes-stiefel' | 'polak-ribiere';

export function conjugateGradient(engine: Engine, start: Point, rule: ConjugateGradientRule): SolverOutcome {
  const n = engine.n;
  const pts = { x: start, trial: engine.point() };
  const eta = new Float64Array(n * n);
  const y = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) eta[i] = -start.omega[i]!;
  let reason = engine.monitor.record(0, pts.x.cost, pts.x.gradientNorm, 0, pts.x.p);
  let previousT = 1 / Math.max(pts.x.gradientNorm, 1e-300);
  let previousSlope = Number.NaN;
  let k = 0;
  while (reason === undefined) {
    k++;
    const x = pts.x;
    let slope = dot(x.omega, eta);
    if (!(slope < 0)) {
      for (let i = 0; i < n * n; i++) eta[i] = -x.omega[i]!;
      slope = -x.gradientNorm * x.gradientNorm;
    }
    // Nocedal-Wright initial step: keep the predicted first-order decrease.
    const t0 = k === 1 ? previousT : Math.min((2 * previousT * previousSlope) / slope, 1e20);
    const ls = engine.armijo(x, eta, slope, t0, pts.trial);
    if (!ls.accepted) {
      reason = 'minStepSize';
      k--;
      break;
    }
    previousT = ls.t;
    previousSlope = slope;
    const xn = pts.trial;
    const etaNorm = Math.sqrt(dot(eta, eta));
    for (let i = 0; i < n * n; i++) y[i] = xn.omega[i]! - x.omega[i]!;
    const gy = dot(xn.omega, y);
    let beta: number;
    if (rule === 'hestenes-stiefel') {
      const ey = dot(eta, y);
      beta = ey !== 0 ? gy / ey : 0;
    } else {
      beta = gy / (x.gradientNorm * x.gradientNorm);
    }
    beta = Math.max(0, beta);
    for (let i = 0; i < n * n; i++) eta[i] = -xn.omega[i]! + beta * eta[i]!;
    swap(pts);
    reason = engine.monitor.record(k, pts.x.cost, pts.x.gradientNorm, ls.t * etaNorm, pts.x.p);
  }
  return { point: pts.x, iterations: k, stoppedBy: reason };
}

export function lbfgs(engine: Engine, start: Point, memory: number): SolverOutcome {
  const n = engine.n;
  const size = n * n;
  const pts = { x: start, trial: engine.point() };
  const sList: Float64Array[] = [];
  const yList: Float64Array[] = [];
  const rhoList: number[] = [];
  const alpha = new Float64Array(memory);
  const eta = new Float64Array(size);
  const sNew = new Float64Array(size);
  const yNew = new Float64Array(size);
  let gamma = 1;
  let reason = engine.monitor.record(0, pts.x.cost, pts.x.gradientNorm, 0, pts.x.p);
  let k = 0;
  while (reason === undefined) {
    k++;
    const x = pts.x;
    // two-loop recursion: eta = -H grad
    eta.set(x.omega);
    const count = sList.length;
    for (let i = count - 1; i >= 0; i--) {
      const a = rhoList[i]! * dot(sList[i]!, eta);
      alpha[i] = a;
      axpy(-a, yList[i]!, eta);
    }
    for (let i = 0; i < size; i++) eta[i]! *= gamma;
    for (let i = 0; i < count; i++) {
      const b = rhoList[i]! * dot(yList[i]!, eta);
      axpy(alpha[i]! - b, sList[i]!, eta);
    }
    for (let i = 0; i < size; i++) eta[i] = -eta[i]!;
    let slope = dot(x.omega, eta);
    if (!(slope < 0)) {
      sList.length = 0;
      yList.length = 0;
      rhoList.length = 0;
      for (let i = 0; i < size; i++) eta[i] = -x.omega[i]!;
      slope = -x.gradientNorm * x.gradientNorm;
      gamma = 1;
    }
    let etaNorm = Math.sqrt(dot(eta, eta));
    const t0 = sList.length === 0 ? Math.min(1, 1 / etaNorm) : 1;
    let ls = engine.armijo(x, eta, slope, t0, pts.trial);
    if ((!ls.accepted || ls.t < 1e-8) && sList.length > 0) {
      // the quasi-Newton model is stale: forget it and take a gradient step
      sList.length = 0;
      yList.length = 0;
      rhoList.length = 0;
      gamma = 1;
      for (let i = 0; i < size; i++) eta[i] = -x.omega[i]!;
      slope = -x.gradientNorm * x.gradientNorm;
      etaNorm = x.gradientNorm;
      ls = engine.armijo(x, eta, slope, Math.min(1, 1 / etaNorm), pts.trial);
    }
    if (!ls.accepted) {
      reason = 'minStepSize';
      k--;
      break;
    }
    const xn = pts.trial;
    // new pair in the Lie algebra (identity transport); cautious update
    for (let i = 0; i < size; i++) {
      sNew[i] = ls.t * eta[i]!;
      yNew[i] = xn.omega[i]! - x.omega[i]!;
    }
    const sy = dot(sNew, yNew);
    const yy = dot(yNew, yNew);
    const ss = dot(sNew, sNew);
    if (sy > 1e-12 * Math.sqrt(ss * yy) && sy > 0) {
      const full = sList.length === memory;
      const s = full ? sList.shift()! : new Float64Array(size);
      const yv = full ? yList.shift()! : new Float64Array(size);
      if (full) rhoList.shift();
      s.set(sNew);
      yv.set(yNew);
      sList.push(s);
      yList.push(yv);
      rhoList.push(1 / sy);
      gamma = sy / yy;
    }
    swap(pts);
    reason = engine.monitor.record(k, pts.x.cost, pts.x.gradientNorm, ls.t * etaNorm, pts.x.p);
  }
  return { point: pts.x, iterations: k, stoppedBy: reason };
}
