import { assertNonNegativeInteger, assertPositiveInteger, assertUnitInterval } from '@descramble/core';
import { createRng, multiplyFlat, multiplyTransposeAFlat, multiplyTransposeBFlat } from '@descramble/linalg';
import type { AbstractMatrix } from 'ml-matrix';
import { applyActivation, multiplyByActivationDerivative } from './activations.js';
import { InvalidArgumentError, netsScope, NonFiniteValueError, ShapeMismatchError } from './errors.js';
import { toBatch } from './forward.js';
import {
  ACTIVATIONS,
  type ActivationName,
  activation as activationLayer,
  dense,
  type Layer,
  type SequentialModel,
  sequential,
} from './layers.js';
import { formatShape, type Tensor } from './tensor.js';

/**
 * Training of dense networks (MLPs and two-layer linear networks) with the squared loss
 *
 *     L = 1/(2N) sum_n ||f(x_n) - y_n||^2
 *
 * (half the mean over samples of the squared Euclidean error; PyTorch's `MSELoss` is this times
 * 2 / outputs). Everything is deterministic for a given seed: Glorot initialisation and the
 * per-epoch shuffles draw from linalg's `createRng(seed)`, and the arithmetic has a fixed order.
 */

/** Data for training: one sample per row. */
export type TrainingData = AbstractMatrix | Tensor;

/** Per-epoch report given to `onEpoch`. */
export interface EpochReport {
  /** 1-based epoch number. */
  readonly epoch: number;
  /** Full-data loss after this epoch. */
  readonly loss: number;
  /** Milliseconds since training started. */
  readonly elapsed: number;
}

/** Gradients of the loss with respect to one dense layer's parameters. */
export interface DenseGradient {
  readonly layer: string;
  readonly weight: Tensor;
  readonly bias: Tensor | null;
}

/** Loss and gradients (one entry per dense layer, in model order). */
export interface LossAndGradient {
  readonly loss: number;
  readonly gradients: readonly DenseGradient[];
}

interface DenseParameters {
  readonly name: string;
  readonly outFeatures: number;
  readonly inFeatures: number;
  readonly weight: Float64Array;
  readonly bias: Float64Array | null;
}

type Step = { readonly kind: 'dense'; readonly index: number } | { readonly kind: 'activation'; readonly activation: ActivationName };

interface Network {
  readonly inputShape: readonly number[];
  readonly layers: readonly Layer[];
  readonly parameters: DenseParameters[];
  readonly steps: Step[];
}

function toNetwork(model: SequentialModel, operation: string): Network {
  const parameters: DenseParameters[] = [];
  const steps: Step[] = [];
  if (model.inputShape.length !== 1) {
    throw new InvalidArgumentError({ operation, argument: 'model', what: `training takes dense networks on vectors; input shape is ${formatShape(model.inputShape)}`, ...netsScope });
  }
  for (const layer of model.layers) {
    if (layer.kind === 'dense') {
      const [outFeatures, inFeatures] = layer.weight.shape as [number, number];
      steps.push({ kind: 'dense', index: parameters.length });
      parameters.push({
        name: layer.name,
        outFeatures,
        inFeatures,
        weight: Float64Array.from(layer.weight.data),
        bias: layer.bias === null ? null : Float64Array.from(layer.bias.data),
      });
    } else if (layer.kind === 'activation') {
      steps.push({ kind: 'activation', activation: layer.activation });
    } else {
      throw new InvalidArgumentError({ operation, argument: 'model', what: `training takes dense and activation layers only; layer ${JSON.stringify(layer.name)} is ${layer.kind}`, ...netsScope });
    }
  }
  return { inputShape: model.inputShape, layers: model.layers, parameters, steps };
}

function toModel(network: Network): SequentialModel {
  let next = 0;
  const layers = network.layers.map((layer) => {
    if (layer.kind !== 'dense') return layer;
    const p = network.parameters[next++]!;
    return dense({
      name: p.name,
      weight: { shape: [p.outFeatures, p.inFeatures], data: p.weight },
      bias: p.bias === null ? null : { shape: [p.outFeatures], data: p.bias },
    });
  });
  return sequential(network.inputShape, layers, { precision: 'float64' });
}

interface Trace {
  /** Input of every step, then the output. */
  readonly values: Float64Array[];
}

