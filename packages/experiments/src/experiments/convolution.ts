import { isotropicDescrambler } from '@descramble/descramblers';
import { createRng, gemm, type Rng, symmetricEigenvalues } from '@descramble/linalg';
import { brockettRoundoff, relativeGap } from '@descramble/orthogonal';
import { channelGram, descrambleChannels, eigenvalueBound, quadraticAssignmentValue, smoothnessMatrix, solveQuadraticAssignment } from '@descramble/permutation';
import { Matrix } from 'ml-matrix';
import { check, composeExperiment, type ExperimentCheck, type ExperimentFigure, type ExperimentPresentation, type ExperimentResult, type MatrixData, formatNumber, formatPercent } from './experiment.js';
import { multiply, multiplyTransposeB, toGrid } from './matrices.js';
import { experimentsScope, InvalidArgumentError } from '../errors.js';

export interface ConvolutionOptions {
  /** Length of the single-channel signal (odd, so that every non-zero frequency is a cos/sin pair). Default 33. */
  readonly length?: number;
  /** Output channels of the multi-channel layer. Default 10. */
  readonly channels?: number;
  /** Input channels of the multi-channel layer. Default 3. */
  readonly inputChannels?: number;
  /** Signal length of the multi-channel layer. Default 16. */
  readonly channelLength?: number;
  /** Kernel size of the multi-channel layer. Default 5. */
  readonly kernelSize?: number;
  /** Input samples for the channel Gram matrix. Default 200. */
  readonly samples?: number;
  readonly seed?: number;
  /** Aborts between phases (and solver iterations, training epochs): throws the signal's reason. */
  readonly signal?: AbortSignal;
}

/** The options of a convolution run with every default filled in. */
export type ConvolutionParameters = Required<Omit<ConvolutionOptions, 'signal'>>;

export interface ConvolutionData {
  readonly parameters: ConvolutionParameters;
  /** The single-channel filter and its circulant matrix W (y = W x). */
  readonly filter: Float64Array;
  readonly circulant: MatrixData;
  /** |w_hat_k| for k = 0 .. (n - 1) / 2. */
  readonly gains: Float64Array;
  /** Frequency the descrambler sends frequency k to (rank of its gain, descending). */
  readonly predictedFrequency: Int32Array;
  /** max_k ||P Pi_k P^T - Pi_{pi(k)}||_F over the Fourier eigenspaces Pi_k. */
  readonly fourierPermutationError: number;
  readonly descrambledCirculant: MatrixData;
  /** Multi-channel layer: the scrambled filters, one row (input channel by kernel tap) per output channel. */
  readonly channelFilters: MatrixData;
  /** The channel permutation found: new channel i is scrambled channel `permutation[i]`. */
  readonly permutation: Int32Array;
  /** Planted (smooth) order scrambled by `scramble`; recovered order. */
  readonly scramble: Int32Array;
  readonly recovered: Int32Array;
  readonly recoversPlantedOrder: boolean;
  readonly value: number;
  readonly plantedValue: number;
  readonly optimum: number;
  readonly optimumProved: boolean;
  readonly lemma1Bound: number;
  /**
   * `relativeGap(value, lemma1Bound, roundoff).gap` (`@descramble/orthogonal`, the one gap):
   * `(value - bound) / max(|bound|, roundoff)`, roundoff `10 c eps ||A||_2 ||B||_2`.
   */
  readonly gap: number;
  /** The same for the proved optimum: what the orthogonal relaxation gives away. */
  readonly relaxationGap: number;
}

/** Largest |eigenvalue| of a symmetric matrix. */
function spectralNorm(m: Matrix): number {
  const values = symmetricEigenvalues(m);
  return Math.max(Math.abs(values[0] as number), Math.abs(values[values.length - 1] as number));
}

/** Real filter with |w_hat_0| the largest gain and the other gains a shuffled ramp. */
function plantedFilter(n: number, rng: Rng): { filter: Float64Array; gains: Float64Array } {
  const half = (n - 1) / 2;
  const ramp = Array.from({ length: half }, (_, i) => 0.15 + (0.75 * i) / (half - 1));
  for (let i = ramp.length - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [ramp[i], ramp[j]] = [ramp[j] as number, ramp[i] as number];
  }
  const gains = Float64Array.from([1, ...ramp]);
  const phases = Float64Array.from({ length: half + 1 }, (_, k) => (k === 0 ? 0 : 2 * Math.PI * rng.uniform()));
  const filter = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    let sum = gains[0] as number;
    for (let k = 1; k <= half; k++) sum += 2 * (gains[k] as number) * Math.cos((2 * Math.PI * k * t) / n + (phases[k] as number));
    filter[t] = sum / n;
  }
  return { filter, gains };
}

