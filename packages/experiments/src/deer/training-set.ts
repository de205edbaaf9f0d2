import type { Matrix } from 'ml-matrix';
import { DIPOLAR_CONSTANT_FREE_ELECTRON, dipolarKernelMatrix } from './dipolar-kernel.js';
import { distanceRange, linspace } from './grids.js';
import { deerSignal } from './signal.js';
import { normalCdf } from './special-functions.js';

/** What the generator needs from a seeded random source (`createRng` of @descramble/linalg). */
export interface RandomSource {
  /** Uniform on [0, 1). */
  uniform(): number;
  /** Standard normal. */
  normal(): number;
}

/**
 * 'spinach': the defaults of Spinach's deer_lib_gen (docs/deer.md, "Training database").
 * '2018': the variant of Worswick et al. 2018: 1.5-5.0 nm, 1-3 skew-normal peaks, lambda 0.1-0.6,
 * traces scaled so the first point is 1 and the last 0. docs/deer.md leaves the 2018 background and
 * noise unstated; we use the Spinach ones, and uniform peak centres.
 */
export type DeerVariant = 'spinach' | '2018';

/**
 * How the target distribution is scaled: 'peak' scales p to a maximum of `peakHeight`
 * (0.75 by default, which a logistic output can reach), 'mean-one' multiplies p (sum 1) by
 * the number of distance points (Spinach's newer code), 'sum-one' leaves p summing to 1.
 */
export type TargetScaling = 'peak' | 'mean-one' | 'sum-one';

export interface DeerDatasetOptions {
  readonly variant?: DeerVariant;
  /** Number of time points, from 0 to `maxTime` (default 256). */
  readonly timePoints?: number;
  /** Length of the trace in microseconds (default 2). */
  readonly maxTime?: number;
  /** Number of distance points (default 256). */
  readonly distancePoints?: number;
  readonly targetScaling?: TargetScaling;
  /** Peak height for targetScaling 'peak' (default 0.75). */
  readonly peakHeight?: number;
  readonly dipolarConstant?: number;
}

/** The grids, kernel and settings shared by every trace of a dataset. */
export interface DeerDatasetSpec {
  readonly variant: DeerVariant;
  readonly times: Float64Array;
  readonly distances: Float64Array;
  readonly kernel: Matrix;
  readonly targetScaling: TargetScaling;
  readonly peakHeight: number;
}

/** Parameters drawn for one trace, kept so a test or a report can check the distributions. */
export interface DeerTraceParameters {
  readonly peaks: number;
  readonly centres: readonly number[];
  readonly widths: readonly number[];
  readonly amplitudes: readonly number[];
  readonly skewness: readonly number[];
  readonly modulationDepth: number;
  readonly backgroundRate: number;
  readonly backgroundDimension: number;
  readonly noiseStandardDeviation: number;
}

/** A batch in PyTorch layout: one sample per row. */
export interface DeerBatch {
  readonly count: number;
  /** count x timePoints, row-major: the normalised noisy traces (network inputs). */
  readonly inputs: Float64Array;
  /** count x distancePoints, row-major: the scaled distance distributions (targets). */
  readonly targets: Float64Array;
  readonly parameters: readonly DeerTraceParameters[];
}

const FWHM_TO_SIGMA = 1 / (2 * Math.sqrt(2 * Math.LN2));

export function deerDatasetSpec(options: DeerDatasetOptions = {}): DeerDatasetSpec {
  const variant = options.variant ?? 'spinach';
  const timePoints = options.timePoints ?? 256;
  const maxTime = options.maxTime ?? 2;
  const distancePoints = options.distancePoints ?? 256;
  const dipolarConstant = options.dipolarConstant ?? DIPOLAR_CONSTANT_FREE_ELECTRON;
  const range =
    variant === '2018' ? { rMin: 1.5, rMax: 5.0 } : distanceRange(maxTime, timePoints, dipolarConstant);
  const times = linspace(0, maxTime, timePoints);
  const distances = linspace(range.rMin, range.rMax, distancePoints);
  return {
    variant,
    times,
    distances,
    kernel: dipolarKernelMatrix(times, distances, dipolarConstant),
    targetScaling: options.targetScaling ?? 'peak',
    peakHeight: options.peakHeight ?? 0.75,
  };
}

/** u on [0, 1] with density 2 (1 - u): short distances and narrow peaks favoured. */
function triangular(rng: RandomSource): number {
  return 1 - Math.sqrt(1 - rng.uniform());
}

function uniformBetween(rng: RandomSource, low: number, high: number): number {
  return low + (high - low) * rng.uniform();
}

function drawTraceParameters(spec: DeerDatasetSpec, rng: RandomSource): DeerTraceParameters {
  const rMin = spec.distances[0] as number;
  const rMax = spec.distances[spec.distances.length - 1] as number;
  const spinach = spec.variant === 'spinach';
  const peaks = 1 + Math.floor(rng.uniform() * (spinach ? 4 : 3));
  const centres: number[] = [];
  const widths: number[] = [];
  const amplitudes: number[] = [];
  const skewness: number[] = [];
  for (let k = 0; k < peaks; k++) {
    if (spinach) {
      const centre = rMin + (rMax - rMin) * triangular(rng);
      const minWidth = 0.025 * centre;
      const maxWidth = 0.5 * (rMax - rMin);
      centres.push(centre);
      widths.push(minWidth + (maxWidth - minWidth) * triangular(rng));
      skewness.push(0);
    } else {
      centres.push(uniformBetween(rng, rMin, rMax));
      widths.push(uniformBetween(rng, 0.05, 0.5));
      skewness.push(uniformBetween(rng, -3, 3));
    }
    amplitudes.push(rng.uniform());
  }
  const modulationDepth = spinach ? uniformBetween(rng, 0.01, 1) : uniformBetween(rng, 0.1, 0.6);
  return {
    peaks,
    centres,
    widths,
    amplitudes,
    skewness,
    modulationDepth,
    backgroundDimension: uniformBetween(rng, 2, 3.5),
    backgroundRate: uniformBetween(rng, 0, 0.5e6),
    noiseStandardDeviation: uniformBetween(rng, 0, 0.05 * modulationDepth),
  };
}

