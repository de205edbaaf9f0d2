import type { OnnxModel } from '@descramble/io';
import { Matrix } from 'ml-matrix';
import { type BiasMode, type CaptureProgress, DEFAULT_BIAS } from '../capture.js';
import { EmptyInputError, InvalidArgumentError, NonFiniteGramError, netsScope, ShapeMismatchError } from '../errors.js';
import { formatShape } from '../tensor.js';
import { type FeedBlock, type GraphInputs, asInputType, graphInputSpecs, isBlockStream, sliceBlock, validateBlock } from './graph-inputs.js';
import { type CaptureTarget, type GramGraphOutputs, gramGraph } from './gram-graph.js';
import { type OnnxRuntime, type RuntimeSession, type RuntimeSessionOptions, type RuntimeTensor, withGraphOutputs } from './onnx-runtime.js';

/** Options of `captureGrams`. */
export interface CaptureGramsOptions {
  /**
   * `exclude` (default): `S = W H`, the tapped value less `biasScale * bias` when it contains it;
   * `include`: `S = W H + biasScale * bias`, the bias added when the tapped value lacks it.
   */
  readonly bias?: BiasMode;
  /** Samples per run of the graph (default 1024): larger blocks are split, smaller ones run as given. */
  readonly batchSize?: number;
  /** Checked before every run: aborting stops the capture with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Called after every run. */
  readonly onProgress?: (progress: CaptureProgress) => void;
  /** Total sample count for progress reports of a stream (one block knows its own). */
  readonly total?: number;
  /** Passed to `InferenceSession.create` (threads, optimisation level, execution providers). */
  readonly sessionOptions?: RuntimeSessionOptions;
}

/** The Gram of one target. */
export interface CapturedGram {
  /** The target's name. */
  readonly name: string;
  /** `sum over samples and positions of s s^T`, units x units, float64, exactly symmetric. */
  readonly gram: Matrix;
  /** Units (the Gram's dimension). */
  readonly dimension: number;
  /** Rows of `S` summed: samples x positions per sample. */
  readonly count: number;
  /** Positions per sample, `count / samples` (1 for a dense layer, H x W for a 2-D convolution, T for a sequence). */
  readonly positions: number;
  /** Whether `S` contains the bias: the data this Gram is of. */
  readonly bias: BiasMode;
}

/** Result of `captureGrams`. */
export interface CaptureGramsResult {
  /** One Gram per target, in the targets' order. */
  readonly grams: readonly CapturedGram[];
  /** Samples processed. */
  readonly samples: number;
  /** Runs of the graph. */
  readonly batches: number;
}

interface TargetState {
  readonly target: CaptureTarget;
  readonly outputs: GramGraphOutputs;
  /** Running sum of the batches' Grams; only its upper triangle is filled until the end. */
  readonly sum: Float64Array;
  count: number;
}

/**
 * Captures the Gram over units of every target's output in one pass over the data: the model
 * runs once per block in ONNX Runtime, with nodes appended that form each target's `S`
 * (float64, bias removed by default) and its Gram for that block; the blocks' Grams are summed
 * in float64. Memory is bounded by one block, so a stream (e.g. `readNpyBlocks` of a file larger
 * than memory) is handled in constant space. Pass `onnxruntime-node` or `onnxruntime-web` as
 * `runtime` (`loadOnnxRuntime()` loads the former).
 *
 * @throws EmptyInputError when no sample arrives; ShapeMismatchError when an input's per-sample
 *   shape is not the graph input's (naming both) or a target's unit axis does not hold `units`;
 *   NonFiniteValueError for a non-finite input; NonFiniteGramError when a target's Gram is not
 *   finite (an overflow in the forward pass); the signal's reason when `signal` aborts.
 */
