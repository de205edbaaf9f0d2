import type { OnnxModel } from '@descramble/io';
import { InvalidArgumentError, NonFiniteValueError, netsScope, ShapeMismatchError } from '../errors.js';
import { formatShape } from '../tensor.js';
import type { RuntimeTensorData } from './onnx-runtime.js';

/** A tensor fed to an ONNX graph: row-major data, batch first. Never modified. */
export interface GraphTensor {
  readonly data: Float32Array | Float64Array;
  readonly dims: readonly number[];
}

/**
 * A block of samples for a graph: a tensor for each graph input by name, or (for a graph with one
 * input) just the tensor. All tensors of a block hold the same number of samples (their first dim).
 */
export type GraphBlock = GraphTensor | Readonly<Record<string, GraphTensor>>;

/**
 * Inputs of `captureGrams`: one block (split into `batchSize` samples per run), or a sync or async
 * stream of blocks (each split likewise when larger), so the data need not fit in memory.
 */
export type GraphInputs = GraphBlock | Iterable<GraphBlock> | AsyncIterable<GraphBlock>;

/** A graph input: its name, element type and the shape the file declares (dims may be names or null). */
export interface GraphInputSpec {
  readonly name: string;
  /** Integer inputs (token ids, indices) are fed from float data holding integers. */
  readonly dtype: 'float32' | 'float64' | 'int64' | 'int32';
  readonly shape: readonly (number | string | null)[] | null;
}

const FEEDABLE: ReadonlySet<string> = new Set(['float32', 'float64', 'int64', 'int32']);

/** The graph's real inputs (initializers listed as inputs by older exporters are not): float or integer ones. */
export function graphInputSpecs(model: OnnxModel, operation: string): GraphInputSpec[] {
  return model.graph.inputs
    .filter((input) => !model.graph.initializers.has(input.name))
    .map((input) => {
      const dtype = input.dtype ?? 'float32';
      if (!FEEDABLE.has(dtype)) {
        throw new InvalidArgumentError({ operation, argument: 'model', what: `graph input ${JSON.stringify(input.name)} has element type ${dtype}; only float32, float64, int64 and int32 inputs can be fed`, ...netsScope });
      }
      return { name: input.name, dtype: dtype as GraphInputSpec['dtype'], shape: input.shape };
    });
}

/**
 * Whether samples of shape `sampleShape` (after the batch axis) fit a graph input: same rank,
 * equal wherever the file fixes a dimension (symbolic and unknown dimensions take any size).
 */
export function fitsInputShape(spec: Pick<GraphInputSpec, 'shape'>, sampleShape: readonly number[]): boolean {
  if (spec.shape === null) return true;
  const expected = spec.shape.slice(1);
  return expected.length === sampleShape.length && expected.every((d, i) => typeof d !== 'number' || d === sampleShape[i]);
}

/** A graph input's per-sample shape for messages: fixed dimensions as numbers, the others `?`. */
export function inputSampleShapeText(spec: Pick<GraphInputSpec, 'shape'>): string {
  return spec.shape === null ? 'any shape' : `[${spec.shape.slice(1).map((d) => (typeof d === 'number' ? d : '?')).join(', ')}]`;
}

function isGraphTensor(value: unknown): value is GraphTensor {
  return typeof value === 'object' && value !== null && 'data' in value && 'dims' in value;
}

/** Whether `inputs` is a stream of blocks rather than one block. */
export function isBlockStream(inputs: GraphInputs): inputs is Iterable<GraphBlock> | AsyncIterable<GraphBlock> {
  return typeof inputs === 'object' && inputs !== null && !isGraphTensor(inputs) && (Symbol.iterator in inputs || Symbol.asyncIterator in inputs);
}

/** A validated block: one tensor per graph input, in the graph's order. */
export interface FeedBlock {
  readonly samples: number;
  readonly tensors: readonly GraphTensor[];
}

/**
 * Checks a block against the graph inputs (names, per-sample shapes where the file declares them,
 * one sample count, data length, finiteness).
 * `firstSample` (the block's offset in the stream) is for messages.
 */
