import { basename, extname, join } from 'node:path';
import {
  type Conv1dLayer,
  type Conv2dLayer,
  type DenseLayer,
  type GraphModelStage,
  GraphMismatchError,
  type InterpolationPath,
  type Layer,
  type MatchGraphModelsResult,
  matchGraphModels,
  NetsError,
  permuteHiddenUnits,
  type SequentialModel,
  tensorToMatrix,
  verifyReparametrisation,
  writeOnnxModel,
  writeSafetensorsModel,
} from '@descramble/nets';
import {
  type Cnn,
  type CnnConvLayer,
  matchCnnWeights,
  matchMlpWeights,
  type DenseLayer as PermutationDense,
} from '@descramble/permutation';
import { CliError, InputError, InterruptedError, UsageError } from '../cli-errors.js';
import {
  ARCHITECTURE_HELP,
  type Command,
  type CommandContext,
  MODEL_INPUT_OPTIONS,
  type OptionValues,
  OUTPUT_PATH_OPTIONS,
  outputDirectoryHelp,
} from '../command.js';
import { checkGraphData, graphRuntime, graphSamples, graphStageFailure, isOnnxFile, loadGraph, requireSameFunction } from '../graph-models.js';
import { loadTensors, openSampleSource, parseFileSpec, type SampleSource } from '../inputs.js';
import { verificationInputs } from '../model-analysis.js';
import { checkModelData, loadModel } from '../models.js';
import { positiveInteger, stringOption } from '../options.js';
import { OutputDirectory, runInputs } from '../output-directory.js';
import { safeComponent } from '../path-components.js';
import { InputWatch } from '../input-watch.js';
import { reportDocument, toJson } from '../report-file.js';
import { REPARAMETRISATION_TOLERANCE } from './permute.js';

export const matchCommand: Command = {
  name: 'match',
  summary: 'weight matching: permute the hidden units of MODEL_B to align with MODEL_A',
  usage: 'match MODEL_A MODEL_B [--data FILE[:TENSOR]] [--out DIR]',
  description: [
    'Git Re-Basin weight matching of two networks of the same architecture: maximises the sum over',
    'layers of <W_a, P_l W_b P_{l-1}^T> by coordinate descent, one exact linear assignment per hidden',
    'layer (@descramble/permutation). MLPs (dense layers) use matchMlpWeights; CNNs (1-D or 2-D',
    'convolutions with activations and batch norms between them, a flatten, dense layers) use',
    'matchCnnWeights: channels are matched through their filters, the next convolution\'s input',
    'channels and, for the last convolution, the blocks of the first dense layer that read them.',
    'Writes MODEL_B reparametrised (same function, checked on the data or on seeded normal inputs)',
    'as aligned.safetensors and aligned.onnx.',
    '',
    'Two ONNX models are matched as graphs, in ONNX Runtime: over their channel groups (residual',
    'streams, normalisations, concatenations and flattens move channels together), with --restarts',
    'seeded runs. The report gives the similarity (cosine of all weights) before and after, and the',
    'outputs along the straight line between A and B, before and after matching: how far they leave',
    'the line between the two models\' outputs, and with --targets the loss barrier. aligned.onnx is',
    'checked to float32 roundoff.',
  ].join('\n'),
  options: {
    ...MODEL_INPUT_OPTIONS,
    'max-sweeps': { type: 'string' },
    restarts: { type: 'string' },
    targets: { type: 'string' },
    ...OUTPUT_PATH_OPTIONS,
  },
  optionHelp: [
    '--data FILE[:TENSOR]       inputs for the check that the aligned model computes the same function',
    `${ARCHITECTURE_HELP} (both models)`,
    '--max-sweeps N             coordinate-descent sweeps (default 100)',
    '--restarts N               ONNX: seeded runs of coordinate descent, the best kept (default 4)',
    '--targets FILE[:TENSOR]    ONNX: targets of the data (same shape as the output): adds the loss barrier',
    ...outputDirectoryHelp('./descramble-out/<model_b>-aligned'),
  ],
  examples: [
    'descramble match run1.onnx run2.onnx',
    'descramble match a.safetensors b.safetensors --data inputs.npy --json',
    'descramble match cnn-seed0.onnx cnn-seed1.onnx --data images.npy --out aligned-cnn',
  ],
  run: runMatch,
};

