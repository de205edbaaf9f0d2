import { basename, extname, join } from 'node:path';
import { descramble, type LayerReport } from '@descramble/descramblers';
import type { Figure, ReportSection } from '@descramble/figures';
import { renderFigureToPng, renderReportNode } from '@descramble/figures/node';
import { fromMatrix, type TensorInput, writeNpy, writeSafetensors } from '@descramble/io';
import { deerDatasetSpec, generateDeerBatch, loadDeerNet } from '@descramble/experiments';
import { createRng } from '@descramble/linalg';
import type { Matrix } from 'ml-matrix';
import { CliError, InterruptedError, UsageError } from '../cli-errors.js';
import {
  type Command,
  NUMBERS_HELP,
  type CommandContext,
  MODEL_INPUT_HELP,
  MODEL_INPUT_OPTIONS,
  OPERATOR_HELP,
  OPERATOR_OPTIONS,
  OPERATORS,
  type OptionValues,
  OUTPUT_OPTIONS,
  outputHelp,
  RESCALE_HELP,
  RESCALE_OPTIONS,
} from '../command.js';
import { openSampleSource, parseFileSpec, type SampleSource, wholeSource } from '../inputs.js';
import { layerFigures, layerSection, summaryLine, warnAbout } from '../layer-analysis.js';
import { checkGraphData, graphLayerGrams, graphLayerMatrix, hiddenGraphLayers, isOnnxFile, loadGraph } from '../graph-models.js';
import { hiddenLayerGrams, type LayerGram, layerMatrix } from '../model-analysis.js';
import { checkModelData, hiddenLayers, type LoadedModel, loadModel } from '../models.js';
import { choice, positiveInteger, stringOption } from '../options.js';
import { OutputDirectory, runInputs } from '../output-directory.js';
import { PathComponents, safeComponent } from '../path-components.js';
import { BIAS_HELP, BIAS_OPTIONS, biasChoice } from '../bias.js';
import { InputWatch } from '../input-watch.js';
import { reportDocument, toJson } from '../report-file.js';

const GROUPS = ['orthogonal', 'special-orthogonal'] as const;

/** A layer to descramble, from either engine: its weights (units x fan-in) and Gram. */
interface ExplainedLayer {
  readonly name: string;
  /** The tensor the weights came from, for the report. */
  readonly tensor: string;
  readonly weights: Matrix;
  readonly gram: LayerGram;
}

export const explainCommand: Command = {
  name: 'explain',
  summary: 'descramble every hidden layer of a model: descramblers, descrambled weights, spectra, report',
  usage: 'explain [MODEL [--data FILE[:TENSOR]] [--architecture FILE]] [--traces N] [--out DIR]',
  description: [
    'Reads a model: any ONNX graph (run by ONNX Runtime; its layers are every Gemm, MatMul with a',
    'weight, Conv and ConvTranspose, named by PyTorch module path, weight orientation read from the',
    'graph; output layers, whose units are already ordered, are listed and left alone), or safetensors',
    'with its architecture in the metadata, or weights with --architecture spec.json. Captures the',
    'Gram matrix of every hidden layer\'s output without its bias from the data, all layers in one',
    'pass (B = S S^T, streamed; without data B = W W^T, isotropic inputs), and computes each layer\'s',
    'exact smoothness descrambler (Lemma 1) with its certificate, the',
    'descrambled weights P W (convolutions: P acts on the output channels), the centred spectra',
    'and a report. Per layer: <layer>/descrambler.npy and <layer>/descrambled-weights.npy; all',
    'layers in descrambled.safetensors; report.json, report.html and PNG figures.',
    '',
    'Without MODEL: the DEERNet bundled with @descramble/experiments (256 -> 80 tanh -> 256) on',
    '--traces freshly generated DEER traces (seeded by --seed): the paper\'s running example.',
    '',
    NUMBERS_HELP,
  ].join('\n'),
  options: {
    ...MODEL_INPUT_OPTIONS,
    ...OPERATOR_OPTIONS,
    group: { type: 'string' },
    ...RESCALE_OPTIONS,
    ...BIAS_OPTIONS,
    ...OUTPUT_OPTIONS,
    traces: { type: 'string' },
  },
  optionHelp: [
    ...MODEL_INPUT_HELP,
    OPERATOR_HELP,
    '--group NAME               orthogonal (default) | special-orthogonal',
    RESCALE_HELP,
    BIAS_HELP,
    ...outputHelp('./descramble-out/<model>'),
    '--traces N                 without MODEL: DEER traces to generate (default 2000)',
  ],
  examples: [
    'descramble explain',
    'descramble explain mlp.onnx --data inputs.npy',
    'descramble explain cnn.onnx --data images.npy --operator dirichlet --out cnn-report',
    'descramble explain weights.npz --architecture arch.json --data inputs.npy --json > report.json',
  ],
  threads: "worker threads accumulating the layers' Gram matrices over the data (default 1)",
  run: runExplain,
};