/** Orthogonal projector onto the Fourier modes of frequency k (cos and sin; the constant for k = 0). */
function fourierProjector(n: number, k: number): Matrix {
  const p = new Matrix(n, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) p.set(i, j, k === 0 ? 1 / n : (2 / n) * Math.cos((2 * Math.PI * k * (i - j)) / n));
  }
  return p;
}

/** Row (i, k) of `col` is channel i of sample s delayed circularly by k: the patches of one circular convolution. */
function circularPatches(x: Float64Array, s: number, inputs: number, length: number, size: number, col: Float64Array): void {
  for (let i = 0; i < inputs; i++) {
    const signal = x.subarray((s * inputs + i) * length, (s * inputs + i + 1) * length);
    for (let k = 0; k < size; k++) {
      const row = col.subarray((i * size + k) * length, (i * size + k + 1) * length);
      for (let t = 0; t < length; t++) row[t] = signal[(t - k + length) % length] as number;
    }
  }
}

/** y[s, o, t] = sum_i sum_k w[o, i, k] x[s, i, (t - k) mod L]: circular multi-channel convolution, one product per sample. */
function circularConvolution(weights: Float64Array, x: Float64Array, samples: number, out: number, inputs: number, length: number, size: number): Float64Array {
  const y = new Float64Array(samples * out * length);
  const col = new Float64Array(inputs * size * length);
  for (let s = 0; s < samples; s++) {
    circularPatches(x, s, inputs, length, size, col);
    gemm(false, false, out, length, inputs * size, 1, weights, 0, inputs * size, col, 0, length, 0, y, s * out * length, length);
  }
  return y;
}

/** The single-channel circulant, its isotropic descrambling and how far P is from a permutation of Fourier modes sorted by gain. */
function singleChannel(n: number, rng: Rng): Pick<ConvolutionData, 'filter' | 'circulant' | 'gains' | 'predictedFrequency' | 'fourierPermutationError' | 'descrambledCirculant'> {
  const { filter, gains } = plantedFilter(n, rng);
  const circulant = new Matrix(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) circulant.set(i, j, filter[(i - j + n) % n] as number);
  const iso = isotropicDescrambler(circulant);
  const half = (n - 1) / 2;
  const order = Array.from({ length: half + 1 }, (_, k) => k).sort((a, b) => (gains[b] as number) - (gains[a] as number));
  const predictedFrequency = new Int32Array(half + 1);
  order.forEach((k, rank) => {
    predictedFrequency[k] = rank;
  });
  let fourierPermutationError = 0;
  for (let k = 0; k <= half; k++) {
    const moved = multiplyTransposeB(multiply(iso.P, fourierProjector(n, k)), iso.P);
    const target = fourierProjector(n, predictedFrequency[k] as number);
    fourierPermutationError = Math.max(fourierPermutationError, moved.sub(target).norm('frobenius'));
  }
  return { filter, circulant: toGrid(circulant), gains, predictedFrequency, fourierPermutationError, descrambledCirculant: toGrid(iso.descrambledWeights) };
}

/** Filters w[o, i, k] that vary smoothly with the output channel o, plus a little noise. */
function plantedChannelFilters(c: number, cin: number, size: number, rng: Rng): Float64Array {
  const planted = new Float64Array(c * cin * size);
  for (let o = 0; o < c; o++) {
    const frequency = (0.5 * o) / (c - 1);
    for (let i = 0; i < cin; i++) {
      for (let k = 0; k < size; k++) planted[(o * cin + i) * size + k] = Math.cos(2 * Math.PI * frequency * k + (i * Math.PI) / 3) + 0.05 * rng.normal();
    }
  }
  return planted;
}

/** Filters cos(2 pi f_o k + i pi / 3) + noise that change smoothly with the output channel o, then the channels shuffled. */
function scrambledChannelFilters(c: number, cin: number, size: number, rng: Rng): { weights: Float64Array; scramble: Int32Array } {
  const planted = plantedChannelFilters(c, cin, size, rng);
  const scramble = Int32Array.from({ length: c }, (_, i) => i);
  for (let i = c - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [scramble[i], scramble[j]] = [scramble[j] as number, scramble[i] as number];
  }
  // Scrambled channel o is planted channel scramble[o].
  const weights = new Float64Array(planted.length);
  for (let o = 0; o < c; o++) weights.set(planted.subarray((scramble[o] as number) * cin * size, ((scramble[o] as number) + 1) * cin * size), o * cin * size);
  return { weights, scramble };
}

