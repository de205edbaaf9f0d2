/**
 * Exact reparametrisations of layers by a (signed) permutation of hidden units or
 * channels. Convention everywhere: new unit i is old unit `permutation[i]` (gather), and
 * `signs[i]` (+1 or -1, optional) multiplies new unit i. In matrix form, with
 * P[i, permutation[i]] = signs[i]: this layer's rows become P W, its bias P b, and the
 * next layer's inputs W_next P^T. A plain permutation leaves the network's function
 * unchanged for any elementwise activation; a signed one needs an odd activation
 * (tanh, identity, ...): sigma(-z) = -sigma(z).
 * All functions are pure: inputs are never modified, outputs are fresh.
 */
import { Matrix } from 'ml-matrix';
import { DimensionMismatchError, InvalidArgumentError, permutationScope } from './errors.js';
import { assertPermutation } from './permutations.js';
import { checkTensor, type Tensor } from './tensor.js';

/** A dense layer y = W x + b, W of shape out x in (PyTorch `Linear` layout). */
export interface DenseLayer {
  readonly weight: Matrix;
  readonly bias?: Float64Array;
}

/** A convolution, weights `[out, in, k]` (1-D) or `[out, in, kh, kw]` (2-D), PyTorch layout. */
export interface ConvLayer {
  readonly weight: Tensor;
  readonly bias?: Float64Array;
}

/** Batch normalisation in inference form: y = gamma (x - runningMean) / sqrt(runningVar + eps) + beta. */
export interface BatchNorm {
  readonly gamma: Float64Array;
  readonly beta: Float64Array;
  readonly runningMean: Float64Array;
  readonly runningVar: Float64Array;
  /** Default 1e-5 (PyTorch); carried through unchanged. */
  readonly epsilon?: number;
}

function checkSigns(operation: string, signs: ArrayLike<number> | undefined, n: number): void {
  if (signs === undefined) return;
  if (signs.length !== n) throw new DimensionMismatchError({ operation, what: 'signs length', expected: n, actual: signs.length, ...permutationScope });
  for (let i = 0; i < n; i++) {
    if (signs[i] !== 1 && signs[i] !== -1) throw new InvalidArgumentError({ operation, argument: 'signs', what: `entry ${i} = ${signs[i]} is not +1 or -1`, ...permutationScope });
  }
}

function checkPermutation(operation: string, permutation: ArrayLike<number>, signs: ArrayLike<number> | undefined, n: number): void {
  assertPermutation(operation, 'permutation', permutation, n);
  checkSigns(operation, signs, n);
}

/** out[i] = signs[i] * v[permutation[i]]. */
export function permuteVector(v: ArrayLike<number>, permutation: ArrayLike<number>, signs?: ArrayLike<number>): Float64Array {
  checkPermutation('permuteVector', permutation, signs, v.length);
  return gatherVector(v, permutation, signs);
}

function gatherVector(v: ArrayLike<number>, permutation: ArrayLike<number>, signs: ArrayLike<number> | undefined): Float64Array {
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = (signs === undefined ? 1 : signs[i]!) * v[permutation[i]!]!;
  return out;
}

/** Reorders the outputs (rows of W and entries of b) of a dense layer: W -> P W, b -> P b. */
export function permuteDenseLayer(layer: DenseLayer, permutation: ArrayLike<number>, signs?: ArrayLike<number>): DenseLayer {
  const operation = 'permuteDenseLayer';
  const out = layer.weight.rows;
  checkPermutation(operation, permutation, signs, out);
  if (layer.bias !== undefined && layer.bias.length !== out) {
    throw new DimensionMismatchError({ operation, what: 'bias length', expected: out, actual: layer.bias.length, ...permutationScope });
  }
  const weight = new Matrix(out, layer.weight.columns);
  for (let i = 0; i < out; i++) {
    const s = signs === undefined ? 1 : signs[i]!;
    const row = layer.weight.getRow(permutation[i]!);
    for (let j = 0; j < row.length; j++) weight.set(i, j, s * row[j]!);
  }
  return layer.bias === undefined ? { weight } : { weight, bias: gatherVector(layer.bias, permutation, signs) };
}

/** Reorders the inputs (columns of W) of a dense layer that reads a permuted layer: W -> W P^T. */
export function permuteDenseInputs(layer: DenseLayer, permutation: ArrayLike<number>, signs?: ArrayLike<number>): DenseLayer {
  const operation = 'permuteDenseInputs';
  const inputs = layer.weight.columns;
  checkPermutation(operation, permutation, signs, inputs);
  const weight = new Matrix(layer.weight.rows, inputs);
  for (let r = 0; r < layer.weight.rows; r++) {
    const row = layer.weight.getRow(r);
    for (let i = 0; i < inputs; i++) weight.set(r, i, (signs === undefined ? 1 : signs[i]!) * row[permutation[i]!]!);
  }
  return layer.bias === undefined ? { weight } : { weight, bias: Float64Array.from(layer.bias) };
}

