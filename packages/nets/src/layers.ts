import { assertNonNegativeInteger, assertPositiveInteger } from '@descramble/core';
import type { AbstractMatrix } from 'ml-matrix';
import { InvalidArgumentError, netsScope, ShapeMismatchError, UnknownLayerError } from './errors.js';
import { assertFinite, formatShape, type Tensor, tensor, tensorFromMatrix } from './tensor.js';

/** Elementwise activations. Odd ones (`sigma(-x) = -sigma(x)`): identity and tanh. */
export type ActivationName = 'identity' | 'tanh' | 'logistic' | 'relu' | 'softplus';

/** All activation names, in a fixed order. */
export const ACTIVATIONS: readonly ActivationName[] = ['identity', 'tanh', 'logistic', 'relu', 'softplus'];

/** True for the activations with `sigma(-x) = -sigma(x)`, across which sign flips are exact. */
export function isOddActivation(activation: ActivationName): boolean {
  return activation === 'identity' || activation === 'tanh';
}

/** `y = x W^T + b` on inputs `[N, in]`; weight `[out, in]` (PyTorch's `nn.Linear` layout). */
export interface DenseLayer {
  readonly kind: 'dense';
  readonly name: string;
  readonly weight: Tensor;
  readonly bias: Tensor | null;
}

/**
 * 1-D cross-correlation (PyTorch `nn.Conv1d`, ONNX `Conv`) on inputs `[N, C, L]`; weight
 * `[out, in / groups, k]`; `padding = [begin, end]` zeros.
 */
export interface Conv1dLayer {
  readonly kind: 'conv1d';
  readonly name: string;
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly stride: number;
  readonly padding: readonly [number, number];
  readonly dilation: number;
  readonly groups: number;
}

/**
 * 2-D cross-correlation on inputs `[N, C, H, W]`; weight `[out, in / groups, kh, kw]`;
 * `stride = [sh, sw]`, `dilation = [dh, dw]`, `padding = [top, left, bottom, right]` (ONNX order).
 */
export interface Conv2dLayer {
  readonly kind: 'conv2d';
  readonly name: string;
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number, number, number];
  readonly dilation: readonly [number, number];
  readonly groups: number;
}

/**
 * Batch normalisation in inference mode over axis 1 (features or channels):
 * `y = scale * (x - mean) / sqrt(variance + epsilon) + shift`.
 */
export interface BatchNormLayer {
  readonly kind: 'batchnorm';
  readonly name: string;
  readonly scale: Tensor;
  readonly shift: Tensor;
  readonly mean: Tensor;
  readonly variance: Tensor;
  readonly epsilon: number;
}

/** `[N, d1, d2, ...] -> [N, d1 * d2 * ...]` in C order (PyTorch `flatten(1)`, ONNX `Flatten` axis 1). */
export interface FlattenLayer {
  readonly kind: 'flatten';
  readonly name: string;
}

/** An elementwise activation. */
export interface ActivationLayer {
  readonly kind: 'activation';
  readonly name: string;
  readonly activation: ActivationName;
}

/** One layer of a sequential model. */
export type Layer = DenseLayer | Conv1dLayer | Conv2dLayer | BatchNormLayer | FlattenLayer | ActivationLayer;

/** Layers with weights that mix features: the ones whose output units can be permuted. */
export type LinearLayer = DenseLayer | Conv1dLayer | Conv2dLayer;

/** True for dense and convolution layers. */
export function isLinearLayer(layer: Layer): layer is LinearLayer {
  return layer.kind === 'dense' || layer.kind === 'conv1d' || layer.kind === 'conv2d';
}

/**
 * A sequential network: named layers applied in order to inputs of shape `[N, ...inputShape]`.
 * `precision` records the floating-point type the weights came in (`float32` weights are held
 * exactly in Float64) and is the type exports write. Build one with `sequential`.
 */
