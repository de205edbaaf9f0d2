import type { OnnxModel } from '@descramble/io';
import { createRng, multiplyTransposeB } from '@descramble/linalg';
import { Matrix } from 'ml-matrix';
import type { BiasMode, CaptureProgress } from '../capture.js';
import { InvalidArgumentError, netsScope } from '../errors.js';
import { type ChannelGroup, type ChannelGroupAnalysis, channelGroups } from '../graph/channel-groups.js';
import { compareGraphOutputs, type OutputComparison } from '../graph/compare-outputs.js';
import { type GraphLayer, layerWeightMatrix } from '../graph/graph-layers.js';
import { groupGram, groupPlacements } from '../graph/group-gram.js';
import { captureGrams } from '../runtime/capture-grams.js';
import { asInputType, type GraphInputSpec, type GraphTensor, graphInputSpecs, validateBlock } from '../runtime/graph-inputs.js';
import { type OnnxRuntime, type RuntimeSessionOptions, type RuntimeTensor, valueShapes } from '../runtime/onnx-runtime.js';
import { tensorToMatrix } from '../tensor.js';

/**
 * The data a graph is run on: samples (rows) of one shape, read in blocks as often as needed (the
 * Grams read them all, the same-function check the first ones again), so a file larger than
 * memory can be streamed twice. The values are float64; integer inputs (token ids) hold integers.
 */
export interface GraphSamples {
  /** Samples in all. */
  readonly rows: number;
  /** Shape of one sample (after the batch axis). */
  readonly sampleShape: readonly number[];
  /** What the samples are, for reports (`the first 64 samples of <name>`), e.g. the file name. */
  readonly name: string;
  /** The samples `[start, end)`, in blocks of consecutive rows, row-major. */
  blocks(start: number, end: number): AsyncIterable<{ readonly rows: number; readonly data: Float64Array }>;
}

/**
 * Largest acceptable output difference of a permuted ONNX model, relative to the output's
 * largest entry: float32 roundoff of a reordered sum (the reordering changes the order of
 * additions in every matrix product, about sqrt(fan-in) * 2^-24 per layer, compounded over
 * the depth). Float64 models are held to 1e-12.
 */
export const GRAPH_TOLERANCE = { float32: 1e-4, float64: 1e-12 } as const;

/** A layer's Gram matrix and where it came from. */
export interface GraphLayerGram {
  readonly gram: Matrix;
  /** Rows summed (samples times positions), or null for the isotropic assumption. */
  readonly count: number | null;
  readonly source: 'data' | 'isotropic';
}

/** Options of `capturedLayerGrams`. */
export interface GraphLayerGramsOptions {
  readonly bias: BiasMode;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: CaptureProgress) => void;
  readonly sessionOptions?: RuntimeSessionOptions;
}

/** A comparison of a candidate's outputs with the original's, and the tolerance it is held to. */
export type SameFunctionCheck = OutputComparison & { readonly tolerance: number };

/**
 * B per sample for isotropic inputs (E[x] = 0, E[x x^T] = I, Theorem 2): W W^T, and
 * W W^T + b b^T when the data include the bias.
 */
export function isotropicGram(weights: Matrix, bias: ArrayLike<number> | undefined): Matrix {
  const gram = multiplyTransposeB(weights, weights);
  if (bias === undefined) return gram;
  const b = Matrix.columnVector(Array.from(bias));
  return gram.add(multiplyTransposeB(b, b));
}

/** The one graph input the samples feed. */
export function dataInput(model: OnnxModel, operation: string): GraphInputSpec {
  const specs = graphInputSpecs(model, operation);
  if (specs.length !== 1) {
    throw new InvalidArgumentError({ operation, argument: 'model', what: `the graph has ${specs.length} inputs (${specs.map((s) => s.name).join(', ')}); one data input is fed`, ...netsScope });
  }
  return specs[0] as GraphInputSpec;
}

/** The per-sample shape past the batch axis when the file fixes it, else an error naming `argument` (what would give it). */
function fixedSampleShape(spec: GraphInputSpec, operation: string, argument: string, why: string): number[] {
  const shape = (spec.shape ?? []).slice(1).map((dim) => (typeof dim === 'number' ? dim : Number.NaN));
  if (shape.some((dim) => !Number.isInteger(dim))) {
    throw new InvalidArgumentError({ operation, argument, what: `the graph input's shape [${(spec.shape ?? []).slice(1).join(', ')}] has symbolic dimensions past the batch axis; ${why}`, ...netsScope });
  }
  return shape;
}