function forwardTrace(network: Network, x: Float64Array, samples: number): Trace {
  const values: Float64Array[] = [x];
  let current = x;
  for (const step of network.steps) {
    if (step.kind === 'dense') {
      const p = network.parameters[step.index]!;
      const out = multiplyTransposeBFlat(current, p.weight, samples, p.inFeatures, p.outFeatures);
      if (p.bias !== null) {
        for (let n = 0; n < samples; n++) {
          const row = n * p.outFeatures;
          for (let j = 0; j < p.outFeatures; j++) out[row + j] = out[row + j]! + p.bias[j]!;
        }
      }
      current = out;
    } else {
      const out = new Float64Array(current.length);
      applyActivation(step.activation, current, out);
      current = out;
    }
    values.push(current);
  }
  return { values };
}

function squaredLoss(prediction: Float64Array, targets: Float64Array, samples: number): number {
  let sum = 0;
  for (let i = 0; i < prediction.length; i++) {
    const r = prediction[i]! - targets[i]!;
    sum += r * r;
  }
  return sum / (2 * samples);
}

/** Gradients (weight, bias per dense layer) of the loss over the given rows; fills `out`. */
function backward(network: Network, trace: Trace, targets: Float64Array, samples: number, out: { weight: Float64Array; bias: Float64Array | null }[]): number {
  const prediction = trace.values[trace.values.length - 1]!;
  const loss = squaredLoss(prediction, targets, samples);
  let gradient: Float64Array = new Float64Array(prediction.length);
  for (let i = 0; i < prediction.length; i++) gradient[i] = (prediction[i]! - targets[i]!) / samples;
  for (let s = network.steps.length - 1; s >= 0; s--) {
    const step = network.steps[s]!;
    const input = trace.values[s]!;
    if (step.kind === 'activation') {
      multiplyByActivationDerivative(step.activation, input, trace.values[s + 1]!, gradient);
      continue;
    }
    const p = network.parameters[step.index]!;
    const target = out[step.index]!;
    // dW = G^T X  (out x in),  db = column sums of G,  dX = G W  (samples x in)
    target.weight.set(multiplyTransposeAFlat(gradient, input, samples, p.outFeatures, p.inFeatures));
    if (target.bias !== null) {
      target.bias.fill(0);
      for (let n = 0; n < samples; n++) {
        const row = n * p.outFeatures;
        for (let j = 0; j < p.outFeatures; j++) target.bias[j] = target.bias[j]! + gradient[row + j]!;
      }
    }
    if (s > 0) gradient = multiplyFlat(gradient, p.weight, samples, p.outFeatures, p.inFeatures);
  }
  return loss;
}

function gradientBuffers(network: Network): { weight: Float64Array; bias: Float64Array | null }[] {
  return network.parameters.map((p) => ({
    weight: new Float64Array(p.weight.length),
    bias: p.bias === null ? null : new Float64Array(p.bias.length),
  }));
}

function dataArrays(network: Network, inputs: TrainingData, targets: TrainingData, operation: string) {
  const x = toBatch(inputs, network.inputShape, operation);
  const samples = x.shape[0]!;
  const outFeatures = network.parameters[network.parameters.length - 1]?.outFeatures ?? network.inputShape[0]!;
  const y = toBatch(targets, [outFeatures], operation);
  if (y.shape[0] !== samples) {
    throw new ShapeMismatchError({ operation, what: 'targets', expected: `${samples} rows (one per input)`, actual: `${y.shape[0]} rows` });
  }
  if (samples === 0) throw new InvalidArgumentError({ operation, argument: 'inputs', what: 'no samples', ...netsScope });
  return { x: x.data, y: y.data, samples, inFeatures: network.inputShape[0]!, outFeatures };
}

/**
 * The squared loss `1/(2N) sum ||f(x_n) - y_n||^2` of a dense network on all rows of `inputs`,
 * and its gradient with respect to every dense layer's weight and bias (by backpropagation).
 */
