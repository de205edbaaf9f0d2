import { basename, extname, join } from 'node:path';
import type { Figure, ReportSection } from '@descramble/figures';
import { renderFigureToPng, renderReportNode } from '@descramble/figures/node';
import {
  type BiasMode,
  type ChannelGroup,
  type GraphModelStage,
  getLayer,
  groupPlacements,
  groupWeightRows,
  groupWriters,
  isLinearLayer,
  type PermuteGraphModelResult,
  permuteGraphModel,
  permuteHiddenUnits,
  readOnnxModel,
  readSafetensorsModel,
  type SequentialModel,
  verifyReparametrisation,
  writeOnnxModel,
  writeSafetensorsModel,
} from '@descramble/nets';
import { descrambleChannels, quadraticAssignmentValue, smoothnessMatrix } from '@descramble/permutation';
import { CliError, InterruptedError, UsageError } from '../cli-errors.js';
import {
  type Command,
  type CommandContext,
  MODEL_INPUT_HELP,
  MODEL_INPUT_OPTIONS,
  OPERATOR_HELP,
  OPERATOR_OPTIONS,
  OPERATORS,
  type OptionValues,
  OUTPUT_OPTIONS,
  outputHelp,
} from '../command.js';
import { openSampleSource, parseFileSpec, type SampleSource } from '../inputs.js';
import { checkGraphData, graphRuntime, graphSamples, graphStageFailure, isOnnxFile, loadGraph, requireSameFunction } from '../graph-models.js';
import { hiddenLayerGrams, layerMatrix, oddUpToNextLinear, verificationInputs } from '../model-analysis.js';
import { checkModelData, hiddenLayers, loadModel } from '../models.js';
import { choice, stringOption } from '../options.js';
import { OutputDirectory, runInputs } from '../output-directory.js';
import { PathComponents, safeComponent } from '../path-components.js';
import { BIAS_HELP, BIAS_OPTIONS, biasChoice } from '../bias.js';
import { InputWatch } from '../input-watch.js';
import { reportDocument, toJson } from '../report-file.js';

/** Largest acceptable max |f(x) - g(x)| relative to max(1, max |f(x)|): float64 round-off. */
export const REPARAMETRISATION_TOLERANCE = 1e-12;

export const permuteCommand: Command = {
  name: 'permute',
  summary: 'reorder the hidden units (channels) of a model smoothest-first; same function, checked',
  usage: 'permute MODEL [--data FILE[:TENSOR]] [--architecture FILE] [--signed] [--out DIR]',
  description: [
    "For every hidden dense or convolution layer, finds the permutation of its units (channels) that",
    'makes the preactivations smoothest along the unit axis: the quadratic assignment problem',
    'min tr(A P B P^T) over permutations, with A = D^T D and B the channel Gram matrix captured',
    'from the data (W W^T without data), solved by @descramble/permutation with a lower bound.',
    'The permuted model computes the same function; it is written as safetensors (architecture in',
    'the metadata) and ONNX, read back, and checked: the largest output difference on the data',
    `must be <= ${REPARAMETRISATION_TOLERANCE} (relative to max(1, max |output|)), else nothing is written.`,
    '--signed also flips signs where every activation up to the next layer is odd (tanh, identity);',
    'with --signed an ONNX model must be such a chain of dense and convolution layers.',
    '',
    'An ONNX model is permuted as a graph, in ONNX Runtime: its channel groups (the axes that must',
    'move together: through activations, BatchNorm, LayerNorm, pooling, a residual Add, Concat,',
    'Flatten) each get one permutation, from the Grams of the layers that write them; a group that',
    'meets a graph output or an op a permutation cannot pass (attention heads, Softmax over the',
    'channels) stays as it is, with the node named. permuted.onnx is checked on the data to float32',
    'roundoff (largest output difference at most 1e-4 of the output\'s size; 1e-12 for float64 models).',
  ].join('\n'),
  options: {
    ...MODEL_INPUT_OPTIONS,
    ...OPERATOR_OPTIONS,
    signed: { type: 'boolean' },
    ...BIAS_OPTIONS,
    ...OUTPUT_OPTIONS,
  },
  optionHelp: [
    ...MODEL_INPUT_HELP,
    OPERATOR_HELP,
    '--signed                   signed permutations where the activations are odd',
    BIAS_HELP,
    ...outputHelp('./descramble-out/<model>-permuted'),
  ],
  examples: [
    'descramble permute mlp.onnx --data inputs.npy',
    'descramble permute cnn.onnx --data images.npy --operator dirichlet --out cnn-sorted',
    'descramble permute model.safetensors --architecture arch.json --signed --json',
  ],
  threads: "worker threads accumulating the layers' Gram matrices over the data (default 1)",
  run: runPermute,
};

