/**
 * The tour's layers, built from the packages directly, and the pipeline every view shares:
 * isotropic input data (or its large-data limit), the exact descrambler (Lemma 1), the
 * Theorem 2 limit it converges to, centred spectra, and the paper's strategy comparison.
 */
import {
  compareStrategies,
  descrambleLayer,
  descramblerDistance,
  type ExactDescrambler,
  isotropicDescrambler,
  type SmoothnessOperator,
  type StrategyComparison,
} from '@descramble/descramblers';
import { createRng, multiply, randomOrthogonal, type Rng } from '@descramble/linalg';
import { weightSpectrum } from '@descramble/spectral';
import { Matrix } from 'ml-matrix';
import type { Certificate, ExactPayload, FirstLookPayload, StrategiesPayload, StrategyRow, TourParams } from '../protocol.js';
import { TOUR_HIDDEN, TOUR_INPUTS, TOUR_MAX_ITERATIONS, TOUR_MAX_SECONDS } from './tour-constants.js';
import { toWire } from './wire.js';

/** Rows of isotropic data generated per block (progress is reported between blocks). */
const BLOCK_ROWS = 512;

/** The first k columns of a random orthogonal n x n matrix. */
function orthonormalColumns(n: number, k: number, rng: Rng): Matrix {
  return randomOrthogonal(n, rng).subMatrix(0, n - 1, 0, k - 1);
}

/** `R diag(s) V^T` with random orthogonal R (d x d) and V (n x d): a scrambled layer with singular values s. */
function scrambledLayer(s: ArrayLike<number>, n: number, rng: Rng): Matrix {
  const d = s.length;
  const r = randomOrthogonal(d, rng);
  const v = orthonormalColumns(n, d, rng);
  const rs = new Matrix(d, d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) rs.set(i, j, r.get(i, j) * s[j]!);
  return multiply(rs, v.transpose());
}

/**
 * Singular values of the isotropic view's layer: a slow geometric decay, so that the
 * descrambled picture `T Sigma V^T` shows its modes in order of strength.
 */
export function isotropicSingularValues(d: number): Float64Array {
  return Float64Array.from({ length: d }, (_, i) => Math.exp(-i / 7) + 0.02);
}

/**
 * Saxe-McClelland-Ganguli mode strengths `a_i(t) = s_i e^{2 s_i t} / (e^{2 s_i t} - 1 + s_i / a0)`
 * (time in units of tau), for the two-layer linear network trained from a small balanced start.
 */
export function smgModeStrengths(s: ArrayLike<number>, time: number, a0 = 1e-3): Float64Array {
  return Float64Array.from({ length: s.length }, (_, i) => {
    const si = s[i]!;
    const growth = Math.exp(2 * si * time);
    return (si * growth) / (growth - 1 + si / a0);
  });
}

/** Input-output correlation singular values of the linear-network view. */
export function smgTargetStrengths(d: number): Float64Array {
  return Float64Array.from({ length: d }, (_, i) => 4 * 0.86 ** i + 0.05);
}

/** A circulant n x n layer of a smooth random kernel: a single-channel circular convolution. */
export function circulantLayer(n: number, rng: Rng): Matrix {
  const kernel = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const distance = Math.min(k, n - k);
    kernel[k] = rng.normal() * Math.exp(-(distance * distance) / 18);
  }
  const w = new Matrix(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) w.set(i, j, kernel[(i - j + n) % n]!);
  return w;
}

/** The weights of a tour view (deterministic in the seed). */
export function tourLayer(params: Pick<TourParams, 'view' | 'time' | 'seed'>): Matrix {
  const rng = createRng(params.seed);
  switch (params.view) {
    case 'isotropic':
      return scrambledLayer(isotropicSingularValues(TOUR_HIDDEN), TOUR_INPUTS, rng);
    case 'linear': {
      const a = smgModeStrengths(smgTargetStrengths(TOUR_HIDDEN), params.time);
      return scrambledLayer(a.map(Math.sqrt), TOUR_INPUTS, rng);
    }
    case 'convolution':
      return circulantLayer(TOUR_INPUTS, rng);
    case 'deernet':
    case 'bandpass':
      throw new RangeError(`tourLayer: the ${params.view} layer comes from @descramble/experiments (a LayerSource)`);
  }
}

/** Isotropic standard normal samples, `rows x n`, in blocks, reporting progress. */
export function* isotropicBlocks(
  rows: number,
  n: number,
  rng: Rng,
  onBlock: (done: number) => void = () => {},
): Generator<Float64Array> {
  for (let start = 0; start < rows; start += BLOCK_ROWS) {
    const count = Math.min(BLOCK_ROWS, rows - start);
    yield rng.normalArray(count * n);
    onBlock(start + count);
  }
}

export function certificateOf(exact: ExactDescrambler, rankB: number): Certificate {
  return {
    value: exact.value,
    optimum: exact.optimum,
    gap: exact.gap,
    familyDimension: exact.familyDimension,
    tiesA: exact.ties.a.length,
    tiesB: exact.ties.b.length,
    rankB,
    explanationGap: exact.eigengaps.explanation,
  };
}

export interface TourExact {
  readonly payload: ExactPayload;
  readonly weights: Matrix;
  readonly descrambledWeights: Matrix;
  readonly gram: Matrix;
}

/**
 * The exact descrambler of a tour view: from `samples` isotropic samples (Gram of `W X^T`,
 * Lemma 1), or, with samples = 0, from the large-data limit (Theorem 2: `P W = T Sigma V^T`).
 */
