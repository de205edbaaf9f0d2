/**
 * "Your model" for an ONNX graph: every linear layer found by nets' `graphLayers`, the
 * visitor's data checked against the graph input, one pass of ONNX Runtime Web over the data
 * capturing every layer's Gram (nets' `captureGrams`, the CLI's engine), and the exact
 * descrambler of each hidden layer (descramblers' `descramble`). Runs in the worker; the parsed
 * model and the data stay there between requests.
 */
import { descramble, exactDescrambler, type LayerReport, type SmoothnessOperator, smoothnessMatrix } from '@descramble/descramblers';
import { type OnnxModel, readNpy, readOnnx, toMatrix, writeOnnx } from '@descramble/io';
import {
  asInputType,
  type CapturedGram,
  captureGrams,
  channelGroups,
  compareGraphOutputs,
  fitsInputShape,
  graphInputSpecs,
  type GraphLayer,
  groupGram,
  groupPlacements,
  graphLayers,
  layerWeightMatrix,
  type OnnxRuntime,
  permuteGraph,
  type RuntimeTensor,
  valueShapes,
} from '@descramble/nets';
import { quadraticAssignmentValue, solveLinearAssignment } from '@descramble/permutation';
import { Matrix } from 'ml-matrix';
import type { GraphDataSummary, GraphLayerPayload, GraphSummary, InputFile, PermutedGroup, PermutedPayload, RuntimePayload } from '../protocol.js';
import { UnreadableFileError } from './files.js';
import { layerCost } from './layer-cost.js';
import { certificateOf } from './tour.js';
import { REPORT_TOOL } from './report-tool.js';
import { toWire } from './wire.js';

/** A layer this page will not descramble: too large for a browser tab (the message says how large). */
export class LayerTooLargeError extends Error {
  override readonly name = 'LayerTooLargeError';
}

/** The visitor's data for the graph: one block of samples for its single input. */
export interface GraphData {
  readonly file: string;
  readonly samples: number;
  readonly shape: readonly number[];
  /** Element type in the file (the values are widened to float64). */
  readonly dtype: string;
  readonly data: Float64Array;
}

/** A parsed graph kept in the worker. */
export interface GraphSession {
  readonly file: string;
  readonly model: OnnxModel;
  readonly layers: readonly GraphLayer[];
  readonly input: { readonly name: string; readonly shape: readonly (number | string | null)[] | null };
  data?: GraphData;
  grams?: ReadonlyMap<string, CapturedGram>;
  /** Each descrambled layer's exact descrambler (for the operator it was asked with), reused by the permuted ONNX. */
  descramblers?: Map<string, { readonly operator: SmoothnessOperator; readonly P: Matrix; readonly optimum: number }>;
}

function externalData(file: InputFile, others: readonly InputFile[]) {
  const external = new Map(others.map((o) => [o.name, new Uint8Array(o.bytes)] as const));
  return (location: string) => {
    const found = external.get(location) ?? external.get(location.split('/').pop() ?? location);
    if (found === undefined) throw new UnreadableFileError(file.name, `needs its external data file "${location}": choose it together with the model`);
    return found;
  };
}

const shapeText = (shape: readonly (number | string | null)[]) => `[${shape.map((d) => (d === null ? '?' : d)).join(', ')}]`;

/** Parses the model once and lists its layers (no runtime needed: drawn as soon as the file is dropped). */
export function openGraph(file: InputFile, others: readonly InputFile[]): { session: GraphSession; summary: GraphSummary } {
  let model: OnnxModel;
  try {
    model = readOnnx(new Uint8Array(file.bytes), { name: file.name, externalData: externalData(file, others) });
  } catch (error) {
    if (error instanceof UnreadableFileError) throw error;
    throw new UnreadableFileError(file.name, `cannot be read as ONNX: ${error instanceof Error ? error.message : String(error)}`);
  }
  const layers = graphLayers(model);
  const inputs = model.graph.inputs.filter((input) => !model.graph.initializers.has(input.name));
  const first = inputs[0];
  const session: GraphSession = { file: file.name, model, layers, input: { name: first?.name ?? '', shape: first?.shape ?? null } };
  const byNode = new Map(layers.map((layer, index) => [layer.node, index] as const));
  const summary: GraphSummary = {
    file: file.name,
    inputs: inputs.map((input) => ({ name: input.name, shape: input.shape === null ? null : [...input.shape], dtype: input.dtype })),
    nodes: model.graph.nodes.map((node) => ({ name: node.name, opType: node.opType, layer: byNode.get(node.name) ?? null })),
    layers: layers.map((layer, index) => {
      const cost = layerCost(layer.name, layer.units, layer.fanIn);
      return {
        index,
        name: layer.name,
        node: layer.node,
        opType: layer.opType,
        units: layer.units,
        fanIn: layer.fanIn,
        inChannels: layer.inChannels,
        isOutput: layer.isOutput,
        seconds: cost.seconds,
        bytes: cost.bytes,
        refusal: cost.refusal,
      };
    }),
  };
  return { session, summary };
}