/** Layers of a network as weight matching sees them: an MLP, or convolutions, a flatten, dense layers. */
type MatchedNetwork =
  | { readonly kind: 'mlp'; readonly dense: DenseLayer[] }
  | { readonly kind: 'cnn'; readonly conv: Array<Conv1dLayer | Conv2dLayer>; readonly dense: DenseLayer[] };

/**
 * Splits a model into what the matchers accept: dense layers with activations between them
 * (an MLP), or convolutions of one kind (groups 1, activations and batch norms between them),
 * one flatten, then dense layers (a CNN). Batch norms follow their channels when B is
 * reparametrised; they do not enter the similarity.
 */
function matchedNetwork(model: SequentialModel, file: string): MatchedNetwork {
  const conv: Array<Conv1dLayer | Conv2dLayer> = [];
  const dense: DenseLayer[] = [];
  let flattened = false;
  const unsupported = (layer: Layer, why: string) =>
    new InputError(`${file}: weight matching supports MLPs and CNNs (convolutions, flatten, dense layers); layer '${layer.name}' (${layer.kind}) ${why}`, { file });
  for (const layer of model.layers) {
    if (layer.kind === 'activation' || layer.kind === 'batchnorm') continue;
    if (layer.kind === 'conv1d' || layer.kind === 'conv2d') {
      if (dense.length > 0 || flattened) throw unsupported(layer, 'comes after the flatten or a dense layer');
      if (layer.groups !== 1) throw unsupported(layer, `is a grouped convolution (groups ${layer.groups})`);
      if (conv.length > 0 && (conv[0] as Conv1dLayer | Conv2dLayer).kind !== layer.kind) throw unsupported(layer, 'mixes 1-D and 2-D convolutions');
      conv.push(layer);
    } else if (layer.kind === 'flatten') {
      if (conv.length === 0 || flattened || dense.length > 0) throw unsupported(layer, 'is not the one flatten between the convolutions and the dense layers');
      flattened = true;
    } else {
      if (conv.length > 0 && !flattened) throw unsupported(layer, 'follows a convolution without a flatten');
      dense.push(layer);
    }
  }
  if (conv.length === 0) {
    if (dense.length < 2) throw new InputError(`${file}: needs at least two dense layers (one hidden layer) to match`, { file });
    return { kind: 'mlp', dense };
  }
  if (dense.length === 0) throw new InputError(`${file}: a CNN needs a flatten and at least one dense layer after its convolutions to match`, { file });
  return { kind: 'cnn', conv, dense };
}

/** Names of the layers whose units are matched, in the order of the matchers' permutations. */
function hiddenNames(network: MatchedNetwork): string[] {
  return [...(network.kind === 'cnn' ? network.conv : []), ...network.dense].slice(0, -1).map((layer) => layer.name);
}

function shapesOf(network: MatchedNetwork): string {
  return [...(network.kind === 'cnn' ? network.conv : []), ...network.dense].map((l) => `${l.kind} ${l.weight.shape.join('x')}`).join(', ');
}

function forMatching(layer: DenseLayer): PermutationDense {
  const weight = tensorToMatrix(layer.weight);
  return layer.bias === null ? { weight } : { weight, bias: Float64Array.from(layer.bias.data) };
}

function convForMatching(layer: Conv1dLayer | Conv2dLayer): CnnConvLayer {
  const weight = { shape: [...layer.weight.shape], data: layer.weight.data };
  return layer.bias === null ? { weight } : { weight, bias: Float64Array.from(layer.bias.data) };
}

function cnnForMatching(network: MatchedNetwork & { kind: 'cnn' }): Cnn {
  return { conv: network.conv.map(convForMatching), dense: network.dense.map(forMatching) };
}