/**
 * A layer that does not come from `tourLayer` (the bundled DEERNet): its weights, the name of
 * its data, and a generator of `samples` input rows in blocks.
 */
export interface LayerSource {
  readonly weights: Matrix;
  readonly dataLabel: string;
  readonly blocks: (samples: number, onBlock: (done: number) => void) => Iterable<Float64Array>;
  /** Whether the inputs are isotropic (then the Theorem 2 limit is the large-data answer). */
  readonly isotropic: boolean;
  /** Show the 2021 papers' symmetrised spectra. */
  readonly symmetrise: boolean;
}

export function tourExact(
  params: TourParams,
  onProgress: (stage: string, fraction: number) => void = () => {},
  source?: LayerSource,
): TourExact {
  const weights = source?.weights ?? tourLayer(params);
  const isotropic = source?.isotropic ?? true;
  const dataLabel = source?.dataLabel ?? 'isotropic samples';
  const operator: SmoothnessOperator = params.operator;
  const started = performance.now();
  const limit = isotropicDescrambler(weights, { operator });
  let exact: ExactDescrambler;
  let descrambled: Matrix;
  let rankB: number;
  let method: string;
  let distanceToLimit: number | null = null;
  if (params.samples > 0) {
    const onBlock = (done: number) =>
      onProgress(`Gram matrix of W X^T: ${done} of ${params.samples} samples`, (0.8 * done) / params.samples);
    const blocks =
      source !== undefined
        ? source.blocks(params.samples, onBlock)
        : isotropicBlocks(params.samples, weights.columns, createRng(params.seed + 1_000_003), onBlock);
    const layer = descrambleLayer({ weights, data: blocks, operator });
    exact = layer;
    descrambled = layer.descrambledWeights;
    rankB = layer.rankB;
    method = `Lemma 1 on the Gram matrix of W X^T from ${params.samples} ${dataLabel}`;
    if (isotropic) distanceToLimit = descramblerDistance(layer.P, limit.P, layer.smoothness, { tolerance: layer.tolerance });
  } else {
    exact = limit;
    descrambled = limit.descrambledWeights;
    rankB = limit.gramRank;
    method = isotropic
      ? 'Theorem 2 (isotropic data, large-data limit): P W = T Sigma V^T'
      : `Theorem 2 with isotropic inputs assumed (not the ${dataLabel}): P W = T Sigma V^T`;
  }
  const exactMs = performance.now() - started;
  onProgress('Centred spectra', 0.85);
  const symmetrise = source?.symmetrise ?? false;
  const rawSpectrum = weightSpectrum(weights, { symmetrise }).magnitude;
  const descrambledSpectrum = weightSpectrum(descrambled, { symmetrise }).magnitude;
  return {
    weights,
    descrambledWeights: descrambled,
    gram: exact.gram,
    payload: {
      weights: toWire(weights),
      descrambled: toWire(descrambled),
      descrambler: toWire(exact.P),
      rawSpectrum: toWire(rawSpectrum),
      descrambledSpectrum: toWire(descrambledSpectrum),
      certificate: certificateOf(exact, rankB),
      method,
      distanceToLimit,
      singularValues: limit.singularValues,
      exactMs,
    },
  };
}

/**
 * The first look of a slow source (see `FIRST_LOOK_TRACES`): Lemma 1 on the Gram matrix of the
 * first `traces` inputs only, without the Theorem 2 limit or the spectra (they come with the
 * full answer), so that the exact descrambler is on the page as early as possible.
 */
export function tourFirstLook(
  params: TourParams,
  source: LayerSource,
  traces: number,
  onProgress: (stage: string, fraction: number) => void = () => {},
): FirstLookPayload {
  const started = performance.now();
  const onBlock = (done: number) => onProgress(`First look: Gram matrix of W X^T from ${done} of ${traces} ${source.dataLabel}`, (0.1 * done) / traces);
  const layer = descrambleLayer({ weights: source.weights, data: source.blocks(traces, onBlock), operator: params.operator });
  const exactMs = performance.now() - started;
  return {
    weights: toWire(source.weights),
    descrambled: toWire(layer.descrambledWeights),
    descrambler: toWire(layer.P),
    certificate: certificateOf(layer, layer.rankB),
    method: `Lemma 1 on the Gram matrix of W X^T from the first ${traces} of ${params.samples} ${source.dataLabel} (first look; all ${params.samples} follow)`,
    exactMs,
    traces,
    samples: params.samples,
  };
}

/** The paper's Figure 1 on a tour layer: three iterative strategies against the exact one. */
export function tourStrategies(tour: TourExact, params: TourParams): StrategiesPayload {
  const comparison: StrategyComparison = compareStrategies({
    weights: tour.weights,
    gram: tour.gram,
    operator: params.operator,
    maxIterations: TOUR_MAX_ITERATIONS,
    maxTime: TOUR_MAX_SECONDS,
  });
  const optimum = comparison.exact.optimum;
  const scale = Math.abs(optimum) > 0 ? Math.abs(optimum) : 1;
  const rows: StrategyRow[] = comparison.strategies.map((s) => ({
    name: s.name,
    value: s.value,
    gap: s.gap,
    iterations: s.iterations,
    timeMs: s.time * 1000,
    converged: s.converged,
    stoppedBy: String(s.stoppedBy),
    distanceToExact: s.distanceToExact,
    gapLog: Float64Array.from(s.log, (entry) => (entry.cost - optimum) / scale),
  }));
  const chosen = comparison.strategies.find((s) => s.name === params.strategy) ?? comparison.strategies.at(-1)!;
  return { rows, chosen: toWire(chosen.descrambledWeights), chosenName: chosen.name };
}
