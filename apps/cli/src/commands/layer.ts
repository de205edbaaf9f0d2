import { basename, extname, join } from 'node:path';
import { type DescramblerGroup, descrambleLayer, iterativeDescrambler, type LayerDescrambler, layerReport } from '@descramble/descramblers';
import { type MethodName, type RelativeGap, relativeGap } from '@descramble/orthogonal';
import { descrambleChannels, permuteDenseLayer } from '@descramble/permutation';
import { renderReportNode, renderFigureToPng } from '@descramble/figures/node';
import { fromMatrix, writeNpy, writeSafetensors } from '@descramble/io';
import { type GramAccumulator, multiply, multiplyTransposeB } from '@descramble/linalg';
import { type BiasMode, isotropicGram } from '@descramble/nets';
import type { IterationLogEntry } from '@descramble/orthogonal';
import { Matrix } from 'ml-matrix';
import { InputError, InterruptedError, UsageError } from '../cli-errors.js';
import {
  type Command,
  NUMBERS_HELP,
  type CommandContext,
  OPERATOR_HELP,
  OPERATOR_OPTIONS,
  OPERATORS,
  type OptionValues,
  OUTPUT_OPTIONS,
  outputHelp,
  RESCALE_HELP,
  RESCALE_OPTIONS,
} from '../command.js';
import { weightsTask } from '../gram-tasks.js';
import { type FileSpec, loadGram, loadMatrix, loadTensors, openSampleSource, parseFileSpec } from '../inputs.js';
import { convergenceFigure, layerFigures, layerSection, summaryLine, warnAbout } from '../layer-analysis.js';
import { choice, positiveInteger, stringOption } from '../options.js';
import { OutputDirectory, runInputs } from '../output-directory.js';
import { safeComponent } from '../path-components.js';
import { BIAS_HELP, BIAS_OPTIONS, biasChoice } from '../bias.js';
import { InputWatch } from '../input-watch.js';
import { computeGrams } from '../parallel-gram.js';
import { reportDocument, toJson } from '../report-file.js';

const GROUPS = ['orthogonal', 'special-orthogonal', 'permutation', 'signed-permutation'] as const;
/** The paper's Figure 1 strategies (compareStrategies) and orthogonal's solvers on the Brockett problem from P = I. */
const STRATEGIES = [
  'exact',
  'cayley-pgd',
  'warm-start',
  'rescaled',
  'lbfgs',
  'wen-yin',
  'conjugate-gradient',
  'trust-regions',
  'steepest-descent',
] as const;
type Strategy = (typeof STRATEGIES)[number];
type Group = (typeof GROUPS)[number];

