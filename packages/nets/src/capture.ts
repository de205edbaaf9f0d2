import { assertPositiveInteger } from '@descramble/core';
import { GramAccumulator } from '@descramble/linalg';
import type { Matrix } from 'ml-matrix';
import { EmptyInputError, InvalidArgumentError, NonFiniteActivationError, netsScope, ShapeMismatchError } from './errors.js';
import { applyLayer, type BatchInput, toBatch } from './forward.js';
import { isLinearLayer, type Layer, type LayerReference, layerIndex, layerShapes, type SequentialModel } from './layers.js';
import { formatShape, shapeSize, type Tensor } from './tensor.js';

/**
 * Where to tap a layer:
 * - `preactivation`: the input of the activation that follows the named layer ("wiretapping
 *   before the activation"), i.e. the layer's output after any batch-norm layers that directly
 *   follow it; for an activation layer, its input; for a final linear layer with no activation,
 *   its output.
 * - `activation`: the output of that activation (the preactivation itself when there is none).
 * - `output`: exactly the named layer's output.
 *
 * Whether the values contain the bias is the separate `bias` option (default `exclude`, for
 * `output` too: the output of a dense layer tapped with the default is `W h`).
 */
export type CapturePoint = 'preactivation' | 'activation' | 'output';

/**
 * Whether captured preactivations contain the bias: `exclude` gives `S = W H` (the data of the
 * descrambling criterion, bias off), `include` gives `S = W H + b 1^T` (what the next activation
 * actually receives). Shared default: `exclude`.
 */
export type BiasMode = 'include' | 'exclude';

/** The default of every `bias` option: `S = W H`, without the bias. */
export const DEFAULT_BIAS: BiasMode = 'exclude';

/** Progress of a capture: samples done so far, and the total when known. */
export interface CaptureProgress {
  readonly done: number;
  readonly total?: number;
}

/** A block of inputs from a stream: anything `forward` accepts. */
export type InputBlock = BatchInput;

/** Inputs of `capture`: one batch (split into blocks of `batchSize`), or a sync/async stream of blocks. */
export type CaptureInputs = BatchInput | Iterable<InputBlock> | AsyncIterable<InputBlock>;

/** Options of `capture`. */
export interface CaptureOptions {
  /** Default `preactivation`. */
  readonly at?: CapturePoint;
  /**
   * Whether the captured values contain the bias of the linear layer they come from (default
   * `exclude`: `S = W H`). With batch norm between that layer and the tap, the whole chain is one
   * affine map per channel, `c (W h) + d`; `exclude` drops its offset `d` (the layer's bias and
   * the batch norm's mean and shift) and keeps the scale `c`. Values past a nonlinearity (an
   * `activation` tap) contain the bias inside the nonlinearity: asking to exclude it there is an
   * `InvalidArgumentError`, and the default resolves to `include` (recorded in the result).
   */
  readonly bias?: BiasMode;
  /** Checked before every block: aborting stops the capture with the signal's reason. */
  readonly signal?: AbortSignal;
  /**
   * Alias of `at` in the wording: `before: 'activation'` is `at: 'preactivation'`,
   * `before: 'after'` is `at: 'activation'` (the value after the activation). `at` wins if both are given.
   */
  readonly before?: 'activation' | 'after';
  /**
   * Accumulate the Gram matrix over units (default true), into this accumulator if one is given
   * (its dimension must be the number of channels). If the capture throws (an abort, a
   * non-finite value), a given accumulator keeps the blocks added before the failing one.
   */
  readonly gram?: boolean | GramAccumulator;
  /** Also return the captured values, concatenated (default false; needs them to fit in memory). */
  readonly keep?: boolean;
  /** Samples per forward block when `inputs` is one batch. Default 1024. Stream blocks are used as given. */
  readonly batchSize?: number;
  /** Total sample count for progress reports of a stream (a batch knows its own). */
  readonly total?: number;
  /** Called after every block. */
  readonly onProgress?: (progress: CaptureProgress) => void;
}

/** Result of `capture`. */
export interface CaptureResult {
  /** Name of the layer whose output was captured (after resolving `at`). */
  readonly layer: string;
  /** Index of that layer in `model.layers` (-1: the model's input). */
  readonly layerIndex: number;
  readonly at: CapturePoint;
  /** Whether the captured values (and the Gram) contain the bias: the data this result is of. */
  readonly bias: BiasMode;
  /**
   * The linear layer whose bias `bias` refers to (the last dense or convolution layer before the
   * tap with only batch norm or flatten in between); null when the values are the model's input
   * (no bias anywhere) or lie past a nonlinearity.
   */
  readonly biasLayer: string | null;
  /** Per-sample shape of the captured values, e.g. `[12]` or `[8, 6, 6]`. */
  readonly shape: readonly number[];
  /** Number of input samples processed. */
  readonly samples: number;
  /** Channels (units): the Gram matrix's dimension, `shape[0]`. */
  readonly channels: number;
  /** Positions per sample and channel (1 for dense layers, L or H x W for convolutions). */
  readonly positions: number;
  /**
   * `B = sum over samples (and positions) of s s^T`, channels x channels; null when `gram` is false.
   * For a dense layer this is `S S^T` with `S` the d x N preactivation matrix.
   */
  readonly gram: Matrix | null;
  /** The accumulator (to merge with other shards, or serialise); null when `gram` is false. */
  readonly accumulator: GramAccumulator | null;
  /** The captured values `[samples, ...shape]` when `keep` was set, else null. */
  readonly values: Tensor | null;
}