async function runMatch(values: OptionValues, positionals: readonly string[], context: CommandContext): Promise<void> {
  if (positionals.length !== 2) throw new UsageError('match: give two model files, MODEL_A MODEL_B');
  const [fileA, fileB] = positionals as [string, string];
  const inputFiles = [fileA, fileB, stringOption(values, 'data'), stringOption(values, 'architecture')];
  const watch = new InputWatch(context.cwd, inputFiles);
  const out = await OutputDirectory.open(stringOption(values, 'out') ?? join(context.cwd, 'descramble-out', safeComponent(`${basename(fileB, extname(fileB))}-aligned`)), {
    force: values.force === true,
    inputs: runInputs(context.cwd, inputFiles),
  });
  try {
    const architecture = stringOption(values, 'architecture');
    if (isOnnxFile(fileA) && isOnnxFile(fileB) && architecture === undefined) {
      const settings = {
        seed: context.seed,
        maxSweeps: positiveInteger(values['max-sweeps'], '--max-sweeps', 100),
        restarts: positiveInteger(values.restarts, '--restarts', 4),
        dataText: stringOption(values, 'data'),
        targetsText: stringOption(values, 'targets'),
      };
      await runGraphMatch(fileA, fileB, settings, out, context);
      await watch.check();
      await out.commit();
      return;
    }
    if (values.restarts !== undefined || values.targets !== undefined) throw new UsageError('match: --restarts and --targets are for ONNX models');
    const a = await loadModel(fileA, architecture);
    const b = await loadModel(fileB, architecture);
    const networkA = matchedNetwork(a.model, fileA);
    const networkB = matchedNetwork(b.model, fileB);
    if (networkA.kind !== networkB.kind || shapesOf(networkA) !== shapesOf(networkB)) {
      throw new InputError(`${fileB}: layers ${shapesOf(networkB)} do not match ${fileA}'s ${shapesOf(networkA)}`, { file: fileB });
    }
    let samples: SampleSource | undefined;
    const dataText = stringOption(values, 'data');
    if (dataText !== undefined) {
      samples = await openSampleSource(parseFileSpec(dataText, '--data'), { tensorSamples: true });
      checkModelData(b, samples);
    }
    const started = performance.now();
    const options = { seed: context.seed, maxSweeps: positiveInteger(values['max-sweeps'], '--max-sweeps', 100) };
    const result =
      networkA.kind === 'cnn' && networkB.kind === 'cnn'
        ? matchCnnWeights(cnnForMatching(networkA), cnnForMatching(networkB), options)
        : matchMlpWeights(networkA.dense.map(forMatching), networkB.dense.map(forMatching), options);
    const seconds = (performance.now() - started) / 1000;
    if (context.signal.aborted) throw new InterruptedError();
    let aligned = b.model;
    const names = hiddenNames(networkB);
    result.permutations.forEach((permutation, l) => {
      aligned = permuteHiddenUnits(aligned, names[l] as string, permutation);
    });
    const inputs = await verificationInputs(b.model, samples, context.seed);
    const check = verifyReparametrisation(b.model, aligned, inputs);
    const allowed = REPARAMETRISATION_TOLERANCE * Math.max(1, check.maxAbsOutput);
    if (!(check.maxAbsDifference <= allowed)) {
      throw new CliError(`aligned model: outputs differ from ${fileB} by up to ${check.maxAbsDifference.toExponential(3)}; nothing was written`, 1);
    }
    await out.write('aligned.safetensors', writeSafetensorsModel(aligned));
    await out.write('aligned.onnx', writeOnnxModel(aligned));
    const record = {
      modelA: fileA,
      modelB: fileB,
      network: networkB.kind,
      layers: names.map((name, l) => ({ name, permutation: Array.from(result.permutations[l] as Int32Array) })),
      similarity: result.similarity,
      sweeps: result.sweeps,
      converged: result.converged,
      seconds,
      verification: { inputs: inputs.source, tolerance: REPARAMETRISATION_TOLERANCE, ...check },
    };
    const json = toJson(
      reportDocument({ command: 'match', arguments: context.argv.slice(1), seed: context.seed, layers: [], files: ['aligned.safetensors', 'aligned.onnx', 'report.json'], extra: { matching: record } }),
    );
    await out.write('report.json', json);
    if (context.signal.aborted) throw new InterruptedError();
    await watch.check();
    await out.commit();
    if (context.json) context.stdout.write(json);
    else {
      context.stdout.write(
        `matched ${record.layers.length} hidden layers in ${result.sweeps} sweeps${result.converged ? '' : ' (not converged)'}: similarity ${result.similarity.toPrecision(8)}; same function to ${check.maxAbsDifference.toExponential(2)}\nwrote ${out.path}\n`,
      );
    }
  } catch (error) {
    await out.discard();
    throw error;
  }
}

interface GraphMatchSettings {
  readonly seed: number;
  readonly maxSweeps: number;
  readonly restarts: number;
  readonly dataText: string | undefined;
  readonly targetsText: string | undefined;
}

