import { describe, expect, it } from 'vitest';
import { expectFiguresRender, expectPartsFromClone, grid, holding } from '../../test/experiment-parts.js';
import { loadDeerNet } from '../deernet/load-deernet.js';
import { type DeerNetExperimentData, deernet, deernetChecks, deernetFigures, type SpectrumGrid, type StrategyDescrambling, type StrategyRow } from './deernet.js';

describe('deernet (the paper\'s Figures 1-4 on the bundled network, small budget)', () => {
  const result = deernet({ traces: 300, maxIterations: 3, maxTime: 5, seed: 4 });
  const { data } = result;

  it('runs the four strategies; only the exact one attains the Lemma 1 bound', () => {
    expect(data.strategies.map((s) => s.name)).toEqual(['identity', 'warm-start', 'rescaled', 'exact']);
    const exact = data.strategies[3]!;
    // Roundoff in tr(A P B P^T) scales with omega_max sigma_max^2 (B is dominated by the traces' DC).
    expect(Math.abs(data.exactAbsoluteGap)).toBeLessThanOrEqual(data.exactGapRoundoff);
    expect(data.exactWithinRoundoff).toBe(true);
    expect(exact.gap).toBe(0);
    expect(data.familyDimension).toBeGreaterThanOrEqual(data.exactFamilyDimension);
    expect(exact.distanceToExact).toBeLessThan(1e-8);
    expect(exact.similarityToExact).toBeCloseTo(1, 12);
    for (const s of data.strategies.slice(0, 3)) {
      expect(s.iterations).toBeLessThanOrEqual(3);
      // Three iterations cannot reach the optimum of an 80-neuron layer.
      expect(s.gap).toBeGreaterThan(1e-6);
      expect(s.value).toBeGreaterThan(exact.value);
    }
  });

  it('reads spectra, kernel similarity and Chebyshev inner products as bounded measures', () => {
    for (const s of data.strategies) {
      expect(s.hiddenBandFraction).toBeGreaterThan(0);
      expect(s.hiddenBandFraction).toBeLessThanOrEqual(1);
      expect(Number.isFinite(s.notchDb)).toBe(true);
    }
    expect(data.kernelSimilarity).toBeGreaterThan(0);
    expect(data.kernelSimilarity).toBeLessThanOrEqual(1);
    expect([data.chebyshevInnerProducts.rows, data.chebyshevInnerProducts.columns]).toEqual([5, 20]);
    expect(Math.max(...data.chebyshevInnerProducts.data)).toBeLessThanOrEqual(1 + 1e-12);
    // Variance shares of the principal components are descending and sum to at most 1.
    const shares = Array.from(data.explainedVariance);
    expect(shares.every((v, i) => i === 0 || v <= (shares[i - 1] as number))).toBe(true);
    expect(shares.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1 + 1e-12);
  });

  it('descrambling smooths the hidden axis of the bundled W1', () => {
    // Lemma 1 puts the energy on the smoothest modes of A: the exact strategy holds the most
    // energy at low hidden frequencies of all four strategies.
    const exact = data.strategies[3]!;
    for (const s of data.strategies.slice(0, 3)) expect(exact.hiddenBandFraction).toBeGreaterThanOrEqual(s.hiddenBandFraction);
  });

  it('draws and checks a structured clone of its data exactly as the data', () => {
    expectPartsFromClone(data, deernetFigures, deernetChecks);
  });
});

