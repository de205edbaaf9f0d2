import { statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import type { GramAccumulator } from '@descramble/linalg';
import { getLayer, isLinearLayer } from '@descramble/nets';
import { InputError, InterruptedError, UsageError } from '../cli-errors.js';
import {
  ARCHITECTURE_HELP,
  type Command,
  type CommandContext,
  MODEL_INPUT_OPTIONS,
  type OptionValues,
  OUTPUT_PATH_OPTIONS,
  outputFileHelp,
} from '../command.js';
import { weightsTask } from '../gram-tasks.js';
import { loadMatrix, openSampleSource, parseFileSpec, type SampleSource } from '../inputs.js';
import { checkModelData, loadModel } from '../models.js';
import { noPositionals, parseShard, shardRows, stringOption } from '../options.js';
import { runInputs, writeFileAtomic } from '../output-directory.js';
import { safeComponent } from '../path-components.js';
import { BIAS_HELP, BIAS_OPTIONS, biasChoice } from '../bias.js';
import { encodeGramFile, fileSha256, GRAM_FILE_MAGIC, type GramProvenance, isGramFile } from '../gram-file.js';
import { InputWatch } from '../input-watch.js';
import { loadBias } from './layer.js';
import { computeGrams } from '../parallel-gram.js';
import { toJson } from '../report-file.js';

export const gramCommand: Command = {
  name: 'gram',
  summary: "accumulate a layer's preactivation Gram matrix (one shard of the data) into a .gram file",
  usage: 'gram (--model FILE --layer NAME | --weights FILE[:TENSOR]) --data FILE[:TENSOR] [--shard i/n] --out FILE.gram',
  description: [
    'Runs the data through the model up to the layer and accumulates B = S S^T of its preactivations',
    'S (for a convolution: every position of every sample is one sample of the channels), or of',
    'S = W x for a single weight matrix given with --weights. --shard i/n takes the contiguous rows',
    'floor(i N / n) .. floor((i + 1) N / n) (i counted from 0), so n machines can each compute one',
    "shard; 'descramble merge-gram' sums the .gram files, and 'descramble layer --gram' uses the sum.",
  ].join('\n'),
  options: {
    model: { type: 'string' },
    architecture: MODEL_INPUT_OPTIONS.architecture,
    layer: { type: 'string' },
    weights: { type: 'string' },
    data: { type: 'string' },
    shard: { type: 'string' },
    ...BIAS_OPTIONS,
    ...OUTPUT_PATH_OPTIONS,
  },
  optionHelp: [
    '--model FILE               model: ONNX, or safetensors with its architecture',
    ARCHITECTURE_HELP,
    '--layer NAME               the dense or convolution layer whose preactivations to use',
    '--weights FILE[:TENSOR]    instead of --model: one weight matrix, out x in',
    '--data FILE[:TENSOR]       inputs, one sample per row (.npy is streamed)',
    '--shard i/n                only shard i of n (0 <= i < n) of the rows',
    BIAS_HELP,
    ...outputFileHelp('the .gram file (default ./descramble-out/<layer>[-shard-i-of-n].gram)'),
  ],
  examples: [
    'descramble gram --model mlp.onnx --layer fc1 --data inputs.npy --shard 0/4 --out fc1-0.gram',
    'descramble gram --weights model.safetensors:fc1.weight --data inputs.npy --out fc1.gram',
    'descramble merge-gram fc1-*.gram --out fc1.gram && descramble layer --weights model.safetensors:fc1.weight --gram fc1.gram',
  ],
  threads: "worker threads, each accumulating a contiguous part of the (shard's) rows (default 1)",
  run: runGram,
};

async function runGram(values: OptionValues, positionals: readonly string[], context: CommandContext): Promise<void> {
  noPositionals('gram', positionals);
  const modelFile = stringOption(values, 'model');
  const weightsText = stringOption(values, 'weights');
  const layerName = stringOption(values, 'layer');
  const dataText = stringOption(values, 'data');
  if ((modelFile === undefined) === (weightsText === undefined)) throw new UsageError('gram: give exactly one of --model FILE (with --layer) and --weights FILE[:TENSOR]');
  if (modelFile !== undefined && layerName === undefined) throw new UsageError('gram: --model needs --layer NAME');
  if (dataText === undefined) throw new UsageError('gram: --data FILE[:TENSOR] is required');
  const shard = parseShard(stringOption(values, 'shard'));
  const bias = biasChoice(values.bias);
  const inputFiles = [modelFile, weightsText, dataText, stringOption(values, 'architecture')];
  const watch = new InputWatch(context.cwd, inputFiles);
  const started = performance.now();

  let accumulator: GramAccumulator;
  let name: string;
  let samples: SampleSource;
  let range: { start: number; end: number };
  let source: GramProvenance['source'];
  if (modelFile !== undefined) {
    const loaded = await loadModel(modelFile, stringOption(values, 'architecture'));
    const layer = layerName as string;
    let target: ReturnType<typeof getLayer>;
    try {
      target = getLayer(loaded.model, layer);
    } catch {
      const names = loaded.model.layers.filter(isLinearLayer).map((l) => l.name);
      throw new InputError(`${modelFile}: no layer named '${layer}' (its dense and convolution layers are ${names.join(', ')})`, { file: modelFile });
    }
    if (!isLinearLayer(target)) throw new InputError(`${modelFile}: layer '${layer}' is a ${target.kind} layer; name a dense or convolution layer`, { file: modelFile });
    samples = await openSampleSource(parseFileSpec(dataText, '--data'), { tensorSamples: true });
    checkModelData(loaded, samples);
    range = shardRows(shard, samples.rows);
    name = target.name;
    [accumulator] = (await computeGrams({ kind: 'capture', model: loaded.model, layers: [layer], bias }, samples, range, context, {
      pass: () => `capturing '${layer}' on rows ${range.start}..${range.end}`,
      parallel: `capturing '${layer}' on rows ${range.start}..${range.end}`,
    })) as [GramAccumulator];
    source = { kind: 'model', file: basename(modelFile), sha256: await fileSha256(modelFile), layer: target.name };
  } else {
    const spec = parseFileSpec(weightsText as string, '--weights');
    const { matrix: weights, tensor } = await loadMatrix(spec, 'weights');
    samples = await openSampleSource(parseFileSpec(dataText, '--data'));
    if (samples.columns !== weights.columns) {
      throw new InputError(
        `${samples.file}: data '${samples.tensor}' has ${samples.columns} features per sample (${samples.rows} x ${samples.columns}), but weights '${tensor}' of ${spec.file} are ${weights.rows} x ${weights.columns}: rows must have ${weights.columns}`,
        { file: samples.file, tensor: samples.tensor },
      );
    }
    range = shardRows(shard, samples.rows);
    name = basename(spec.file, extname(spec.file)) + (spec.tensor ? `-${spec.tensor}` : '');
    const biasVector = bias === 'include' ? await loadBias(spec, tensor, weights.rows) : null;
    [accumulator] = (await computeGrams(weightsTask(weights, biasVector), samples, range, context, {
      pass: () => `accumulating rows ${range.start}..${range.end}`,
      parallel: `accumulating rows ${range.start}..${range.end}`,
    })) as [GramAccumulator];
    source = { kind: 'weights', file: basename(spec.file), sha256: await fileSha256(spec.file), tensor };
  }
  if (context.signal.aborted) throw new InterruptedError();
  const suffix = shard === undefined ? '' : `-shard-${shard.index}-of-${shard.count}`;
  const out = stringOption(values, 'out') ?? join(context.cwd, 'descramble-out', `${safeComponent(name)}${suffix}.gram`);
  const provenance: GramProvenance = {
    format: 'descramble-gram',
    formatVersion: 2,
    source,
    bias,
    data: { file: basename(samples.file), bytes: statSync(samples.file).size, tensor: samples.tensor, rows: samples.rows },
    ranges: [range],
    count: accumulator.count,
    dimension: accumulator.dimension,
  };
  await watch.check();
  const path = await writeFileAtomic(out, encodeGramFile(provenance, accumulator), {
    force: values.force === true,
    inputs: runInputs(context.cwd, inputFiles),
    isOurs: isGramFile,
    magicLength: GRAM_FILE_MAGIC.length,
  });
  const summary = {
    file: path,
    ...provenance,
    shard: shard === undefined ? null : { index: shard.index, count: shard.count, start: range.start, end: range.end },
    seconds: (performance.now() - started) / 1000,
  };
  if (context.json) context.stdout.write(toJson(summary));
  else context.stdout.write(`${name}: Gram matrix ${accumulator.dimension} x ${accumulator.dimension} of ${accumulator.count} samples (rows ${range.start}..${range.end} of ${samples.rows})\nwrote ${path}\n`);
}

