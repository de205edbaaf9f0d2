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
import { deerDatasetSpec, generateDeerBatch } from '../deer/training-set.js';
import { type DeerNet, loadDeerNet } from '../deernet/load-deernet.js';
import { check, type ExperimentCheck, type ExperimentFigure, type ExperimentResult, formatNumber, formatPercent, secondsSince } from './experiment.js';
import { gaussianMatrix, leadingColumns, matrixFromRowMajor, multiply } from './matrices.js';
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

export interface DeerNetExperimentData {
  readonly strategies: readonly StrategyRow[];
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
  readonly chebyshevInnerProducts: Matrix;
  readonly bandedness: number;
  /** Mean bandedness of random orthonormal vectors (the no-structure level). */
  readonly bandednessBaseline: number;
  /** For each principal component, the degree of the Chebyshev polynomial it is closest to. */
  readonly closestDegree: Int32Array;
  /** Variance share of the top principal components of the layer-2 preactivations. */
  readonly explainedVariance: Float64Array;
}

const STRATEGY_LABEL: Record<StrategyName, string> = {
  identity: '(a) Cayley PGD from I',
  'warm-start': '(b) warm start from T',
  rescaled: '(c) rescaled (diag Ω)',
  exact: '(d) exact (Lemma 1)',
};

function rowsToMatrix(data: Float64Array, rows: number, columns: number): Matrix {
  return matrixFromRowMajor(data, rows, columns);
}

/** Columns of a centred spectrum kept in the figures: input frequencies |k| <= this. */
const DISPLAY_HALF_WIDTH = 64;

/**
 * A centred magnitude spectrum as a heatmap in dB relative to its maximum (floor -60 dB),
 * cropped to input frequencies |k| <= DISPLAY_HALF_WIDTH; `band` outlines hidden |k| <= band.
 */
