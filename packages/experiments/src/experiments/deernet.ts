import { compareStrategies, type StrategyName } from '@descramble/descramblers';
import type { HeatmapFigure } from '@descramble/figures';
import { createRng, qr, symmetricEigen } from '@descramble/linalg';
import { relativeGap } from '@descramble/orthogonal';
import { forward } from '@descramble/nets';
import {
  bandEdges,
  bandEnergyFraction,
  bandedness,
  chebyshevBasis,
  notchDepth,
  polynomialInnerProducts,
  singularVectorSpectra,
  spectrumSimilarity,
  type WeightSpectrum,
  weightSpectrum,
} from '@descramble/spectral';
import { Matrix } from 'ml-matrix';
import { type DeerBatch, deerDatasetSpec, generateDeerBatch } from '../deer/training-set.js';
import { type DeerNet, type DeerNetCard, loadDeerNet } from '../deernet/load-deernet.js';
import { check, composeExperiment, type ExperimentCheck, type ExperimentFigure, type ExperimentPresentation, type ExperimentResult, type MatrixData, formatNumber, formatPercent } from './experiment.js';
import { gaussianMatrix, leadingColumns, matrixFromRowMajor, multiply, toGrid } from './matrices.js';
import { MalformedModelError } from '../errors.js';

export interface DeerNetExperimentOptions {
  /** Traces fed to the network for the Gram matrices. Default 2000. */
  readonly traces?: number;
  /** Iteration budget of each iterative strategy (Figure 1). Default 3000. */
  readonly maxIterations?: number;
  /** Time budget of each iterative strategy in seconds. Default 12. */
  readonly maxTime?: number;
  /** Half-width of the hidden-axis band whose energy is measured (paper: about 10). Default 10. */
  readonly hiddenBand?: number;
  /** Principal components of layer 2 compared with Chebyshev polynomials. Default 5. */
  readonly components?: number;
  /** Highest Chebyshev degree (paper: the first 20 polynomials). Default 19. */
  readonly chebyshevDegree?: number;
  /** Bandwidth for `bandedness` of the inner-product matrix. Default 2. */
  readonly bandwidth?: number;
  /** Leading singular vectors compared in the second Figure 3 measure. Default 20. */
  readonly leadingModes?: number;
  readonly seed?: number;
  /** Use this network instead of the bundled one (tests). */
  readonly network?: DeerNet;
  /** Aborts between phases (and solver iterations, training epochs): throws the signal's reason. */
  readonly signal?: AbortSignal;
}

export interface StrategyRow {
  readonly name: StrategyName;
  readonly value: number;
  /** `relativeGap(value, optimum, roundoff).gap` (`@descramble/orthogonal`, the one gap); 0 within roundoff. */
  readonly gap: number;
  /** `|value - optimum|` is below the roundoff bound (the gap is reported as 0). */
  readonly withinRoundoff: boolean;
  readonly iterations: number;
  readonly seconds: number;
  readonly converged: boolean;
  readonly distanceToExact: number;
  /**
   * Notch depth (dB) at zero input frequency of the symmetrised spectrum of P W1, in the
   * convention of `notchDepth`: positive = the zero-frequency column is weaker than its
   * neighbours by that many dB (deeper is larger).
   */
  readonly notchDb: number;
  /** Energy share at hidden-axis frequencies |k| <= hiddenBand. */
  readonly hiddenBandFraction: number;
  /** Smallest input-axis half-width holding 90% of the energy. */
  readonly inputHalfWidth90: number;
  /** Cosine similarity of its spectrum with the exact strategy's. */
  readonly similarityToExact: number;
}

/** A centred magnitude spectrum as data: `|DFT|` with the integer frequency of each row and column. */
export interface SpectrumGrid {
  readonly magnitude: MatrixData;
  readonly rowFrequencies: readonly number[];
  readonly columnFrequencies: readonly number[];
}

/** What the figures show of one strategy: its descrambler, the descrambled layer, its spectrum, its convergence. */
export interface StrategyDescrambling {
  readonly name: StrategyName;
  /** The descrambler P (hidden x hidden). */
  readonly descrambler: MatrixData;
  /** P W1 (hidden x time points). */
  readonly descrambledWeights: MatrixData;
  /** Symmetrised centred spectrum of P W1. */
  readonly spectrum: SpectrumGrid;
  /** Per logged iteration: elapsed seconds and relative gap to the Lemma 1 optimum (empty for the exact strategy). */
  readonly log: { readonly time: Float64Array; readonly relativeGap: Float64Array };
}