function check(original: SequentialModel, candidate: SequentialModel, inputs: { rows: number; data: Float64Array }, what: string) {
  const result = verifyReparametrisation(original, candidate, inputs);
  const allowed = REPARAMETRISATION_TOLERANCE * Math.max(1, result.maxAbsOutput);
  if (!(result.maxAbsDifference <= allowed)) {
    throw new CliError(
      `${what}: outputs differ from the original by up to ${result.maxAbsDifference.toExponential(3)} (allowed ${allowed.toExponential(3)}); nothing was written`,
      1,
    );
  }
  return { ...result, allowed };
}

async function runPermute(values: OptionValues, positionals: readonly string[], context: CommandContext): Promise<void> {
  if (positionals.length !== 1) throw new UsageError('permute: give exactly one MODEL file');
  const modelFile = positionals[0] as string;
  const operator = choice(values.operator, OPERATORS, '--operator', 'fourier');
  const name = safeComponent(`${basename(modelFile, extname(modelFile))}-permuted`);
  const bias = biasChoice(values.bias);
  const inputFiles = [modelFile, stringOption(values, 'data'), stringOption(values, 'architecture')];
  const watch = new InputWatch(context.cwd, inputFiles);
  const out = await OutputDirectory.open(stringOption(values, 'out') ?? join(context.cwd, 'descramble-out', name), {
    force: values.force === true,
    inputs: runInputs(context.cwd, inputFiles),
  });
  try {
    const started = performance.now();
    // --signed needs odd activations between layers, which the sequential engine checks: an ONNX
    // chain of dense and convolution layers is permuted there, with signs
    if (isOnnxFile(modelFile) && values.architecture === undefined && values.signed !== true) {
      await runGraphPermute(modelFile, { operator, bias, dataText: stringOption(values, 'data'), figures: values['no-figures'] !== true }, out, context, started);
      await watch.check();
      await out.commit();
      return;
    }
    const loaded = await loadModel(modelFile, stringOption(values, 'architecture'));
    const dataText = stringOption(values, 'data');
    let samples: SampleSource | undefined;
    if (dataText !== undefined) {
      samples = await openSampleSource(parseFileSpec(dataText, '--data'), { tensorSamples: true });
      checkModelData(loaded, samples);
    }
    const layers = hiddenLayers(loaded.model);
    if (layers.length === 0) throw new CliError(`${modelFile}: has no hidden dense or convolution layer to permute`, 1);
    const grams = await hiddenLayerGrams(loaded, layers, samples, context, bias);
    const components = new PathComponents();
    let model = loaded.model;
    const records: Record<string, unknown>[] = [];
    const sections: ReportSection[] = [];
    const figures: Record<string, Figure> = {};
    for (const { index, layer } of layers) {
      if (context.signal.aborted) throw new InterruptedError();
      const { gram, count, source } = grams.get(layer.name) as NonNullable<ReturnType<typeof grams.get>>;
      const odd = oddUpToNextLinear(loaded.model, index);
      const signed = values.signed === true && odd;
      const solveStart = performance.now();
      const result = descrambleChannels(gram, { operator, signed, activation: odd ? 'odd' : 'other', solver: { seed: context.seed } });
      const seconds = (performance.now() - solveStart) / 1000;
      const identity = Int32Array.from({ length: gram.rows }, (_, i) => i);
      const identityValue = quadraticAssignmentValue(smoothnessMatrix(gram.rows, operator), gram, identity);
      const before = getLayer(model, layer.name);
      model = permuteHiddenUnits(model, layer.name, result.permutation, signed ? { signs: result.signs } : {});
      const after = getLayer(model, layer.name);
      records.push({
        name: layer.name,
        kind: layer.kind,
        units: gram.rows,
        gramSource: source,
        sampleCount: count,
        bias,
        operator,
        signed,
        permutation: Array.from(result.permutation),
        signs: Array.from(result.signs),
        value: result.value,
        identityValue,
        lowerBound: result.lowerBound,
        gap: result.gap,
        solver: { method: result.assignment.method, proved: result.assignment.proved, iterations: result.assignment.iterations, seconds },
      });
      const stem = components.component(layer.name);
      if (isLinearLayer(before) && isLinearLayer(after)) {
        figures[`${stem}-weights`] = { kind: 'heatmap', title: `${layer.name}: weights as trained`, values: layerMatrix(before), colourMap: 'diverging', domain: 'symmetric', xLabel: 'input', yLabel: 'unit', colourBar: true };
        figures[`${stem}-permuted`] = { kind: 'heatmap', title: `${layer.name}: units permuted smoothest-first`, values: layerMatrix(after), colourMap: 'diverging', domain: 'symmetric', xLabel: 'input', yLabel: 'unit', colourBar: true };
      }
      sections.push({
        heading: `Layer ${layer.name}`,
        text: [
          `${gram.rows} ${layer.kind === 'dense' ? 'units' : 'channels'}; Gram matrix from ${source === 'data' ? `${count} samples` : 'W W^T (isotropic inputs)'}; operator **${operator}**${signed ? ', signed' : ''}.`,
          '',
          `- smoothness ${result.value.toPrecision(6)} (as trained ${identityValue.toPrecision(6)}), lower bound ${result.lowerBound.toPrecision(6)}, relative gap ${result.gap.toExponential(2)}`,
          `- new order: ${Array.from(result.permutation).join(', ')}`,
        ].join('\n'),
        figures: [figures[`${stem}-weights`], figures[`${stem}-permuted`]].filter((f): f is Figure => f !== undefined),
      });
    }
    const inputs = await verificationInputs(loaded.model, samples, context.seed);
    const safetensorsBytes = writeSafetensorsModel(model);
    const onnxBytes = writeOnnxModel(model);
    const verification = {
      inputs: inputs.source,
      tolerance: REPARAMETRISATION_TOLERANCE,
      inMemory: check(loaded.model, model, inputs, 'permuted model'),
      safetensors: check(loaded.model, readSafetensorsModel(safetensorsBytes), inputs, 'permuted.safetensors read back'),
      onnx: check(loaded.model, readOnnxModel(onnxBytes), inputs, 'permuted.onnx read back'),
    };
    await out.write('permuted.safetensors', safetensorsBytes);
    await out.write('permuted.onnx', onnxBytes);
    const files = ['permuted.safetensors', 'permuted.onnx', 'report.json'];
    if (values['no-figures'] !== true) {
      for (const [key, figure] of Object.entries(figures)) {
        if (context.signal.aborted) throw new InterruptedError();
        await out.write(`${key}.png`, renderFigureToPng(figure));
        files.push(`${key}.png`);
      }
      files.push('report.html');
    }
    const report = reportDocument({
      command: 'permute',
      arguments: context.argv.slice(1),
      seed: context.seed,
      layers: [],
      files,
      extra: { model: modelFile, bias, renamed: components.renamed, permutation: { layers: records, verification }, timings: { totalSeconds: (performance.now() - started) / 1000 } },
    });
    const json = toJson(report);
    await out.write('report.json', json);
    if (values['no-figures'] !== true) {
      const check = verification.inMemory;
      await out.write(
        'report.html',
        renderReportNode({
          title: `Permutation descrambling of ${basename(modelFile)}`,
          summary: `Hidden units reordered smoothest-first; the permuted model computes the same function: max |output difference| ${check.maxAbsDifference.toExponential(2)} on ${inputs.source} (outputs up to ${check.maxAbsOutput.toPrecision(4)}).`,
          sections,
        }),
      );
    }
    if (context.signal.aborted) throw new InterruptedError();
    await watch.check();
    await out.commit();
    if (context.json) context.stdout.write(json);
    else {
      for (const record of records) {
        context.stdout.write(`${record.name}: smoothness ${(record.value as number).toPrecision(6)} (was ${(record.identityValue as number).toPrecision(6)}), gap to bound ${(record.gap as number).toExponential(2)}\n`);
      }
      context.stdout.write(`same function: max |output difference| ${verification.onnx.maxAbsDifference.toExponential(2)} (ONNX read back)\nwrote ${out.path}\n`);
    }
  } catch (error) {
    await out.discard();
    throw error;
  }
}