export function mlpLossAndGradient(model: SequentialModel, inputs: TrainingData, targets: TrainingData): LossAndGradient {
  const operation = 'mlpLossAndGradient';
  const network = toNetwork(model, operation);
  const data = dataArrays(network, inputs, targets, operation);
  const buffers = gradientBuffers(network);
  const loss = backward(network, forwardTrace(network, data.x, data.samples), data.y, data.samples, buffers);
  return {
    loss,
    gradients: network.parameters.map((p, i) => ({
      layer: p.name,
      weight: { shape: [p.outFeatures, p.inFeatures], data: buffers[i]!.weight },
      bias: p.bias === null ? null : { shape: [p.outFeatures], data: buffers[i]!.bias! },
    })),
  };
}

/** The squared loss `1/(2N) sum ||f(x_n) - y_n||^2` of a dense network. */
export function squaredLossOf(model: SequentialModel, inputs: TrainingData, targets: TrainingData): number {
  const operation = 'squaredLossOf';
  const network = toNetwork(model, operation);
  const data = dataArrays(network, inputs, targets, operation);
  const trace = forwardTrace(network, data.x, data.samples);
  return squaredLoss(trace.values[trace.values.length - 1]!, data.y, data.samples);
}

/** Initialisation of a new MLP's weights. Biases start at zero. */
export type Initialisation =
  /** Glorot/Xavier uniform: `U(-a, a)`, `a = gain * sqrt(6 / (fan_in + fan_out))`. */
  | { readonly kind: 'glorot-uniform'; readonly gain?: number }
  /** Glorot/Xavier normal: `N(0, s^2)`, `s = gain * sqrt(2 / (fan_in + fan_out))`. */
  | { readonly kind: 'glorot-normal'; readonly gain?: number }
  /** `N(0, std^2)` entries (small initialisations for the linear-network experiments). */
  | { readonly kind: 'normal'; readonly std: number };

/** Options of `createMlp`. */
export interface MlpOptions {
  /** `[inputs, hidden..., outputs]`, at least two entries. */
  readonly sizes: readonly number[];
  /** Activation after every hidden dense layer. Default `tanh`. */
  readonly activation?: ActivationName;
  /** Activation after the last dense layer. Default `identity` (no layer is added). */
  readonly outputActivation?: ActivationName;
  /** Biases in every dense layer. Default true. */
  readonly bias?: boolean;
  /** Default Glorot uniform with gain 1. */
  readonly initialisation?: Initialisation;
  readonly seed: number;
  /** Layer names: dense layers are `fc1, fc2, ...` and activations `act1, act2, ...` unless given. */
  readonly names?: readonly string[];
}

/**
 * A new MLP with seeded random weights: `fc1, act1, fc2, act2, ..., fcL [, actL]`. Same options,
 * same bytes.
 */
export function createMlp(options: MlpOptions): SequentialModel {
  const operation = 'createMlp';
  const { sizes } = options;
  if (sizes.length < 2) throw new InvalidArgumentError({ operation, argument: 'sizes', what: 'need at least [inputs, outputs]', ...netsScope });
  for (const size of sizes) {
    if (!Number.isInteger(size) || size < 1) throw new InvalidArgumentError({ operation, argument: 'sizes', what: `expected positive integers, got ${formatShape(sizes)}`, ...netsScope });
  }
  const hidden = options.activation ?? 'tanh';
  const last = options.outputActivation ?? 'identity';
  for (const name of [hidden, last]) {
    if (!ACTIVATIONS.includes(name)) throw new InvalidArgumentError({ operation, argument: 'activation', what: `unknown activation ${JSON.stringify(name)}`, ...netsScope });
  }
  const init = options.initialisation ?? { kind: 'glorot-uniform' };
  const rng = createRng(options.seed);
  const layers: Layer[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const fanIn = sizes[l]!;
    const fanOut = sizes[l + 1]!;
    const weight = new Float64Array(fanIn * fanOut);
    if (init.kind === 'glorot-uniform') {
      const a = (init.gain ?? 1) * Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < weight.length; i++) weight[i] = a * (2 * rng.uniform() - 1);
    } else {
      const s = init.kind === 'normal' ? init.std : (init.gain ?? 1) * Math.sqrt(2 / (fanIn + fanOut));
      if (!(s >= 0) || !Number.isFinite(s)) throw new InvalidArgumentError({ operation, argument: 'initialisation', what: `standard deviation must be finite and >= 0, got ${s}`, ...netsScope });
      for (let i = 0; i < weight.length; i++) weight[i] = s * rng.normal();
    }
    const isLast = l + 2 === sizes.length;
    layers.push(
      dense({
        name: options.names?.[layers.length] ?? `fc${l + 1}`,
        weight: { shape: [fanOut, fanIn], data: weight },
        bias: options.bias === false ? null : new Float64Array(fanOut),
      }),
    );
    const act = isLast ? last : hidden;
    if (!isLast || act !== 'identity') layers.push(activationLayer(act, options.names?.[layers.length] ?? `act${l + 1}`));
  }
  return sequential([sizes[0]!], layers);
}