/** The options of a DEERNet run with every default filled in (the network is recorded by its card). */
export type DeerNetExperimentParameters = Required<Omit<DeerNetExperimentOptions, 'signal' | 'network'>>;

export interface DeerNetExperimentData {
  readonly parameters: DeerNetExperimentParameters;
  /** The card of the network descrambled (the bundled one unless `network` was given). */
  readonly card: DeerNetCard;
  /** Hidden units of the first layer. */
  readonly hidden: number;
  readonly strategies: readonly StrategyRow[];
  /** The strategies' matrices, spectra and logs, in the order of `strategies`. */
  readonly descramblings: readonly StrategyDescrambling[];
  /** Energy share of the raw W1's spectrum at hidden-axis frequencies |k| <= hiddenBand. */
  readonly rawHiddenBandFraction: number;
  /** Figure 3: similarity of K's singular-vector spectrum and W1's scaled right singular vectors' spectrum. */
  readonly kernelSimilarity: number;
  /** The same for a Gaussian random 80 x 256 matrix (what "no resemblance" scores). */
  readonly kernelSimilarityBaseline: number;
  /** Similarity and random level on the leading `leadingModes` singular vectors only. */
  readonly leadingKernelSimilarity: number;
  readonly leadingKernelSimilarityBaseline: number;
  /** Similarity and random level with the kernel's singular vectors scaled too. */
  readonly scaledKernelSimilarity: number;
  readonly scaledKernelSimilarityBaseline: number;
  /** Figure 3's spectra: all `hidden` left singular vectors of K (unscaled), W1's scaled right singular vectors. */
  readonly kernelSpectrum: SpectrumGrid;
  readonly layerSpectrum: SpectrumGrid;
  /** `value - optimum` of the exact strategy (unclamped). */
  readonly exactAbsoluteGap: number;
  /** The roundoff bound of `value - optimum`: `10 d eps ||A||_2 ||B||_2` (`exact.gapRoundoff`). */
  readonly exactGapRoundoff: number;
  /** The exact strategy attains the Lemma 1 optimum within roundoff. */
  readonly exactWithinRoundoff: boolean;
  /** Family dimension of the exact descrambler: all ties (roundoff or N^-1/2 sampling), and roundoff-only. */
  readonly familyDimension: number;
  readonly exactFamilyDimension: number;
  /** Figure 4: |inner products| of the top principal components with Chebyshev T_0..T_degree. */
  readonly chebyshevInnerProducts: MatrixData;
  readonly bandedness: number;
  /** Mean bandedness of random orthonormal vectors (the no-structure level). */
  readonly bandednessBaseline: number;
  /** For each principal component, the degree of the Chebyshev polynomial it is closest to. */
  readonly closestDegree: Int32Array;
  /** Variance share of the top principal components of the layer-2 preactivations. */
  readonly explainedVariance: Float64Array;
  /** The top principal components (distance points x components), largest entry of each positive. */
  readonly principalComponents: MatrixData;
  /** Chebyshev T_0 .. T_{components - 1} on the distance grid (distance points x components). */
  readonly chebyshevBasis: MatrixData;
  /** Distances r (nm) of the network's output, and the first traces' outputs beside their true p(r). */
  readonly distances: Float64Array;
  readonly examples: readonly { readonly output: Float64Array; readonly truth: Float64Array }[];
}

const STRATEGY_LABEL: Record<StrategyName, string> = {
  identity: '(a) Cayley PGD from I',
  'warm-start': '(b) warm start from T',
  rescaled: '(c) rescaled (diag Ω)',
  exact: '(d) exact (Lemma 1)',
};

/** Columns of a centred spectrum kept in the figures: input frequencies |k| <= this. */
const DISPLAY_HALF_WIDTH = 64;

/** Held-out traces drawn beside their truth. */
const EXAMPLE_TRACES = 3;

/** Random orthonormal draws averaged for the bandedness baseline. */
const BASELINE_DRAWS = 20;

function spectrumGrid(spectrum: WeightSpectrum): SpectrumGrid {
  return { magnitude: toGrid(spectrum.magnitude), rowFrequencies: spectrum.rowFrequencies, columnFrequencies: spectrum.columnFrequencies };
}

/**
 * A centred magnitude spectrum as a heatmap in dB relative to its maximum (floor -60 dB),
 * cropped to input frequencies |k| <= DISPLAY_HALF_WIDTH; `band` outlines hidden |k| <= band.
 */