function convShape(operation: string, layer: ConvLayer): { out: number; inputs: number; kernel: number } {
  const rank = layer.weight.shape.length;
  if (rank !== 3 && rank !== 4) {
    throw new DimensionMismatchError({ operation, what: 'weight rank', expected: '3 ([out, in, k]) or 4 ([out, in, kh, kw])', actual: rank, ...permutationScope });
  }
  checkTensor(operation, 'weight', layer.weight, layer.weight.shape.map(() => -1));
  const [out, inputs] = layer.weight.shape as [number, number];
  if (layer.bias !== undefined && layer.bias.length !== out) {
    throw new DimensionMismatchError({ operation, what: 'bias length', expected: out, actual: layer.bias.length, ...permutationScope });
  }
  return { out, inputs, kernel: layer.weight.data.length / Math.max(1, out * inputs) };
}

/** Reorders the output channels of a convolution (axis 0 of the weight, and the bias). */
export function permuteConvLayer(layer: ConvLayer, permutation: ArrayLike<number>, signs?: ArrayLike<number>): ConvLayer {
  const operation = 'permuteConvLayer';
  const { out, inputs, kernel } = convShape(operation, layer);
  checkPermutation(operation, permutation, signs, out);
  const block = inputs * kernel;
  const data = new Float64Array(layer.weight.data.length);
  for (let i = 0; i < out; i++) {
    const s = signs === undefined ? 1 : signs[i]!;
    const from = permutation[i]! * block;
    for (let t = 0; t < block; t++) data[i * block + t] = s * layer.weight.data[from + t]!;
  }
  const weight = { shape: [...layer.weight.shape], data };
  return layer.bias === undefined ? { weight } : { weight, bias: gatherVector(layer.bias, permutation, signs) };
}

/** Reorders the input channels of a convolution that reads a permuted layer (axis 1 of the weight). */
export function permuteConvInputs(layer: ConvLayer, permutation: ArrayLike<number>, signs?: ArrayLike<number>): ConvLayer {
  const operation = 'permuteConvInputs';
  const { out, inputs, kernel } = convShape(operation, layer);
  checkPermutation(operation, permutation, signs, inputs);
  const data = new Float64Array(layer.weight.data.length);
  for (let o = 0; o < out; o++) {
    for (let i = 0; i < inputs; i++) {
      const s = signs === undefined ? 1 : signs[i]!;
      const to = (o * inputs + i) * kernel;
      const from = (o * inputs + permutation[i]!) * kernel;
      for (let t = 0; t < kernel; t++) data[to + t] = s * layer.weight.data[from + t]!;
    }
  }
  const weight = { shape: [...layer.weight.shape], data };
  return layer.bias === undefined ? { weight } : { weight, bias: Float64Array.from(layer.bias) };
}

/**
 * Reorders the channels of a batch norm that follows a permuted layer. With signs, a
 * flipped channel (s = -1) sees -x: the running mean and beta flip with it, gamma and the
 * running variance do not, so the normalised output flips exactly.
 */
export function permuteBatchNorm(norm: BatchNorm, permutation: ArrayLike<number>, signs?: ArrayLike<number>): BatchNorm {
  const operation = 'permuteBatchNorm';
  const c = norm.gamma.length;
  for (const [what, v] of [
    ['beta', norm.beta],
    ['runningMean', norm.runningMean],
    ['runningVar', norm.runningVar],
  ] as const) {
    if (v.length !== c) throw new DimensionMismatchError({ operation, what: `${what} length`, expected: c, actual: v.length, ...permutationScope });
  }
  checkPermutation(operation, permutation, signs, c);
  const result: BatchNorm = {
    gamma: gatherVector(norm.gamma, permutation, undefined),
    beta: gatherVector(norm.beta, permutation, signs),
    runningMean: gatherVector(norm.runningMean, permutation, signs),
    runningVar: gatherVector(norm.runningVar, permutation, undefined),
  };
  return norm.epsilon === undefined ? result : { ...result, epsilon: norm.epsilon };
}

/**
 * Reorders the inputs of a dense layer that reads a flattened `[C, ...spatial]` activation
 * (PyTorch `flatten` of `[N, C, H, W]`: input index c * blockSize + s) after its C
 * channels were permuted: whole blocks of `blockSize` columns move.
 */
export function permuteFlattenedInputs(
  layer: DenseLayer,
  permutation: ArrayLike<number>,
  blockSize: number,
  signs?: ArrayLike<number>,
): DenseLayer {
  const operation = 'permuteFlattenedInputs';
  const channels = permutation.length;
  if (!Number.isInteger(blockSize) || blockSize < 1 || channels * blockSize !== layer.weight.columns) {
    throw new DimensionMismatchError({ operation, what: 'columns', expected: `${channels} channels x ${blockSize}`, actual: layer.weight.columns, ...permutationScope });
  }
  checkPermutation(operation, permutation, signs, channels);
  const weight = new Matrix(layer.weight.rows, layer.weight.columns);
  for (let r = 0; r < layer.weight.rows; r++) {
    const row = layer.weight.getRow(r);
    for (let c = 0; c < channels; c++) {
      const s = signs === undefined ? 1 : signs[c]!;
      const from = permutation[c]! * blockSize;
      for (let t = 0; t < blockSize; t++) weight.set(r, c * blockSize + t, s * row[from + t]!);
    }
  }
  return layer.bias === undefined ? { weight } : { weight, bias: Float64Array.from(layer.bias) };
}