export interface SequentialModel {
  readonly inputShape: readonly number[];
  readonly layers: readonly Layer[];
  readonly precision: 'float32' | 'float64';
}

/** A layer given by its name or its position in `model.layers`. */
export type LayerReference = string | number;

/** Weights given as a tensor, a matrix (rank 2 only) or a flat array with a shape. */
export type WeightInput = Tensor | AbstractMatrix;

function isTensor(value: unknown): value is Tensor {
  return typeof value === 'object' && value !== null && 'shape' in value && 'data' in value;
}

function toTensor(value: WeightInput | ArrayLike<number>, operation: string, what: string): Tensor {
  let result: Tensor;
  if (isTensor(value)) result = tensor(value.data, value.shape, operation);
  else if (typeof (value as AbstractMatrix).get === 'function' && typeof (value as AbstractMatrix).rows === 'number') {
    result = tensorFromMatrix(value as AbstractMatrix);
  } else {
    const array = value as ArrayLike<number>;
    result = tensor(array, [array.length], operation);
  }
  assertFinite(result.data, operation, what);
  return result;
}

function expectShape(t: Tensor, expected: readonly number[], operation: string, what: string): void {
  if (t.shape.length !== expected.length || t.shape.some((extent, i) => extent !== expected[i])) {
    throw new ShapeMismatchError({ operation, what, expected: formatShape(expected), actual: formatShape(t.shape) });
  }
}

function positiveInteger(value: number, operation: string, argument: string): number {
  assertPositiveInteger(value, { ...netsScope, operation, argument });
  return value;
}

function nonNegativeInteger(value: number, operation: string, argument: string): number {
  assertNonNegativeInteger(value, { ...netsScope, operation, argument });
  return value;
}

/** Options of `dense`. */
export interface DenseOptions {
  readonly name?: string;
  /** `[out, in]`. */
  readonly weight: WeightInput;
  /** `[out]`; omitted or null for no bias. */
  readonly bias?: Tensor | ArrayLike<number> | null;
}

/** A dense layer (weights copied and checked). */
export function dense(options: DenseOptions): DenseLayer {
  const operation = 'dense';
  const weight = toTensor(options.weight, operation, 'weight');
  if (weight.shape.length !== 2) throw new ShapeMismatchError({ operation, what: 'weight', expected: '[out, in]', actual: formatShape(weight.shape) });
  const bias = options.bias == null ? null : toTensor(options.bias, operation, 'bias');
  if (bias !== null) expectShape(bias, [weight.shape[0]!], operation, 'bias');
  return { kind: 'dense', name: options.name ?? '', weight, bias };
}

/** Options of `conv1d`. */
export interface Conv1dOptions {
  readonly name?: string;
  /** `[out, in / groups, k]`. */
  readonly weight: Tensor;
  readonly bias?: Tensor | ArrayLike<number> | null;
  readonly stride?: number;
  /** Zeros added on each side, or `[begin, end]`. */
  readonly padding?: number | readonly [number, number];
  readonly dilation?: number;
  readonly groups?: number;
}

/** A 1-D convolution layer (weights copied and checked). */
export function conv1d(options: Conv1dOptions): Conv1dLayer {
  const operation = 'conv1d';
  const weight = toTensor(options.weight, operation, 'weight');
  if (weight.shape.length !== 3) throw new ShapeMismatchError({ operation, what: 'weight', expected: '[out, in, k]', actual: formatShape(weight.shape) });
  const bias = options.bias == null ? null : toTensor(options.bias, operation, 'bias');
  if (bias !== null) expectShape(bias, [weight.shape[0]!], operation, 'bias');
  const padding = options.padding ?? 0;
  const pads: [number, number] = typeof padding === 'number' ? [padding, padding] : [padding[0], padding[1]];
  const groups = positiveInteger(options.groups ?? 1, operation, 'groups');
  if (weight.shape[0]! % groups !== 0) {
    throw new InvalidArgumentError({ operation, argument: 'groups', what: `${groups} does not divide the ${weight.shape[0]} output channels`, ...netsScope });
  }
  return {
    kind: 'conv1d',
    name: options.name ?? '',
    weight,
    bias,
    stride: positiveInteger(options.stride ?? 1, operation, 'stride'),
    padding: [nonNegativeInteger(pads[0], operation, 'padding'), nonNegativeInteger(pads[1], operation, 'padding')],
    dilation: positiveInteger(options.dilation ?? 1, operation, 'dilation'),
    groups,
  };
}