/**
 * Resolves a capture point to the index of the last layer to run (-1 for the model's input).
 */
export function captureLayerIndex(model: SequentialModel, layer: LayerReference, at: CapturePoint = 'preactivation'): number {
  const operation = 'captureLayerIndex';
  const index = layerIndex(model, layer, operation);
  const named = model.layers[index]!;
  if (at === 'output') return index;
  if (named.kind === 'activation') return at === 'preactivation' ? index - 1 : index;
  let end = index;
  while (model.layers[end + 1]?.kind === 'batchnorm') end++;
  if (at === 'activation' && model.layers[end + 1]?.kind === 'activation') end++;
  return end;
}

function atFromBefore(before: CaptureOptions['before']): CapturePoint {
  if (before === undefined || before === 'activation') return 'preactivation';
  if (before === 'after') return 'activation';
  throw new InvalidArgumentError({ operation: 'capture', argument: 'before', what: `expected 'activation' or 'after', got ${JSON.stringify(before)}`, ...netsScope });
}

/**
 * The layers `0..end` to run for a capture, and which data they give: with `exclude`, the last
 * linear layer runs without its bias and the batch norms after it without their offset (mean and
 * shift zero), so the chain computes `c (W h)` instead of `c (W h + b - mean) + shift`.
 */
function resolveBias(model: SequentialModel, end: number, requested: BiasMode | undefined, operation: string): { layers: readonly Layer[]; bias: BiasMode; biasLayer: string | null } {
  if (requested !== undefined && requested !== 'include' && requested !== 'exclude') {
    throw new InvalidArgumentError({ operation, argument: 'bias', what: `expected 'include' or 'exclude', got ${JSON.stringify(requested)}`, ...netsScope });
  }
  const layers = model.layers.slice(0, end + 1);
  let source = end;
  while (source >= 0 && (layers[source]!.kind === 'batchnorm' || layers[source]!.kind === 'flatten')) source--;
  if (source < 0) return { layers, bias: requested ?? DEFAULT_BIAS, biasLayer: null };
  const linear = layers[source]!;
  if (!isLinearLayer(linear)) {
    if (requested === 'exclude') {
      throw new InvalidArgumentError({ operation, argument: 'bias', what: `the values after layer ${JSON.stringify(layers[end]!.name)} lie past the nonlinearity ${JSON.stringify(linear.name)}, so the bias cannot be excluded; capture at 'preactivation' or pass bias: 'include'`, ...netsScope }
      );
    }
    return { layers, bias: 'include', biasLayer: null };
  }
  const bias = requested ?? DEFAULT_BIAS;
  if (bias === 'exclude') {
    layers[source] = { ...linear, bias: null };
    for (let i = source + 1; i <= end; i++) {
      const layer = layers[i]!;
      if (layer.kind === 'batchnorm') {
        const zeros = { shape: layer.mean.shape, data: new Float64Array(layer.mean.data.length) };
        layers[i] = { ...layer, mean: zeros, shift: zeros };
      }
    }
  }
  return { layers, bias, biasLayer: linear.name };
}

/** Throws `NonFiniteActivationError` at the first non-finite value of a layer's output. */
function checkFiniteOutput(x: Tensor, layer: string, firstSample: number, operation: string): void {
  const data = x.data;
  for (let i = 0; i < data.length; i++) {
    // v - v is 0 for finite v and NaN for NaN and +-Infinity: one comparison per entry
    const v = data[i]!;
    if (v - v !== 0) {
      const perSample = data.length / x.shape[0]!;
      throw new NonFiniteActivationError({ operation, layer, sample: firstSample + Math.floor(i / perSample), value: v });
    }
  }
}

function isAsyncIterable(value: unknown): value is AsyncIterable<InputBlock> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

function isBlockIterable(value: unknown): value is Iterable<InputBlock> {
  // A Matrix is not iterable; typed arrays are never valid inputs on their own.
  return typeof value === 'object' && value !== null && Symbol.iterator in value && !('shape' in value) && !('rows' in value);
}

/**
 * Runs the model up to a layer on many inputs, block by block, and accumulates the Gram matrix of
 * what that layer produces over its channels (`sum over samples and positions of s s^T`: for a
 * convolution with outputs `[N, C, ...]`, every position of every sample is one C-dimensional
 * sample; `count` is then N x positions). Memory is bounded by one block, so a stream of blocks
 * (e.g. `readNpyBlocks` of a file larger than memory) is handled in constant space unless `keep`
 * is set. Streams may be sync or async iterables.
 *
 * Preactivations are `S = W H` by default (`bias: 'exclude'`); the result's `bias` records which
 * data were used. Every layer's output is checked as it is computed, so an overflow is reported
 * where it happens rather than as a NaN Gram later.
 *
 * @throws EmptyInputError when no sample arrives; NonFiniteActivationError when a layer's output
 *   is not finite (naming the layer and the sample); the signal's reason when `signal` aborts.
 */
