import { extname } from 'node:path';
import { IoError, type OnnxModel, readOnnxFile } from '@descramble/io/node';
import {
  type BiasMode,
  type ChannelGroupAnalysis,
  captureGrams,
  channelGroups,
  fitsInputShape,
  asInputType,
  type GraphInputSpec,
  type GraphLayer,
  type GraphTensor,
  graphLayers,
  inputSampleShapeText,
  layerWeightMatrix,
  loadOnnxRuntime,
  NetsError,
  type OnnxRuntime,
  OptionalDependencyError,
  type RuntimeTensor,
  tensorToMatrix,
  validateBlock,
  valueShapes,
} from '@descramble/nets';
import type { Matrix } from 'ml-matrix';
import { CliError, InputError } from './cli-errors.js';
import type { CommandContext } from './command.js';
import { ROWS_PER_BLOCK } from './gram-tasks.js';
import { asInputError, requireFile, type SampleSource } from './inputs.js';
import { isotropicGram, type LayerGram } from './model-analysis.js';

/** An ONNX model run by ONNX Runtime: any graph, its linear layers found in it. */
export interface LoadedGraph {
  readonly file: string;
  readonly model: OnnxModel;
  /** Every Gemm, MatMul with a weight, Conv and ConvTranspose, in node order. */
  readonly layers: readonly GraphLayer[];
  /** The one graph input fed with the data: its name, element type and per-sample shape (after the batch axis). */
  readonly input: { readonly name: string; readonly dtype: GraphInputSpec['dtype']; readonly sampleShape: readonly (number | string | null)[] | null };
}

/** `.onnx` files go through ONNX Runtime (unless an --architecture says how to read the weights). */
export function isOnnxFile(file: string): boolean {
  return extname(file).toLowerCase() === '.onnx';
}

/** ONNX Runtime, or one sentence on how to install it. */
export async function graphRuntime(): Promise<OnnxRuntime> {
  try {
    return await loadOnnxRuntime();
  } catch (error) {
    if (OptionalDependencyError.isInstance(error)) {
      throw new CliError(`ONNX models run in ONNX Runtime, which is not installed. ${error.instructions}`, 1);
    }
    throw error;
  }
}

/** Reads an ONNX model and finds its linear layers; problems become one sentence naming the file. */
export async function loadGraph(file: string): Promise<LoadedGraph> {
  requireFile(file);
  let model: OnnxModel;
  try {
    model = await readOnnxFile(file);
  } catch (error) {
    throw asInputError(error, file);
  }
  const inputs = model.graph.inputs.filter((input) => !model.graph.initializers.has(input.name));
  if (inputs.length !== 1) {
    throw new InputError(`${file}: the graph has ${inputs.length} inputs (${inputs.map((i) => i.name).join(', ')}); descramble feeds models with one data input`, { file });
  }
  const input = inputs[0] as (typeof inputs)[number];
  const dtype = input.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float64' && dtype !== 'int64' && dtype !== 'int32') {
    throw new InputError(`${file}: the graph input '${input.name}' takes ${dtype} values; descramble feeds float32, float64, int64 or int32 data`, { file });
  }
  let layers: GraphLayer[];
  try {
    layers = graphLayers(model);
  } catch (error) {
    if (NetsError.isInstance(error)) throw new InputError(`${file}: ${error.summary}`, { file });
    throw error;
  }
  if (layers.length === 0) throw new InputError(`${file}: has no Gemm, MatMul with a weight, Conv or ConvTranspose layer to descramble`, { file });
  return { file, model, layers, input: { name: input.name, dtype, sampleShape: input.shape === null ? null : input.shape.slice(1) } };
}

/** The layers to descramble (all but output layers, whose units are already ordered) and the rest with the reason. */
export function hiddenGraphLayers(graph: LoadedGraph): { hidden: GraphLayer[]; skipped: { name: string; reason: string }[] } {
  const hidden = graph.layers.filter((layer) => !layer.isOutput);
  const skipped = graph.layers
    .filter((layer) => layer.isOutput)
    .map((layer) => ({ name: layer.name, reason: 'output layer: its units reach a graph output, so their order is already meaningful' }));
  return { hidden, skipped };
}

/** Data whose per-sample shape is not the graph input's, named in one sentence. */
export function checkGraphData(graph: LoadedGraph, samples: SampleSource): void {
  const spec = { shape: graph.input.sampleShape === null ? null : ['batch', ...graph.input.sampleShape] };
  if (!fitsInputShape(spec, samples.sampleShape)) {
    throw new InputError(
      `${samples.file}: data '${samples.tensor}' has samples of shape [${samples.sampleShape.join(', ')}], but model ${graph.file} takes inputs of shape ${inputSampleShapeText(spec)} after the batch axis`,
      { file: samples.file, tensor: samples.tensor },
    );
  }
}

/** A layer's weights as a matrix: units x fan-in, orientation read from the graph. */
export function graphLayerMatrix(graph: LoadedGraph, layer: GraphLayer): Matrix {
  return tensorToMatrix(layerWeightMatrix(graph.model, layer));
}

async function* dataBlocks(graph: LoadedGraph, samples: SampleSource): AsyncGenerator<GraphTensor> {
  for await (const block of samples.blocks(ROWS_PER_BLOCK)) {
    // float32 inputs get float32 data (half the memory); integer inputs (token ids) are checked
    // and converted by nets from these exact float64 values
    const data = graph.input.dtype === 'float32' ? Float32Array.from(block.data) : block.data;
    yield { data, dims: [block.rows, ...samples.sampleShape] };
  }
}