function spectrumHeatmap(title: string, spectrum: WeightSpectrum, band?: number, yLabel = 'hidden frequency'): HeatmapFigure {
  const rows = spectrum.rowFrequencies;
  const columns = spectrum.columnFrequencies;
  const kept = columns.map((k, j) => [k, j] as const).filter(([k]) => Math.abs(k) <= DISPLAY_HALF_WIDTH);
  const peak = spectrum.magnitude.max();
  const values = new Matrix(rows.length, kept.length);
  for (let i = 0; i < rows.length; i++) {
    kept.forEach(([, j], c) => {
      const m = spectrum.magnitude.get(i, j);
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

/**
 * The paper's Figures 1-4 on the bundled DEERNet: the four strategies' descramblers and
 * descrambled first layers, their centred spectra (notch at zero input frequency, hidden-axis
 * band energy), the DEER kernel's singular-vector spectra beside W1's, and layer 2's principal
 * components against Chebyshev polynomials.
 */
export function deernet(options: DeerNetExperimentOptions = {}): ExperimentResult<DeerNetExperimentData> {
  const started = performance.now();
  options.signal?.throwIfAborted();
  const traces = options.traces ?? 2000;
  const hiddenBand = options.hiddenBand ?? 10;
  const components = options.components ?? 5;
  const degree = options.chebyshevDegree ?? 19;
  const bandwidth = options.bandwidth ?? 2;
  const leading = options.leadingModes ?? 20;
  const seed = options.seed ?? 2021;
  const net = options.network ?? loadDeerNet();
  const spec = deerDatasetSpec({
    timePoints: net.card.data.timePoints,
    distancePoints: net.card.data.distancePoints,
    maxTime: net.card.data.maxTimeMicroseconds,
  });
  const nt = spec.times.length;
  const nr = spec.distances.length;
  const batch = generateDeerBatch(spec, createRng(seed), traces);
  const inputs = rowsToMatrix(batch.inputs, traces, nt);
  const w1 = net.firstWeights;
  const hidden = w1.rows;

  // Figures 1-2: the four strategies.
  const comparison = compareStrategies({
    weights: w1,
    data: inputs,
    maxIterations: options.maxIterations ?? 3000,
    maxTime: options.maxTime ?? 12,
    recordLog: true,
    ...(options.signal !== undefined && { signal: options.signal }),
  });
  options.signal?.throwIfAborted();
  const exactResult = comparison.strategies.find((s) => s.name === 'exact');
  if (exactResult === undefined) throw new MalformedModelError('deernet', 'compareStrategies returned no exact strategy');
  const exactSpectrum = weightSpectrum(exactResult.descrambledWeights, { symmetrise: true });
  const spectra: WeightSpectrum[] = [];
  const strategies: StrategyRow[] = comparison.strategies.map((s) => {
    const spectrum = weightSpectrum(s.descrambledWeights, { symmetrise: true });
    spectra.push(spectrum);
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
  const exact = strategies.find((s) => s.name === 'exact') as StrategyRow;
  const rawSpectrum = weightSpectrum(w1, { symmetrise: true });
  const rawHiddenBand = bandEnergyFraction(rawSpectrum, 0, hiddenBand);

  // Figure 3: singular vectors of the kernel against W1's scaled right singular vectors.
  // The paper's display: all `hidden` singular vectors of K (unscaled) against W1's scaled right
  // singular vectors; then the leading ones only, and both scaled by their singular values.
  const random = gaussianMatrix(hidden, nt, createRng(seed + 1));
  const similarityOf = (k: number, kernelScaled: boolean) => {
    const kernelLeft = singularVectorSpectra(spec.kernel, k, { scaled: kernelScaled, symmetrise: true }).left;
    return {
      kernel: kernelLeft,
      layer: singularVectorSpectra(w1, k, { scaled: true, symmetrise: true }).right,
      similarity: spectrumSimilarity(kernelLeft, singularVectorSpectra(w1, k, { scaled: true, symmetrise: true }).right),
      baseline: spectrumSimilarity(kernelLeft, singularVectorSpectra(random, k, { scaled: true, symmetrise: true }).right),
    };
  };
  const allModes = similarityOf(hidden, false);
  const leadingModes = similarityOf(Math.min(leading, hidden), false);
  const bothScaled = similarityOf(hidden, true);
  const kernelSpectra = { left: allModes.kernel };
  const layerSpectra = { right: allModes.layer };
  const kernelSimilarity = allModes.similarity;
  const kernelSimilarityBaseline = allModes.baseline;

  // Figure 4: principal components of the layer-2 preactivations W2 f1(X) (mean removed).
  const activations = forward(net.model, { shape: [traces, nt], data: batch.inputs }, { to: 1 });
  const h = rowsToMatrix(activations.data, traces, hidden);
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
  const inner = polynomialInnerProducts(principal, degree).abs();
  const measuredBandedness = bandedness(inner, bandwidth);
  const closestDegree = Int32Array.from({ length: components }, (_, c) => {
    const row = inner.getRow(c);
    return row.indexOf(Math.max(...row));
  });
  const baselineRng = createRng(seed + 2);
  let bandednessBaseline = 0;
  const draws = 20;
  for (let k = 0; k < draws; k++) {
    const q = leadingColumns(qr(gaussianMatrix(nr, components, baselineRng)).q, components);
    bandednessBaseline += bandedness(polynomialInnerProducts(q, degree).abs(), bandwidth) / draws;
  }

  // Figures.
  const figures: ExperimentFigure[] = [];
  const examples = 3;
  const outputs = forward(net.model, { shape: [examples, nt], data: batch.inputs.subarray(0, examples * nt) }).data;
  const r = Array.from(spec.distances);
  figures.push({
    name: 'examples',
    caption: `Three held-out traces: the network's distance distribution (solid) against the truth (dashed). Held-out error of the bundled network (card): total variation ${formatNumber(net.card.heldOutError.totalVariation)}, mean-distance error ${formatNumber(net.card.heldOutError.meanDistanceError)} nm.`,
    figure: {
      kind: 'lines',
      title: 'DEERNet output on held-out traces',
      width: 620,
      height: 320,
      xLabel: 'distance r (nm)',
      yLabel: 'p(r), peak-0.75 units',
      series: Array.from({ length: examples }, (_, e) => [
        { label: `trace ${e + 1}: network`, x: r, y: outputs.subarray(e * nr, (e + 1) * nr) },
        { label: `trace ${e + 1}: truth`, x: r, y: batch.targets.subarray(e * nr, (e + 1) * nr), dashed: true },
      ]).flat(),
    },
  });
  figures.push({
    name: 'figure1-descramblers',
    caption: 'Figure 1: the four strategies\' descramblers P (80 x 80). They differ (see the distance column of the table).',
    figure: {
      kind: 'grid',
      columns: 4,
      width: 960,
      height: 280,
      panels: comparison.strategies.map((s) => ({ kind: 'heatmap' as const, title: STRATEGY_LABEL[s.name], values: s.P, colourMap: 'diverging' as const, colourBar: false })),
    },
  });
  const optimum = comparison.exact.optimum;
  figures.push({
    name: 'figure1-convergence',
    caption: `Figure 1: relative gap (value − optimum) / max(|optimum|, roundoff) of the iterative strategies against time (0, drawn at 1e-16, within the roundoff bound ${formatNumber(comparison.exact.gapRoundoff)}); the exact strategy sits at ${formatNumber(exact.gap)}${exact.withinRoundoff ? ' (within roundoff)' : ''} after ${formatNumber(1000 * exact.seconds)} ms. An early planning note (docs/theory.md §7) quoted 12,025 L-BFGS iterations and 28 s to reach 1e-5 at d = 80; we could not reproduce it.`,
    figure: {
      kind: 'lines',
      title: 'Iterative descramblers: gap to the Lemma 1 optimum',
      width: 620,
      height: 340,
      logY: true,
      xLabel: 'time (s)',
      yLabel: 'relative gap',
      series: comparison.strategies
        .filter((s) => s.name !== 'exact' && s.log.length > 1)
        .map((s) => {
          const stride = Math.max(1, Math.floor(s.log.length / 300));
          const entries = s.log.filter((_, i) => i % stride === 0 || i === s.log.length - 1);
          return {
            label: STRATEGY_LABEL[s.name],
            x: entries.map((e) => e.time),
            y: entries.map((e) => Math.max(1e-16, relativeGap(e.cost, optimum, comparison.exact.gapRoundoff, 'deernet').gap)),
          };
        }),
    },
  });
  figures.push({
    name: 'figure1-weights',
    caption: 'Figure 1-2: descrambled first layers P W1 (80 hidden x 256 time points) of the four strategies.',
    figure: {
      kind: 'grid',
      columns: 2,
      width: 900,
      height: 420,
      panels: comparison.strategies.map((s) => ({
        kind: 'heatmap' as const,
        title: STRATEGY_LABEL[s.name],
        values: s.descrambledWeights,
        colourMap: 'diverging' as const,
        colourBar: false,
        xLabel: 'time point',
        yLabel: 'neuron',
      })),
    },
  });
  figures.push({
    name: 'figure2-spectra',
    caption: `Figure 2: centred |2-D DFT| of P W1, displayed as |A| + |circshift(fliplr(A), 1, 2)| in dB below its peak, input frequencies |k| <= ${DISPLAY_HALF_WIDTH} of 128 shown; outlined: hidden frequencies |k| <= ${hiddenBand}. Exact strategy: notch depth ${formatNumber(exact.notchDb)} dB (the zero-input-frequency column is that much weaker than its neighbours), ${formatPercent(exact.hiddenBandFraction)} of the energy in the hidden band.`,
    figure: {
      kind: 'grid',
      columns: 2,
      width: 900,
      height: 440,
      panels: comparison.strategies.map((s, i) => spectrumHeatmap(STRATEGY_LABEL[s.name], spectra[i] as WeightSpectrum, hiddenBand)),
    },
  });
  figures.push({
    name: 'figure3-kernel',
    caption: `Figure 3: 2-D spectra (dB, symmetrised display) of the DEER kernel's first ${hidden} left singular vectors (left) and of W1's ${hidden} scaled right singular vectors (right). Cosine similarity of the two spectra ${formatNumber(kernelSimilarity)} (a random matrix in W1's place scores ${formatNumber(kernelSimilarityBaseline)}); on the leading ${Math.min(leading, hidden)} vectors ${formatNumber(leadingModes.similarity)} (random ${formatNumber(leadingModes.baseline)}).`,
    figure: {
      kind: 'grid',
      columns: 2,
      width: 900,
      height: 300,
      panels: [
        spectrumHeatmap('DEER kernel: singular vectors', kernelSpectra.left, undefined, 'mode-axis frequency'),
        spectrumHeatmap('W1: scaled right singular vectors', layerSpectra.right, undefined, 'mode-axis frequency'),
      ],
    },
  });
  const grid = Array.from({ length: nr }, (_, j) => -1 + (2 * j) / (nr - 1));
  const chebyshev = chebyshevBasis(nr, components - 1);
  figures.push({
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
          series: Array.from({ length: components }, (_, c) => ({ label: `PC${c + 1}`, x: grid, y: principal.getColumn(c) })),
        },
        {
          kind: 'lines',
          title: 'Chebyshev T0..T4 (unit norm)',
          xLabel: 'x',
          series: Array.from({ length: components }, (_, c) => {
            const column = chebyshev.getColumn(c);
            const norm = Math.hypot(...column);
            return { label: `T${c}`, x: grid, y: column.map((v) => v / norm), dashed: true };
          }),
        },
      ],
    },
  });
  figures.push({
    name: 'figure4-inner-products',
    caption: `Figure 4: |cosine| between the principal components (rows) and Chebyshev T0..T${degree} (columns). Share within |i - j| <= ${bandwidth}: ${formatPercent(measuredBandedness)} (random vectors: ${formatPercent(bandednessBaseline)}).`,
    figure: { kind: 'heatmap', title: '|<PC_i, T_j>|', values: inner, colourMap: 'greys', domain: [0, 1], width: 620, height: 260, xLabel: 'Chebyshev degree j', yLabel: 'component i' },
  });

  const iterative = strategies.filter((s) => s.name !== 'exact');
  const checks: ExperimentCheck[] = [
    check(
      'Strategy (d) attains the Lemma 1 bound within roundoff: |value − optimum| <= 10 d eps ||A||_2 ||B||_2 (gap 0)',
      'Paper Figure 1 / docs/theory.md §7: (d) direct eigendecomposition is exact, in about 1 ms',
      exactResult.absoluteGap,
      (value) => Math.abs(value) <= comparison.exact.gapRoundoff,
      (value) => `value − optimum = ${formatNumber(value)}, roundoff bound ${formatNumber(comparison.exact.gapRoundoff)} (${formatNumber(1000 * exact.seconds)} ms)`,
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
      (value) => `${formatPercent(value)} (raw W1: ${formatPercent(rawHiddenBand)}; uniform: ${formatPercent((2 * hiddenBand + 1) / hidden)})`,
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
      kernelSimilarity,
      (value) => value > kernelSimilarityBaseline + 0.1,
      (value) => `${formatNumber(value)} (random matrix: ${formatNumber(kernelSimilarityBaseline)})`,
    ),
    check(
      `Figure 3 on the leading ${Math.min(leading, hidden)} singular vectors: similarity above the random-matrix level + 0.1`,
      "Paper Figure 3 (restricted to the modes W1 actually uses)",
      leadingModes.similarity,
      (value) => value > leadingModes.baseline + 0.1,
      (value) => `${formatNumber(value)} (random matrix: ${formatNumber(leadingModes.baseline)}; both scaled, all ${hidden}: ${formatNumber(bothScaled.similarity)} vs ${formatNumber(bothScaled.baseline)})`,
    ),
    check(
      `Figure 4: the inner products of the top ${components} principal components with T0..T${degree} are nearly banded (share within |i - j| <= ${bandwidth} above 0.7)`,
      'Paper Figure 4: the top five principal components resemble orthogonal polynomials; their inner products with the first 20 Chebyshev polynomials form a nearly banded matrix',
      measuredBandedness,
      (value) => value > 0.7,
      (value) => `${formatPercent(value)} (random vectors: ${formatPercent(bandednessBaseline)}; closest degrees ${Array.from(closestDegree).join(', ')})`,
    ),
  ];
  return {
    name: 'deernet',
    title: "The paper's Figures 1-4 on our DEERNet",
    setup: `The bundled DEERNet (${net.card.architecture}, trained on ${net.card.data.trainingTraces} generated traces). Layer-1 data: ${traces} fresh traces (seed ${seed}) from the same generator; Fourier smoothness, no bias in S = W1 X. Iterative strategies: Cayley PGD, at most ${options.maxIterations ?? 3000} iterations and ${options.maxTime ?? 12} s each.`,
    data: {
      strategies,
      kernelSimilarity,
      kernelSimilarityBaseline,
      leadingKernelSimilarity: leadingModes.similarity,
      leadingKernelSimilarityBaseline: leadingModes.baseline,
      scaledKernelSimilarity: bothScaled.similarity,
      scaledKernelSimilarityBaseline: bothScaled.baseline,
      exactAbsoluteGap: exactResult.absoluteGap,
      exactGapRoundoff: comparison.exact.gapRoundoff,
      exactWithinRoundoff: exactResult.withinRoundoff,
      familyDimension: comparison.exact.familyDimension,
      exactFamilyDimension: comparison.exact.exactFamilyDimension,
      chebyshevInnerProducts: inner,
      bandedness: measuredBandedness,
      bandednessBaseline,
      closestDegree,
      explainedVariance,
    },
    figures,
    checks,
    seconds: secondsSince(started),
  };
}