/** Optimiser settings. */
export type Optimizer =
  /** `v <- momentum v + g; theta <- theta - learningRate v` (PyTorch's SGD; momentum 0 is plain SGD). */
  | { readonly kind: 'sgd'; readonly learningRate: number; readonly momentum?: number }
  /** Adam (Kingma and Ba) with bias correction; defaults beta1 0.9, beta2 0.999, epsilon 1e-8. */
  | {
      readonly kind: 'adam';
      readonly learningRate: number;
      readonly beta1?: number;
      readonly beta2?: number;
      readonly epsilon?: number;
    };

/** Options of `trainMlp`. */
export interface TrainOptions {
  /** One sample per row, `N x inputs`. */
  readonly inputs: TrainingData;
  /** One target per row, `N x outputs`. */
  readonly targets: TrainingData;
  readonly optimizer: Optimizer;
  readonly epochs: number;
  /** Rows per minibatch; default all rows (full batch). The last batch of an epoch may be smaller. */
  readonly batchSize?: number;
  /** Seed of the per-epoch shuffles (Fisher-Yates). */
  readonly seed: number;
  /** Shuffle the rows every epoch. Default true. */
  readonly shuffle?: boolean;
  /** Called after every epoch; return `false` to stop early. */
  readonly onEpoch?: (report: EpochReport) => undefined | boolean;
  /** Checked before every epoch and every minibatch: aborting throws the signal's reason. */
  readonly signal?: AbortSignal;
}

/** Result of training. */
export interface TrainResult {
  readonly model: SequentialModel;
  /** Full-data loss before the first epoch. */
  readonly initialLoss: number;
  /** Full-data loss after each epoch (`losses[e - 1]` after epoch e). */
  readonly losses: Float64Array;
  readonly epochs: number;
  /** Wall-clock milliseconds. */
  readonly elapsed: number;
}

function checkPositive(value: number, operation: string, argument: string): void {
  if (!(value > 0) || !Number.isFinite(value)) throw new InvalidArgumentError({ operation, argument, what: `expected a finite positive number, got ${value}`, ...netsScope });
}

/**
 * Trains a dense network (dense and activation layers; a two-layer linear network is
 * `createMlp({ sizes: [d, h, o], activation: 'identity', bias: false, ... })`) by minibatch SGD
 * or Adam on the squared loss. The model passed in is not changed; the trained copy is returned
 * with the loss history. Throws `NonFiniteValueError` if the loss diverges, and the signal's
 * reason if `signal` aborts (checked between epochs and minibatches).
 */
