import type { Figure, MatrixGrid } from '@descramble/figures';

/** The experiments of the paper that `reproduce` runs, in report order. */
export const EXPERIMENT_NAMES = ['isotropic', 'linearNetwork', 'convolution', 'bandpass', 'deernet'] as const;
export type ExperimentName = (typeof EXPERIMENT_NAMES)[number];

/**
 * A dense matrix in an experiment's data: figures' `MatrixGrid` (row-major, `data[i * columns + j]`)
 * with `Float64Array` entries, so it goes straight into a heatmap and survives `structuredClone`.
 */
export interface MatrixData extends MatrixGrid {
  readonly data: Float64Array;
}

/**
 * One quantitative check: what the paper (or docs/theory.md) says, what we measured, and whether
 * the measurement agrees. `holds: false` is a finding to report, not an error.
 */
export interface ExperimentCheck {
  /** The claim in one line, with the threshold that decides it. */
  readonly claim: string;
  /** What the paper states (quoted or paraphrased, with its section or figure). */
  readonly paperStatement: string;
  /** The measurement, formatted for a reader (units included). */
  readonly measured: string;
  /** The number `measured` was formatted from. */
  readonly value: number;
  readonly holds: boolean;
}

/** A figure with the file stem and caption `reproduce` gives it. */
export interface ExperimentFigure {
  /** File stem, kebab-case, unique within the experiment. */
  readonly name: string;
  readonly caption: string;
  readonly figure: Figure;
}

/**
 * What every experiment returns: its data, its figures and its checks. Each experiment is three
 * public parts and their composition: `compute<Name>(options)` does the heavy work and returns
 * serialisable data (numbers, strings, booleans, plain arrays and objects, typed arrays and
 * {@link MatrixData}; it survives `structuredClone`, so a worker can compute and a page can draw);
 * `<name>Figures(data)` and `<name>Checks(data)` read that data only, no solvers.
 */
export interface ExperimentResult<Data> {
  readonly name: ExperimentName;
  readonly title: string;
  /** One paragraph: the set-up, sizes and seeds. */
  readonly setup: string;
  readonly data: Data;
  readonly figures: readonly ExperimentFigure[];
  readonly checks: readonly ExperimentCheck[];
  /** Wall-clock seconds the experiment took. */
  readonly seconds: number;
}

/** The parts of an experiment that read its data: title, set-up paragraph, figures, checks. */
export interface ExperimentPresentation<Data> {
  readonly name: ExperimentName;
  readonly title: string;
  readonly setup: (data: Data) => string;
  readonly figures: (data: Data) => ExperimentFigure[];
  readonly checks: (data: Data) => ExperimentCheck[];
}

/** Computes an experiment's data and draws and checks it: the composition every experiment is. */
export function composeExperiment<Data>(presentation: ExperimentPresentation<Data>, compute: () => Data): ExperimentResult<Data> {
  const started = performance.now();
  const data = compute();
  return {
    name: presentation.name,
    title: presentation.title,
    setup: presentation.setup(data),
    data,
    figures: presentation.figures(data),
    checks: presentation.checks(data),
    seconds: secondsSince(started),
  };
}

/** A check from a value and a predicate, formatting the value with `format`. */
export function check(
  claim: string,
  paperStatement: string,
  value: number,
  holds: (value: number) => boolean,
  format: (value: number) => string = formatNumber,
): ExperimentCheck {
  return { claim, paperStatement, measured: format(value), value, holds: Number.isFinite(value) && holds(value) };
}

/** Three significant digits, exponent notation outside [1e-3, 1e5). */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude < 1e-3 || magnitude >= 1e5) return value.toExponential(2);
  return Number(value.toPrecision(3)).toString();
}

export function formatPercent(value: number): string {
  return `${(100 * value).toPrecision(3)}%`;
}

export function formatDegrees(radians: number): string {
  return `${((radians * 180) / Math.PI).toPrecision(3)}°`;
}

/** Seconds since `start` (a `performance.now()` reading). */
export function secondsSince(start: number): number {
  return (performance.now() - start) / 1000;
}
