import { Matrix } from 'ml-matrix';
import { descramblersScope, DimensionMismatchError, InvalidArgumentError, NonFiniteInputError } from './errors.js';
import { GramAccumulator, GramOverflowError, multiplyTransposeBFlat, toFloat64Array } from '@descramble/linalg';
import { assertMatrix, assertPositiveInteger } from '@descramble/core';

/**
 * One block of samples, rows are samples: an `n x in` Matrix, or a row-major
 * `Float64Array` of length `n * in` (as read from a file).
 */
export type RowBlock = Matrix | Float64Array;

/** Layer inputs: one `N x in` matrix, or an iterable of row blocks (streamed). */
export type LayerData = Matrix | Iterable<RowBlock>;

/** Layer inputs that may also arrive asynchronously (e.g. read from a file stream). */
export type LayerDataStream = LayerData | AsyncIterable<RowBlock>;

/** Options of `accumulateLayerGram`. */
export interface LayerGramOptions {
  /** Bias of the layer (length out); preactivations become `W x + b`. Default: no bias. */
  readonly bias?: ArrayLike<number>;
  /** Rows per block when `data` is one matrix (default 4096). */
  readonly blockSize?: number;
  /** Aborts between blocks: throws the signal's reason. */
  readonly signal?: AbortSignal;
}

const DEFAULT_BLOCK_SIZE = 4096;

/** @internal Validated weights and bias, and the per-block Gram update. */
export class LayerGramBuilder {
  readonly accumulator: GramAccumulator;
  private readonly weights: Matrix;
  private readonly weightsFlat: Float64Array;
  private readonly bias: Float64Array | undefined;
  private blockIndex = 0;

  constructor(
    private readonly operation: string,
    weights: Matrix,
    bias: ArrayLike<number> | undefined,
    private readonly signal?: AbortSignal,
  ) {
    assertMatrix(weights, { ...descramblersScope, operation, name: 'weights' });
    this.weights = weights;
    this.weightsFlat = toFloat64Array(weights);
    this.bias = bias === undefined ? undefined : checkBias(operation, bias, weights.rows);
    this.accumulator = new GramAccumulator(weights.rows);
  }

  /** Adds the preactivations `S_b = W X_b^T (+ b)` of one block of rows to the Gram matrix. */
  add(block: RowBlock): void {
    this.signal?.throwIfAborted();
    const index = this.blockIndex++;
    const inputs = this.weights.columns;
    let x: Float64Array;
    let rows: number;
    if (block instanceof Float64Array) {
      if (block.length % inputs !== 0) {
        throw new DimensionMismatchError({ operation: this.operation, what: `data block ${index} length`, expected: `a multiple of ${inputs}`, actual: block.length, ...descramblersScope });
      }
      x = block;
      rows = block.length / inputs;
    } else if (block instanceof Matrix) {
      if (block.columns !== inputs) {
        throw new DimensionMismatchError({ operation: this.operation, what: `data block ${index} columns (= weights columns)`, expected: inputs, actual: block.columns, ...descramblersScope });
      }
      x = toFloat64Array(block);
      rows = block.rows;
    } else {
      throw new InvalidArgumentError({ operation: this.operation, argument: 'data', what: `block ${index} is neither a Matrix nor a Float64Array`, ...descramblersScope });
    }
    this.addFlat(x, rows, (i, j) => `data block ${index}[${i}, ${j}]`);
  }

  /** Adds `rows` samples held row-major in `x`; `locate` names an entry in error messages. */
  private addFlat(x: Float64Array, rows: number, locate: (i: number, j: number) => string): void {
    if (rows === 0) return;
    const inputs = this.weights.columns;
    checkFiniteRows(this.operation, locate, x, inputs);
    // Rows of S^T: X_b W^T (rows x out), plus the bias on every row.
    const out = this.weights.rows;
    const preactivations = multiplyTransposeBFlat(x, this.weightsFlat, rows, inputs, out);
    const bias = this.bias;
    if (bias !== undefined) {
      for (let i = 0; i < rows; i++) {
        const row = i * out;
        for (let j = 0; j < out; j++) preactivations[row + j]! += bias[j]!;
      }
    }
    try {
      this.accumulator.addRowsFlat(preactivations, rows);
    } catch (error) {
      // Same error, named by this operation (and layer label); the sample index is global.
      if (error instanceof GramOverflowError) throw new GramOverflowError({ operation: this.operation, sample: error.sample, coordinate: error.coordinate, ...descramblersScope });
      throw error;
    }
  }