function spectrumHeatmap(title: string, spectrum: SpectrumGrid, band?: number, yLabel = 'hidden frequency'): HeatmapFigure {
  const rows = spectrum.rowFrequencies;
  const columns = spectrum.columnFrequencies;
  const { magnitude } = spectrum;
  const kept = columns.map((k, j) => [k, j] as const).filter(([k]) => Math.abs(k) <= DISPLAY_HALF_WIDTH);
  let peak = -Infinity;
  for (const m of magnitude.data) peak = Math.max(peak, m);
  const values = new Matrix(rows.length, kept.length);
  for (let i = 0; i < rows.length; i++) {
    const row = magnitude.data.subarray(i * magnitude.columns, (i + 1) * magnitude.columns);
    kept.forEach(([, j], c) => {
      const m = row[j] as number;
      values.set(i, c, Math.max(-60, 20 * Math.log10(m / peak + 1e-300)));
    });
  }
  const first = kept[0] as readonly [number, number];
  const last = kept[kept.length - 1] as readonly [number, number];
  return {
    kind: 'heatmap',
    title,
    values,
    colourMap: 'magma',
    domain: [-60, 0],
    xRange: [first[0], last[0]],
    yRange: [rows[0] as number, rows[rows.length - 1] as number],
    xLabel: 'input (time) frequency',
    yLabel,
    colourBarLabel: 'dB',
    annotations:
      band === undefined
        ? []
        : [{ kind: 'rect', x: [first[0], last[0]], y: [-band, band], colour: '#00e5ff' }],
  };
}

/** Figures 1-2: the four strategies on W1 with the traces' Gram matrix, each row with its spectrum's measures. */
function strategiesOnFirstLayer(
  w1: Matrix,
  inputs: Matrix,
  parameters: DeerNetExperimentParameters,
  signal: AbortSignal | undefined,
): Pick<DeerNetExperimentData, 'strategies' | 'descramblings' | 'rawHiddenBandFraction' | 'exactAbsoluteGap' | 'exactGapRoundoff' | 'exactWithinRoundoff' | 'familyDimension' | 'exactFamilyDimension'> {
  const { hiddenBand } = parameters;
  const comparison = compareStrategies({
    weights: w1,
    data: inputs,
    maxIterations: parameters.maxIterations,
    maxTime: parameters.maxTime,
    recordLog: true,
    ...(signal !== undefined && { signal }),
  });
  signal?.throwIfAborted();
  const exactResult = comparison.strategies.find((s) => s.name === 'exact');
  if (exactResult === undefined) throw new MalformedModelError({ operation: 'deernet', reason: 'compareStrategies returned no exact strategy' });
  const exactSpectrum = weightSpectrum(exactResult.descrambledWeights, { symmetrise: true });
  const { optimum, gapRoundoff } = comparison.exact;
  const descramblings: StrategyDescrambling[] = [];
  const strategies: StrategyRow[] = comparison.strategies.map((s) => {
    const spectrum = weightSpectrum(s.descrambledWeights, { symmetrise: true });
    descramblings.push({
      name: s.name,
      descrambler: toGrid(s.P),
      descrambledWeights: toGrid(s.descrambledWeights),
      spectrum: spectrumGrid(spectrum),
      log: {
        time: Float64Array.from(s.log, (e) => e.time),
        relativeGap: Float64Array.from(s.log, (e) => relativeGap(e.cost, optimum, gapRoundoff, 'deernet').gap),
      },
    });
    return {
      name: s.name,
      value: s.value,
      gap: s.gap,
      withinRoundoff: s.withinRoundoff,
      iterations: s.iterations,
      seconds: s.time,
      converged: s.converged,
      distanceToExact: s.distanceToExact,
      notchDb: notchDepth(spectrum, { axis: 1 }).depthDb,
      hiddenBandFraction: bandEnergyFraction(spectrum, 0, hiddenBand),
      inputHalfWidth90: bandEdges(spectrum, 1, 0.9).halfWidth,
      similarityToExact: spectrumSimilarity(spectrum, exactSpectrum),
    };
  });
  return {
    strategies,
    descramblings,
    rawHiddenBandFraction: bandEnergyFraction(weightSpectrum(w1, { symmetrise: true }), 0, hiddenBand),
    exactAbsoluteGap: exactResult.absoluteGap,
    exactGapRoundoff: gapRoundoff,
    exactWithinRoundoff: exactResult.withinRoundoff,
    familyDimension: comparison.exact.familyDimension,
    exactFamilyDimension: comparison.exact.exactFamilyDimension,
  };
}

