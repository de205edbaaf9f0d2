import {
  permuteBatchNorm,
  permuteConvInputs,
  permuteConvLayer,
  permuteDenseInputs,
  permuteDenseLayer,
  permuteFlattenedInputs,
} from '@descramble/permutation';
import type { AbstractMatrix, Matrix } from 'ml-matrix';
import {
  InvalidArgumentError,
  InvalidPermutationError,
  netsScope,
  NotOddActivationError,
  UnsupportedOperatorError,
} from './errors.js';
import { type BatchInput, forward } from './forward.js';
import {
  type Conv1dLayer,
  type Conv2dLayer,
  type DenseLayer,
  isLinearLayer,
  isOddActivation,
  type Layer,
  type LayerReference,
  layerIndex,
  layerShapes,
  type SequentialModel,
  sequential,
} from './layers.js';
import { maxAbsDifference, shapeSize, type Tensor, tensorFromMatrix, tensorToMatrix } from './tensor.js';

/**
 * A signed permutation `P` of d units: `P[i, permutation[i]] = signs[i]`, zero elsewhere. Applied
 * to a hidden layer, new unit i is `signs[i]` times old unit `permutation[i]`.
 */
export interface SignedPermutation {
  readonly permutation: Int32Array;
  /** Entries +1 or -1. */
  readonly signs: Float64Array;
}

/**
 * Checks and normalises a permutation (`signs` default all +1). `permutation[i]` is the old unit
 * that becomes new unit i.
 */
export function signedPermutation(permutation: ArrayLike<number>, signs?: ArrayLike<number>, operation = 'signedPermutation'): SignedPermutation {
  const d = permutation.length;
  const seen = new Uint8Array(d);
  const p = new Int32Array(d);
  for (let i = 0; i < d; i++) {
    const j = permutation[i]!;
    if (!Number.isInteger(j) || j < 0 || j >= d) throw new InvalidPermutationError({ operation, reason: `entry ${i} is ${j}, not an index in [0, ${d})` });
    if (seen[j] === 1) throw new InvalidPermutationError({ operation, reason: `index ${j} appears twice` });
    seen[j] = 1;
    p[i] = j;
  }
  const s = new Float64Array(d).fill(1);
  if (signs !== undefined) {
    if (signs.length !== d) throw new InvalidPermutationError({ operation, reason: `${signs.length} signs for ${d} units` });
    for (let i = 0; i < d; i++) {
      const value = signs[i]!;
      if (value !== 1 && value !== -1) throw new InvalidPermutationError({ operation, reason: `sign ${i} is ${value}, not +1 or -1` });
      s[i] = value;
    }
  }
  return { permutation: p, signs: s };
}

/**
 * Reads a signed permutation matrix (exactly one entry +-1 in every row and column, zeros
 * elsewhere) as a `SignedPermutation`.
 */
export function signedPermutationFromMatrix(matrix: AbstractMatrix): SignedPermutation {
  const operation = 'signedPermutationFromMatrix';
  const d = matrix.rows;
  if (matrix.columns !== d) throw new InvalidPermutationError({ operation, reason: `matrix is ${d} x ${matrix.columns}, not square` });
  const permutation = new Array<number>(d);
  const signs = new Array<number>(d);
  for (let i = 0; i < d; i++) {
    let found = -1;
    for (let j = 0; j < d; j++) {
      const value = matrix.get(i, j);
      if (value === 0) continue;
      if ((value !== 1 && value !== -1) || found >= 0) {
        throw new InvalidPermutationError({ operation, reason: `row ${i} is not a signed unit vector (entry [${i}, ${j}] = ${value})` });
      }
      found = j;
      signs[i] = value;
    }
    if (found < 0) throw new InvalidPermutationError({ operation, reason: `row ${i} is zero` });
    permutation[i] = found;
  }
  return signedPermutation(permutation, signs, operation);
}

function signsOrUndefined(p: SignedPermutation): Float64Array | undefined {
  return p.signs.some((s) => s === -1) ? p.signs : undefined;
}

function denseOf(layer: DenseLayer): { weight: Matrix; bias?: Float64Array } {
  const weight = tensorToMatrix(layer.weight);
  return layer.bias === null ? { weight } : { weight, bias: layer.bias.data };
}

