/**
 * The 2021 method (Amey et al., PNAS 118(5)), kept for faithful reproduction:
 * gradient descent on ONE global Cayley chart
 *
 *   P(Q) = (I + Q)^{-1} (I - Q),   Q skew, parameters = strict lower triangle of Q,
 *
 * with the chain rule dP = -(I + Q)^{-1} dQ (I + P), so for any cost with Euclidean
 * gradient G_P the Euclidean gradient in Q is
 *
 *   G_Q = -(I + Q)^{-T} G_P (I + P)^T      (Brockett: G_P = 2 A P B, docs/theory.md section 7),
 *
 * and the gradient in the parameters is the strict lower triangle of G_Q - G_Q^T.
 * The chart never re-centres: it covers only rotations without eigenvalue -1, so
 * P0 must satisfy det P0 = +1 and the iteration slows down (or stalls) as Q grows.
 * Stopping uses the Riemannian gradient norm of P, as for every other solver.
 */

import { addTransposedKernel } from '@descramble/linalg';
import { dot, invert, invertPositiveReal, multiply, multiplyTransposeLeft, multiplyTransposeRight, norm, determinantSign, skewPart } from '../dense.js';
import type { Engine, Point, SolverOutcome } from '../engine.js';
import { ChartDomainError } from '../errors.js';

export type ChartStepRule = 'armijo' | 'barzilai-borwein';

interface ChartState {
  q: Float64Array;
  /** G_Q - G_Q^T (skew); the parameter gradient is its strict lower triangle. */
  chartGradient: Float64Array;
  point: Point;
}

/** Q = (I + P)^{-1} (I - P); throws ChartDomainError outside the chart. */
export function chartCoordinates(p: Float64Array, n: number, location: string): Float64Array {
  const work = new Float64Array(n * n);
  const sign = determinantSign(p, n, work);
  if (sign <= 0) throw new ChartDomainError({ location, determinantSign: sign });
  const plus = Float64Array.from(p);
  const minus = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) minus[i] = -p[i]!;
  for (let i = 0; i < n; i++) {
    plus[i * n + i]! += 1;
    minus[i * n + i]! += 1;
  }
  const inv = new Float64Array(n * n);
  try {
    invert(plus, inv, n, work, location);
  } catch {
    throw new ChartDomainError({ location, determinantSign: sign });
  }
  // skew part (exact for orthogonal P); reject points numerically at the chart's edge
  const q = skewPart(multiply(inv, minus, work, n), new Float64Array(n * n), n);
  if (!(norm(q) < 1e12)) throw new ChartDomainError({ location, determinantSign: sign });
  return q;
}

export function cayleyPgd(engine: Engine, p0: Float64Array, stepRule: ChartStepRule): SolverOutcome {
  const n = engine.n;
  const size = n * n;
  const ws = engine.ws;
  const minv = new Float64Array(size);
  const tmp1 = new Float64Array(size);
  const tmp2 = new Float64Array(size);

  const evaluateChart = (st: ChartState): void => {
    const q = st.q;
    const plus = ws.buffer(10);
    for (let i = 0; i < size; i++) plus[i] = q[i]!;
    for (let i = 0; i < n; i++) plus[i * n + i]! += 1;
    invertPositiveReal(plus, minv, n);
    const p = st.point.p;
    for (let i = 0; i < size; i++) p[i] = 2 * minv[i]!;
    for (let i = 0; i < n; i++) p[i * n + i]! -= 1;
    engine.evaluate(st.point);
    // G_Q = -(I + Q)^{-T} G (I + P)^T
    const ip = ws.buffer(10);
    for (let i = 0; i < size; i++) ip[i] = p[i]!;
    for (let i = 0; i < n; i++) ip[i * n + i]! += 1;
    multiplyTransposeLeft(minv, st.point.g, tmp1, n);
    multiplyTransposeRight(tmp1, ip, tmp2, n);
    // chart gradient = tmp2^T - tmp2 (exactly skew)
    addTransposedKernel(n, tmp2, -1, 1, st.chartGradient);
  };

  const newState = (q: Float64Array): ChartState => ({
    q,
    chartGradient: new Float64Array(size),
    point: engine.point(),
  });
  let x = newState(chartCoordinates(p0, n, 'minimize(cayley-pgd)'));
  let trial = newState(new Float64Array(size));
  evaluateChart(x);

  let reason = engine.monitor.record(0, x.point.cost, x.point.gradientNorm, 0, x.point.p);
  let k = 0;
  let t = 1 / Math.max(norm(x.chartGradient), 1e-300);
  let reference = x.point.cost;
  let zhq = 1;
  const s = new Float64Array(size);
  const y = new Float64Array(size);
  while (reason === undefined) {
    k++;
    // parameter-space squared gradient norm = ||lower(D)||^2 = ||D||_F^2 / 2
    const gg = dot(x.chartGradient, x.chartGradient) / 2;
    const ref = stepRule === 'armijo' ? x.point.cost : reference;
    let accepted = false;
    let tries = 0;
    let tt = stepRule === 'armijo' && k > 1 ? 2 * t : t;
    for (; tries < 60; tries++) {
      for (let i = 0; i < size; i++) trial.q[i] = x.q[i]! - tt * x.chartGradient[i]!;
      evaluateChart(trial);
      if (trial.point.cost <= ref - 1e-4 * tt * gg) {
        accepted = true;
        break;
      }
      tt *= stepRule === 'armijo' ? 0.5 : 0.2;
    }
    if (!accepted) {
      reason = 'minStepSize';
      k--;
      break;
    }
    const stepNorm = tt * Math.sqrt(gg);
    if (stepRule === 'barzilai-borwein') {
      for (let i = 0; i < size; i++) {
        s[i] = trial.q[i]! - x.q[i]!;
        y[i] = trial.chartGradient[i]! - x.chartGradient[i]!;
      }
      const sy = Math.abs(dot(s, y));
      t = sy > 0 ? (k % 2 === 1 ? dot(s, s) / sy : sy / dot(y, y)) : 2 * tt;
      t = Math.min(Math.max(t, 1e-20), 1e20);
      const next = 0.85 * zhq + 1;
      reference = (0.85 * zhq * reference + trial.point.cost) / next;
      zhq = next;
    } else {
      t = tt;
    }
    const swapState = x;
    x = trial;
    trial = swapState;
    reason = engine.monitor.record(k, x.point.cost, x.point.gradientNorm, stepNorm, x.point.p);
  }
  return { point: x.point, iterations: k, stoppedBy: reason };
}