export const layerCommand: Command = {
  name: 'layer',
  summary: 'descramble one layer from its weights and its data, Gram matrix or second moment',
  usage:
    'layer --weights FILE[:TENSOR] (--data FILE[:TENSOR] | --gram FILE | --second-moment FILE | --isotropic) [options]',
  description: [
    'Computes the exact smoothness descrambler P = T U^T of one layer (Lemma 1), the descrambled',
    'weights P W, the certificate that P is optimal, and the centred spectra. Weights are out x in',
    '(PyTorch layout); data rows are samples (N x in). A .npy data file is streamed in blocks, so',
    'it may be larger than memory. --gram takes a .gram file from `descramble gram` (or a matrix);',
    '--second-moment takes E[x x^T] (in x in) and uses W Gamma W^T (Theorem 1); --isotropic assumes',
    'Gamma = I (Theorem 2: P W = T Sigma V^T).',
    '',
    NUMBERS_HELP,
  ].join('\n'),
  options: {
    weights: { type: 'string' },
    data: { type: 'string' },
    gram: { type: 'string' },
    'second-moment': { type: 'string' },
    isotropic: { type: 'boolean' },
    'next-weights': { type: 'string' },
    ...OPERATOR_OPTIONS,
    group: { type: 'string' },
    strategy: { type: 'string' },
    'max-iterations': { type: 'string' },
    'gradient-tolerance': { type: 'string' },
    ...RESCALE_OPTIONS,
    ...BIAS_OPTIONS,
    ...OUTPUT_OPTIONS,
  },
  optionHelp: [
    '--weights FILE[:TENSOR]    weights, out x in (safetensors, npy, npz, ONNX, .h5, .mat)',
    '--data FILE[:TENSOR]       layer inputs, one sample per row',
    '--gram FILE                Gram matrix S S^T (.gram from `descramble gram`, or a matrix file)',
    '--second-moment FILE       second moment of the inputs, in x in',
    '--isotropic                assume isotropic inputs (Gamma = I)',
    '--next-weights FILE[:T]    next layer weights; writes W_next P^T too',
    OPERATOR_HELP,
    '--group NAME               orthogonal (default) | special-orthogonal | permutation | signed-permutation',
    '                           (the permutation groups solve the QAP on the same A and B and report',
    '                           the gap to the Lemma 1 bound)',
    '--strategy NAME            exact (default) | cayley-pgd | warm-start | rescaled (the paper\'s Figure 1)',
    '                           | lbfgs | wen-yin | conjugate-gradient | trust-regions | steepest-descent',
    '                           (iterative, from P = I; reports iterations, convergence, gap to the',
    '                           exact optimum and the distance to the exact descrambler)',
    '--max-iterations N         iteration budget of an iterative strategy (default 1000)',
    '--gradient-tolerance X     stop an iterative strategy below this gradient norm (default 1e-8)',
    RESCALE_HELP,
    BIAS_HELP,
    '                           (include: the bias is the tensor beside the weights, <name>.bias)',
    ...outputHelp('./descramble-out/<weights name>'),
  ],
  examples: [
    'descramble layer --weights model.safetensors:fc1.weight --data inputs.npy',
    'descramble layer --weights w1.npy --gram layer1.gram --operator dirichlet --out out/layer1',
    'descramble layer --weights model.onnx:fc1.weight --isotropic --json > report.json',
    'descramble layer --weights model.safetensors:fc1.weight --data inputs.npy --strategy lbfgs',
    'descramble layer --weights model.safetensors:fc1.weight --data inputs.npy --group permutation',
  ],
  threads: "worker threads accumulating the Gram matrix with --data (default 1; ignored otherwise)",
  run: runLayer,
};

