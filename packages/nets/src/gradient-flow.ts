import { assertPositiveInteger } from '@descramble/core';
import { multiplyFlat, multiplyTransposeAFlat, multiplyTransposeBFlat } from '@descramble/linalg';
import { InvalidArgumentError, netsScope, NonFiniteValueError, ShapeMismatchError } from './errors.js';
import { toBatch } from './forward.js';
import { type DenseLayer, dense, type SequentialModel, sequential } from './layers.js';
import { assertFinite, formatShape } from './tensor.js';
import type { TrainingData } from './training.js';

/**
 * Full-batch gradient flow of a two-layer linear network `y = W2 W1 x` on the squared loss
 * `L = 1/(2N) sum ||W2 W1 x_n - y_n||^2`:
 *
 *     tau dW1/dt = -dL/dW1 = W2^T (Syx - W2 W1 Sxx)
 *     tau dW2/dt = -dL/dW2 = (Syx - W2 W1 Sxx) W1^T,     Sxx = X^T X / N,  Syx = Y^T X / N
 *
 * (Saxe, McClelland and Ganguli's equations). The flow only needs the two correlation matrices,
 * computed once. It is integrated by the classical fourth-order Runge-Kutta method (default,
 * global error O(dt^4), which reproduces the closed-form SMG trajectories to ~1e-9 with 1000
 * steps per unit time) or by explicit Euler (`W <- W - (dt / tau) grad L`, i.e. full-batch
 * gradient descent with learning rate dt / tau; error O(dt)).
 */
export interface GradientFlowOptions {
  /** One sample per row, N x d. */
  readonly inputs: TrainingData;
  /** One target per row, N x o. */
  readonly targets: TrainingData;
  /**
   * Initial weights: `{ w1, w2, hidden }` with W1 (h x d) and W2 (o x h) row-major, or a model
   * made of two dense layers without bias (identity activations in between are allowed), such
   * as `createMlp({ sizes: [d, h, o], activation: 'identity', bias: false, ... })`.
   */
  readonly initial: { readonly w1: Float64Array; readonly w2: Float64Array; readonly hidden: number } | SequentialModel;
  /** Time constant tau. Default 1. */
  readonly tau?: number;
  /** Final time t (in the same units as tau). */
  readonly time: number;
  /** Number of integration steps (dt = time / steps). */
  readonly steps: number;
  /** Default `rk4`. */
  readonly method?: 'rk4' | 'euler';
  /** Call `onStep` and record the loss every this many steps (default: steps / 100, at least 1). */
  readonly recordEvery?: number;
  /** Called at every recorded step with the time, loss and a copy of the weights. */
  readonly onStep?: (report: GradientFlowReport) => void;
  /** Checked before every integration step: aborting throws the signal's reason. */
  readonly signal?: AbortSignal;
}

/** A recorded point of a gradient-flow trajectory. */
export interface GradientFlowReport {
  readonly step: number;
  readonly time: number;
  readonly loss: number;
  /** h x d, row-major (a copy). */
  readonly w1: Float64Array;
  /** o x h, row-major (a copy). */
  readonly w2: Float64Array;
  /** Milliseconds since the start. */
  readonly elapsed: number;
}

/** Result of `linearGradientFlow`. */
export interface GradientFlowResult {
  /** `fc1` (h x d, no bias) then `fc2` (o x h, no bias). */
  readonly model: SequentialModel;
  /** Times of the recorded points, starting with 0 and ending with `time`. */
  readonly times: Float64Array;
  /** Loss at those times. */
  readonly losses: Float64Array;
}