/** Options of `conv2d`. */
export interface Conv2dOptions {
  readonly name?: string;
  /** `[out, in / groups, kh, kw]`. */
  readonly weight: Tensor;
  readonly bias?: Tensor | ArrayLike<number> | null;
  /** One stride for both axes or `[sh, sw]`. */
  readonly stride?: number | readonly [number, number];
  /** One padding for all sides, `[ph, pw]` (symmetric, PyTorch) or `[top, left, bottom, right]` (ONNX). */
  readonly padding?: number | readonly [number, number] | readonly [number, number, number, number];
  readonly dilation?: number | readonly [number, number];
  readonly groups?: number;
}

function pair(value: number | readonly number[], operation: string, argument: string): [number, number] {
  if (typeof value === 'number') return [value, value];
  if (value.length !== 2) throw new InvalidArgumentError({ operation, argument, what: `expected 1 or 2 values, got ${value.length}`, ...netsScope });
  return [value[0]!, value[1]!];
}

/** A 2-D convolution layer (weights copied and checked). */
export function conv2d(options: Conv2dOptions): Conv2dLayer {
  const operation = 'conv2d';
  const weight = toTensor(options.weight, operation, 'weight');
  if (weight.shape.length !== 4) {
    throw new ShapeMismatchError({ operation, what: 'weight', expected: '[out, in, kh, kw]', actual: formatShape(weight.shape) });
  }
  const bias = options.bias == null ? null : toTensor(options.bias, operation, 'bias');
  if (bias !== null) expectShape(bias, [weight.shape[0]!], operation, 'bias');
  const padding = options.padding ?? 0;
  let pads: [number, number, number, number];
  if (typeof padding === 'number') pads = [padding, padding, padding, padding];
  else if (padding.length === 2) pads = [padding[0], padding[1], padding[0], padding[1]];
  else if (padding.length === 4) pads = [padding[0], padding[1], padding[2]!, padding[3]!];
  else throw new InvalidArgumentError({ operation, argument: 'padding', what: `expected 1, 2 or 4 values, got ${(padding as number[]).length}`, ...netsScope });
  const stride = pair(options.stride ?? 1, operation, 'stride');
  const dilation = pair(options.dilation ?? 1, operation, 'dilation');
  const groups = positiveInteger(options.groups ?? 1, operation, 'groups');
  if (weight.shape[0]! % groups !== 0) {
    throw new InvalidArgumentError({ operation, argument: 'groups', what: `${groups} does not divide the ${weight.shape[0]} output channels`, ...netsScope });
  }
  return {
    kind: 'conv2d',
    name: options.name ?? '',
    weight,
    bias,
    stride: [positiveInteger(stride[0], operation, 'stride'), positiveInteger(stride[1], operation, 'stride')],
    padding: [
      nonNegativeInteger(pads[0], operation, 'padding'),
      nonNegativeInteger(pads[1], operation, 'padding'),
      nonNegativeInteger(pads[2], operation, 'padding'),
      nonNegativeInteger(pads[3], operation, 'padding'),
    ],
    dilation: [positiveInteger(dilation[0], operation, 'dilation'), positiveInteger(dilation[1], operation, 'dilation')],
    groups,
  };
}

