import { gemm, multiplyTransposeBFlat } from '@descramble/linalg';
import type { AbstractMatrix } from 'ml-matrix';
import { applyActivation } from './activations.js';
import { ShapeMismatchError } from './errors.js';
import {
  type BatchNormLayer,
  type Conv1dLayer,
  type Conv2dLayer,
  type DenseLayer,
  type Layer,
  type LayerReference,
  layerIndex,
  layerShapes,
  type SequentialModel,
} from './layers.js';
import { assertFinite, formatShape, shapeSize, type Tensor, tensorFromMatrix } from './tensor.js';

/**
 * A batch of inputs: a tensor `[N, ...shape]`, a tensor `[N, prod(shape)]` (reshaped), a
 * matrix with one sample per row (N x prod(shape)), or rows of flat samples `{ rows, data }`
 * (what io's `readNpyBlocks` yields). Float32 data widen exactly.
 */
export type BatchInput =
  | Tensor
  | AbstractMatrix
  | { readonly data: ArrayLike<number>; readonly shape: readonly number[] }
  | { readonly data: ArrayLike<number>; readonly rows: number };

function isMatrix(value: unknown): value is AbstractMatrix {
  return typeof value === 'object' && value !== null && typeof (value as AbstractMatrix).get === 'function' && typeof (value as AbstractMatrix).rows === 'number';
}

/**
 * Turns a batch input into a Float64 tensor `[N, ...sampleShape]`, checking sizes and finiteness.
 * Never aliases a caller's array unless it is already a Float64Array of the right shape
 * (and then it is only read).
 */
export function toBatch(input: BatchInput, sampleShape: readonly number[], operation: string): Tensor {
  let data: Float64Array;
  let shape: readonly number[];
  if (isMatrix(input)) {
    const t = tensorFromMatrix(input);
    data = t.data;
    shape = t.shape;
  } else {
    shape = 'shape' in input ? input.shape : [input.rows, input.rows === 0 ? shapeSize(sampleShape) : input.data.length / input.rows];
    data = input.data instanceof Float64Array ? input.data : Float64Array.from(input.data);
    if (data.length !== shapeSize(shape)) {
      throw new ShapeMismatchError({ operation, what: 'input data length', expected: `${shapeSize(shape)} for shape ${formatShape(shape)}`, actual: String(data.length) });
    }
  }
  const sampleSize = shapeSize(sampleShape);
  const expected = `[N, ${sampleShape.join(', ')}]`;
  if (shape.length < 1) throw new ShapeMismatchError({ operation, what: 'input', expected, actual: formatShape(shape) });
  const samples = shape[0]!;
  const exact = shape.length === sampleShape.length + 1 && sampleShape.every((extent, i) => extent === shape[i + 1]);
  const flat = shape.length === 2 && shape[1] === sampleSize;
  if (!exact && !flat) throw new ShapeMismatchError({ operation, what: 'input', expected, actual: formatShape(shape) });
  assertFinite(data, operation, 'input');
  return { shape: [samples, ...sampleShape], data };
}

/** Options of `forward`. */
export interface ForwardOptions {
  /** First layer to apply (the input enters it). Default: the first layer. */
  readonly from?: LayerReference;
  /** Last layer to apply, inclusive. Default: the last layer. */
  readonly to?: LayerReference;
}

/**
 * Runs layers `from..to` (inclusive) on a batch, in Float64. Dense layers use linalg's blocked
 * product `X W^T`; convolutions are direct loops. Returns a new tensor `[N, ...]`.
 */
export function forward(model: SequentialModel, input: BatchInput, options: ForwardOptions = {}): Tensor {
  const operation = 'forward';
  const first = options.from === undefined ? 0 : layerIndex(model, options.from, operation);
  const last = options.to === undefined ? model.layers.length - 1 : layerIndex(model, options.to, operation);
  const shapes = layerShapes(model);
  let x = toBatch(input, shapes[first]!, operation);
  for (let i = first; i <= last; i++) x = applyLayer(model.layers[i]!, x);
  return x;
}

/** Applies one layer to a batch whose shape is already known to fit (no validation). */
export function applyLayer(layer: Layer, x: Tensor): Tensor {
  switch (layer.kind) {
    case 'dense':
      return applyDense(layer, x);
    case 'conv1d':
      return applyConv1d(layer, x);
    case 'conv2d':
      return applyConv2d(layer, x);
    case 'batchnorm':
      return applyBatchNorm(layer, x);
    case 'flatten':
      return { shape: [x.shape[0]!, shapeSize(x.shape.slice(1))], data: x.data };
    case 'activation': {
      const out = new Float64Array(x.data.length);
      applyActivation(layer.activation, x.data, out);
      return { shape: [...x.shape], data: out };
    }
  }
}

function applyDense(layer: DenseLayer, x: Tensor): Tensor {
  const samples = x.shape[0]!;
  const [outFeatures, inFeatures] = layer.weight.shape as [number, number];
  if (samples === 0) return { shape: [0, outFeatures], data: new Float64Array(0) };
  const out = multiplyTransposeBFlat(x.data, layer.weight.data, samples, inFeatures, outFeatures);
  if (layer.bias !== null) {
    const bias = layer.bias.data;
    for (let n = 0; n < samples; n++) {
      const row = n * outFeatures;
      for (let j = 0; j < outFeatures; j++) out[row + j] = out[row + j]! + bias[j]!;
    }
  }
  return { shape: [samples, outFeatures], data: out };
}