interface GraphPermuteSettings {
  readonly operator: (typeof OPERATORS)[number];
  readonly bias: BiasMode;
  readonly dataText: string | undefined;
  readonly figures: boolean;
}

/** permute on any ONNX graph: nets' permuteGraphModel, its report and figures written. */
async function runGraphPermute(modelFile: string, settings: GraphPermuteSettings, out: OutputDirectory, context: CommandContext, started: number): Promise<void> {
  const graph = await loadGraph(modelFile);
  let samples: SampleSource | undefined;
  if (settings.dataText !== undefined) {
    samples = await openSampleSource(parseFileSpec(settings.dataText, '--data'), { tensorSamples: true });
    checkGraphData(graph, samples);
  }
  const runtime = await graphRuntime();
  let stage: GraphModelStage | undefined;
  let capturing = false;
  const finishCapture = () => {
    if (capturing) context.progress.finish();
    capturing = false;
  };
  let result: PermuteGraphModelResult;
  try {
    result = await permuteGraphModel(runtime, graph.model, {
      samples: samples === undefined ? undefined : graphSamples(samples),
      operator: settings.operator,
      bias: settings.bias,
      seed: context.seed,
      signal: context.signal,
      sessionOptions: { intraOpNumThreads: context.threads },
      onProgress: ({ done }) => context.progress.update(done),
      onStage: (next) => {
        finishCapture();
        stage = next;
        if (next.stage !== 'grams') return;
        for (const group of next.blocked) context.progress.note(`channel group ${group.id} (${group.layers.join(', ')}) stays as it is: ${group.reason}`);
        if (next.samples !== null) {
          context.progress.start(`capturing ${next.layers} layer${next.layers === 1 ? '' : 's'} in ONNX Runtime`, next.samples);
          capturing = true;
        }
      },
    });
  } catch (error) {
    throw graphStageFailure(stage, graph, samples, error, context.signal);
  } finally {
    finishCapture();
  }
  const { groups: records, blockedGroups: blocked, verification, bytes } = result;
  if (verification === null || bytes === null) {
    for (const group of blocked) context.progress.note(`channel group ${group.id} (${group.layers.join(', ')}) stays as it is: ${group.reason}`);
    throw new CliError(`${modelFile}: no channel group can be permuted (${blocked.map((g) => g.reason).join(' ')})`, 1);
  }
  requireSameFunction(verification);
  const sections: ReportSection[] = [];
  const figures: Record<string, Figure> = {};
  const components = new PathComponents();
  for (const record of records) {
    const group = result.analysis.groups.find((candidate) => candidate.id === record.group) as ChannelGroup;
    const writers = groupWriters(group);
    const stem = components.component(`group-${group.id}-${writers[0] ?? 'channels'}`);
    const groupFigures: Figure[] = [];
    const rows = groupWeightRows(graph.model, result.analysis, group, record.permutation);
    if (rows !== undefined) {
      const trained: Figure = { kind: 'heatmap', title: `${rows.layer}: weights as trained`, values: rows.trained, colourMap: 'diverging', domain: 'symmetric', xLabel: 'input', yLabel: 'unit', colourBar: true };
      const sorted: Figure = { kind: 'heatmap', title: `${rows.layer}: units permuted smoothest-first`, values: rows.permuted, colourMap: 'diverging', domain: 'symmetric', xLabel: 'input', yLabel: 'unit', colourBar: true };
      figures[`${stem}-weights`] = trained;
      figures[`${stem}-permuted`] = sorted;
      groupFigures.push(trained, sorted);
    }
    const placements = groupPlacements(group).length;
    sections.push({
      heading: `Channel group ${group.id}: ${writers.join(', ')}`,
      text: [
        `${group.size} channels, moved together in ${record.layers.join(', ')}; Gram matrix from ${record.gramSource === 'data' ? `${record.sampleCount} samples` : 'W W^T (isotropic inputs)'}${placements > 1 ? ` (the sum over the ${placements} places layers write these channels of their Grams, each scaled to unit trace)` : ''}; operator **${settings.operator}**.`,
        '',
        `- smoothness ${record.value.toPrecision(6)} (as trained ${record.identityValue.toPrecision(6)}), lower bound ${record.lowerBound.toPrecision(6)}, relative gap ${record.gap.toExponential(2)}`,
        `- new order: ${record.permutation.join(', ')}`,
      ].join('\n'),
      figures: groupFigures,
    });
  }
  const { inMemory, onnx: readBack } = verification;
  const inputsSource = verification.inputs;
  await out.write('permuted.onnx', bytes);
  const files = ['permuted.onnx', 'report.json'];
  if (settings.figures) {
    for (const [key, figure] of Object.entries(figures)) {
      if (context.signal.aborted) throw new InterruptedError();
      await out.write(`${key}.png`, renderFigureToPng(figure));
      files.push(`${key}.png`);
    }
    files.push('report.html');
  }
  const report = reportDocument({
    command: 'permute',
    arguments: context.argv.slice(1),
    seed: context.seed,
    layers: [],
    files,
    extra: {
      model: modelFile,
      engine: 'onnxruntime',
      bias: settings.bias,
      renamed: components.renamed,
      permutation: { groups: records, blockedGroups: blocked, verification: { inputs: inputsSource, tolerance: inMemory.tolerance, inMemory, onnx: readBack } },
      timings: { totalSeconds: (performance.now() - started) / 1000 },
    },
  });
  const json = toJson(report);
  await out.write('report.json', json);
  if (settings.figures) {
    await out.write(
      'report.html',
      renderReportNode({
        title: `Permutation descrambling of ${basename(modelFile)}`,
        summary: `Channels reordered smoothest-first in ${records.length} channel group${records.length === 1 ? '' : 's'}${blocked.length > 0 ? ` (${blocked.length} left as they are: ${blocked.map((g) => g.reason).join(' ')})` : ''}; the permuted model computes the same function in ONNX Runtime: largest output difference ${readBack.maxRelativeDifference.toExponential(2)} of the output's size on ${inputsSource}.`,
        sections,
      }),
    );
  }
  if (context.signal.aborted) throw new InterruptedError();
  if (context.json) context.stdout.write(json);
  else {
    for (const record of records) {
      context.stdout.write(
        `group ${record.group} (${record.layers.join(', ')}): smoothness ${record.value.toPrecision(6)} (was ${record.identityValue.toPrecision(6)}), gap to bound ${record.gap.toExponential(2)}\n`,
      );
    }
    for (const group of blocked) context.stdout.write(`group ${group.id} (${group.layers.join(', ')}): not permuted: ${group.reason}\n`);
    context.stdout.write(`same function: largest output difference ${readBack.maxRelativeDifference.toExponential(2)} of the output's size (ONNX read back, ONNX Runtime)\nwrote ${out.path}\n`);
  }
}
