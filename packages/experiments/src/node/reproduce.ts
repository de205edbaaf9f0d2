import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderFigureToPng } from '@descramble/figures/node';
import { loadDeerNet } from '../deernet/load-deernet.js';
import { EXPERIMENT_NAMES, type ExperimentName, type ExperimentResult, formatNumber } from '../experiments/experiment.js';
import type { DeerNetExperimentData } from '../experiments/deernet.js';
import { type ExperimentOptions, runExperiment } from '../experiments/run.js';
import { experimentsScope, InvalidArgumentError } from '../errors.js';

export interface ReproduceOptions {
  /** Directory that receives `reproduction.md` and the figure folder. */
  readonly outDir: string;
  /** Name of the markdown file (default `reproduction.md`). */
  readonly fileName?: string;
  /** Folder for the PNG figures, relative to `outDir` (default `reproduction`). */
  readonly figureDirectory?: string;
  /** Options passed to each experiment. */
  readonly experiments?: ExperimentOptions;
  /** Progress messages (default: none). */
  readonly log?: (message: string) => void;
  /** Aborts between experiments and inside them: throws the signal's reason. */
  readonly signal?: AbortSignal;
}

export interface ReproduceResult {
  readonly results: readonly ExperimentResult<unknown>[];
  /** Absolute or outDir-relative path of the markdown written. */
  readonly markdownPath: string;
  readonly figurePaths: readonly string[];
  readonly seconds: number;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function checksTable(results: readonly ExperimentResult<unknown>[], withExperiment: boolean): string {
  const header = withExperiment ? '| Experiment | Claim | Paper | Measured | Holds |\n| --- | --- | --- | --- | --- |' : '| Claim | Paper | Measured | Holds |\n| --- | --- | --- | --- |';
  const rows = results.flatMap((result) =>
    result.checks.map((c) => {
      const cells = [cell(c.claim), cell(c.paperStatement), cell(c.measured), c.holds ? 'yes' : '**no**'];
      return `| ${withExperiment ? `${result.name} | ` : ''}${cells.join(' | ')} |`;
    }),
  );
  return [header, ...rows].join('\n');
}

function strategyTable(data: DeerNetExperimentData): string {
  const rows = data.strategies.map(
    (s) =>
      `| ${s.name} | ${formatNumber(s.value)} | ${s.withinRoundoff ? '0 (within roundoff)' : formatNumber(s.gap)} | ${s.iterations} | ${formatNumber(s.seconds)} | ${s.converged ? 'yes' : 'no'} | ${formatNumber(s.distanceToExact)} | ${formatNumber(s.notchDb)} | ${formatNumber(100 * s.hiddenBandFraction)}% | ${s.inputHalfWidth90} | ${formatNumber(s.similarityToExact)} |`,
  );
  return [
    '| Strategy | Value tr(A P B Pᵀ) | Gap (value − optimum) / max(abs(optimum), roundoff) | Iterations | Time (s) | Converged | descramblerDistance to exact | Notch depth (dB; positive: zero input frequency weaker than its neighbours) | Hidden band energy | Input 90% half-width | Spectrum similarity to exact |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

function deerNetCardSection(): string {
  const { card } = loadDeerNet();
  const held = card.heldOutError;
  const train = card.trainingError;
  const schedule = card.training.schedule.map((phase) => `${phase.epochs} epochs at ${phase.learningRate}`).join(', ');
  return [
    '### The bundled DEERNet',
    '',
    `${card.architecture}; trained by \`scripts/train-deernet.ts\` on ${card.data.trainingTraces} traces (seed ${card.data.trainingSeed}) from the Spinach-default generator (${card.data.timePoints} time points over ${card.data.maxTimeMicroseconds} µs, ${card.data.distancePoints} distances ${formatNumber(card.data.distanceRangeNm[0])}-${formatNumber(card.data.distanceRangeNm[1])} nm, target peak height ${card.data.peakHeight}); Adam, batch ${card.training.batchSize}, ${schedule}; ${formatNumber(card.seconds.total)} s on the build machine. Weights: ${card.weights} safetensors in the package.`,
    '',
    '| Sample | Traces | Loss | Mean abs. error (peak-0.75 units) | Mean abs. error of p(r) (nm⁻¹, unit area) | Total variation | Mean-distance error (nm) | RMS mean-distance error (nm) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...[
      ['training', train],
      ['held-out', held],
    ].map(
      ([name, q]) =>
        `| ${name as string} | ${(q as typeof held).traces} | ${formatNumber((q as typeof held).loss)} | ${formatNumber((q as typeof held).meanAbsoluteError)} | ${formatNumber((q as typeof held).densityMeanAbsoluteError)} | ${formatNumber((q as typeof held).totalVariation)} | ${formatNumber((q as typeof held).meanDistanceError)} | ${formatNumber((q as typeof held).meanDistanceRmse)} |`,
    ),
  ].join('\n');
}

/**
 * Runs one experiment or all of them, renders their figures to PNG next to the markdown
 * (`<outDir>/<figureDirectory>/<experiment>-<figure>.png`) and writes `<outDir>/reproduction.md`:
 * per experiment its set-up, the table of claims (the paper's statement, our measurement,
 * whether it holds) and the figures.
 */
export function reproduce(name: ExperimentName | 'all', options: ReproduceOptions): ReproduceResult {
  const started = performance.now();
  const log = options.log ?? (() => undefined);
  const names: readonly ExperimentName[] = name === 'all' ? EXPERIMENT_NAMES : [name];
  if (name !== 'all' && !EXPERIMENT_NAMES.includes(name)) {
    throw new InvalidArgumentError({ operation: 'reproduce', argument: 'name', what: `unknown experiment ${JSON.stringify(name)}; expected 'all' or one of ${EXPERIMENT_NAMES.join(', ')}`, ...experimentsScope });
  }
  const figureDirectory = options.figureDirectory ?? 'reproduction';
  mkdirSync(join(options.outDir, figureDirectory), { recursive: true });
  const results: ExperimentResult<unknown>[] = [];
  const figurePaths: string[] = [];
  const sections: string[] = [];
  options.signal?.throwIfAborted();
  for (const experiment of names) {
    log(`running ${experiment} ...`);
    const result = runExperiment(experiment, { ...options.experiments, ...(options.signal !== undefined && { signal: options.signal }) });
    results.push(result);
    log(`  ${experiment}: ${result.checks.filter((c) => c.holds).length}/${result.checks.length} checks hold, ${result.seconds.toFixed(1)} s`);
    const lines = [`## ${result.title}`, '', `*\`${result.name}()\`, ${formatNumber(result.seconds)} s.* ${result.setup}`, ''];
    if (experiment === 'deernet') lines.push(deerNetCardSection(), '', '### Strategies (Figure 1)', '', strategyTable(result.data as DeerNetExperimentData), '');
    lines.push('### Claims', '', checksTable([result], false), '', '### Figures', '');
    for (const figure of result.figures) {
      const file = `${result.name}-${figure.name}.png`;
      const path = join(options.outDir, figureDirectory, file);
      writeFileSync(path, renderFigureToPng(figure.figure));
      figurePaths.push(path);
      lines.push(`![${cell(figure.caption)}](${figureDirectory}/${file})`, '', figure.caption, '');
    }
    sections.push(lines.join('\n'));
  }
  const total = results.reduce((sum, r) => sum + r.checks.length, 0);
  const holding = results.reduce((sum, r) => sum + r.checks.filter((c) => c.holds).length, 0);
  const seconds = (performance.now() - started) / 1000;
  const markdown = [
    '# Reproduction of the paper\'s experiments',
    '',
    '<!-- Generated by `pnpm --filter @descramble/experiments run reproduce` (reproduce(\'all\', { outDir: \'docs\' }) of @descramble/experiments/node). Do not edit by hand. -->',
    '',
    'Every experiment of Sule, Spencer and Czaja, "On the limits of neural network explainability via descrambling" (ACHA 2025), re-run from fixed seeds, with numbers instead of adjectives: each row says what the paper (or docs/theory.md, which restates it) claims, what we measured, and whether the measurement agrees. A "no" is a finding about our networks, reported as measured. The DEERNet results use the network bundled with `@descramble/experiments` (weights of the 2021 DEERNet are not public).',
    '',
    `${holding} of ${total} checks hold; the run took ${formatNumber(seconds)} s.`,
    '',
    '## Summary',
    '',
    checksTable(results, true),
    '',
    ...sections,
  ].join('\n');
  const markdownPath = join(options.outDir, options.fileName ?? 'reproduction.md');
  writeFileSync(markdownPath, `${markdown.trimEnd()}\n`);
  return { results, markdownPath, figurePaths, seconds };
}