/** A runtime tensor for the graph input from float64 values (integers for an integer input). */
function inputTensor(runtime: OnnxRuntime, spec: GraphInputSpec, values: Float64Array, dims: readonly number[], operation: string): RuntimeTensor {
  const block = validateBlock({ data: values, dims }, [{ ...spec, shape: null }], 0, operation).tensors[0] as GraphTensor;
  return new runtime.Tensor(spec.dtype, asInputType(block, spec), dims);
}

/**
 * The channel groups of the graph (which axes move together), from the value shapes of one run
 * on two samples of the data's shape (the file's fixed shape without data).
 *
 * @throws InvalidArgumentError (argument `samples`) when there are no samples and the graph input's shape is symbolic past the batch axis.
 */
export async function graphChannelGroups(runtime: OnnxRuntime, model: OnnxModel, samples: GraphSamples | undefined, operation: string): Promise<ChannelGroupAnalysis> {
  const spec = dataInput(model, operation);
  const shape = samples?.sampleShape ?? fixedSampleShape(spec, operation, 'samples', 'the data give the shapes');
  const size = shape.reduce((a, b) => a * b, 1);
  // two samples (so the batch axis is told apart from a unit axis); 0 is a valid token id too
  const values = new Float64Array(2 * size).fill(spec.dtype.startsWith('int') ? 0 : 0.5);
  const feeds = { [spec.name]: inputTensor(runtime, spec, values, [2, ...shape], operation) };
  return channelGroups(model, await valueShapes(runtime, model, feeds));
}

async function* dataBlocks(spec: GraphInputSpec, samples: GraphSamples): AsyncGenerator<GraphTensor> {
  for await (const block of samples.blocks(0, samples.rows)) {
    // float32 inputs get float32 data (half the memory); integer inputs (token ids) are checked
    // and converted by the capture from these exact float64 values
    const data = spec.dtype === 'float32' ? Float32Array.from(block.data) : block.data;
    yield { data, dims: [block.rows, ...samples.sampleShape] };
  }
}

/** Each layer's W W^T (W W^T + b b^T with the bias): the Gram of its outputs for isotropic inputs, without data. */
export function isotropicLayerGrams(model: OnnxModel, layers: readonly GraphLayer[], bias: BiasMode): Map<string, GraphLayerGram> {
  const grams = new Map<string, GraphLayerGram>();
  for (const layer of layers) {
    const biasValues = bias === 'include' && layer.bias !== null ? model.graph.initializers.get(layer.bias)?.data : undefined;
    const scaled = biasValues === undefined ? undefined : Array.from(biasValues as ArrayLike<number>, (v) => v * layer.biasScale);
    grams.set(layer.name, { gram: isotropicGram(tensorToMatrix(layerWeightMatrix(model, layer)), scaled), count: null, source: 'isotropic' });
  }
  return grams;
}

/** Each layer's Gram from the data, all layers in one pass of ONNX Runtime over the samples (`captureGrams`). */
export async function capturedLayerGrams(
  runtime: OnnxRuntime,
  model: OnnxModel,
  layers: readonly GraphLayer[],
  samples: GraphSamples,
  options: GraphLayerGramsOptions,
): Promise<Map<string, GraphLayerGram>> {
  const spec = dataInput(model, 'capturedLayerGrams');
  const result = await captureGrams(runtime, model, layers, dataBlocks(spec, samples), {
    bias: options.bias,
    total: samples.rows,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    ...(options.sessionOptions === undefined ? {} : { sessionOptions: options.sessionOptions }),
  });
  const grams = new Map<string, GraphLayerGram>();
  for (const captured of result.grams) grams.set(captured.name, { gram: captured.gram, count: captured.count, source: 'data' });
  return grams;
}

/** The layers whose output units a group is: their Grams are the group's data. */
export function groupWriters(group: ChannelGroup): string[] {
  return [...new Set(groupPlacements(group).map((placement) => placement.layer))];
}

