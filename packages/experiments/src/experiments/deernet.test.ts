import { describe, expect, it } from 'vitest';
import { deernet } from './deernet.js';

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
    expect(data.chebyshevInnerProducts.max()).toBeLessThanOrEqual(1 + 1e-12);
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
});