function withDense(layer: DenseLayer, permuted: { weight: Matrix; bias?: Float64Array }): DenseLayer {
  return {
    ...layer,
    weight: tensorFromMatrix(permuted.weight),
    bias: permuted.bias === undefined ? null : { shape: [permuted.bias.length], data: permuted.bias },
  };
}

function convOf(layer: Conv1dLayer | Conv2dLayer): { weight: Tensor; bias?: Float64Array } {
  return layer.bias === null ? { weight: layer.weight } : { weight: layer.weight, bias: layer.bias.data };
}

function withConv<L extends Conv1dLayer | Conv2dLayer>(layer: L, permuted: { weight: { shape: readonly number[]; data: Float64Array }; bias?: Float64Array }): L {
  return {
    ...layer,
    weight: { shape: [...permuted.weight.shape], data: permuted.weight.data },
    bias: permuted.bias === undefined ? null : { shape: [permuted.bias.length], data: permuted.bias },
  };
}

/** Throws unless the permutation maps every block of `size` consecutive units onto itself. */
function checkGroupPreserving(p: SignedPermutation, size: number, layer: string, operation: string): void {
  for (let i = 0; i < p.permutation.length; i++) {
    if (Math.floor(p.permutation[i]! / size) !== Math.floor(i / size)) {
      throw new InvalidPermutationError({
        operation,
        reason: `layer ${JSON.stringify(layer)} is a grouped convolution: units must stay in their group of ${size}, but new unit ${i} is old unit ${p.permutation[i]}`,
      });
    }
  }
}

/**
 * Input channels of a grouped convolution, for a group-preserving permutation: output
 * channel o of group G reads its local input channel c from global channel G * perGroup + c.
 */
function permuteGroupedConvInputs<L extends Conv1dLayer | Conv2dLayer>(layer: L, p: SignedPermutation): L {
  const [out, perGroup] = layer.weight.shape as [number, number];
  const kernel = shapeSize(layer.weight.shape.slice(2));
  const outPerGroup = out / layer.groups;
  const data = new Float64Array(layer.weight.data.length);
  for (let o = 0; o < out; o++) {
    const base = Math.floor(o / outPerGroup) * perGroup;
    for (let c = 0; c < perGroup; c++) {
      const from = (o * perGroup + (p.permutation[base + c]! - base)) * kernel;
      const to = (o * perGroup + c) * kernel;
      const sign = p.signs[base + c]!;
      for (let t = 0; t < kernel; t++) data[to + t] = sign * layer.weight.data[from + t]!;
    }
  }
  return { ...layer, weight: { shape: [...layer.weight.shape], data } };
}

/** Options of `permuteHiddenUnits`. */
export interface PermuteOptions {
  /** Signs (+-1) per new unit; default all +1. Only allowed where every activation up to the next linear layer is odd. */
  readonly signs?: ArrayLike<number>;
}

/**
 * Exact reparametrisation by a (signed) permutation `P` of a hidden layer's units: this layer's
 * weight rows and bias become `P W`, `P b`; batch-norm layers that follow get their parameters
 * permuted (with a sign flip, mean and shift change sign, scale and variance do not); the next
 * dense or convolution layer reads `W' P^T` (after a flatten, each channel's block of positions
 * moves together). Signs are refused with `NotOddActivationError` unless every activation in
 * between is odd (identity, tanh). The output layer cannot be permuted (its units are the
 * outputs). For grouped convolutions (this layer's outputs or the next layer's inputs), the
 * permutation must keep every unit inside its group. The per-layer arithmetic is
 * `@descramble/permutation`'s (`permuteDenseLayer`, `permuteConvInputs`, `permuteBatchNorm`,
 * `permuteFlattenedInputs`, ...); this function walks the graph. Returns a new model; the
 * argument is unchanged.
 */