/** The multi-channel layer descrambled over channel permutations, against branch and bound and the Lemma 1 bound. */
function multiChannel(parameters: ConvolutionParameters, rng: Rng, signal: AbortSignal | undefined): Omit<ConvolutionData, 'parameters' | keyof ReturnType<typeof singleChannel>> {
  const { channels: c, inputChannels: cin, channelLength: length, kernelSize: size, samples } = parameters;
  const { weights, scramble } = scrambledChannelFilters(c, cin, size, rng);
  const x = Float64Array.from({ length: samples * cin * length }, () => rng.normal());
  const preactivations = circularConvolution(weights, x, samples, c, cin, length, size);
  const gram = channelGram({ shape: [samples, c, length], data: preactivations });
  const a = smoothnessMatrix(c, 'dirichlet');
  signal?.throwIfAborted();
  const result = descrambleChannels(gram, { operator: a });
  signal?.throwIfAborted();
  const exact = solveQuadraticAssignment(a, gram, { method: 'branch-and-bound' });
  const lemma1Bound = eigenvalueBound(a, gram);
  // Recovered order in planted labels: new channel i is scrambled channel p[i], i.e. planted scramble[p[i]].
  const recovered = Int32Array.from(result.permutation, (old) => scramble[old] as number);
  const ascending = recovered.every((v, i) => v === i);
  const descending = recovered.every((v, i) => v === c - 1 - i);
  const inverse = new Int32Array(c);
  scramble.forEach((planted, scrambled) => {
    inverse[planted] = scrambled;
  });
  const plantedValue = quadraticAssignmentValue(a, gram, inverse);
  const roundoff = brockettRoundoff(c, spectralNorm(a), spectralNorm(gram));
  return {
    channelFilters: { rows: c, columns: cin * size, data: weights },
    permutation: result.permutation,
    scramble,
    recovered,
    recoversPlantedOrder: ascending || descending,
    value: result.value,
    plantedValue,
    optimum: exact.value,
    optimumProved: exact.proved,
    lemma1Bound,
    gap: relativeGap(result.value, lemma1Bound, roundoff, 'convolution').gap,
    relaxationGap: relativeGap(exact.value, lemma1Bound, roundoff, 'convolution').gap,
  };
}

/**
 * Convolutions (docs/theory.md section 6). A single-channel circular convolution is a circulant
 * matrix; with isotropic inputs its descrambler is a permutation of Fourier modes that sorts
 * frequencies by gain. A multi-channel layer is descrambled over channel permutations (a
 * quadratic assignment problem) and its value compared with the Lemma 1 bound.
 */
export function computeConvolution(options: ConvolutionOptions = {}): ConvolutionData {
  options.signal?.throwIfAborted();
  const parameters: ConvolutionParameters = {
    length: options.length ?? 33,
    channels: options.channels ?? 10,
    inputChannels: options.inputChannels ?? 3,
    channelLength: options.channelLength ?? 16,
    kernelSize: options.kernelSize ?? 5,
    samples: options.samples ?? 200,
    seed: options.seed ?? 7,
  };
  const n = parameters.length;
  if (n % 2 !== 1) throw new InvalidArgumentError({ operation: 'convolution', argument: 'length', what: `must be odd (every non-zero frequency a cos/sin pair), got ${n}`, ...experimentsScope });
  const rng = createRng(parameters.seed);
  const single = singleChannel(n, rng);
  return { parameters, ...single, ...multiChannel(parameters, rng, options.signal) };
}

/** Rows of the channel filters in the order `order` (new row o is old row order[o]). */
function reorderedRows(m: MatrixData, order: ArrayLike<number>): MatrixData {
  const { rows, columns } = m;
  const data = new Float64Array(rows * columns);
  for (let o = 0; o < rows; o++) {
    const from = (order[o] as number) * columns;
    data.set(m.data.subarray(from, from + columns), o * columns);
  }
  return { rows, columns, data };
}