export function validateBlock(block: GraphBlock, specs: readonly GraphInputSpec[], firstSample: number, operation: string): FeedBlock {
  const named: Readonly<Record<string, GraphTensor>> = isGraphTensor(block) ? singleInput(block, specs, operation) : block;
  for (const name of Object.keys(named)) {
    if (!specs.some((spec) => spec.name === name)) {
      throw new InvalidArgumentError({ operation, argument: 'inputs', what: `no graph input ${JSON.stringify(name)}; the graph's inputs are ${specs.map((s) => JSON.stringify(s.name)).join(', ')}`, ...netsScope });
    }
  }
  let samples = -1;
  const tensors = specs.map((spec) => {
    const tensor = named[spec.name];
    if (tensor === undefined) throw new InvalidArgumentError({ operation, argument: 'inputs', what: `graph input ${JSON.stringify(spec.name)} is not given`, ...netsScope });
    const dims = tensor.dims;
    if (!(tensor.data instanceof Float32Array || tensor.data instanceof Float64Array)) {
      throw new InvalidArgumentError({ operation, argument: 'inputs', what: `input ${JSON.stringify(spec.name)}: data must be a Float32Array or a Float64Array`, ...netsScope });
    }
    if (dims.length === 0 || !dims.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new ShapeMismatchError({ operation, what: `dims of input ${JSON.stringify(spec.name)}`, expected: '[samples, ...] of non-negative integers', actual: formatShape(dims) });
    }
    if (!fitsInputShape(spec, dims.slice(1))) {
      throw new ShapeMismatchError({ operation, what: `per-sample shape of input ${JSON.stringify(spec.name)}`, expected: inputSampleShapeText(spec), actual: formatShape(dims.slice(1)) });
    }
    const size = dims.reduce((a, b) => a * b, 1);
    if (tensor.data.length !== size) {
      throw new ShapeMismatchError({ operation, what: `data length of input ${JSON.stringify(spec.name)} of dims ${formatShape(dims)}`, expected: String(size), actual: String(tensor.data.length) });
    }
    if (samples === -1) samples = dims[0]!;
    else if (dims[0] !== samples) throw new ShapeMismatchError({ operation, what: `samples of input ${JSON.stringify(spec.name)}`, expected: String(samples), actual: String(dims[0]) });
    const perSample = dims[0] === 0 ? 0 : size / dims[0]!;
    const data = tensor.data;
    for (let i = 0; i < data.length; i++) {
      // v - v is 0 for finite v, NaN otherwise: one comparison per entry
      const v = data[i]!;
      if (v - v !== 0) throw new NonFiniteValueError({ operation, location: `input ${JSON.stringify(spec.name)}, sample ${firstSample + Math.floor(i / perSample)}`, value: v });
    }
    if (spec.dtype === 'int64' || spec.dtype === 'int32') {
      const limit = spec.dtype === 'int32' ? 2 ** 31 : Number.MAX_SAFE_INTEGER;
      for (let i = 0; i < data.length; i++) {
        const v = data[i]!;
        if (!Number.isInteger(v) || Math.abs(v) > limit) {
          throw new InvalidArgumentError({ operation, argument: 'inputs', what: `input ${JSON.stringify(spec.name)} takes ${spec.dtype} values, but sample ${firstSample + Math.floor(i / perSample)} holds ${v}`, ...netsScope });
        }
      }
    }
    return tensor;
  });
  return { samples: Math.max(samples, 0), tensors };
}

function singleInput(tensor: GraphTensor, specs: readonly GraphInputSpec[], operation: string): Record<string, GraphTensor> {
  if (specs.length !== 1) {
    throw new InvalidArgumentError({ operation, argument: 'inputs', what: `the graph has ${specs.length} inputs (${specs.map((s) => JSON.stringify(s.name)).join(', ')}): pass a record of tensors by input name`, ...netsScope });
  }
  return { [specs[0]!.name]: tensor };
}

/** Samples `[start, start + count)` of a validated block, without copying. */
export function sliceBlock(block: FeedBlock, start: number, count: number): FeedBlock {
  if (start === 0 && count === block.samples) return block;
  return {
    samples: count,
    tensors: block.tensors.map((tensor) => {
      const perSample = tensor.data.length / block.samples;
      return { data: tensor.data.subarray(start * perSample, (start + count) * perSample), dims: [count, ...tensor.dims.slice(1)] };
    }),
  };
}

/** The data of `tensor` in the element type of `spec` (a copy only when the types differ). */
export function asInputType(tensor: GraphTensor, spec: GraphInputSpec): RuntimeTensorData {
  const data = tensor.data;
  switch (spec.dtype) {
    case 'float32':
      return data instanceof Float32Array ? data : new Float32Array(data);
    case 'float64':
      return data instanceof Float64Array ? data : new Float64Array(data);
    case 'int32':
      return Int32Array.from(data);
    case 'int64':
      // validated: integers within +-2^53, exact in float data
      return BigInt64Array.from(data, (v) => BigInt(v));
  }
}