export async function captureGrams(runtime: OnnxRuntime, model: OnnxModel, targets: readonly CaptureTarget[], inputs: GraphInputs, options: CaptureGramsOptions = {}): Promise<CaptureGramsResult> {
  const operation = 'captureGrams';
  const bias = options.bias ?? DEFAULT_BIAS;
  if (bias !== 'include' && bias !== 'exclude') throw new InvalidArgumentError({ operation, argument: 'bias', what: `expected 'include' or 'exclude', got ${JSON.stringify(bias)}`, ...netsScope });
  const batchSize = options.batchSize ?? 1024;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new InvalidArgumentError({ operation, argument: 'batchSize', what: `expected a positive integer, got ${batchSize}`, ...netsScope });
  if (targets.length === 0) throw new InvalidArgumentError({ operation, argument: 'targets', what: 'no targets to capture', ...netsScope });
  options.signal?.throwIfAborted();
  const specs = graphInputSpecs(model, operation);
  const graph = gramGraph(model, targets, bias, operation);
  const states: TargetState[] = targets.map((target, i) => ({ target, outputs: graph.outputs[i]!, sum: new Float64Array(target.units * target.units), count: 0 }));

  let session: RuntimeSession | null = null;
  let done = 0;
  let batches = 0;
  let total = options.total;
  const run = async (block: FeedBlock): Promise<void> => {
    for (let start = 0; start < block.samples; start += batchSize) {
      options.signal?.throwIfAborted();
      const part = sliceBlock(block, start, Math.min(batchSize, block.samples - start));
      const feeds: Record<string, RuntimeTensor> = {};
      specs.forEach((spec, i) => {
        const tensor = part.tensors[i]!;
        feeds[spec.name] = new runtime.Tensor(spec.dtype, asInputType(tensor, spec), tensor.dims);
      });
      session ??= await runtime.InferenceSession.create(graph.bytes, options.sessionOptions);
      let results: Record<string, RuntimeTensor>;
      try {
        results = await session.run(feeds);
      } catch (error) {
        // most often a target whose unit axis does not hold `units`: say so rather than quote the runtime's Reshape
        await checkUnitAxes(runtime, model, targets, feeds, options.sessionOptions, operation);
        throw error;
      }
      for (const state of states) checkUnitAxis(state.target, Array.from(results[state.outputs.shape]!.data as BigInt64Array, Number), operation);
      for (const state of states) fold(state, results, done, part.samples, operation);
      done += part.samples;
      batches++;
      options.onProgress?.(total === undefined ? { done } : { done, total });
    }
  };

  try {
    if (isBlockStream(inputs)) {
      if (Symbol.asyncIterator in inputs) {
        for await (const block of inputs) await run(validateBlock(block, specs, done, operation));
      } else {
        for (const block of inputs) await run(validateBlock(block, specs, done, operation));
      }
    } else {
      const block = validateBlock(inputs, specs, 0, operation);
      total ??= block.samples;
      await run(block);
    }
  } finally {
    // `session` is assigned inside `run`; TypeScript's flow analysis does not see that
    await (session as RuntimeSession | null)?.release();
  }
  if (done === 0) throw new EmptyInputError({ operation, layer: targets[0]!.name });
  return { grams: states.map((state) => result(state, bias, done, operation)), samples: done, batches };
}

function checkUnitAxis(target: CaptureTarget, dims: readonly number[], operation: string): void {
  const axis = target.channelAxis < 0 ? dims.length + target.channelAxis : target.channelAxis;
  if (axis < 0 || axis >= dims.length || dims[axis] !== target.units) {
    throw new ShapeMismatchError({ operation, what: `unit axis ${target.channelAxis} of layer ${JSON.stringify(target.name)}'s output ${JSON.stringify(target.output)} of shape ${formatShape(dims)}`, expected: String(target.units), actual: String(dims[axis] ?? 'none') });
  }
}

/** Runs the model with the targets' outputs as graph outputs and checks their unit axes (the diagnosis of a failed run). */
async function checkUnitAxes(runtime: OnnxRuntime, model: OnnxModel, targets: readonly CaptureTarget[], feeds: Record<string, RuntimeTensor>, sessionOptions: RuntimeSessionOptions | undefined, operation: string): Promise<void> {
  const inputs = new Set(model.graph.inputs.map((input) => input.name));
  const tapped = targets.filter((target) => !inputs.has(target.output));
  let outputs: Record<string, RuntimeTensor>;
  const session = await runtime.InferenceSession.create(withGraphOutputs(model, tapped.map((target) => target.output)), sessionOptions);
  try {
    outputs = await session.run(feeds);
  } catch {
    return; // the model itself fails on these inputs: the caller rethrows the runtime's error
  } finally {
    await session.release();
  }
  for (const target of targets) checkUnitAxis(target, (outputs[target.output] ?? feeds[target.output])!.dims, operation);
}

function fold(state: TargetState, results: Record<string, RuntimeTensor>, firstSample: number, samples: number, operation: string): void {
  const { target, outputs, sum } = state;
  const d = target.units;
  const dims = Array.from(results[outputs.shape]!.data as BigInt64Array, Number);
  for (const block of outputs.blocks) {
    const data = results[block.name]!.data as Float64Array;
    for (let i = 0; i < block.rows; i++) {
      const row = block.row + i;
      // on a diagonal block, only the upper triangle: the sum is mirrored at the end
      for (let j = block.row === block.column ? i : 0; j < block.columns; j++) {
        const k = row * d + block.column + j;
        sum[k] = sum[k]! + data[i * block.columns + j]!;
      }
    }
  }
  // A non-finite entry of S, or an overflow of the sum, shows on the diagonal first
  // (|G_ij| <= sqrt(G_ii G_jj)): checking it costs d per batch, not d^2.
  for (let i = 0; i < d; i++) {
    const v = sum[i * d + i]!;
    if (v - v !== 0) throw new NonFiniteGramError({ operation, layer: target.name, firstSample, endSample: firstSample + samples, value: v });
  }
  state.count += dims.reduce((a, b) => a * b, 1) / d;
}

function result(state: TargetState, bias: BiasMode, samples: number, operation: string): CapturedGram {
  const d = state.target.units;
  const sum = state.sum;
  const gram = new Matrix(d, d);
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      const v = sum[i * d + j]!;
      if (v - v !== 0) throw new NonFiniteGramError({ operation, layer: state.target.name, firstSample: 0, endSample: samples, value: v });
      gram.set(i, j, v);
      gram.set(j, i, v);
    }
  }
  return { name: state.target.name, gram, dimension: d, count: state.count, positions: state.count / samples, bias };
}