async function runLayer(values: OptionValues, positionals: readonly string[], context: CommandContext): Promise<void> {
  if (positionals.length > 0) throw new UsageError(`layer: unexpected argument '${positionals[0]}'`);
  const weightsText = stringOption(values, 'weights');
  if (weightsText === undefined) throw new UsageError('layer: --weights FILE[:TENSOR] is required');
  const sources = ['data', 'gram', 'second-moment', 'isotropic'].filter((name) => values[name] !== undefined);
  if (sources.length !== 1) {
    throw new UsageError('layer: give exactly one of --data, --gram, --second-moment, --isotropic');
  }
  const operator = choice(values.operator, OPERATORS, '--operator', 'fourier');
  const group: Group = choice(values.group, GROUPS, '--group', 'orthogonal');
  const strategy: Strategy = choice(values.strategy, STRATEGIES, '--strategy', 'exact');
  const rescale = values.rescale === true;
  if (strategy !== 'exact' && group !== 'orthogonal') {
    throw new UsageError(`layer: --strategy ${strategy} searches the orthogonal group; use it with --group orthogonal`);
  }
  if (strategy !== 'exact' && rescale) throw new UsageError('layer: --rescale applies to the exact strategy only');
  const maxIterations = positiveInteger(values['max-iterations'], '--max-iterations', 1000);
  const gradientTolerance = positiveNumber(values['gradient-tolerance'], '--gradient-tolerance', 1e-8);
  const weightsSpec = parseFileSpec(weightsText, '--weights');
  const name = defaultName(weightsSpec);
  const outDir = stringOption(values, 'out') ?? join(context.cwd, 'descramble-out', name);
  const inputFiles = [weightsText, ...['data', 'gram', 'second-moment', 'next-weights'].map((option) => stringOption(values, option))];
  const watch = new InputWatch(context.cwd, inputFiles);
  const out = await OutputDirectory.open(outDir, { force: values.force === true, inputs: runInputs(context.cwd, inputFiles) });
  try {
    const started = performance.now();
    const { matrix: weights, tensor } = await loadMatrix(weightsSpec, 'weights');
    const next =
      stringOption(values, 'next-weights') === undefined
        ? undefined
        : await loadMatrix(parseFileSpec(stringOption(values, 'next-weights') as string, '--next-weights'), 'next-layer weights');
    if (next !== undefined && next.matrix.columns !== weights.rows) {
      throw new InputError(
        `--next-weights: tensor '${next.tensor}' is ${next.matrix.rows} x ${next.matrix.columns}, but it must have ${weights.rows} columns to follow weights '${tensor}' (${weights.rows} x ${weights.columns})`,
      );
    }
    const loaded = performance.now();
    const exactGroup: DescramblerGroup = group === 'special-orthogonal' ? 'special-orthogonal' : 'orthogonal';
    const options = { operator, group: exactGroup, rescale, label: `layer ${name} of ${weightsSpec.file}`, signal: context.signal, ...(next ? { nextWeights: next.matrix } : {}) };
    const source = sources[0] as 'data' | 'gram' | 'second-moment' | 'isotropic';
    const { result, bias } = await computeDescrambler(source, values, weights, weightsSpec, tensor, options, context);
    const exactDone = performance.now();
    const chosen = chooseDescrambler(result, weights, { group, strategy, maxIterations, gradientTolerance }, context);
    const finished = performance.now();
    const descrambledNext = next === undefined ? undefined : multiplyTransposeB(next.matrix, chosen.P);

    const identity = {
      name,
      file: weightsSpec.file,
      tensor,
      source: source === 'second-moment' ? ('secondMoment' as const) : source,
      bias,
      operator,
      rescale,
      timings: {
        loadSeconds: (loaded - started) / 1000,
        exactSeconds: (exactDone - loaded) / 1000,
        descramblerSeconds: (finished - loaded) / 1000,
      },
    };
    const record = layerReport(
      result,
      weights,
      identity,
      strategy === 'exact' && group === exactGroup ? undefined : { strategy, group, value: chosen.value, gap: chosen.gap, descrambledWeights: chosen.descrambledWeights, ...(chosen.solver === undefined ? {} : { solver: chosen.solver }) },
    );
    warnAbout(record, context);

    await out.write('descrambler.npy', writeNpy(fromMatrix(chosen.P)));
    await out.write('descrambled-weights.npy', writeNpy(fromMatrix(chosen.descrambledWeights)));
    const tensors: Record<string, ReturnType<typeof fromMatrix>> = {
      descrambler: fromMatrix(chosen.P),
      'descrambled.weight': fromMatrix(chosen.descrambledWeights),
    };
    if (descrambledNext) tensors['descrambled.next_weight'] = fromMatrix(descrambledNext);
    await out.write('descrambled.safetensors', writeSafetensors(tensors, { source: weightsSpec.file, tensor }));

    const figureFiles: string[] = [];
    const figures = layerFigures(name, weights, chosen.descrambledWeights);
    if (chosen.log !== undefined && chosen.log.length > 1) {
      figures.convergence = convergenceFigure(`${name}: ${strategy} convergence`, chosen.log, result.optimum);
    }
    if (values['no-figures'] !== true) {
      context.progress.start('rendering figures', Object.keys(figures).length);
      let done = 0;
      for (const [key, figure] of Object.entries(figures)) {
        if (context.signal.aborted) throw new InterruptedError();
        await out.write(`${key}.png`, renderFigureToPng(figure));
        figureFiles.push(`${key}.png`);
        context.progress.update(++done);
      }
      context.progress.finish();
    }
    const files = ['descrambler.npy', 'descrambled-weights.npy', 'descrambled.safetensors', 'report.json', ...figureFiles];
    if (values['no-figures'] !== true) files.push('report.html');
    const report = reportDocument({
      command: 'layer',
      arguments: context.argv.slice(1),
      seed: context.seed,
      layers: [record],
      files,
    });
    const json = toJson(report);
    await out.write('report.json', json);
    if (values['no-figures'] !== true) {
      const html = renderReportNode({
        title: `Descrambling of ${name}`,
        summary: `${strategy === 'exact' ? 'Exact smoothness descrambler (Lemma 1)' : `Smoothness descrambler by ${strategy}`} of \`${tensor}\` from \`${weightsSpec.file}\`, group ${group}.`,
        sections: [layerSection(record, figures)],
      });
      await out.write('report.html', html);
    }
    if (context.signal.aborted) throw new InterruptedError();
    await watch.check();
    await out.commit();
    if (context.json) context.stdout.write(json);
    else {
      context.stdout.write(`${summaryLine(record)}\nwrote ${out.path}\n`);
    }
  } catch (error) {
    await out.discard();
    throw error;
  }
}