/**
 * Figure 3: singular vectors of the kernel against W1's scaled right singular vectors. The
 * paper's display: all `hidden` singular vectors of K (unscaled) against W1's scaled right
 * singular vectors; then the leading ones only, and both scaled by their singular values; each
 * beside the same measure for a Gaussian random matrix in W1's place.
 */
function kernelResemblance(
  kernel: Matrix,
  w1: Matrix,
  parameters: DeerNetExperimentParameters,
): Pick<
  DeerNetExperimentData,
  'kernelSimilarity' | 'kernelSimilarityBaseline' | 'leadingKernelSimilarity' | 'leadingKernelSimilarityBaseline' | 'scaledKernelSimilarity' | 'scaledKernelSimilarityBaseline' | 'kernelSpectrum' | 'layerSpectrum'
> {
  const hidden = w1.rows;
  const random = gaussianMatrix(hidden, w1.columns, createRng(parameters.seed + 1));
  const similarityOf = (k: number, kernelScaled: boolean) => {
    const kernelLeft = singularVectorSpectra(kernel, k, { scaled: kernelScaled, symmetrise: true }).left;
    return {
      kernel: kernelLeft,
      layer: singularVectorSpectra(w1, k, { scaled: true, symmetrise: true }).right,
      similarity: spectrumSimilarity(kernelLeft, singularVectorSpectra(w1, k, { scaled: true, symmetrise: true }).right),
      baseline: spectrumSimilarity(kernelLeft, singularVectorSpectra(random, k, { scaled: true, symmetrise: true }).right),
    };
  };
  const allModes = similarityOf(hidden, false);
  const leadingModes = similarityOf(Math.min(parameters.leadingModes, hidden), false);
  const bothScaled = similarityOf(hidden, true);
  return {
    kernelSimilarity: allModes.similarity,
    kernelSimilarityBaseline: allModes.baseline,
    leadingKernelSimilarity: leadingModes.similarity,
    leadingKernelSimilarityBaseline: leadingModes.baseline,
    scaledKernelSimilarity: bothScaled.similarity,
    scaledKernelSimilarityBaseline: bothScaled.baseline,
    kernelSpectrum: spectrumGrid(allModes.kernel),
    layerSpectrum: spectrumGrid(allModes.layer),
  };
}

/**
 * The top principal components of the layer-2 preactivations W2 f1(X) (mean removed), each
 * signed so that its largest-magnitude entry is positive, and their variance shares.
 */
function layerTwoPrincipalComponents(net: DeerNet, batch: DeerBatch, traces: number, components: number): { principal: Matrix; explainedVariance: Float64Array } {
  const nt = batch.inputs.length / traces;
  const nr = batch.targets.length / traces;
  const hidden = net.firstWeights.rows;
  const inputs = batch.inputs;
  const activations = forward(net.model, { shape: [traces, nt], data: inputs }, { to: 1 });
  const h = matrixFromRowMajor(activations.data, traces, hidden);
  const preactivations = multiply(h, net.secondWeights.transpose()); // traces x nr
  const mean = new Float64Array(nr);
  for (let n = 0; n < traces; n++) for (let j = 0; j < nr; j++) mean[j] = (mean[j] as number) + preactivations.get(n, j) / traces;
  for (let n = 0; n < traces; n++) for (let j = 0; j < nr; j++) preactivations.set(n, j, preactivations.get(n, j) - (mean[j] as number));
  const covariance = multiply(preactivations.transpose(), preactivations).mul(1 / traces);
  const eigen = symmetricEigen(covariance);
  const principal = new Matrix(nr, components);
  const explainedVariance = new Float64Array(components);
  let totalVariance = 0;
  for (const value of eigen.values) totalVariance += value;
  for (let c = 0; c < components; c++) {
    const column = nr - 1 - c;
    explainedVariance[c] = (eigen.values[column] as number) / totalVariance;
    // Sign: largest-magnitude entry positive, so the figure is reproducible.
    let best = 0;
    for (let j = 0; j < nr; j++) if (Math.abs(eigen.vectors.get(j, column)) > Math.abs(best)) best = eigen.vectors.get(j, column);
    const sign = best < 0 ? -1 : 1;
    for (let j = 0; j < nr; j++) principal.set(j, c, sign * eigen.vectors.get(j, column));
  }
  return { principal, explainedVariance };
}