async function runExplain(values: OptionValues, positionals: readonly string[], context: CommandContext): Promise<void> {
  if (positionals.length > 1) throw new UsageError(`explain: unexpected argument '${positionals[1]}'`);
  const bundled = positionals.length === 0;
  if (bundled && (values.data !== undefined || values.architecture !== undefined)) {
    throw new UsageError('explain: --data and --architecture need a MODEL (without one, the bundled DEERNet runs on generated traces)');
  }
  if (!bundled && values.traces !== undefined) throw new UsageError('explain: --traces is for the bundled DEERNet (no MODEL)');
  const traces = positiveInteger(values.traces, '--traces', 2000);
  const modelFile = bundled ? 'deernet' : (positionals[0] as string);
  const operator = choice(values.operator, OPERATORS, '--operator', 'fourier');
  const group = choice(values.group, GROUPS, '--group', 'orthogonal');
  const rescale = values.rescale === true;
  const bias = biasChoice(values.bias);
  const name = safeComponent(basename(modelFile, extname(modelFile)));
  const dataText = stringOption(values, 'data');
  const inputFiles = bundled ? [] : [modelFile, dataText, stringOption(values, 'architecture')];
  const watch = new InputWatch(context.cwd, inputFiles);
  const out = await OutputDirectory.open(stringOption(values, 'out') ?? join(context.cwd, 'descramble-out', name), {
    force: values.force === true,
    inputs: runInputs(context.cwd, inputFiles),
  });
  try {
    const started = performance.now();
    let modelLabel: string;
    let samples: SampleSource | undefined;
    let entries: ExplainedLayer[];
    let skipped: { name: string; reason: string }[] = [];
    let loadedAt: number;
    let engine: 'onnxruntime' | undefined;
    if (!bundled && isOnnxFile(modelFile) && values.architecture === undefined) {
      // any ONNX graph: its linear layers found in the graph, all captured in one ONNX Runtime pass
      const graph = await loadGraph(modelFile);
      modelLabel = graph.file;
      engine = 'onnxruntime';
      if (dataText !== undefined) {
        samples = await openSampleSource(parseFileSpec(dataText, '--data'), { tensorSamples: true });
        checkGraphData(graph, samples);
      }
      const split = hiddenGraphLayers(graph);
      skipped = split.skipped;
      if (split.hidden.length === 0) throw new CliError(`${modelFile}: has no hidden layer to descramble (its only linear layers are output layers, whose units are already ordered)`, 1);
      loadedAt = performance.now();
      const grams = await graphLayerGrams(graph, split.hidden, samples, context, bias);
      entries = split.hidden.map((layer) => ({
        name: layer.name,
        tensor: layer.weight,
        weights: graphLayerMatrix(graph, layer),
        gram: grams.get(layer.name) as LayerGram,
      }));
    } else {
      let loaded: LoadedModel;
      if (bundled) {
        context.progress.note(`generating ${traces} DEER traces (seed ${context.seed}) for the bundled DEERNet`);
        const net = loadDeerNet();
        loaded = { file: 'DEERNet (bundled with @descramble/experiments)', model: net.model };
        const spec = deerDatasetSpec({
          timePoints: net.card.data.timePoints,
          distancePoints: net.card.data.distancePoints,
          maxTime: net.card.data.maxTimeMicroseconds,
        });
        const batch = generateDeerBatch(spec, createRng(context.seed), traces);
        samples = wholeSource(`generated DEER traces (seed ${context.seed})`, 'traces', [spec.times.length], traces, batch.inputs);
      } else loaded = await loadModel(modelFile, stringOption(values, 'architecture'));
      modelLabel = loaded.file;
      if (dataText !== undefined) {
        samples = await openSampleSource(parseFileSpec(dataText, '--data'), { tensorSamples: true });
        checkModelData(loaded, samples);
      }
      const layers = hiddenLayers(loaded.model);
      if (layers.length === 0) throw new CliError(`${modelFile}: has no hidden dense or convolution layer to descramble`, 1);
      loadedAt = performance.now();
      const grams = await hiddenLayerGrams(loaded, layers, samples, context, bias);
      entries = layers.map(({ layer }) => ({
        name: layer.name,
        tensor: `${layer.name}.weight`,
        weights: layerMatrix(layer),
        gram: grams.get(layer.name) as LayerGram,
      }));
    }
    for (const layer of skipped) context.progress.note(`${layer.name}: not descrambled (${layer.reason})`);
    const components = new PathComponents();
    const capturedAt = performance.now();
    const records: LayerReport[] = [];
    const sections: ReportSection[] = [];
    const allFigures: Array<[string, Figure]> = [];
    const tensors: Record<string, TensorInput> = {};
    const files: string[] = [];
    for (const entry of entries) {
      if (context.signal.aborted) throw new InterruptedError();
      const { gram, count, source } = entry.gram;
      const weights = entry.weights;
      const { result, report: record } = descramble({
        name: entry.name,
        file: modelLabel,
        tensor: entry.tensor,
        source,
        bias,
        weights,
        gram,
        ...(count === null ? {} : { sampleCount: count }),
        operator,
        group,
        rescale,
        signal: context.signal,
      });
      warnAbout(record, context);
      records.push(record);
      const folder = components.component(entry.name);
      await out.write(`${folder}/descrambler.npy`, writeNpy(fromMatrix(result.P)));
      await out.write(`${folder}/descrambled-weights.npy`, writeNpy(fromMatrix(result.descrambledWeights)));
      files.push(`${folder}/descrambler.npy`, `${folder}/descrambled-weights.npy`);
      tensors[`${entry.name}.descrambler`] = fromMatrix(result.P);
      tensors[`${entry.name}.descrambled_weight`] = fromMatrix(result.descrambledWeights);
      const figures = layerFigures(entry.name, weights, result.descrambledWeights);
      for (const [key, figure] of Object.entries(figures)) allFigures.push([`${folder}/${key}.png`, figure]);
      sections.push(layerSection(record, figures));
    }
    await out.write('descrambled.safetensors', writeSafetensors(tensors, { source: modelLabel }));
    files.push('descrambled.safetensors', 'report.json');
    if (values['no-figures'] !== true) {
      context.progress.start('rendering figures', allFigures.length);
      let done = 0;
      for (const [file, figure] of allFigures) {
        if (context.signal.aborted) throw new InterruptedError();
        await out.write(file, renderFigureToPng(figure));
        files.push(file);
        context.progress.update(++done);
      }
      context.progress.finish();
      files.push('report.html');
    }
    const report = reportDocument({
      command: 'explain',
      arguments: context.argv.slice(1),
      seed: context.seed,
      layers: records,
      files,
      extra: {
        model: modelLabel,
        ...(engine === undefined ? {} : { engine }),
        skippedLayers: skipped,
        bias,
        renamed: components.renamed,
        data: samples === undefined ? null : { file: samples.file, tensor: samples.tensor, rows: samples.rows, sampleShape: samples.sampleShape },
        timings: {
          loadSeconds: (loadedAt - started) / 1000,
          captureSeconds: (capturedAt - loadedAt) / 1000,
          totalSeconds: (performance.now() - started) / 1000,
        },
      },
    });
    const json = toJson(report);
    await out.write('report.json', json);
    if (values['no-figures'] !== true) {
      await out.write(
        'report.html',
        renderReportNode({
          title: `Descrambling of ${bundled ? 'the bundled DEERNet' : basename(modelFile)}`,
          summary: `Exact smoothness descramblers (Lemma 1) of ${records.length} hidden layer${records.length === 1 ? '' : 's'}, from ${samples === undefined ? 'W W^T (isotropic inputs)' : `${samples.rows} samples of \`${samples.file}\``}.`,
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
        context.stdout.write(`${summaryLine(record)}\n`);
      }
      context.stdout.write(`wrote ${out.path}\n`);
    }
  } catch (error) {
    await out.discard();
    throw error;
  }
}