/**
 * The distance distribution on the grid, normalised to sum 1: a sum of Gaussians (Spinach) or
 * skew-normal densities 2 phi(x) Phi(alpha x) whose scale is set from the FWHM as for a
 * Gaussian (2018).
 */
export function distanceDistribution(
  distances: ArrayLike<number>,
  parameters: DeerTraceParameters,
): Float64Array {
  const p = new Float64Array(distances.length);
  for (let k = 0; k < parameters.peaks; k++) {
    const centre = parameters.centres[k] as number;
    const sigma = (parameters.widths[k] as number) * FWHM_TO_SIGMA;
    const alpha = parameters.skewness[k] as number;
    const amplitude = parameters.amplitudes[k] as number;
    for (let j = 0; j < distances.length; j++) {
      const x = ((distances[j] as number) - centre) / sigma;
      const shape = Math.exp(-0.5 * x * x) * (alpha === 0 ? 1 : 2 * normalCdf(alpha * x));
      p[j] = (p[j] as number) + amplitude * shape;
    }
  }
  let total = 0;
  for (const value of p) total += value;
  if (!(total > 0)) {
    // Every amplitude drew (almost) zero or every peak fell off the grid: a flat distribution
    // is the honest fallback and happens with negligible probability.
    p.fill(1 / distances.length);
    return p;
  }
  for (let j = 0; j < p.length; j++) p[j] = (p[j] as number) / total;
  return p;
}

function scaleTarget(p: Float64Array, spec: DeerDatasetSpec, out: Float64Array, offset: number): void {
  let factor = 1;
  if (spec.targetScaling === 'mean-one') factor = p.length;
  else if (spec.targetScaling === 'peak') {
    let max = 0;
    for (const value of p) max = Math.max(max, value);
    factor = spec.peakHeight / max;
  }
  for (let j = 0; j < p.length; j++) out[offset + j] = (p[j] as number) * factor;
}

/** Draws `count` traces into one batch, consuming `rng` trace by trace. */
export function generateDeerBatch(spec: DeerDatasetSpec, rng: RandomSource, count: number): DeerBatch {
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`generateDeerBatch: count must be a non-negative integer, got ${count}`);
  }
  const nt = spec.times.length;
  const nr = spec.distances.length;
  const inputs = new Float64Array(count * nt);
  const targets = new Float64Array(count * nr);
  const parameters: DeerTraceParameters[] = [];
  const noisy = new Float64Array(nt);
  const form = new Float64Array(nt);
  const kernel = Float64Array.from(spec.kernel.to1DArray());
  for (let n = 0; n < count; n++) {
    const drawn = drawTraceParameters(spec, rng);
    parameters.push(drawn);
    const p = distanceDistribution(spec.distances, drawn);
    formFactorInto(kernel, nt, nr, p, form);
    const clean = deerSignal(spec.times, form, drawn);
    for (let i = 0; i < nt; i++) {
      noisy[i] = (clean[i] as number) + drawn.noiseStandardDeviation * rng.normal();
    }
    normaliseTrace(noisy, spec.variant, inputs, n * nt);
    scaleTarget(p, spec, targets, n * nr);
  }
  return { count, inputs, targets, parameters };
}

/** form = K p on a row-major flat kernel (the per-trace hot loop of the generator). */
function formFactorInto(kernel: Float64Array, rows: number, columns: number, p: Float64Array, form: Float64Array): void {
  for (let i = 0; i < rows; i++) {
    let sum = 0;
    const offset = i * columns;
    for (let j = 0; j < columns; j++) sum += (kernel[offset + j] as number) * (p[j] as number);
    form[i] = sum;
  }
}

function normaliseTrace(trace: Float64Array, variant: DeerVariant, out: Float64Array, offset: number): void {
  let low: number;
  let high: number;
  if (variant === '2018') {
    // First point 1, last point 0.
    low = trace[trace.length - 1] as number;
    high = trace[0] as number;
  } else {
    low = Number.POSITIVE_INFINITY;
    high = Number.NEGATIVE_INFINITY;
    for (const value of trace) {
      low = Math.min(low, value);
      high = Math.max(high, value);
    }
  }
  const span = high - low;
  // A flat trace (zero span) cannot occur with lambda >= 0.01 and the grid rule; guard anyway.
  const scale = span !== 0 ? 1 / span : 0;
  for (let i = 0; i < trace.length; i++) out[offset + i] = ((trace[i] as number) - low) * scale;
}

/**
 * Streams `total` traces in batches of `batchSize`. Traces are drawn one after another from
 * `rng`, so the same seed gives the same traces whatever the batch size.
 */
export function* deerBatches(
  spec: DeerDatasetSpec,
  rng: RandomSource,
  total: number,
  batchSize: number,
): Generator<DeerBatch> {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`deerBatches: batchSize must be a positive integer, got ${batchSize}`);
  }
  for (let done = 0; done < total; done += batchSize) {
    yield generateDeerBatch(spec, rng, Math.min(batchSize, total - done));
  }
}