/** Options of `batchNorm` (PyTorch: weight = scale, bias = shift, running_mean, running_var, eps). */
export interface BatchNormOptions {
  readonly name?: string;
  readonly scale: Tensor | ArrayLike<number>;
  readonly shift: Tensor | ArrayLike<number>;
  readonly mean: Tensor | ArrayLike<number>;
  readonly variance: Tensor | ArrayLike<number>;
  /** Default 1e-5 (PyTorch's and ONNX's default). */
  readonly epsilon?: number;
}

/** An inference-mode batch normalisation layer (parameters copied and checked). */
export function batchNorm(options: BatchNormOptions): BatchNormLayer {
  const operation = 'batchNorm';
  const scale = toTensor(options.scale, operation, 'scale');
  const channels = scale.shape[0] ?? 0;
  expectShape(scale, [channels], operation, 'scale');
  const shift = toTensor(options.shift, operation, 'shift');
  const mean = toTensor(options.mean, operation, 'mean');
  const variance = toTensor(options.variance, operation, 'variance');
  expectShape(shift, [channels], operation, 'shift');
  expectShape(mean, [channels], operation, 'mean');
  expectShape(variance, [channels], operation, 'variance');
  const epsilon = options.epsilon ?? 1e-5;
  if (!(epsilon >= 0) || !Number.isFinite(epsilon)) {
    throw new InvalidArgumentError({ operation, argument: 'epsilon', what: `expected a finite non-negative number, got ${epsilon}`, ...netsScope });
  }
  for (let c = 0; c < channels; c++) {
    if (!(variance.data[c]! + epsilon > 0)) {
      throw new InvalidArgumentError({ operation, argument: 'variance', what: `variance + epsilon must be positive (channel ${c})`, ...netsScope });
    }
  }
  return { kind: 'batchnorm', name: options.name ?? '', scale, shift, mean, variance, epsilon };
}

/** A flatten layer. */
export function flatten(name = ''): FlattenLayer {
  return { kind: 'flatten', name };
}

/** An activation layer. */
export function activation(activationName: ActivationName, name = ''): ActivationLayer {
  if (!ACTIVATIONS.includes(activationName)) {
    throw new InvalidArgumentError({ operation: 'activation', argument: 'activation', what: `unknown activation ${JSON.stringify(activationName)}; known: ${ACTIVATIONS.join(', ')}`, ...netsScope });
  }
  return { kind: 'activation', name, activation: activationName };
}

/** Options of `sequential`. */
export interface SequentialOptions {
  /** Precision the weights came in; exports write this type. Default `float64`. */
  readonly precision?: 'float32' | 'float64';
}

/**
 * A sequential model. Layers without a name get `<kind><position>` (e.g. `dense0`, `flatten3`;
 * activations `<activation><position>`, e.g. `tanh1`);
 * names must be unique. Shapes are propagated from `inputShape` (per sample, without the batch
 * axis) and every mismatch is reported with the layer's name.
 */
export function sequential(inputShape: readonly number[], layers: readonly Layer[], options: SequentialOptions = {}): SequentialModel {
  const operation = 'sequential';
  for (const extent of inputShape) positiveInteger(extent, operation, 'inputShape');
  const named: Layer[] = layers.map((layer, i) =>
    layer.name === '' ? { ...layer, name: `${layer.kind === 'activation' ? layer.activation : layer.kind}${i}` } : layer,
  );
  const seen = new Set<string>();
  for (const layer of named) {
    if (seen.has(layer.name)) throw new InvalidArgumentError({ operation, argument: 'layers', what: `duplicate layer name ${JSON.stringify(layer.name)}`, ...netsScope });
    seen.add(layer.name);
  }
  const model: SequentialModel = { inputShape: [...inputShape], layers: named, precision: options.precision ?? 'float64' };
  layerShapes(model);
  return model;
}