function positiveNumber(value: unknown, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (typeof value !== 'string' || !(parsed > 0) || !Number.isFinite(parsed)) {
    throw new UsageError(`${flag} expects a positive number, got '${String(value)}'`);
  }
  return parsed;
}

interface ChosenDescrambler {
  readonly P: Matrix;
  readonly descrambledWeights: Matrix;
  readonly value: number;
  /** Gap to the Lemma 1 optimum, with the exact descrambler's roundoff bound. */
  readonly gap: RelativeGap;
  readonly solver?: Readonly<Record<string, unknown>>;
  readonly log?: readonly IterationLogEntry[];
}

/**
 * The descrambler of the requested group and strategy, compared with the exact one: the
 * exact result itself, a Figure 1 strategy of compareStrategies, one of orthogonal's solvers
 * on the same Brockett problem, or the permutation package's QAP on the same A and B.
 */
function chooseDescrambler(
  exact: LayerDescrambler,
  weights: Matrix,
  choiceOf: { group: Group; strategy: Strategy; maxIterations: number; gradientTolerance: number },
  context: CommandContext,
): ChosenDescrambler {
  const { group, strategy } = choiceOf;
  if (group === 'permutation' || group === 'signed-permutation') {
    const signed = group === 'signed-permutation';
    const started = performance.now();
    const channels = descrambleChannels(exact.gram, {
      operator: exact.smoothness,
      signed,
      // A single layer seen alone: signed permutations are orthogonal, so the criterion and
      // its Lemma 1 bound apply whatever the activation (which only matters for the network).
      activation: signed ? 'odd' : 'other',
      solver: { seed: context.seed },
    });
    const d = exact.gram.rows;
    const P = new Matrix(d, d);
    for (let i = 0; i < d; i++) P.set(i, channels.permutation[i] as number, channels.signs[i] as number);
    const permuted = permuteDenseLayer({ weight: weights }, channels.permutation, signed ? channels.signs : undefined);
    return {
      P,
      descrambledWeights: permuted.weight,
      value: channels.value,
      gap: gapToExact(channels.value, exact),
      solver: {
        kind: 'quadratic-assignment',
        method: channels.assignment.method,
        permutation: Array.from(channels.permutation),
        signs: Array.from(channels.signs),
        lemma1Bound: exact.optimum,
        permutationLowerBound: channels.lowerBound,
        gapToPermutationBound: channels.gap,
        proved: channels.assignment.proved,
        iterations: channels.assignment.iterations,
        seconds: (performance.now() - started) / 1000,
      },
    };
  }
  if (strategy === 'exact') return { P: exact.P, descrambledWeights: exact.descrambledWeights, value: exact.value, gap: gapToExact(exact.value, exact) };
  const budget = { maxIterations: choiceOf.maxIterations, gradientTolerance: choiceOf.gradientTolerance };
  if (strategy === 'warm-start' || strategy === 'rescaled') {
    context.progress.note(`running the paper's Figure 1 strategy '${strategy}' (Cayley PGD)`);
    const run = iterativeDescrambler(exact, weights, { start: strategy, method: 'cayley-pgd', ...budget, recordLog: true, signal: context.signal });
    return {
      P: run.P,
      descrambledWeights: run.descrambledWeights,
      value: run.value,
      gap: run.gap,
      log: run.log,
      solver: {
        kind: 'figure-1-strategy',
        method: 'cayley-pgd',
        start: strategy === 'warm-start' ? 'eigenvectors of A' : 'identity (A replaced by its eigenvalues)',
        iterations: run.iterations,
        converged: run.converged,
        stoppedBy: run.stoppedBy,
        seconds: run.time,
        descramblerDistance: run.distanceToExact,
        finalGradientNorm: run.log.length > 0 ? (run.log[run.log.length - 1] as IterationLogEntry).gradientNorm : null,
      },
    };
  }
  const method: MethodName = strategy;
  context.progress.start(`${method} on the Brockett problem`, choiceOf.maxIterations);
  const run = iterativeDescrambler(exact, weights, {
    start: 'identity',
    method,
    seed: context.seed,
    ...budget,
    recordLog: true,
    callback: (entry) => {
      context.progress.update(entry.iteration);
      return context.signal.aborted ? true : undefined;
    },
  });
  context.progress.finish();
  if (context.signal.aborted) throw new InterruptedError();
  return {
    P: run.P,
    descrambledWeights: run.descrambledWeights,
    value: run.value,
    gap: run.gap,
    log: run.log,
    solver: {
      kind: 'riemannian-solver',
      method,
      start: 'identity',
      iterations: run.iterations,
      converged: run.converged,
      stoppedBy: run.stoppedBy,
      seconds: run.time,
      finalGradientNorm: run.gradientNorm,
      orthogonalityError: run.orthogonalityError,
      descramblerDistance: run.distanceToExact,
    },
  };
}