/**
 * Reads the visitor's `.npy` of samples and checks each sample's shape against the graph input
 * (every fixed dimension after the batch axis), naming both shapes when they differ.
 */
export function graphData(session: GraphSession, file: InputFile): GraphDataSummary {
  const inputs = session.model.graph.inputs.filter((input) => !session.model.graph.initializers.has(input.name));
  if (inputs.length !== 1) {
    throw new UnreadableFileError(session.file, `has ${inputs.length} graph inputs (${inputs.map((i) => i.name).join(', ')}); this page feeds models with one input`);
  }
  if (!/\.npy$/i.test(file.name)) throw new UnreadableFileError(file.name, 'choose the samples as a .npy file (samples first, then one sample\'s shape)');
  let tensor: ReturnType<typeof readNpy>;
  try {
    tensor = readNpy(new Uint8Array(file.bytes), file.name);
  } catch (error) {
    throw new UnreadableFileError(file.name, `cannot be read as .npy: ${error instanceof Error ? error.message : String(error)}`);
  }
  const inputType = session.model.graph.inputs.find((i) => i.name === session.input.name)?.dtype ?? 'float32';
  let values: Float64Array;
  if (tensor.data instanceof Float64Array) values = tensor.data;
  else if (tensor.data instanceof BigInt64Array && (inputType === 'int64' || inputType === 'int32')) {
    // token ids: exact as float64 up to 2^53, which nets checks and converts back when feeding
    values = Float64Array.from(tensor.data, Number);
    if (values.some((v) => !Number.isSafeInteger(v))) throw new UnreadableFileError(file.name, 'holds ids beyond 2^53, which this page cannot feed exactly');
  } else throw new UnreadableFileError(file.name, `holds ${tensor.dtype} values; graph input "${session.input.name}" takes ${inputType} samples`);
  const { name, shape } = session.input;
  const perSample = tensor.shape.slice(1);
  if (shape !== null) {
    const wanted = shape.slice(1);
    if (!fitsInputShape({ shape }, perSample)) {
      throw new UnreadableFileError(
        file.name,
        `has shape [${tensor.shape.join(', ')}], so each sample is [${perSample.join(', ')}]; graph input "${name}" of ${session.file} ` +
          `takes ${shapeText(shape)}, so each sample must be ${shapeText(wanted)} (the first axis counts samples)`,
      );
    }
  }
  const samples = tensor.shape[0] ?? 0;
  if (tensor.shape.length === 0 || samples === 0) throw new UnreadableFileError(file.name, 'holds no samples (its first axis counts samples)');
  const dtype = tensor.dtype ?? 'float64';
  session.data = { file: file.name, samples, shape: [...tensor.shape], dtype, data: values };
  delete session.grams;
  delete session.descramblers;
  return { file: file.name, samples, shape: [...tensor.shape], dtype };
}

/** One pass of ONNX Runtime over the data: the Gram of every layer's output (bias excluded). */
export async function captureGraph(session: GraphSession, runtime: OnnxRuntime, onProgress: (done: number, total: number) => void): Promise<readonly CapturedGram[]> {
  const data = session.data;
  if (data === undefined) throw new UnreadableFileError(session.file, 'choose the input samples (.npy) first');
  // A layer too large to descramble is not captured either: its Gram alone would not fit.
  const targets = session.layers.filter((layer) => layerCost(layer.name, layer.units, layer.fanIn).refusal === null);
  const result = await captureGrams(runtime, session.model, targets, { data: data.data, dims: data.shape }, {
    bias: 'exclude',
    batchSize: 256,
    onProgress: (progress) => onProgress(progress.done, progress.total ?? data.samples),
  });
  session.grams = new Map(result.grams.map((g) => [g.name, g] as const));
  session.descramblers = new Map();
  return result.grams;
}