export function permuteHiddenUnits(
  model: SequentialModel,
  layer: LayerReference,
  permutation: ArrayLike<number> | SignedPermutation,
  options: PermuteOptions = {},
): SequentialModel {
  const operation = 'permuteHiddenUnits';
  const index = layerIndex(model, layer, operation);
  const target = model.layers[index]!;
  if (!isLinearLayer(target)) {
    throw new InvalidArgumentError({ operation, argument: 'layer', what: `${JSON.stringify(target.name)} is a ${target.kind} layer; name a dense or convolution layer`, ...netsScope });
  }
  const p =
    'permutation' in permutation && 'signs' in permutation && !('length' in permutation)
      ? signedPermutation(permutation.permutation, options.signs ?? permutation.signs, operation)
      : signedPermutation(permutation as ArrayLike<number>, options.signs, operation);
  const units = target.weight.shape[0]!;
  if (p.permutation.length !== units) {
    throw new InvalidPermutationError({ operation, reason: `${p.permutation.length} entries for the ${units} units of layer ${JSON.stringify(target.name)}` });
  }
  const signs = signsOrUndefined(p);
  const shapes = layerShapes(model);
  const layers: Layer[] = [...model.layers];
  if (target.kind === 'dense') layers[index] = withDense(target, permuteDenseLayer(denseOf(target), p.permutation, signs));
  else {
    if (target.groups !== 1) checkGroupPreserving(p, units / target.groups, target.name, operation);
    layers[index] = withConv(target, permuteConvLayer(convOf(target), p.permutation, signs));
  }

  let blocks = 1;
  for (let j = index + 1; j < layers.length; j++) {
    const next = layers[j]!;
    switch (next.kind) {
      case 'batchnorm': {
        if (blocks !== 1) throw new UnsupportedOperatorError({ operation, operator: 'batchnorm', node: next.name, reason: 'a batch norm after a flatten cannot be permuted by channel' });
        const permuted = permuteBatchNorm(
          { gamma: next.scale.data, beta: next.shift.data, runningMean: next.mean.data, runningVar: next.variance.data, epsilon: next.epsilon },
          p.permutation,
          signs,
        );
        const vector = (data: Float64Array): Tensor => ({ shape: [data.length], data });
        layers[j] = { ...next, scale: vector(permuted.gamma), shift: vector(permuted.beta), mean: vector(permuted.runningMean), variance: vector(permuted.runningVar) };
        continue;
      }
      case 'activation':
        if (signs !== undefined && !isOddActivation(next.activation)) throw new NotOddActivationError({ operation, layer: target.name, activation: next.activation });
        continue;
      case 'flatten':
        blocks *= shapeSize(shapes[j]!.slice(1)); // input of the flatten: [units, ...positions]
        continue;
      case 'dense':
        layers[j] =
          blocks === 1
            ? withDense(next, permuteDenseInputs(denseOf(next), p.permutation, signs))
            : withDense(next, permuteFlattenedInputs(denseOf(next), p.permutation, blocks, signs));
        return sequential(model.inputShape, layers, { precision: model.precision });
      case 'conv1d':
      case 'conv2d':
        if (blocks !== 1) throw new UnsupportedOperatorError({ operation, operator: next.kind, node: next.name, reason: 'a convolution after a flatten cannot be permuted by channel' });
        if (next.groups !== 1) {
          checkGroupPreserving(p, units / next.groups, next.name, operation);
          layers[j] = permuteGroupedConvInputs(next, p);
        } else layers[j] = withConv(next, permuteConvInputs(convOf(next), p.permutation, signs));
        return sequential(model.inputShape, layers, { precision: model.precision });
    }
  }
  throw new InvalidArgumentError({ operation, argument: 'layer', what: `${JSON.stringify(target.name)} is the last linear layer: its units are the outputs, so permuting them changes the function`, ...netsScope });
}

/** Result of `verifyReparametrisation`. */
export interface ReparametrisationCheck {
  /** max |f(x) - g(x)| over all inputs and outputs. */
  readonly maxAbsDifference: number;
  /** max |f(x)|, the scale the difference is relative to. */
  readonly maxAbsOutput: number;
  /** `maxAbsDifference / max(maxAbsOutput, tiny)`. */
  readonly relativeDifference: number;
  readonly samples: number;
}

/** Runs both networks on the same inputs and reports how far their outputs differ. */
export function verifyReparametrisation(original: SequentialModel, reparametrised: SequentialModel, inputs: BatchInput): ReparametrisationCheck {
  const a = forward(original, inputs);
  const b = forward(reparametrised, inputs);
  const difference = maxAbsDifference(a, b, 'verifyReparametrisation');
  let scale = 0;
  for (const value of a.data) scale = Math.max(scale, Math.abs(value));
  return {
    maxAbsDifference: difference,
    maxAbsOutput: scale,
    relativeDifference: difference / Math.max(scale, Number.MIN_VALUE),
    samples: a.shape[0]!,
  };
}