function applyConv1d(layer: Conv1dLayer, x: Tensor): Tensor {
  const [samples, channels, length] = x.shape as [number, number, number];
  const [outChannels, perGroup, kernel] = layer.weight.shape as [number, number, number];
  const outLength = Math.floor((length + layer.padding[0] + layer.padding[1] - layer.dilation * (kernel - 1) - 1) / layer.stride) + 1;
  const data = convolve({
    input: x.data,
    samples,
    channels,
    height: 1,
    width: length,
    weight: layer.weight.data,
    bias: layer.bias?.data ?? null,
    outChannels,
    perGroup,
    kh: 1,
    kw: kernel,
    sh: 1,
    sw: layer.stride,
    dh: 1,
    dw: layer.dilation,
    top: 0,
    left: layer.padding[0],
    groups: layer.groups,
    outHeight: 1,
    outWidth: outLength,
  });
  return { shape: [samples, outChannels, outLength], data };
}

function applyConv2d(layer: Conv2dLayer, x: Tensor): Tensor {
  const [samples, channels, height, width] = x.shape as [number, number, number, number];
  const [outChannels, perGroup, kh, kw] = layer.weight.shape as [number, number, number, number];
  const [sh, sw] = layer.stride;
  const [dh, dw] = layer.dilation;
  const [top, left, bottom, right] = layer.padding;
  const outHeight = Math.floor((height + top + bottom - dh * (kh - 1) - 1) / sh) + 1;
  const outWidth = Math.floor((width + left + right - dw * (kw - 1) - 1) / sw) + 1;
  const data = convolve({
    input: x.data,
    samples,
    channels,
    height,
    width,
    weight: layer.weight.data,
    bias: layer.bias?.data ?? null,
    outChannels,
    perGroup,
    kh,
    kw,
    sh,
    sw,
    dh,
    dw,
    top,
    left,
    groups: layer.groups,
    outHeight,
    outWidth,
  });
  return { shape: [samples, outChannels, outHeight, outWidth], data };
}

interface Convolution {
  readonly input: Float64Array;
  readonly samples: number;
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly weight: Float64Array;
  readonly bias: Float64Array | null;
  readonly outChannels: number;
  readonly perGroup: number;
  readonly kh: number;
  readonly kw: number;
  readonly sh: number;
  readonly sw: number;
  readonly dh: number;
  readonly dw: number;
  readonly top: number;
  readonly left: number;
  readonly groups: number;
  readonly outHeight: number;
  readonly outWidth: number;
}

/**
 * 2-D cross-correlation (1-D is height 1) by im2col and linalg's blocked `gemm`: for each
 * sample and group, the patches form a `(perGroup kh kw) x (outHeight outWidth)` matrix
 * (zeros where the kernel reaches into the padding), and the group's weights, read in place as
 * an `outPerGroup x (perGroup kh kw)` matrix, multiply it into the output rows, which start
 * from the bias.
 */
function convolve(c: Convolution): Float64Array {
  const positions = c.outHeight * c.outWidth;
  const depth = c.perGroup * c.kh * c.kw;
  const outPerGroup = c.outChannels / c.groups;
  const out = new Float64Array(c.samples * c.outChannels * positions);
  if (out.length === 0) return out;
  const columns = new Float64Array(depth * positions);
  const plane = c.height * c.width;
  for (let n = 0; n < c.samples; n++) {
    const outSample = n * c.outChannels * positions;
    if (c.bias !== null) {
      for (let o = 0; o < c.outChannels; o++) out.fill(c.bias[o]!, outSample + o * positions, outSample + (o + 1) * positions);
    }
    for (let g = 0; g < c.groups; g++) {
      for (let ci = 0; ci < c.perGroup; ci++) {
        const inPlane = (n * c.channels + g * c.perGroup + ci) * plane;
        for (let i = 0; i < c.kh; i++) {
          const rowShift = i * c.dh - c.top;
          const rStart = rowShift >= 0 ? 0 : Math.min(c.outHeight, Math.ceil(-rowShift / c.sh));
          const rEnd = Math.min(c.outHeight - 1, Math.floor((c.height - 1 - rowShift) / c.sh));
          for (let j = 0; j < c.kw; j++) {
            const row = ((ci * c.kh + i) * c.kw + j) * positions;
            const colShift = j * c.dw - c.left;
            const qStart = colShift >= 0 ? 0 : Math.min(c.outWidth, Math.ceil(-colShift / c.sw));
            const qEnd = Math.min(c.outWidth - 1, Math.floor((c.width - 1 - colShift) / c.sw));
            columns.fill(0, row, row + positions);
            for (let r = rStart; r <= rEnd; r++) {
              const target = row + r * c.outWidth;
              const source = inPlane + (r * c.sh + rowShift) * c.width + colShift;
              for (let q = qStart; q <= qEnd; q++) columns[target + q] = c.input[source + q * c.sw]!;
            }
          }
        }
      }
      // out[group rows] += W_g (outPerGroup x depth) * columns (depth x positions)
      gemm(false, false, outPerGroup, positions, depth, 1, c.weight, g * outPerGroup * depth, depth, columns, 0, positions, 1, out, outSample + g * outPerGroup * positions, positions);
    }
  }
  return out;
}

function applyBatchNorm(layer: BatchNormLayer, x: Tensor): Tensor {
  const samples = x.shape[0]!;
  const channels = x.shape[1]!;
  const positions = shapeSize(x.shape.slice(2));
  const out = new Float64Array(x.data.length);
  for (let c = 0; c < channels; c++) {
    const inverse = 1 / Math.sqrt(layer.variance.data[c]! + layer.epsilon);
    const scale = layer.scale.data[c]! * inverse;
    const mean = layer.mean.data[c]!;
    const shift = layer.shift.data[c]!;
    for (let n = 0; n < samples; n++) {
      const start = (n * channels + c) * positions;
      for (let p = start; p < start + positions; p++) out[p] = (x.data[p]! - mean) * scale + shift;
    }
  }
  return { shape: [...x.shape], data: out };
}