describe('deernetChecks and deernetFigures on hand-made data', () => {
  const hidden = 4;
  const spectrum = (rows: number, columns: number): SpectrumGrid => ({
    magnitude: grid(rows, columns, (i, j) => 1 + i + j),
    rowFrequencies: Array.from({ length: rows }, (_, i) => i - Math.floor(rows / 2)),
    columnFrequencies: Array.from({ length: columns }, (_, j) => j - Math.floor(columns / 2)),
  });
  const names = ['identity', 'warm-start', 'rescaled', 'exact'] as const;
  const row = (name: StrategyRow['name'], overrides: Partial<StrategyRow> = {}): StrategyRow => ({
    name,
    value: name === 'exact' ? 1 : 2,
    gap: name === 'exact' ? 0 : 0.5,
    withinRoundoff: name === 'exact',
    iterations: name === 'exact' ? 0 : 3,
    seconds: 0.01,
    converged: name === 'exact',
    distanceToExact: name === 'exact' ? 0 : 0.5,
    notchDb: 6,
    hiddenBandFraction: 0.7,
    inputHalfWidth90: 20,
    similarityToExact: name === 'exact' ? 1 : 0.95,
    ...overrides,
  });
  const descrambling = (name: StrategyRow['name']): StrategyDescrambling => ({
    name,
    descrambler: grid(hidden, hidden, (i, j) => (i === j ? 1 : 0)),
    descrambledWeights: grid(hidden, 6),
    spectrum: spectrum(hidden, 6),
    log: name === 'exact' ? { time: new Float64Array(0), relativeGap: new Float64Array(0) } : { time: Float64Array.from([0, 0.1, 0.2]), relativeGap: Float64Array.from([1, 0.1, 0]) },
  });
  const made = (overrides: Partial<DeerNetExperimentData> = {}, exact: Partial<StrategyRow> = {}): DeerNetExperimentData => ({
    parameters: { traces: 10, maxIterations: 3, maxTime: 1, hiddenBand: 1, components: 2, chebyshevDegree: 3, bandwidth: 1, leadingModes: 2, seed: 0 },
    card: loadDeerNet().card,
    hidden,
    strategies: names.map((name) => row(name, name === 'exact' ? exact : {})),
    descramblings: names.map(descrambling),
    rawHiddenBandFraction: 0.4,
    kernelSimilarity: 0.8,
    kernelSimilarityBaseline: 0.5,
    leadingKernelSimilarity: 0.9,
    leadingKernelSimilarityBaseline: 0.6,
    scaledKernelSimilarity: 0.7,
    scaledKernelSimilarityBaseline: 0.5,
    kernelSpectrum: spectrum(hidden, 6),
    layerSpectrum: spectrum(hidden, 6),
    exactAbsoluteGap: 1e-3,
    exactGapRoundoff: 1,
    exactWithinRoundoff: true,
    familyDimension: 0,
    exactFamilyDimension: 0,
    chebyshevInnerProducts: grid(2, 4, (i, j) => (i === j ? 0.9 : 0.1)),
    bandedness: 0.9,
    bandednessBaseline: 0.4,
    closestDegree: Int32Array.from([0, 1]),
    explainedVariance: Float64Array.from([0.6, 0.3]),
    principalComponents: grid(5, 2),
    chebyshevBasis: grid(5, 2, (i, j) => (j === 0 ? 1 : -1 + i / 2)),
    distances: Float64Array.from([1, 2, 3, 4, 5]),
    examples: Array.from({ length: 3 }, (_, e) => ({ output: Float64Array.from([0, e, 1, e, 0]), truth: Float64Array.from([0, 1, e, 1, 0]) })),
    ...overrides,
  });

  it('holds all ten checks on data that agree with the paper, and fails exactly those the data contradict', () => {
    expect(holding(deernetChecks(made()))).toEqual(Array(10).fill(true));
    const contradicting = made({ exactAbsoluteGap: 2, kernelSimilarity: 0.55, bandedness: 0.5 }, { notchDb: 1, inputHalfWidth90: 41 });
    expect(holding(deernetChecks(contradicting))).toEqual([false, true, true, true, false, true, false, false, true, false]);
  });

  it('builds its eight figures from the data alone, with one convergence curve per iterative strategy', () => {
    const figures = deernetFigures(made());
    expect(figures.map((f) => f.name)).toEqual([
      'examples',
      'figure1-descramblers',
      'figure1-convergence',
      'figure1-weights',
      'figure2-spectra',
      'figure3-kernel',
      'figure4-components',
      'figure4-inner-products',
    ]);
    expectFiguresRender(figures);
    const convergence = figures[2]!.figure;
    if (convergence.kind !== 'lines') throw new Error('convergence is a line plot');
    expect(convergence.series.length).toBe(3);
    // A gap of 0 is drawn at 1e-16 on the log axis.
    expect(Array.from(convergence.series[0]!.y)).toEqual([1, 0.1, 1e-16]);
  });
});