/** Figure 4: |inner products| of the principal components with Chebyshev T_0..T_degree, their bandedness, and the random-vector level. */
function chebyshevResemblance(
  principal: Matrix,
  parameters: DeerNetExperimentParameters,
): Pick<DeerNetExperimentData, 'chebyshevInnerProducts' | 'bandedness' | 'bandednessBaseline' | 'closestDegree' | 'chebyshevBasis'> {
  const { components, chebyshevDegree: degree, bandwidth, seed } = parameters;
  const nr = principal.rows;
  const inner = polynomialInnerProducts(principal, degree).abs();
  const closestDegree = Int32Array.from({ length: components }, (_, c) => {
    const row = inner.getRow(c);
    return row.indexOf(Math.max(...row));
  });
  const baselineRng = createRng(seed + 2);
  let bandednessBaseline = 0;
  for (let k = 0; k < BASELINE_DRAWS; k++) {
    const q = leadingColumns(qr(gaussianMatrix(nr, components, baselineRng)).q, components);
    bandednessBaseline += bandedness(polynomialInnerProducts(q, degree).abs(), bandwidth) / BASELINE_DRAWS;
  }
  return {
    chebyshevInnerProducts: toGrid(inner),
    bandedness: bandedness(inner, bandwidth),
    bandednessBaseline,
    closestDegree,
    chebyshevBasis: toGrid(chebyshevBasis(nr, components - 1)),
  };
}

/**
 * The paper's Figures 1-4 on the bundled DEERNet: the four strategies' descramblers and
 * descrambled first layers, their centred spectra (notch at zero input frequency, hidden-axis
 * band energy), the DEER kernel's singular-vector spectra beside W1's, and layer 2's principal
 * components against Chebyshev polynomials.
 */
export function computeDeerNet(options: DeerNetExperimentOptions = {}): DeerNetExperimentData {
  options.signal?.throwIfAborted();
  const parameters: DeerNetExperimentParameters = {
    traces: options.traces ?? 2000,
    maxIterations: options.maxIterations ?? 3000,
    maxTime: options.maxTime ?? 12,
    hiddenBand: options.hiddenBand ?? 10,
    components: options.components ?? 5,
    chebyshevDegree: options.chebyshevDegree ?? 19,
    bandwidth: options.bandwidth ?? 2,
    leadingModes: options.leadingModes ?? 20,
    seed: options.seed ?? 2021,
  };
  const { traces, seed } = parameters;
  const net = options.network ?? loadDeerNet();
  const spec = deerDatasetSpec({
    timePoints: net.card.data.timePoints,
    distancePoints: net.card.data.distancePoints,
    maxTime: net.card.data.maxTimeMicroseconds,
  });
  const nt = spec.times.length;
  const nr = spec.distances.length;
  const batch = generateDeerBatch(spec, createRng(seed), traces);
  const w1 = net.firstWeights;
  const strategies = strategiesOnFirstLayer(w1, matrixFromRowMajor(batch.inputs, traces, nt), parameters, options.signal);
  const kernel = kernelResemblance(spec.kernel, w1, parameters);
  const { principal, explainedVariance } = layerTwoPrincipalComponents(net, batch, traces, parameters.components);
  const chebyshev = chebyshevResemblance(principal, parameters);
  const outputs = forward(net.model, { shape: [EXAMPLE_TRACES, nt], data: batch.inputs.subarray(0, EXAMPLE_TRACES * nt) }).data;
  return {
    parameters,
    card: net.card,
    hidden: w1.rows,
    ...strategies,
    ...kernel,
    ...chebyshev,
    explainedVariance,
    principalComponents: toGrid(principal),
    distances: Float64Array.from(spec.distances),
    examples: Array.from({ length: EXAMPLE_TRACES }, (_, e) => ({
      output: outputs.slice(e * nr, (e + 1) * nr),
      truth: batch.targets.slice(e * nr, (e + 1) * nr),
    })),
  };
}

function strategyRow(data: DeerNetExperimentData, name: StrategyName): StrategyRow {
  const row = data.strategies.find((s) => s.name === name);
  if (row === undefined) throw new MalformedModelError({ operation: 'deernet', reason: `the data hold no ${name} strategy` });
  return row;
}

/** Held-out traces: the network's p(r) against the truth. */
function examplesFigure(data: DeerNetExperimentData): ExperimentFigure {
  const r = Array.from(data.distances);
  return {
    name: 'examples',
    caption: `Three held-out traces: the network's distance distribution (solid) against the truth (dashed). Held-out error of the bundled network (card): total variation ${formatNumber(data.card.heldOutError.totalVariation)}, mean-distance error ${formatNumber(data.card.heldOutError.meanDistanceError)} nm.`,
    figure: {
      kind: 'lines',
      title: 'DEERNet output on held-out traces',
      width: 620,
      height: 320,
      xLabel: 'distance r (nm)',
      yLabel: 'p(r), peak-0.75 units',
      series: data.examples.flatMap((example, e) => [
        { label: `trace ${e + 1}: network`, x: r, y: example.output },
        { label: `trace ${e + 1}: truth`, x: r, y: example.truth, dashed: true },
      ]),
    },
  };
}