/** Output shape (per sample) of one layer given its input shape (per sample). */
export function layerOutputShape(layer: Layer, input: readonly number[], operation = 'layerOutputShape'): number[] {
  const at = `input of layer ${JSON.stringify(layer.name)}`;
  switch (layer.kind) {
    case 'dense': {
      const [out, inFeatures] = layer.weight.shape as [number, number];
      if (input.length !== 1 || input[0] !== inFeatures) {
        throw new ShapeMismatchError({ operation, what: at, expected: `[N, ${inFeatures}]`, actual: `[N, ${input.join(', ')}]` });
      }
      return [out];
    }
    case 'conv1d': {
      const [out, inPerGroup, k] = layer.weight.shape as [number, number, number];
      const channels = inPerGroup * layer.groups;
      if (input.length !== 2 || input[0] !== channels) {
        throw new ShapeMismatchError({ operation, what: at, expected: `[N, ${channels}, L]`, actual: `[N, ${input.join(', ')}]` });
      }
      const length = convExtent(input[1]!, k, layer.stride, layer.padding[0] + layer.padding[1], layer.dilation);
      if (length < 1) throw new ShapeMismatchError({ operation, what: at, expected: 'a length at least the dilated kernel', actual: `[N, ${input.join(', ')}]` });
      return [out, length];
    }
    case 'conv2d': {
      const [out, inPerGroup, kh, kw] = layer.weight.shape as [number, number, number, number];
      const channels = inPerGroup * layer.groups;
      if (input.length !== 3 || input[0] !== channels) {
        throw new ShapeMismatchError({ operation, what: at, expected: `[N, ${channels}, H, W]`, actual: `[N, ${input.join(', ')}]` });
      }
      const height = convExtent(input[1]!, kh, layer.stride[0], layer.padding[0] + layer.padding[2], layer.dilation[0]);
      const width = convExtent(input[2]!, kw, layer.stride[1], layer.padding[1] + layer.padding[3], layer.dilation[1]);
      if (height < 1 || width < 1) {
        throw new ShapeMismatchError({ operation, what: at, expected: 'an image at least the dilated kernel', actual: `[N, ${input.join(', ')}]` });
      }
      return [out, height, width];
    }
    case 'batchnorm': {
      const channels = layer.scale.shape[0]!;
      if (input.length < 1 || input[0] !== channels) {
        throw new ShapeMismatchError({ operation, what: at, expected: `[N, ${channels}, ...]`, actual: `[N, ${input.join(', ')}]` });
      }
      return [...input];
    }
    case 'flatten': {
      let size = 1;
      for (const extent of input) size *= extent;
      return [size];
    }
    case 'activation':
      return [...input];
  }
}

function convExtent(length: number, kernel: number, stride: number, totalPadding: number, dilation: number): number {
  return Math.floor((length + totalPadding - dilation * (kernel - 1) - 1) / stride) + 1;
}

/** Per-sample shapes: `[inputShape, output of layer 0, output of layer 1, ...]`. */
export function layerShapes(model: SequentialModel): number[][] {
  const shapes: number[][] = [[...model.inputShape]];
  for (const layer of model.layers) shapes.push(layerOutputShape(layer, shapes[shapes.length - 1]!, 'sequential'));
  return shapes;
}

/** Position of a layer given by name or index; throws `UnknownLayerError`. */
export function layerIndex(model: SequentialModel, reference: LayerReference, operation = 'layerIndex'): number {
  if (typeof reference === 'number') {
    if (Number.isInteger(reference) && reference >= 0 && reference < model.layers.length) return reference;
  } else {
    const index = model.layers.findIndex((layer) => layer.name === reference);
    if (index >= 0) return index;
  }
  throw new UnknownLayerError({ operation, layer: reference, available: model.layers.map((layer) => layer.name) });
}

/** The layer given by name or index; throws `UnknownLayerError`. */
export function getLayer(model: SequentialModel, reference: LayerReference): Layer {
  return model.layers[layerIndex(model, reference, 'getLayer')]!;
}
