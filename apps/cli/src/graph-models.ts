import { extname } from 'node:path';
import { IoError, type OnnxModel, readOnnxFile } from '@descramble/io/node';
import {
  type BiasMode,
  capturedLayerGrams,
  fitsInputShape,
  type GraphInputSpec,
  type GraphLayer,
  type GraphModelStage,
  type GraphSamples,
  type GraphVerification,
  graphLayers,
  InvalidArgumentError,
  inputSampleShapeText,
  isotropicLayerGrams,
  layerWeightMatrix,
  loadOnnxRuntime,
  NetsError,
  type OnnxRuntime,
  OptionalDependencyError,
  type SameFunctionCheck,
  tensorToMatrix,
} from '@descramble/nets';
import type { Matrix } from 'ml-matrix';
import { CliError, InputError } from './cli-errors.js';
import type { CommandContext } from './command.js';
import { ROWS_PER_BLOCK } from './gram-tasks.js';
import { asInputError, requireFile, type SampleSource } from './inputs.js';
import type { LayerGram } from './model-analysis.js';

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

/** The samples as nets reads them: blocks of the file's rows, read again for each pass. */
export function graphSamples(samples: SampleSource): GraphSamples {
  return { rows: samples.rows, sampleShape: samples.sampleShape, name: samples.file, blocks: (start, end) => samples.blocks(ROWS_PER_BLOCK, { start, end }) };
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
  if (samples === undefined) return isotropicLayerGrams(graph.model, layers, bias);
  const runtime = await graphRuntime();
  context.progress.start(`capturing ${layers.length} layer${layers.length === 1 ? '' : 's'} in ONNX Runtime`, samples.rows);
  try {
    return await capturedLayerGrams(runtime, graph.model, layers, graphSamples(samples), {
      bias,
      signal: context.signal,
      onProgress: ({ done }) => context.progress.update(done),
      sessionOptions: { intraOpNumThreads: context.threads },
    });
  } catch (error) {
    throw graphFailure(graph, samples, error, context.signal);
  } finally {
    context.progress.finish();
  }
}

/** A failure while running the graph on the data, in one sentence naming the file (the data's or the model's). */
function graphFailure(graph: LoadedGraph, samples: SampleSource | undefined, error: unknown, signal: AbortSignal): unknown {
  if (signal.aborted) return error;
  if (samples !== undefined && IoError.isInstance(error)) return asInputError(error, samples.file);
  if (NetsError.isInstance(error)) return new InputError(`${graph.file}: ${error.summary}`, { file: graph.file });
  // ONNX Runtime's own errors (an operator it cannot run, a type it rejects)
  if (error instanceof Error && !(error instanceof CliError)) return runtimeFailure(graph, error);
  return error;
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

/**
 * A failure of nets' permuteGraphModel or matchGraphModels worded for the stage it happened in
 * (`graph` is the model that stage ran: b for matching and for the check of the aligned model).
 */
export function graphStageFailure(stage: GraphModelStage | undefined, graph: LoadedGraph, samples: SampleSource | undefined, error: unknown, signal: AbortSignal): unknown {
  const missingData = InvalidArgumentError.isInstance(error) && error.argument === 'samples';
  switch (stage?.stage) {
    case 'channel-groups':
      if (missingData) {
        return new InputError(
          `${graph.file}: the graph input's shape [${(graph.input.sampleShape ?? []).join(', ')}] has symbolic dimensions past the batch axis; pass --data so that the shapes are known`,
          { file: graph.file },
        );
      }
      return graphFailure(graph, samples, error, signal);
    case 'grams':
      return graphFailure(graph, samples, error, signal);
    case 'verify':
      if (missingData && graph.input.dtype.startsWith('int')) {
        return new CliError(`${graph.file}: the graph takes ${graph.input.dtype} inputs (token ids, indices), which random normal inputs cannot stand for; pass --data`, 1);
      }
      if (missingData) return new CliError(`${graph.file}: the graph input has symbolic dimensions past the batch axis; pass --data so that the check has inputs`, 1);
      // the data, checked against the graph input's type (token ids must be integers)
      if (NetsError.isInstance(error) && (error.operation === 'permuteGraphModel' || error.operation === 'matchGraphModels')) return new InputError(error.summary);
      return error;
    default:
      return error;
  }
}

/** Throws (nothing written) unless the model, in memory and read back from its bytes, computes the original's function. */
export function requireSameFunction(verification: GraphVerification): void {
  const fail = (check: SameFunctionCheck, what: string) =>
    new CliError(
      `${what}: outputs differ from the original by up to ${check.maxRelativeDifference.toExponential(3)} of their size (allowed ${check.tolerance.toExponential(0)}); nothing was written`,
      1,
    );
  if (!(verification.inMemory.maxRelativeDifference <= verification.tolerance)) throw fail(verification.inMemory, 'permuted model');
  if (!(verification.onnx.maxRelativeDifference <= verification.tolerance)) throw fail(verification.onnx, 'permuted.onnx read back');
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