  /** Splits one N x in matrix into row blocks (copied into a reused flat buffer) and adds them. */
  addMatrix(data: Matrix, blockSize: number): void {
    const inputs = this.weights.columns;
    if (data.columns !== inputs) {
      throw new DimensionMismatchError({ operation: this.operation, what: 'data columns (= weights columns)', expected: inputs, actual: data.columns, ...descramblersScope });
    }
    const buffer = new Float64Array(Math.min(blockSize, data.rows) * inputs);
    for (let start = 0; start < data.rows; start += blockSize) {
      this.signal?.throwIfAborted();
      const rows = Math.min(blockSize, data.rows - start);
      const block = rows * inputs === buffer.length ? buffer : buffer.subarray(0, rows * inputs);
      for (let i = 0; i < rows; i++) {
        const offset = i * inputs;
        for (let j = 0; j < inputs; j++) block[offset + j] = data.get(start + i, j);
      }
      this.addFlat(block, rows, (i, j) => `data[${start + i}, ${j}]`);
    }
  }
}

function checkFiniteRows(operation: string, locate: (i: number, j: number) => string, x: Float64Array, columns: number): void {
  for (let k = 0; k < x.length; k++) {
    const v = x[k]!;
    if (v - v !== 0) {
      const i = Math.floor(k / columns);
      throw new NonFiniteInputError({ operation, location: locate(i, k - i * columns), value: v, ...descramblersScope });
    }
  }
}

/** @internal Validates a bias vector of length `out` and copies it. */
export function checkBias(operation: string, bias: ArrayLike<number>, out: number): Float64Array {
  if (bias.length !== out) throw new DimensionMismatchError({ operation, what: 'bias length (= weights rows)', expected: out, actual: bias.length, ...descramblersScope });
  const copy = Float64Array.from(bias);
  for (let i = 0; i < out; i++) {
    if (!Number.isFinite(copy[i]!)) throw new NonFiniteInputError({ operation, location: `bias[${i}]`, value: copy[i]!, ...descramblersScope });
  }
  return copy;
}

/** @internal Validates a block size option. */
export function resolveBlockSize(operation: string, blockSize: number | undefined): number {
  const size = blockSize ?? DEFAULT_BLOCK_SIZE;
  assertPositiveInteger(size, { ...descramblersScope, operation, argument: 'blockSize' });
  return size;
}

function isIterable(x: unknown): x is Iterable<RowBlock> {
  return typeof x === 'object' && x !== null && Symbol.iterator in x;
}

function isAsyncIterable(x: unknown): x is AsyncIterable<RowBlock> {
  return typeof x === 'object' && x !== null && Symbol.asyncIterator in x;
}

/** @internal Feeds synchronous data into a builder. */
export function feedData(operation: string, builder: LayerGramBuilder, data: LayerData, blockSize: number): void {
  if (data instanceof Matrix) builder.addMatrix(data, blockSize);
  else if (isIterable(data)) for (const block of data) builder.add(block);
  else throw new InvalidArgumentError({ operation, argument: 'data', what: 'expected a Matrix or an iterable of row blocks', ...descramblersScope });
}

/** @internal Feeds synchronous or asynchronous data into a builder. */
export async function feedDataAsync(operation: string, builder: LayerGramBuilder, data: LayerDataStream, blockSize: number): Promise<void> {
  if (isAsyncIterable(data)) {
    for await (const block of data) builder.add(block);
  } else feedData(operation, builder, data, blockSize);
}

/**
 * Accumulates the Gram matrix `B = S S^T` of a layer's preactivations `S = W X^T (+ b 1^T)`
 * block by block, never holding all of S: each block of rows X_b adds `S_b S_b^T`. The
 * result can be merged with accumulators of other shards (Theorem 1: order does not matter).
 */
export function accumulateLayerGram(weights: Matrix, data: LayerData, options: LayerGramOptions = {}): GramAccumulator {
  const operation = 'accumulateLayerGram';
  options.signal?.throwIfAborted();
  const builder = new LayerGramBuilder(operation, weights, options.bias, options.signal);
  feedData(operation, builder, data, resolveBlockSize(operation, options.blockSize));
  return builder.accumulator;
}

/** `accumulateLayerGram` for asynchronous streams of row blocks. */
export async function accumulateLayerGramAsync(
  weights: Matrix,
  data: LayerDataStream,
  options: LayerGramOptions = {},
): Promise<GramAccumulator> {
  const operation = 'accumulateLayerGramAsync';
  options.signal?.throwIfAborted();
  const builder = new LayerGramBuilder(operation, weights, options.bias, options.signal);
  await feedDataAsync(operation, builder, data, resolveBlockSize(operation, options.blockSize));
  return builder.accumulator;
}