export async function capture(model: SequentialModel, inputs: CaptureInputs, layer: LayerReference, options: CaptureOptions = {}): Promise<CaptureResult> {
  const operation = 'capture';
  const at = options.at ?? atFromBefore(options.before);
  if (at !== 'preactivation' && at !== 'activation' && at !== 'output') {
    throw new InvalidArgumentError({ operation, argument: 'at', what: `expected preactivation, activation or output, got ${JSON.stringify(at)}`, ...netsScope });
  }
  options.signal?.throwIfAborted();
  const end = captureLayerIndex(model, layer, at);
  const { layers, bias, biasLayer } = resolveBias(model, end, options.bias, operation);
  const shapes = layerShapes(model);
  const shape = shapes[end + 1]!;
  if (shape.length === 0) throw new ShapeMismatchError({ operation, what: 'captured shape', expected: '[channels, ...]', actual: formatShape(shape) });
  const channels = shape[0]!;
  const positions = shapeSize(shape.slice(1));
  const batchSize = options.batchSize ?? 1024;
  assertPositiveInteger(batchSize, { ...netsScope, operation, argument: 'batchSize' });

  let accumulator: GramAccumulator | null = null;
  if (options.gram instanceof GramAccumulator) {
    if (options.gram.dimension !== channels) {
      throw new ShapeMismatchError({ operation, what: 'accumulator dimension', expected: String(channels), actual: String(options.gram.dimension) });
    }
    accumulator = options.gram;
  } else if (options.gram !== false) accumulator = new GramAccumulator(channels);

  const kept: Float64Array[] = [];
  let done = 0;
  let total = options.total;
  let scratch: Float64Array | null = null;

  const consume = (block: InputBlock): void => {
    options.signal?.throwIfAborted();
    consumeBatch(toBatch(block, model.inputShape, operation));
  };
  const consumeBatch = (input: Tensor): void => {
    let x = input;
    for (let i = 0; i <= end; i++) {
      x = applyLayer(layers[i]!, x);
      checkFiniteOutput(x, layers[i]!.name, done, operation);
    }
    const samples = x.shape[0]!;
    if (accumulator !== null && samples > 0) {
      if (positions === 1) accumulator.addRowsFlat(x.data, samples);
      else {
        // [n, C, P] -> (n P) x C rows: one C-dimensional sample per position.
        const rows = samples * positions;
        if (scratch === null || scratch.length < rows * channels) scratch = new Float64Array(rows * channels);
        // (scratch is reused across blocks; the accumulator does not retain it)
        const out = scratch.length === rows * channels ? scratch : scratch.subarray(0, rows * channels);
        for (let n = 0; n < samples; n++) {
          for (let c = 0; c < channels; c++) {
            const source = (n * channels + c) * positions;
            let target = n * positions * channels + c;
            for (let p = 0; p < positions; p++, target += channels) out[target] = x.data[source + p]!;
          }
        }
        accumulator.addRowsFlat(out, rows);
      }
    }
    if (options.keep === true) kept.push(x.data === input.data ? Float64Array.from(x.data) : x.data);
    done += samples;
    options.onProgress?.(total === undefined ? { done } : { done, total });
  };

  if (isAsyncIterable(inputs)) {
    for await (const block of inputs) consume(block);
  } else if (isBlockIterable(inputs)) {
    for (const block of inputs) consume(block);
  } else {
    const batch = toBatch(inputs as BatchInput, model.inputShape, operation);
    const samples = batch.shape[0]!;
    total ??= samples;
    const sampleSize = shapeSize(model.inputShape);
    for (let start = 0; start < samples || (start === 0 && samples === 0); start += batchSize) {
      const rows = Math.min(batchSize, samples - start);
      options.signal?.throwIfAborted();
      // already validated as a whole: blocks go straight to the layers
      consumeBatch({ shape: [rows, ...model.inputShape], data: batch.data.subarray(start * sampleSize, (start + rows) * sampleSize) });
      if (samples === 0) break;
    }
  }

  const name = end >= 0 ? model.layers[end]!.name : 'input';
  if (done === 0) throw new EmptyInputError({ operation, layer: name });
  let values: Tensor | null = null;
  if (options.keep === true) {
    const data = new Float64Array(done * channels * positions);
    let offset = 0;
    for (const part of kept) {
      data.set(part, offset);
      offset += part.length;
    }
    values = { shape: [done, ...shape], data };
  }
  return {
    layer: name,
    layerIndex: end,
    at,
    bias,
    biasLayer,
    shape,
    samples: done,
    channels,
    positions,
    gram: accumulator === null ? null : accumulator.gram(),
    accumulator,
    values,
  };
}