/** Integrates the SMG gradient flow of a two-layer linear network; see `GradientFlowOptions`. */
export function linearGradientFlow(options: GradientFlowOptions): GradientFlowResult {
  const operation = 'linearGradientFlow';
  const signal = options.signal;
  signal?.throwIfAborted();
  const initial = initialWeights(options.initial, operation);
  const h = initial.hidden;
  assertPositiveInteger(h, { ...netsScope, operation, argument: 'hidden' });
  const xs = options.inputs;
  const firstShape = 'shape' in xs ? xs.shape : [xs.rows, xs.columns];
  if (firstShape.length !== 2) throw new ShapeMismatchError({ operation, what: 'inputs', expected: '[N, d]', actual: formatShape(firstShape) });
  const x = toBatch(options.inputs, [firstShape[1]!], operation);
  const samples = x.shape[0]!;
  const d = x.shape[1]!;
  const yShape = 'shape' in options.targets ? options.targets.shape : [options.targets.rows, options.targets.columns];
  if (yShape.length !== 2) throw new ShapeMismatchError({ operation, what: 'targets', expected: '[N, o]', actual: formatShape(yShape) });
  const y = toBatch(options.targets, [yShape[1]!], operation);
  const o = y.shape[1]!;
  if (y.shape[0] !== samples) throw new ShapeMismatchError({ operation, what: 'targets', expected: `${samples} rows`, actual: `${y.shape[0]} rows` });
  if (samples === 0) throw new InvalidArgumentError({ operation, argument: 'inputs', what: 'no samples', ...netsScope });
  if (initial.w1.length !== h * d) throw new ShapeMismatchError({ operation, what: 'initial W1', expected: `${h} x ${d}`, actual: `${initial.w1.length} entries` });
  if (initial.w2.length !== o * h) throw new ShapeMismatchError({ operation, what: 'initial W2', expected: `${o} x ${h}`, actual: `${initial.w2.length} entries` });
  const tau = options.tau ?? 1;
  if (!(tau > 0) || !Number.isFinite(tau)) throw new InvalidArgumentError({ operation, argument: 'tau', what: `expected a finite positive number, got ${tau}`, ...netsScope });
  if (!(options.time >= 0) || !Number.isFinite(options.time)) throw new InvalidArgumentError({ operation, argument: 'time', what: `expected a finite number >= 0, got ${options.time}`, ...netsScope });
  assertPositiveInteger(options.steps, { ...netsScope, operation, argument: 'steps' });
  const recordEvery = options.recordEvery ?? Math.max(1, Math.floor(options.steps / 100));
  assertPositiveInteger(recordEvery, { ...netsScope, operation, argument: 'recordEvery' });

  // Correlations: Sxx = X^T X / N (d x d), Syx = Y^T X / N (o x d), and tr(Y^T Y) / N for the loss.
  const sxx = multiplyTransposeAFlat(x.data, x.data, samples, d, d);
  const syx = multiplyTransposeAFlat(y.data, x.data, samples, o, d);
  for (let i = 0; i < sxx.length; i++) sxx[i] = sxx[i]! / samples;
  for (let i = 0; i < syx.length; i++) syx[i] = syx[i]! / samples;
  let yy = 0;
  for (let i = 0; i < y.data.length; i++) yy += y.data[i]! * y.data[i]!;
  yy /= samples;

  // L = 1/2 tr(W Sxx W^T) - tr(Syx^T W) + 1/2 tr(Y^T Y)/N with W = W2 W1.
  const lossOf = (w1: Float64Array, w2: Float64Array): number => {
    const w = multiplyFlat(w2, w1, o, h, d);
    const wSxx = multiplyFlat(w, sxx, o, d, d);
    let quadratic = 0;
    let linear = 0;
    for (let i = 0; i < w.length; i++) {
      quadratic += wSxx[i]! * w[i]!;
      linear += syx[i]! * w[i]!;
    }
    return 0.5 * quadratic - linear + 0.5 * yy;
  };
  // Time derivatives (already divided by tau).
  const derivative = (w1: Float64Array, w2: Float64Array, dw1: Float64Array, dw2: Float64Array): void => {
    const w = multiplyFlat(w2, w1, o, h, d);
    const residual = multiplyFlat(w, sxx, o, d, d); // W Sxx
    for (let i = 0; i < residual.length; i++) residual[i] = (syx[i]! - residual[i]!) / tau; // E = (Syx - W Sxx)/tau
    dw1.set(multiplyTransposeAFlat(w2, residual, o, h, d)); // W2^T E
    dw2.set(multiplyTransposeBFlat(residual, w1, o, d, h)); // E W1^T
  };

  const w1 = Float64Array.from(initial.w1);
  const w2 = Float64Array.from(initial.w2);
  const dt = options.time / options.steps;
  const method = options.method ?? 'rk4';
  const k1a = new Float64Array(w1.length);
  const k1b = new Float64Array(w2.length);
  const k2a = new Float64Array(w1.length);
  const k2b = new Float64Array(w2.length);
  const k3a = new Float64Array(w1.length);
  const k3b = new Float64Array(w2.length);
  const k4a = new Float64Array(w1.length);
  const k4b = new Float64Array(w2.length);
  const ta = new Float64Array(w1.length);
  const tb = new Float64Array(w2.length);
  const axpy = (out: Float64Array, base: Float64Array, scale: number, direction: Float64Array): void => {
    for (let i = 0; i < out.length; i++) out[i] = base[i]! + scale * direction[i]!;
  };

  const times: number[] = [];
  const losses: number[] = [];
  const started = performance.now();
  const record = (step: number): void => {
    const loss = lossOf(w1, w2);
    if (!Number.isFinite(loss)) throw new NonFiniteValueError({ operation, location: `loss at step ${step}`, value: loss });
    const time = step * dt;
    times.push(time);
    losses.push(loss);
    options.onStep?.({ step, time, loss, w1: Float64Array.from(w1), w2: Float64Array.from(w2), elapsed: performance.now() - started });
  };
  record(0);
  for (let step = 1; step <= options.steps; step++) {
    signal?.throwIfAborted();
    derivative(w1, w2, k1a, k1b);
    if (method === 'euler') {
      axpy(w1, w1, dt, k1a);
      axpy(w2, w2, dt, k1b);
    } else {
      axpy(ta, w1, dt / 2, k1a);
      axpy(tb, w2, dt / 2, k1b);
      derivative(ta, tb, k2a, k2b);
      axpy(ta, w1, dt / 2, k2a);
      axpy(tb, w2, dt / 2, k2b);
      derivative(ta, tb, k3a, k3b);
      axpy(ta, w1, dt, k3a);
      axpy(tb, w2, dt, k3b);
      derivative(ta, tb, k4a, k4b);
      for (let i = 0; i < w1.length; i++) w1[i] = w1[i]! + (dt / 6) * (k1a[i]! + 2 * k2a[i]! + 2 * k3a[i]! + k4a[i]!);
      for (let i = 0; i < w2.length; i++) w2[i] = w2[i]! + (dt / 6) * (k1b[i]! + 2 * k2b[i]! + 2 * k3b[i]! + k4b[i]!);
    }
    if (step % recordEvery === 0 || step === options.steps) record(step);
  }
  const model = sequential([d], [
    dense({ name: 'fc1', weight: { shape: [h, d], data: w1 }, bias: null }),
    dense({ name: 'fc2', weight: { shape: [o, h], data: w2 }, bias: null }),
  ]);
  return { model, times: Float64Array.from(times), losses: Float64Array.from(losses) };
}

function initialWeights(
  initial: GradientFlowOptions['initial'],
  operation: string,
): { readonly w1: Float64Array; readonly w2: Float64Array; readonly hidden: number } {
  if (!('layers' in initial)) {
    assertFinite(initial.w1, operation, 'initial W1');
    assertFinite(initial.w2, operation, 'initial W2');
    return initial;
  }
  const denseLayers = initial.layers.filter((layer): layer is DenseLayer => layer.kind === 'dense');
  const others = initial.layers.filter((layer) => layer.kind !== 'dense' && !(layer.kind === 'activation' && layer.activation === 'identity'));
  if (denseLayers.length !== 2 || others.length > 0 || denseLayers.some((layer) => layer.bias !== null)) {
    throw new InvalidArgumentError({ operation, argument: 'initial', what: 'expected a model of two dense layers without bias (and identity activations only)', ...netsScope });
  }
  return { w1: denseLayers[0]!.weight.data, w2: denseLayers[1]!.weight.data, hidden: denseLayers[0]!.weight.shape[0]! };
}