/** The gap of a descrambler's value to the exact optimum, measured as the exact one's (one roundoff bound). */
function gapToExact(value: number, exact: LayerDescrambler): RelativeGap {
  return relativeGap(value, exact.optimum, exact.gapRoundoff, 'descramble layer');
}

function defaultName(spec: FileSpec): string {
  const stem = basename(spec.file, extname(spec.file));
  return safeComponent(spec.tensor === undefined ? stem : `${stem}-${spec.tensor}`);
}

interface DescramblerOptions {
  readonly operator: (typeof OPERATORS)[number];
  readonly group: DescramblerGroup;
  readonly rescale: boolean;
  readonly label: string;
  readonly signal: AbortSignal;
  readonly nextWeights?: Matrix;
}

async function computeDescrambler(
  source: 'data' | 'gram' | 'second-moment' | 'isotropic',
  values: OptionValues,
  weights: Matrix,
  weightsSpec: FileSpec,
  tensor: string,
  options: DescramblerOptions,
  context: CommandContext,
): Promise<{ result: LayerDescrambler; bias: BiasMode | 'unknown' }> {
  const shape = `weights '${tensor}' of ${weightsSpec.file} are ${weights.rows} x ${weights.columns}`;
  const bias = biasChoice(values.bias);
  const biasVector = async () => (bias === 'include' ? loadBias(weightsSpec, tensor, weights.rows) : null);
  if (source === 'isotropic') {
    const vector = await biasVector();
    if (vector === null) return { result: descrambleLayer({ weights, secondMoment: Matrix.eye(weights.columns), ...options }), bias };
    return { result: descrambleLayer({ weights, gram: isotropicGram(weights, vector), ...options }), bias };
  }
  if (source === 'gram') {
    const spec = parseFileSpec(values.gram as string, '--gram');
    const { gram, recordedBias } = await loadGram(spec);
    if (values.bias !== undefined && recordedBias !== 'unknown' && recordedBias !== bias) {
      throw new UsageError(`layer: --bias ${bias}, but ${spec.file} was accumulated with --bias ${recordedBias}`);
    }
    const size = gram instanceof Matrix ? gram.rows : gram.dimension;
    if (size !== weights.rows) {
      throw new InputError(`${spec.file}: Gram matrix is ${size} x ${size}, but ${shape}: it must be ${weights.rows} x ${weights.rows}`, {
        file: spec.file,
      });
    }
    return { result: descrambleLayer({ weights, gram, ...options }), bias: recordedBias };
  }
  if (source === 'second-moment' && bias === 'include') {
    throw new UsageError('layer: --bias include needs the mean of the inputs too, which --second-moment (E[x x^T]) does not give; use --data, or --bias exclude');
  }
  if (source === 'second-moment') {
    const spec = parseFileSpec(values['second-moment'] as string, '--second-moment');
    const { matrix } = await loadMatrix(spec, 'second moment');
    if (matrix.rows !== weights.columns || matrix.columns !== weights.columns) {
      throw new InputError(
        `${spec.file}: second moment is ${matrix.rows} x ${matrix.columns}, but ${shape}: it must be ${weights.columns} x ${weights.columns}`,
        { file: spec.file },
      );
    }
    return { result: descrambleLayer({ weights, secondMoment: matrix, ...options }), bias };
  }
  const spec = parseFileSpec(values.data as string, '--data');
  const samples = await openSampleSource(spec);
  if (samples.columns !== weights.columns) {
    throw new InputError(
      `${spec.file}: data tensor '${samples.tensor}' has ${samples.columns} features per sample (${samples.rows} x ${samples.columns}), but ${shape}: rows must have ${weights.columns}`,
      { file: spec.file, tensor: samples.tensor },
    );
  }
  // The same builder as descrambleLayerAsync (S = W x per block), over --threads workers when asked.
  const [accumulator] = (await computeGrams(weightsTask(weights, await biasVector()), samples, { start: 0, end: samples.rows }, context, {
    pass: () => `accumulating the Gram matrix of ${samples.rows} samples`,
    parallel: `accumulating the Gram matrix of ${samples.rows} samples`,
  })) as [GramAccumulator];
  return { result: descrambleLayer({ weights, gram: accumulator, ...options }), bias };
}

