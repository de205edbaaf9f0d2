import { basename, extname, join } from 'node:path';
import {
  type DenseLayer,
  permuteHiddenUnits,
  type SequentialModel,
  tensorToMatrix,
  verifyReparametrisation,
  writeOnnxModel,
  writeSafetensorsModel,
} from '@descramble/nets';
import { matchMlpWeights, type DenseLayer as PermutationDense } from '@descramble/permutation';
import { CliError, InputError, InterruptedError, UsageError } from '../cli-errors.js';
import type { Command, CommandContext, OptionValues } from '../command.js';
import { openSampleSource, parseFileSpec, type SampleSource } from '../inputs.js';
import { verificationInputs } from '../model-analysis.js';
import { checkModelData, loadModel } from '../models.js';
import { positiveInteger, stringOption } from '../options.js';
import { OutputDirectory } from '../output-directory.js';
import { reportDocument, toJson } from '../report-file.js';
import { REPARAMETRISATION_TOLERANCE } from './permute.js';

export const matchCommand: Command = {
  name: 'match',
  summary: 'weight matching: permute the hidden units of MODEL_B to align with MODEL_A',
  usage: 'match MODEL_A MODEL_B [--data FILE[:TENSOR]] [--out DIR]',
  description: [
    'Git Re-Basin weight matching of two networks of the same dense architecture (MLPs): maximises',
    'sum over layers of <W_a, P_l W_b P_{l-1}^T> by coordinate descent, one exact linear assignment',
    'per hidden layer (@descramble/permutation). Writes MODEL_B reparametrised (same function,',
    'checked on the data or on seeded normal inputs) as aligned.safetensors and aligned.onnx.',
  ].join('\n'),
  options: {
    data: { type: 'string' },
    architecture: { type: 'string' },
    'max-sweeps': { type: 'string' },
    out: { type: 'string', short: 'o' },
    force: { type: 'boolean', short: 'f' },
  },
  optionHelp: [
    '--data FILE[:TENSOR]       inputs for the check that the aligned model computes the same function',
    '--architecture FILE        architecture spec JSON for weights without one (both models)',
    '--max-sweeps N             coordinate-descent sweeps (default 100)',
    '--out DIR, -o DIR          output directory (default ./descramble-out/<model_b>-aligned)',
    '--force, -f                replace an existing output directory',
  ],
  examples: ['descramble match run1.onnx run2.onnx', 'descramble match a.safetensors b.safetensors --data inputs.npy --json'],
  run: runMatch,
};

function denseLayers(model: SequentialModel, file: string): DenseLayer[] {
  const dense: DenseLayer[] = [];
  for (const layer of model.layers) {
    if (layer.kind === 'dense') dense.push(layer);
    else if (layer.kind !== 'activation') {
      throw new InputError(`${file}: weight matching supports dense networks (MLPs); layer '${layer.name}' is ${layer.kind}`, { file });
    }
  }
  if (dense.length < 2) throw new InputError(`${file}: needs at least two dense layers (one hidden layer) to match`, { file });
  return dense;
}

function forMatching(layer: DenseLayer): PermutationDense {
  const weight = tensorToMatrix(layer.weight);
  return layer.bias === null ? { weight } : { weight, bias: Float64Array.from(layer.bias.data) };
}

async function runMatch(values: OptionValues, positionals: readonly string[], context: CommandContext): Promise<void> {
  if (positionals.length !== 2) throw new UsageError('match: give two model files, MODEL_A MODEL_B');
  const [fileA, fileB] = positionals as [string, string];
  const out = await OutputDirectory.open(stringOption(values, 'out') ?? join(context.cwd, 'descramble-out', `${basename(fileB, extname(fileB))}-aligned`), {
    force: values.force === true,
  });
  try {
    const architecture = stringOption(values, 'architecture');
    const a = await loadModel(fileA, architecture);
    const b = await loadModel(fileB, architecture);
    const denseA = denseLayers(a.model, fileA);
    const denseB = denseLayers(b.model, fileB);
    const shapes = (layers: DenseLayer[]) => layers.map((l) => l.weight.shape.join('x')).join(', ');
    if (shapes(denseA) !== shapes(denseB)) {
      throw new InputError(`${fileB}: dense layers ${shapes(denseB)} do not match ${fileA}'s ${shapes(denseA)}`, { file: fileB });
    }
    let samples: SampleSource | undefined;
    const dataText = stringOption(values, 'data');
    if (dataText !== undefined) {
      samples = await openSampleSource(parseFileSpec(dataText, '--data'), { tensorSamples: true });
      checkModelData(b, samples);
    }
    const started = performance.now();
    const result = matchMlpWeights(denseA.map(forMatching), denseB.map(forMatching), {
      seed: context.seed,
      maxSweeps: positiveInteger(values['max-sweeps'], '--max-sweeps', 100),
    });
    const seconds = (performance.now() - started) / 1000;
    if (context.signal.aborted) throw new InterruptedError();
    let aligned = b.model;
    result.permutations.forEach((permutation, l) => {
      aligned = permuteHiddenUnits(aligned, (denseB[l] as DenseLayer).name, permutation);
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
      layers: denseB.slice(0, -1).map((layer, l) => ({ name: layer.name, permutation: Array.from(result.permutations[l] as Int32Array) })),
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