/** Figures 1-2: the descramblers, the convergence of the iterative ones, the descrambled layers and their spectra. */
function strategyFigures(data: DeerNetExperimentData): ExperimentFigure[] {
  const exact = strategyRow(data, 'exact');
  const { hiddenBand } = data.parameters;
  return [
    {
      name: 'figure1-descramblers',
      caption: 'Figure 1: the four strategies\' descramblers P (80 x 80). They differ (see the distance column of the table).',
      figure: {
        kind: 'grid',
        columns: 4,
        width: 960,
        height: 280,
        panels: data.descramblings.map((s) => ({ kind: 'heatmap' as const, title: STRATEGY_LABEL[s.name], values: s.descrambler, colourMap: 'diverging' as const, colourBar: false })),
      },
    },
    {
      name: 'figure1-convergence',
      caption: `Figure 1: relative gap (value − optimum) / max(|optimum|, roundoff) of the iterative strategies against time (0, drawn at 1e-16, within the roundoff bound ${formatNumber(data.exactGapRoundoff)}); the exact strategy sits at ${formatNumber(exact.gap)}${exact.withinRoundoff ? ' (within roundoff)' : ''} after ${formatNumber(1000 * exact.seconds)} ms. An early planning note (docs/theory.md §7) quoted 12,025 L-BFGS iterations and 28 s to reach 1e-5 at d = 80; we could not reproduce it.`,
      figure: {
        kind: 'lines',
        title: 'Iterative descramblers: gap to the Lemma 1 optimum',
        width: 620,
        height: 340,
        logY: true,
        xLabel: 'time (s)',
        yLabel: 'relative gap',
        series: data.descramblings
          .filter((s) => s.name !== 'exact' && s.log.time.length > 1)
          .map((s) => {
            const length = s.log.time.length;
            // About 300 points per curve.
            const stride = Math.max(1, Math.floor(length / 300));
            const kept = Array.from({ length }, (_, i) => i).filter((i) => i % stride === 0 || i === length - 1);
            return {
              label: STRATEGY_LABEL[s.name],
              x: kept.map((i) => s.log.time[i] as number),
              y: kept.map((i) => Math.max(1e-16, s.log.relativeGap[i] as number)),
            };
          }),
      },
    },
    {
      name: 'figure1-weights',
      caption: 'Figure 1-2: descrambled first layers P W1 (80 hidden x 256 time points) of the four strategies.',
      figure: {
        kind: 'grid',
        columns: 2,
        width: 900,
        height: 420,
        panels: data.descramblings.map((s) => ({
          kind: 'heatmap' as const,
          title: STRATEGY_LABEL[s.name],
          values: s.descrambledWeights,
          colourMap: 'diverging' as const,
          colourBar: false,
          xLabel: 'time point',
          yLabel: 'neuron',
        })),
      },
    },
    {
      name: 'figure2-spectra',
      caption: `Figure 2: centred |2-D DFT| of P W1, displayed as |A| + |circshift(fliplr(A), 1, 2)| in dB below its peak, input frequencies |k| <= ${DISPLAY_HALF_WIDTH} of 128 shown; outlined: hidden frequencies |k| <= ${hiddenBand}. Exact strategy: notch depth ${formatNumber(exact.notchDb)} dB (the zero-input-frequency column is that much weaker than its neighbours), ${formatPercent(exact.hiddenBandFraction)} of the energy in the hidden band.`,
      figure: {
        kind: 'grid',
        columns: 2,
        width: 900,
        height: 440,
        panels: data.descramblings.map((s) => spectrumHeatmap(STRATEGY_LABEL[s.name], s.spectrum, hiddenBand)),
      },
    },
  ];
}