/** The layer's weights as units x fan-in (the graph's orientation undone: a MatMul's weight is stored inputs x outputs). */
export function layerWeights(session: GraphSession, layer: GraphLayer): Matrix {
  return toMatrix(layerWeightMatrix(session.model, layer));
}

/** The exact descrambler of one hidden layer from its captured Gram. */
export function descrambleGraphLayer(session: GraphSession, index: number, operator: SmoothnessOperator): { payload: GraphLayerPayload; report: LayerReport; P: Matrix } {
  const layer = session.layers[index];
  if (layer === undefined) throw new UnreadableFileError(session.file, `has no layer ${index}`);
  const captured = session.grams?.get(layer.name);
  if (captured === undefined) throw new UnreadableFileError(session.file, `layer ${layer.name} has not been captured`);
  const cost = layerCost(layer.name, layer.units, layer.fanIn);
  if (cost.refusal !== null) throw new LayerTooLargeError(cost.refusal);
  const weights = layerWeights(session, layer);
  const started = performance.now();
  const { result, report } = descramble({
    name: layer.name,
    file: session.file,
    tensor: layer.weight,
    source: 'gram',
    bias: 'exclude',
    weights,
    gram: captured.gram,
    sampleCount: captured.count,
    operator,
  });
  const ms = performance.now() - started;
  session.descramblers?.set(layer.name, { operator, P: result.P, optimum: result.optimum });
  return {
    payload: {
      index,
      name: layer.name,
      opType: layer.opType,
      weights: toWire(weights),
      descrambled: toWire(result.descrambledWeights),
      certificate: certificateOf(result, result.rankB),
      samples: session.data?.samples ?? 0,
      rows: captured.count,
      ms,
    },
    report,
    P: result.P,
  };
}

/** Samples run through both graphs to check that the permuted one computes the same function. */
const COMPARISON_SAMPLES = 64;

function feedsOf(session: GraphSession, runtime: OnnxRuntime, samples: number): Record<string, RuntimeTensor> {
  const data = session.data!;
  const count = Math.min(samples, data.samples);
  const perSample = data.data.length / data.samples;
  const values = data.data.subarray(0, count * perSample);
  const spec = { name: session.input.name, dtype: graphInputSpecs(session.model, 'feedsOf').find((s) => s.name === session.input.name)?.dtype ?? 'float32', shape: null };
  const dims = [count, ...data.shape.slice(1)];
  return { [session.input.name]: new runtime.Tensor(spec.dtype, asInputType({ data: values, dims }, spec), dims) };
}

/**
 * The order of a group's channels nearest its exact descrambler: P (Lemma 1 on B, the sum of
 * the Grams of the layers writing the group) is a rotation; the signed permutation nearest it in
 * Frobenius norm maximises sum_i |P_{i, pi(i)}|, an exact linear assignment (O(d^3), like P
 * itself; the quadratic assignment over permutations does not scale to thousands of units).
 * The signs are dropped: they do not commute with ReLU or GELU. New channel i is old pi(i).
 */
function nearestPermutation(b: Matrix, operator: SmoothnessOperator, known?: { readonly P: Matrix; readonly optimum: number }): { permutation: Int32Array; value: number; optimum: number } {
  const exact = known ?? exactDescrambler(b, { operator });
  const { assignment } = solveLinearAssignment(Matrix.abs(exact.P), { maximize: true });
  return { permutation: assignment, value: quadraticAssignmentValue(smoothnessMatrix(b.rows, operator), b, assignment), optimum: exact.optimum };
}

/**
 * A permuted ONNX with the same function: every channel group that may move (nets'
 * `channelGroups`) reordered by the permutation nearest its exact descrambler, applied by nets'
 * `permuteGraph` and checked by running both graphs on the visitor's samples
 * (`compareGraphOutputs`).
 */