/** match on two ONNX graphs: nets' matchGraphModels, its report written. */
async function runGraphMatch(fileA: string, fileB: string, settings: GraphMatchSettings, out: OutputDirectory, context: CommandContext): Promise<void> {
  const a = await loadGraph(fileA);
  const b = await loadGraph(fileB);
  let samples: SampleSource | undefined;
  if (settings.dataText !== undefined) {
    samples = await openSampleSource(parseFileSpec(settings.dataText, '--data'), { tensorSamples: true });
    checkGraphData(a, samples);
  }
  const runtime = await graphRuntime();
  const targets = settings.targetsText === undefined ? undefined : await loadTargets(settings.targetsText, samples);
  let stage: GraphModelStage | undefined;
  let result: MatchGraphModelsResult;
  try {
    result = await matchGraphModels(runtime, a.model, b.model, {
      samples: samples === undefined ? undefined : graphSamples(samples),
      targets,
      restarts: settings.restarts,
      seed: settings.seed,
      maxSweeps: settings.maxSweeps,
      signal: context.signal,
      onStage: (next) => {
        stage = next;
        if (next.stage === 'interpolation') context.progress.note('running the interpolation path between the two models, before and after matching');
      },
    });
  } catch (error) {
    if (stage?.stage === 'match' && GraphMismatchError.isInstance(error)) throw new InputError(`${fileB}: not the same architecture as ${fileA}: ${error.summary}`, { file: fileB });
    if (stage?.stage === 'interpolation' && NetsError.isInstance(error)) throw new InputError(`${fileB}: ${error.summary}`, { file: fileB });
    throw graphStageFailure(stage, stage?.stage === 'channel-groups' && stage.model === 'a' ? a : b, samples, error, context.signal);
  }
  requireSameFunction(result.verification);
  const { interpolation } = result;
  if (interpolation === null) throw new CliError('internal: no interpolation path after a passed check', 2);
  await out.write('aligned.onnx', result.bytes);
  const { groups, blockedGroups: blocked } = result;
  const record = {
    modelA: fileA,
    modelB: fileB,
    network: 'onnx graph',
    groups,
    blockedGroups: blocked,
    objective: result.objective,
    similarity: result.similarity,
    restarts: result.restarts,
    sweeps: result.sweeps,
    seconds: result.seconds,
    interpolation,
    verification: { inputs: result.verification.inputs, ...result.verification.onnx },
  };
  const json = toJson(
    reportDocument({ command: 'match', arguments: context.argv.slice(1), seed: context.seed, layers: [], files: ['aligned.onnx', 'report.json'], extra: { engine: 'onnxruntime', matching: record } }),
  );
  await out.write('report.json', json);
  if (context.signal.aborted) throw new InterruptedError();
  if (context.json) context.stdout.write(json);
  else {
    const { before, after } = interpolation;
    const barrier = (path: InterpolationPath) => `${path.outputBarrier.toPrecision(3)}${path.lossBarrier === undefined ? '' : `, loss barrier ${path.lossBarrier.toPrecision(3)}`}`;
    context.stdout.write(
      [
        `matched ${groups.length} channel group${groups.length === 1 ? '' : 's'}${blocked.length > 0 ? ` (${blocked.length} left as they are)` : ''}, best of ${settings.restarts} runs: similarity ${result.similarity.before.toPrecision(4)} -> ${result.similarity.after.toPrecision(4)}`,
        `interpolation A -> B: output deviation from the straight line at most ${barrier(before)} before matching, ${barrier(after)} after`,
        `same function: largest output difference ${result.verification.onnx.maxRelativeDifference.toExponential(2)} of the output's size (ONNX Runtime)`,
        `wrote ${out.path}`,
        '',
      ].join('\n'),
    );
  }
}

/** --targets: floating-point values of the output's shape, one row per sample of --data. */
async function loadTargets(targetsText: string, samples: SampleSource | undefined): Promise<{ values: Float64Array; rows: number }> {
  const spec = parseFileSpec(targetsText, '--targets');
  const tensors = await loadTensors(spec.file);
  const chosen = spec.tensor === undefined ? (tensors.size === 1 ? [...tensors.values()][0] : undefined) : tensors.get(spec.tensor);
  if (chosen === undefined) throw new InputError(`${spec.file}: name the targets tensor as ${spec.file}:TENSOR`, { file: spec.file });
  if (samples === undefined) throw new UsageError('match: --targets needs --data (the targets of those samples)');
  if (!(chosen.data instanceof Float64Array)) {
    throw new InputError(`${spec.file}: targets must be floating-point values of the output's shape (the loss is the mean squared error; one-hot class labels first)`, { file: spec.file });
  }
  return { values: chosen.data, rows: chosen.shape[0] ?? 1 };
}