export function trainMlp(model: SequentialModel, options: TrainOptions): TrainResult {
  const operation = 'trainMlp';
  const signal = options.signal;
  signal?.throwIfAborted();
  const network = toNetwork(model, operation);
  const data = dataArrays(network, options.inputs, options.targets, operation);
  const { samples, inFeatures, outFeatures } = data;
  assertNonNegativeInteger(options.epochs, { ...netsScope, operation, argument: 'epochs' });
  const batchSize = options.batchSize ?? samples;
  assertPositiveInteger(batchSize, { ...netsScope, operation, argument: 'batchSize' });
  const optimizer = options.optimizer;
  checkPositive(optimizer.learningRate, operation, 'learningRate');
  const momentum = optimizer.kind === 'sgd' ? (optimizer.momentum ?? 0) : 0;
  const beta1 = optimizer.kind === 'adam' ? (optimizer.beta1 ?? 0.9) : 0;
  const beta2 = optimizer.kind === 'adam' ? (optimizer.beta2 ?? 0.999) : 0;
  const epsilon = optimizer.kind === 'adam' ? (optimizer.epsilon ?? 1e-8) : 0;
  for (const [value, argument] of [[momentum, 'momentum'], [beta1, 'beta1'], [beta2, 'beta2']] as const) {
    assertUnitInterval(value, { ...netsScope, operation, argument });
  }
  if (optimizer.kind === 'adam') checkPositive(epsilon, operation, 'epsilon');

  const rng = createRng(options.seed);
  const started = performance.now();
  const order = new Int32Array(samples);
  for (let i = 0; i < samples; i++) order[i] = i;
  const batchX = new Float64Array(batchSize * inFeatures);
  const batchY = new Float64Array(batchSize * outFeatures);
  const gradients = gradientBuffers(network);
  // Optimiser state: one flat buffer per parameter array (weights, then biases).
  const parameterArrays: Float64Array[] = [];
  const gradientArrays: Float64Array[] = [];
  network.parameters.forEach((p, i) => {
    parameterArrays.push(p.weight);
    gradientArrays.push(gradients[i]!.weight);
    if (p.bias !== null) {
      parameterArrays.push(p.bias);
      gradientArrays.push(gradients[i]!.bias!);
    }
  });
  const first = parameterArrays.map((a) => new Float64Array(a.length));
  const second = parameterArrays.map((a) => new Float64Array(a.length));
  let updates = 0;

  const fullLoss = (): number => {
    const trace = forwardTrace(network, data.x, samples);
    return squaredLoss(trace.values[trace.values.length - 1]!, data.y, samples);
  };
  const initialLoss = fullLoss();
  if (!Number.isFinite(initialLoss)) throw new NonFiniteValueError({ operation, location: 'initial loss', value: initialLoss });
  const losses = new Float64Array(options.epochs);
  let epochsRun = 0;
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    signal?.throwIfAborted();
    if (options.shuffle !== false) {
      for (let i = samples - 1; i > 0; i--) {
        const j = Math.floor(rng.uniform() * (i + 1));
        const t = order[i]!;
        order[i] = order[j]!;
        order[j] = t;
      }
    }
    for (let start = 0; start < samples; start += batchSize) {
      signal?.throwIfAborted();
      const rows = Math.min(batchSize, samples - start);
      for (let r = 0; r < rows; r++) {
        const source = order[start + r]!;
        batchX.set(data.x.subarray(source * inFeatures, (source + 1) * inFeatures), r * inFeatures);
        batchY.set(data.y.subarray(source * outFeatures, (source + 1) * outFeatures), r * outFeatures);
      }
      const xs = rows === batchSize ? batchX : batchX.subarray(0, rows * inFeatures);
      const ys = rows === batchSize ? batchY : batchY.subarray(0, rows * outFeatures);
      backward(network, forwardTrace(network, xs, rows), ys, rows, gradients);
      updates++;
      const lr = optimizer.learningRate;
      const correction1 = 1 - beta1 ** updates;
      const correction2 = 1 - beta2 ** updates;
      for (let a = 0; a < parameterArrays.length; a++) {
        const theta = parameterArrays[a]!;
        const g = gradientArrays[a]!;
        const m = first[a]!;
        if (optimizer.kind === 'sgd') {
          if (momentum === 0) for (let i = 0; i < theta.length; i++) theta[i] = theta[i]! - lr * g[i]!;
          else {
            for (let i = 0; i < theta.length; i++) {
              const v = updates === 1 ? g[i]! : momentum * m[i]! + g[i]!;
              m[i] = v;
              theta[i] = theta[i]! - lr * v;
            }
          }
        } else {
          const v = second[a]!;
          for (let i = 0; i < theta.length; i++) {
            const gi = g[i]!;
            const mi = beta1 * m[i]! + (1 - beta1) * gi;
            const vi = beta2 * v[i]! + (1 - beta2) * gi * gi;
            m[i] = mi;
            v[i] = vi;
            theta[i] = theta[i]! - (lr * (mi / correction1)) / (Math.sqrt(vi / correction2) + epsilon);
          }
        }
      }
    }
    const loss = fullLoss();
    if (!Number.isFinite(loss)) throw new NonFiniteValueError({ operation, location: `loss at epoch ${epoch}`, value: loss });
    losses[epoch - 1] = loss;
    epochsRun = epoch;
    if (options.onEpoch?.({ epoch, loss, elapsed: performance.now() - started }) === false) break;
  }
  return {
    model: toModel(network),
    initialLoss,
    losses: losses.slice(0, epochsRun),
    epochs: epochsRun,
    elapsed: performance.now() - started,
  };
}