export async function permutedGraph(session: GraphSession, runtime: OnnxRuntime, operator: SmoothnessOperator): Promise<PermutedPayload> {
  const grams = session.grams;
  if (grams === undefined || session.data === undefined) throw new UnreadableFileError(session.file, 'capture the layers first');
  const shapes = await valueShapes(runtime, session.model, feedsOf(session, runtime, 2));
  const analysis = channelGroups(session.model, shapes);
  const permutations = new Map<number, Int32Array>();
  const groups: PermutedGroup[] = analysis.groups.map((group) => {
    const writers = [...new Set(group.layers.filter((side) => side.side === 'out').map((side) => side.layer))];
    const base = { id: group.id, size: group.size, writers, readers: group.layers.filter((side) => side.side === 'in').map((side) => side.layer) };
    if (!group.permutable) return { ...base, permuted: false, reason: group.blockedBy?.reason ?? 'not permutable', value: null, lowerBound: null, moved: 0 };
    const missing = writers.find((writer) => !grams.has(writer));
    if (missing !== undefined) return { ...base, permuted: false, reason: `layer ${missing} was not captured`, value: null, lowerBound: null, moved: 0 };
    if (writers.length === 0) return { ...base, permuted: false, reason: 'no layer writes these channels', value: null, lowerBound: null, moved: 0 };
    // the same data as the CLI's permute: each place a layer writes the channels, at unit trace, summed
    const b = groupGram(group, new Map([...grams].map(([name, captured]) => [name, captured.gram] as const)));
    // A group that is one whole layer's units has that layer's Gram: its descrambler is already known.
    const whole = groupPlacements(group).length === 1 && grams.get(writers[0]!)?.dimension === group.size;
    const known = whole ? session.descramblers?.get(writers[0]!) : undefined;
    const found = nearestPermutation(b, operator, known?.operator === operator ? known : undefined);
    permutations.set(group.id, found.permutation);
    const moved = found.permutation.reduce((n, p, i) => n + (p === i ? 0 : 1), 0);
    return { ...base, permuted: true, reason: null, value: found.value, lowerBound: found.optimum, moved };
  });
  const permuted = permuteGraph(session.model, analysis, permutations);
  const comparison = await compareGraphOutputs(runtime, session.model, permuted, feedsOf(session, runtime, COMPARISON_SAMPLES));
  return {
    file: session.file.replace(/\.onnx$/i, '') + '.descrambled.onnx',
    bytes: writeOnnx(permuted),
    groups,
    samples: Math.min(COMPARISON_SAMPLES, session.data.samples),
    maxAbsDifference: comparison.maxAbsDifference,
    maxRelativeDifference: comparison.maxRelativeDifference,
    permutations: [...permutations].map(([id, p]) => ({ id, permutation: [...p] })),
  };
}

/**
 * The report of a descrambled graph, as JSON: each hidden layer's record is descramblers'
 * `LayerReport` (the layer record of the CLI's report.json), with the data, the engine, the
 * layers left alone and why, and the permuted ONNX's groups and check.
 */
export function graphReport(session: GraphSession, layers: readonly LayerReport[], permuted: PermutedPayload, runtime: RuntimePayload): string {
  const done = new Set(layers.map((l) => l.name));
  const skippedLayers = session.layers
    .filter((layer) => !done.has(layer.name))
    .map((layer) => ({
      name: layer.name,
      reason: layer.isOutput ? 'output layer: its units are already ordered' : (layerCost(layer.name, layer.units, layer.fanIn).refusal ?? 'not descrambled'),
    }));
  const data = session.data;
  const report = {
    tool: REPORT_TOOL,
    file: session.file,
    method: 'data-gram',
    description: 'Every layer captured in one pass of ONNX Runtime Web over the samples (the Gram of its output without its bias); Lemma 1 per hidden layer',
    engine: { name: 'onnxruntime-web', backend: 'wasm', threads: runtime.threads, crossOriginIsolated: runtime.crossOriginIsolated },
    data: data === undefined ? null : { file: data.file, samples: data.samples, shape: data.shape, dtype: data.dtype },
    bias: 'exclude',
    layers,
    skippedLayers,
    permuted: {
      file: permuted.file,
      method: 'per channel group, the permutation nearest its exact descrambler (max sum_i |P(i, pi(i))|, linear assignment); new channel i is old pi(i)',
      groups: permuted.groups,
      permutations: permuted.permutations,
      check: { samples: permuted.samples, maxAbsDifference: permuted.maxAbsDifference, maxRelativeDifference: permuted.maxRelativeDifference },
    },
  };
  return JSON.stringify(report, null, 2);
}