/** `layer.out`, `layer.in` (`layer.in@4`: from input position 4) labels of the layer sides a group covers. */
export function groupLayerNames(group: ChannelGroup): string[] {
  // a part of a layer's units or inputs (a Concat slice, an attention head) shows where it starts
  return group.layers.map((side) => `${side.layer}.${side.side}${side.offset === 0 ? '' : `@${side.offset}`}`);
}

/** A channel group that stays as it is, and why. */
export interface BlockedGroup {
  readonly id: number;
  readonly size: number;
  readonly layers: string[];
  readonly reason: string;
}

/** The permutable groups, and the others with why they stay put. */
export function splitGroups(analysis: ChannelGroupAnalysis): { permutable: ChannelGroup[]; blocked: BlockedGroup[] } {
  const permutable = analysis.groups.filter((group) => group.permutable);
  const blocked = analysis.groups
    .filter((group) => !group.permutable)
    .map((group) => ({ id: group.id, size: group.size, layers: groupLayerNames(group), reason: group.blockedBy?.reason ?? 'not permutable' }));
  return { permutable, blocked };
}

/** The group's Gram (`groupGram`: each placement's block at unit trace, summed), with its provenance. */
export function groupData(group: ChannelGroup, grams: ReadonlyMap<string, GraphLayerGram>): GraphLayerGram {
  const matrices = new Map([...grams].map(([name, entry]) => [name, entry.gram] as const));
  const gram = groupGram(group, matrices);
  // groupGram has checked that every writer's Gram is there
  const first = grams.get(groupWriters(group)[0] as string) as GraphLayerGram;
  return { gram, count: first.count, source: first.source };
}

/**
 * Feeds for checking a permuted model: up to `maxRows` samples of the data, or 64 seeded
 * standard normal inputs.
 *
 * @throws InvalidArgumentError (argument `samples`) without samples when the graph takes integer
 *   inputs (which normal values cannot stand for) or its input shape is symbolic past the batch axis.
 */
export async function verificationFeeds(
  runtime: OnnxRuntime,
  model: OnnxModel,
  samples: GraphSamples | undefined,
  seed: number,
  operation: string,
  maxRows = 1024,
): Promise<{ feeds: Record<string, RuntimeTensor>; rows: number; source: string }> {
  const spec = dataInput(model, operation);
  let rows: number;
  let shape: number[];
  let values: Float64Array;
  let source: string;
  if (samples === undefined) {
    if (spec.dtype.startsWith('int')) {
      throw new InvalidArgumentError({ operation, argument: 'samples', what: `the graph takes ${spec.dtype} inputs (token ids, indices), which random normal inputs cannot stand for; give samples`, ...netsScope });
    }
    shape = fixedSampleShape(spec, operation, 'samples', 'give samples so that the check has inputs');
    rows = 64;
    const rng = createRng(seed);
    values = Float64Array.from({ length: rows * shape.reduce((a, b) => a * b, 1) }, () => rng.normal());
    source = `64 standard normal inputs (seed ${seed})`;
  } else {
    rows = Math.min(maxRows, samples.rows);
    shape = [...samples.sampleShape];
    const columns = shape.reduce((a, b) => a * b, 1);
    values = new Float64Array(rows * columns);
    let filled = 0;
    for await (const block of samples.blocks(0, rows)) {
      values.set(block.data, filled * columns);
      filled += block.rows;
    }
    source = `the first ${rows} samples of ${samples.name}`;
  }
  return { feeds: { [spec.name]: inputTensor(runtime, spec, values, [rows, ...shape], operation) }, rows, source };
}

/** Runs `candidate` against `original` on the feeds; the tolerance is float32 roundoff, float64 roundoff for a float64 input. */
export async function sameFunctionCheck(runtime: OnnxRuntime, original: OnnxModel, candidate: OnnxModel, feeds: Record<string, RuntimeTensor>, operation: string): Promise<SameFunctionCheck> {
  const comparison = await compareGraphOutputs(runtime, original, candidate, feeds);
  // an integer input (token ids) feeds float32 weights in PyTorch exports
  const tolerance = GRAPH_TOLERANCE[dataInput(original, operation).dtype === 'float64' ? 'float64' : 'float32'];
  return { ...comparison, tolerance };
}

/** Whether a check passed: NaN differences fail. */
export function passes(check: SameFunctionCheck): boolean {
  return check.maxRelativeDifference <= check.tolerance;
}
