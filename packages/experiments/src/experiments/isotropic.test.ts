import { describe, expect, it } from 'vitest';
import { isotropic } from './isotropic.js';

describe('isotropic (Theorem 2 and the large-data limit)', () => {
  const result = isotropic({ neurons: 8, inputs: 32, sampleSizes: [500, 2000, 8000, 32000], seed: 3 });

  it('gives P W = T Sigma V^T: Lemma 1 on W W^T and T U^T are the same explanation', () => {
    // Both are computed from the same W in double precision: distances are roundoff, ~ d eps / eigengap.
    expect(result.data.theoremDistance).toBeLessThan(1e-8);
    expect(result.data.gramError).toBeLessThan(1e-10);
    // Rows of P W are orthogonal with squared norms sigma_i^2 on A's modes: the total energy is ||W||_F^2.
    const energy = result.data.singularValues.reduce((sum, s) => sum + s * s, 0);
    expect(Math.abs(result.data.descrambledWeights.norm('frobenius') ** 2 - energy) / energy).toBeLessThan(1e-12);
  });

  it('converges to the isotropic descrambler like N^{-1/2}', () => {
    const d = result.data.distances;
    expect(d[d.length - 1]).toBeLessThan(d[0] as number);
    expect(result.data.slope).toBeGreaterThan(-0.7);
    expect(result.data.slope).toBeLessThan(-0.3);
  });

  it('reports its checks as holding, with figures', () => {
    expect(result.checks.every((c) => c.holds)).toBe(true);
    expect(result.figures.map((f) => f.name)).toEqual(['weights', 'convergence']);
  });
});