/** A runtime tensor for the graph input from float64 values (integers for an integer input). */
export function inputTensor(runtime: OnnxRuntime, graph: LoadedGraph, values: Float64Array, dims: readonly number[]): RuntimeTensor {
  const spec = { name: graph.input.name, dtype: graph.input.dtype, shape: null };
  const block = validateInputBlock({ data: values, dims }, spec);
  return new runtime.Tensor(graph.input.dtype, asInputType(block, spec), dims);
}

function validateInputBlock(tensor: GraphTensor, spec: GraphInputSpec): GraphTensor {
  try {
    return validateBlock(tensor, [spec], 0, 'descramble').tensors[0] as GraphTensor;
  } catch (error) {
    if (NetsError.isInstance(error)) throw new InputError(error.summary);
    throw error;
  }
}

/**
 * Each hidden layer's Gram from the data, all layers in one pass of ONNX Runtime over the data
 * (--threads sets its intra-op threads), or W W^T (isotropic inputs) without data.
 */
export async function graphLayerGrams(
  graph: LoadedGraph,
  layers: readonly GraphLayer[],
  samples: SampleSource | undefined,
  context: CommandContext,
  bias: BiasMode,
): Promise<Map<string, LayerGram>> {
  const grams = new Map<string, LayerGram>();
  if (samples === undefined) {
    for (const layer of layers) {
      const biasValues = bias === 'include' && layer.bias !== null ? graph.model.graph.initializers.get(layer.bias)?.data : undefined;
      const scaled = biasValues === undefined ? undefined : Array.from(biasValues as ArrayLike<number>, (v) => v * layer.biasScale);
      grams.set(layer.name, { gram: isotropicGram(graphLayerMatrix(graph, layer), scaled), count: null, source: 'isotropic' });
    }
    return grams;
  }
  const runtime = await graphRuntime();
  context.progress.start(`capturing ${layers.length} layer${layers.length === 1 ? '' : 's'} in ONNX Runtime`, samples.rows);
  try {
    const result = await captureGrams(runtime, graph.model, layers, dataBlocks(graph, samples), {
      bias,
      signal: context.signal,
      total: samples.rows,
      onProgress: ({ done }) => context.progress.update(done),
      sessionOptions: { intraOpNumThreads: context.threads },
    });
    for (const captured of result.grams) grams.set(captured.name, { gram: captured.gram, count: captured.count, source: 'data' });
  } catch (error) {
    if (context.signal.aborted) throw error;
    if (IoError.isInstance(error)) throw asInputError(error, samples.file);
    if (NetsError.isInstance(error)) throw new InputError(`${graph.file}: ${error.summary}`, { file: graph.file });
    if (error instanceof Error && !(error instanceof CliError)) {
      // ONNX Runtime's own errors (an operator it cannot run, a type it rejects)
      throw runtimeFailure(graph, error);
    }
    throw error;
  } finally {
    context.progress.finish();
  }
  return grams;
}

/** ONNX Runtime's refusal, in one sentence with what to do. */
function runtimeFailure(graph: LoadedGraph, error: Error): InputError {
  const reason = (error.message.split('\n')[0] ?? '').replace(/^Fatal error: /, '').replace(/[.\s]+$/, '');
  const node = graph.model.graph.nodes.find((candidate) => candidate.name !== '' && reason.includes(candidate.name)) ??
    graph.model.graph.nodes.find((candidate) => reason.includes(candidate.opType) && candidate.domain !== '');
  const where = node === undefined ? '' : ` (node "${node.name}", ${node.domain === '' ? '' : `${node.domain}:`}${node.opType})`;
  return new InputError(
    `${graph.file}: ONNX Runtime could not run the model${where}: ${reason}; export it with standard ONNX operators (torch.onnx.export at opset 13-17) or check that it runs in ONNX Runtime`,
    { file: graph.file },
  );
}

/** The channel groups of the graph (which axes move together), from the value shapes of one run on two samples. */
export async function graphGroups(graph: LoadedGraph, samples: SampleSource | undefined): Promise<ChannelGroupAnalysis> {
  const runtime = await graphRuntime();
  const shape = samples?.sampleShape ?? graph.input.sampleShape?.map((dim) => (typeof dim === 'number' ? dim : Number.NaN)) ?? [];
  if (shape.some((dim) => !Number.isInteger(dim))) {
    throw new InputError(`${graph.file}: the graph input's shape [${(graph.input.sampleShape ?? []).join(', ')}] has symbolic dimensions past the batch axis; pass --data so that the shapes are known`, { file: graph.file });
  }
  const size = shape.reduce((a, b) => a * b, 1);
  // two samples (so the batch axis is told apart from a unit axis); 0 is a valid token id too
  const feeds = { [graph.input.name]: inputTensor(runtime, graph, new Float64Array(2 * size).fill(graph.input.dtype.startsWith('int') ? 0 : 0.5), [2, ...shape]) };
  try {
    return channelGroups(graph.model, await valueShapes(runtime, graph.model, feeds));
  } catch (error) {
    if (NetsError.isInstance(error)) throw new InputError(`${graph.file}: ${error.summary}`, { file: graph.file });
    if (error instanceof Error && !(error instanceof CliError)) throw runtimeFailure(graph, error);
    throw error;
  }
}

/**
 * The weights of the graph layer named `name` (its module path, node or weight initializer) as
 * units x fan-in, whatever the storage (a MatMul weight is inputs x outputs); undefined when no
 * layer has that name (the caller then reads the tensor as it is stored).
 */
export async function onnxLayerWeights(file: string, name: string): Promise<{ matrix: Matrix; tensor: string } | undefined> {
  const graph = await loadGraph(file);
  const layer = graph.layers.find((candidate) => candidate.name === name || candidate.weight === name || candidate.node === name);
  return layer === undefined ? undefined : { matrix: graphLayerMatrix(graph, layer), tensor: layer.weight };
}