/** The circulant before and after, the gains before and after, the channels before and after. */
export function convolutionFigures(data: ConvolutionData): ExperimentFigure[] {
  const { length: n, channels: c, inputChannels: cin, kernelSize: size } = data.parameters;
  const { gains, predictedFrequency } = data;
  // The gain now at frequency predictedFrequency[k] is the gain of frequency k.
  const gainAfter = new Float64Array(gains.length);
  predictedFrequency.forEach((rank, k) => {
    gainAfter[rank] = gains[k] as number;
  });
  const frequencies = Array.from({ length: gains.length }, (_, k) => k);
  return [
    {
      name: 'circulant',
      caption: `A ${n}-point circular convolution W (left) and its isotropic descrambling P W (right).`,
      figure: {
        kind: 'grid',
        columns: 2,
        width: 700,
        height: 320,
        panels: [
          { kind: 'heatmap', title: 'circulant W', values: data.circulant, colourMap: 'diverging' },
          { kind: 'heatmap', title: 'P W', values: data.descrambledCirculant, colourMap: 'diverging' },
        ],
      },
    },
    {
      name: 'gains',
      caption: 'Gain |ŵ_k| of each frequency of the filter (solid), and the gain now sitting at each frequency after descrambling (dashed): descrambling sorts frequencies by gain.',
      figure: {
        kind: 'lines',
        title: 'Descrambling reorders frequencies by gain',
        width: 560,
        height: 320,
        xLabel: 'frequency k',
        yLabel: 'gain',
        series: [
          { label: 'filter gain at k', x: frequencies, y: gains },
          { label: 'after descrambling', x: frequencies, y: gainAfter, dashed: true },
        ],
      },
    },
    {
      name: 'channels',
      caption: `Multi-channel layer (${c} output channels, ${cin} inputs, kernel ${size}): filters as scrambled (left) and after channel descrambling (right), one row per output channel.`,
      figure: {
        kind: 'grid',
        columns: 2,
        width: 640,
        height: 300,
        panels: [
          { kind: 'heatmap', title: 'scrambled channels', values: data.channelFilters, colourMap: 'diverging' },
          { kind: 'heatmap', title: 'descrambled channels', values: reorderedRows(data.channelFilters, data.permutation), colourMap: 'diverging' },
        ],
      },
    },
  ];
}

/** Fourier modes sorted by gain; the planted channel order, the Lemma 1 bound and the proved optimum. */
export function convolutionChecks(data: ConvolutionData): ExperimentCheck[] {
  return [
    check(
      'Single channel: the isotropic descrambler is a permutation of Fourier modes, sorted by gain (max ||P Π_k Pᵀ - Π_π(k)||_F < 1e-8)',
      'docs/theory.md §6: the descrambler T Uᵀ is a permutation of Fourier modes (up to the rotation in each cos/sin pair): descrambling reorders frequencies by gain',
      data.fourierPermutationError,
      (value) => value < 1e-8,
    ),
    check(
      'Multi-channel: the channel permutation found recovers the planted smooth order (up to reversal)',
      'docs/theory.md §6: channel permutations are an exact symmetry; smoothness along the channel axis is a quadratic assignment problem',
      data.recoversPlantedOrder ? 1 : 0,
      (value) => value === 1,
      (value) => (value === 1 ? 'recovered' : 'not recovered'),
    ),
    check(
      'Multi-channel: the permutation value is at least the Lemma 1 bound; gap to the bound reported',
      'docs/theory.md §6: the Lemma 1 value over O(c) is a lower bound (Finke-Burkard-Rendl); every result reports its gap',
      data.gap,
      (value) => value >= -1e-12,
      formatPercent,
    ),
    check(
      'Multi-channel: the heuristic solver reaches the optimum proved by branch and bound (relative difference < 1e-12)',
      'docs/theory.md §6: exact for small c (branch and bound with the Gilmore-Lawler bound)',
      data.optimumProved ? (data.value - data.optimum) / Math.abs(data.optimum) : Number.NaN,
      (value) => Math.abs(value) < 1e-12,
      formatNumber,
    ),
  ];
}

const CONVOLUTION: ExperimentPresentation<ConvolutionData> = {
  name: 'convolution',
  title: 'Convolutions: Fourier modes and channel permutations',
  setup: ({ parameters: p }) =>
    `Single channel: n = ${p.length}, filter with |ŵ_0| = 1 and the other ${(p.length - 1) / 2} gains a shuffled ramp 0.15..0.9, random phases; isotropic inputs; Fourier smoothness. Multi-channel: ${p.channels} output channels whose filters cos(2π f_o k + iπ/3) + noise change smoothly with o, randomly permuted; ${p.samples} Gaussian inputs of ${p.inputChannels} x ${p.channelLength}; Dirichlet smoothness along the channel axis (seed ${p.seed}).`,
  figures: convolutionFigures,
  checks: convolutionChecks,
};

/** {@link computeConvolution}, drawn and checked. */
export function convolution(options: ConvolutionOptions = {}): ExperimentResult<ConvolutionData> {
  return composeExperiment(CONVOLUTION, () => computeConvolution(options));
}