/**
 * The bias of a layer given by its weights alone (`--bias include`): the tensor beside the
 * weights in the same file, `<name>.bias` for `<name>.weight` (PyTorch's naming).
 */
export async function loadBias(spec: FileSpec, tensor: string, rows: number): Promise<Float64Array> {
  const name = tensor.endsWith('weight') ? `${tensor.slice(0, -'weight'.length)}bias` : undefined;
  const tensors = await loadTensors(spec.file);
  const found = name === undefined ? undefined : tensors.get(name);
  if (name === undefined || found === undefined) {
    throw new InputError(`${spec.file}: --bias include needs the layer's bias, but there is no tensor${name === undefined ? '' : ` '${name}'`} beside weights '${tensor}'; pass --bias exclude, or a file that holds both`, {
      file: spec.file,
      tensor,
    });
  }
  if (found.shape.length !== 1 || found.shape[0] !== rows || typeof found.data[0] === 'bigint') {
    throw new InputError(`${spec.file}: bias '${name}' has shape [${found.shape.join(', ')}] ${found.dtype}, but the weights have ${rows} rows: it must be [${rows}], floating point`, {
      file: spec.file,
      tensor: name,
    });
  }
  const vector = Float64Array.from(found.data as ArrayLike<number>);
  if (!vector.every(Number.isFinite)) throw new InputError(`${spec.file}: bias '${name}' has a non-finite value`, { file: spec.file, tensor: name });
  return vector;
}
