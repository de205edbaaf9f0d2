import { describe, expect, it } from 'vitest';
import { expectFiguresRender, expectPartsFromClone, grid, holding } from '../../test/experiment-parts.js';
import { type IsotropicData, isotropic, isotropicChecks, isotropicFigures } from './isotropic.js';

describe('isotropic (Theorem 2 and the large-data limit)', () => {
  const result = isotropic({ neurons: 8, inputs: 32, sampleSizes: [500, 2000, 8000, 32000], seed: 3 });

  it('gives P W = T Sigma V^T: Lemma 1 on W W^T and T U^T are the same explanation', () => {
    // Both are computed from the same W in double precision: distances are roundoff, ~ d eps / eigengap.
    expect(result.data.theoremDistance).toBeLessThan(1e-8);
    expect(result.data.gramError).toBeLessThan(1e-10);
    // Rows of P W are orthogonal with squared norms sigma_i^2 on A's modes: the total energy is ||W||_F^2.
    const energy = result.data.singularValues.reduce((sum, s) => sum + s * s, 0);
    const squaredNorm = result.data.descrambledWeights.data.reduce((sum, w) => sum + w * w, 0);
    expect(Math.abs(squaredNorm - energy) / energy).toBeLessThan(1e-12);
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

  it('draws and checks a structured clone of its data exactly as the data', () => {
    expectPartsFromClone(result.data, isotropicFigures, isotropicChecks);
  });
});

describe('isotropicChecks and isotropicFigures on hand-made data', () => {
  const made = (overrides: Partial<IsotropicData> = {}): IsotropicData => ({
    parameters: { neurons: 2, inputs: 3, sampleSizes: [100, 400], seed: 0 },
    weights: grid(2, 3),
    descrambledWeights: grid(2, 3, (i, j) => (i === j ? 1 : 0)),
    singularValues: Float64Array.from([1, 1]),
    theoremDistance: 1e-12,
    gramError: 1e-14,
    sampleSizes: [100, 400],
    distances: Float64Array.from([0.2, 0.1]),
    slope: -0.5,
    ...overrides,
  });

  it('holds on Theorem 2 to roundoff and an N^-1/2 rate, and fails where the data say otherwise', () => {
    expect(holding(isotropicChecks(made()))).toEqual([true, true, true]);
    expect(holding(isotropicChecks(made({ slope: -1 })))).toEqual([true, true, false]);
    expect(holding(isotropicChecks(made({ theoremDistance: 1e-3, gramError: Number.NaN })))).toEqual([false, false, true]);
  });

  it('builds its figures from the data alone, with the N^-1/2 reference through the first distance', () => {
    const figures = isotropicFigures(made());
    expect(figures.map((f) => f.name)).toEqual(['weights', 'convergence']);
    expectFiguresRender(figures);
    const convergence = figures[1]!.figure;
    if (convergence.kind !== 'lines') throw new Error('convergence is a line plot');
    // 0.2 sqrt(100 / 400) = 0.1.
    expect(Array.from(convergence.series[1]!.y)).toEqual([0.2, 0.1]);
  });
});