/** Figure 3: the kernel's singular-vector spectra beside W1's. */
function kernelFigure(data: DeerNetExperimentData): ExperimentFigure {
  const { hidden } = data;
  return {
    name: 'figure3-kernel',
    caption: `Figure 3: 2-D spectra (dB, symmetrised display) of the DEER kernel's first ${hidden} left singular vectors (left) and of W1's ${hidden} scaled right singular vectors (right). Cosine similarity of the two spectra ${formatNumber(data.kernelSimilarity)} (a random matrix in W1's place scores ${formatNumber(data.kernelSimilarityBaseline)}); on the leading ${Math.min(data.parameters.leadingModes, hidden)} vectors ${formatNumber(data.leadingKernelSimilarity)} (random ${formatNumber(data.leadingKernelSimilarityBaseline)}).`,
    figure: {
      kind: 'grid',
      columns: 2,
      width: 900,
      height: 300,
      panels: [
        spectrumHeatmap('DEER kernel: singular vectors', data.kernelSpectrum, undefined, 'mode-axis frequency'),
        spectrumHeatmap('W1: scaled right singular vectors', data.layerSpectrum, undefined, 'mode-axis frequency'),
      ],
    },
  };
}

/** Column c of a row-major grid. */
function gridColumn(m: MatrixData, c: number): number[] {
  return Array.from({ length: m.rows }, (_, i) => m.data[i * m.columns + c] as number);
}

/** Figure 4: the principal components beside Chebyshev polynomials, and their inner products. */
function chebyshevFigures(data: DeerNetExperimentData): ExperimentFigure[] {
  const { components, chebyshevDegree: degree, bandwidth } = data.parameters;
  const nr = data.principalComponents.rows;
  const grid = Array.from({ length: nr }, (_, j) => -1 + (2 * j) / (nr - 1));
  return [
    {
      name: 'figure4-components',
      caption: `Figure 4: the top ${components} principal components of the layer-2 preactivations W2 f1(X) (solid) and Chebyshev T0-T${components - 1} normalised (dashed), on the distance axis mapped to [-1, 1].`,
      figure: {
        kind: 'grid',
        columns: 2,
        width: 900,
        height: 320,
        panels: [
          {
            kind: 'lines',
            title: 'principal components',
            xLabel: 'x',
            series: Array.from({ length: components }, (_, c) => ({ label: `PC${c + 1}`, x: grid, y: gridColumn(data.principalComponents, c) })),
          },
          {
            kind: 'lines',
            title: 'Chebyshev T0..T4 (unit norm)',
            xLabel: 'x',
            series: Array.from({ length: components }, (_, c) => {
              const column = gridColumn(data.chebyshevBasis, c);
              const norm = Math.hypot(...column);
              return { label: `T${c}`, x: grid, y: column.map((v) => v / norm), dashed: true };
            }),
          },
        ],
      },
    },
    {
      name: 'figure4-inner-products',
      caption: `Figure 4: |cosine| between the principal components (rows) and Chebyshev T0..T${degree} (columns). Share within |i - j| <= ${bandwidth}: ${formatPercent(data.bandedness)} (random vectors: ${formatPercent(data.bandednessBaseline)}).`,
      figure: { kind: 'heatmap', title: '|<PC_i, T_j>|', values: data.chebyshevInnerProducts, colourMap: 'greys', domain: [0, 1], width: 620, height: 260, xLabel: 'Chebyshev degree j', yLabel: 'component i' },
    },
  ];
}

/** Held-out examples, Figures 1-2 (strategies), Figure 3 (kernel) and Figure 4 (Chebyshev). */
export function deernetFigures(data: DeerNetExperimentData): ExperimentFigure[] {
  return [examplesFigure(data), ...strategyFigures(data), kernelFigure(data), ...chebyshevFigures(data)];
}

/** Figure 1 (exactness, budgets, differing descramblers, agreeing weights), Figure 2's spectrum, Figures 3 and 4. */
export function deernetChecks(data: DeerNetExperimentData): ExperimentCheck[] {
  const { hidden } = data;
  const { hiddenBand, leadingModes, components, chebyshevDegree: degree, bandwidth } = data.parameters;
  const exact = strategyRow(data, 'exact');
  const iterative = data.strategies.filter((s) => s.name !== 'exact');
  const leading = Math.min(leadingModes, hidden);
  return [
    check(
      'Strategy (d) attains the Lemma 1 bound within roundoff: |value − optimum| <= 10 d eps ||A||_2 ||B||_2 (gap 0)',
      'Paper Figure 1 / docs/theory.md §7: (d) direct eigendecomposition is exact, in about 1 ms',
      data.exactAbsoluteGap,
      (value) => Math.abs(value) <= data.exactGapRoundoff,
      (value) => `value − optimum = ${formatNumber(value)}, roundoff bound ${formatNumber(data.exactGapRoundoff)} (${formatNumber(1000 * exact.seconds)} ms)`,
    ),
    check(
      'The iterative strategies stop short of the optimum within their budget (smallest gap > 1e-6)',
      'docs/theory.md §7: iterative solvers on the Cayley parameters need very many iterations on this badly conditioned problem (a planning note quoted 12,025 L-BFGS iterations and 28 s to 1e-5 at d = 80, not reproduced)',
      Math.min(...iterative.map((s) => s.gap)),
      (value) => value > 1e-6,
    ),
    check(
      'The four descramblers differ: largest descramblerDistance to the exact one > 0.1',
      'Paper Figure 1: the four descramblers differ',
      Math.max(...iterative.map((s) => s.distanceToExact)),
      (value) => value > 0.1,
    ),
    check(
      'Their descrambled weights nearly agree: smallest spectrum similarity to the exact one > 0.9',
      'Paper Figure 1-2: the descrambled weights nearly agree',
      Math.min(...iterative.map((s) => s.similarityToExact)),
      (value) => value > 0.9,
    ),
    check(
      'Notch at zero input frequency in the exact P W1 spectrum: the zero-frequency column is more than 3 dB weaker than its neighbours (depth > 3 dB)',
      'Paper §8 / docs/deer.md: a notch at zero frequency along the input axis',
      exact.notchDb,
      (value) => value > 3,
      (value) => `${formatNumber(value)} dB`,
    ),
    check(
      `Band along the hidden axis: > 50% of the energy at hidden frequencies |k| <= ${hiddenBand}`,
      'Paper §8: a band-pass along the hidden axis (roughly frequencies -10..10)',
      exact.hiddenBandFraction,
      (value) => value > 0.5,
      (value) => `${formatPercent(value)} (raw W1: ${formatPercent(data.rawHiddenBandFraction)}; uniform: ${formatPercent((2 * hiddenBand + 1) / hidden)})`,
    ),
    check(
      'Low-pass along the input axis: 90% of the energy within |k| <= 40 of 128',
      'docs/deer.md: energy within |k| <~ 33 of 128 bins along the input axis',
      exact.inputHalfWidth90,
      (value) => value <= 40,
      (value) => `|k| <= ${value}`,
    ),
    check(
      `Figure 3 as displayed (all ${hidden} singular vectors; kernel unscaled, W1 scaled): spectrum similarity above the random-matrix level + 0.1`,
      "Paper Figure 3: the 2-D DFT of the DEER kernel's singular vectors resembles that of W1's scaled right singular vectors",
      data.kernelSimilarity,
      (value) => value > data.kernelSimilarityBaseline + 0.1,
      (value) => `${formatNumber(value)} (random matrix: ${formatNumber(data.kernelSimilarityBaseline)})`,
    ),
    check(
      `Figure 3 on the leading ${leading} singular vectors: similarity above the random-matrix level + 0.1`,
      "Paper Figure 3 (restricted to the modes W1 actually uses)",
      data.leadingKernelSimilarity,
      (value) => value > data.leadingKernelSimilarityBaseline + 0.1,
      (value) => `${formatNumber(value)} (random matrix: ${formatNumber(data.leadingKernelSimilarityBaseline)}; both scaled, all ${hidden}: ${formatNumber(data.scaledKernelSimilarity)} vs ${formatNumber(data.scaledKernelSimilarityBaseline)})`,
    ),
    check(
      `Figure 4: the inner products of the top ${components} principal components with T0..T${degree} are nearly banded (share within |i - j| <= ${bandwidth} above 0.7)`,
      'Paper Figure 4: the top five principal components resemble orthogonal polynomials; their inner products with the first 20 Chebyshev polynomials form a nearly banded matrix',
      data.bandedness,
      (value) => value > 0.7,
      (value) => `${formatPercent(value)} (random vectors: ${formatPercent(data.bandednessBaseline)}; closest degrees ${Array.from(data.closestDegree).join(', ')})`,
    ),
  ];
}

const DEERNET: ExperimentPresentation<DeerNetExperimentData> = {
  name: 'deernet',
  title: "The paper's Figures 1-4 on our DEERNet",
  setup: ({ card, parameters: p }) =>
    `The bundled DEERNet (${card.architecture}, trained on ${card.data.trainingTraces} generated traces). Layer-1 data: ${p.traces} fresh traces (seed ${p.seed}) from the same generator; Fourier smoothness, no bias in S = W1 X. Iterative strategies: Cayley PGD, at most ${p.maxIterations} iterations and ${p.maxTime} s each.`,
  figures: deernetFigures,
  checks: deernetChecks,
};

/** {@link computeDeerNet}, drawn and checked. */
export function deernet(options: DeerNetExperimentOptions = {}): ExperimentResult<DeerNetExperimentData> {
  return composeExperiment(DEERNET, () => computeDeerNet(options));
}
