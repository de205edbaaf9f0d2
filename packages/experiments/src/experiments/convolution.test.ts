import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import { expectFiguresRender, expectPartsFromClone, grid, holding } from '../../test/experiment-parts.js';
import { type ConvolutionData, convolution, convolutionChecks, convolutionFigures } from './convolution.js';

describe('convolution', () => {
  const result = convolution({ seed: 7 });
  const { data } = result;

  it('sends each Fourier eigenspace of the circulant to the frequency of its gain rank (exact permutation)', () => {
    // Projector identities hold to roundoff: ||P Pi_k P^T - Pi_pi(k)||_F ~ n eps / gap.
    expect(data.fourierPermutationError).toBeLessThan(1e-8);
    // The constant mode has the largest gain and stays at frequency 0; the map is a bijection.
    expect(data.predictedFrequency[0]).toBe(0);
    expect(new Set(data.predictedFrequency).size).toBe(data.predictedFrequency.length);
    // Descrambled gains are sorted: the gain of frequency k after descrambling is the k-th largest.
    const sorted = Array.from(data.gains).sort((a, b) => b - a);
    data.predictedFrequency.forEach((target, k) => {
      expect(sorted[target]).toBe(data.gains[k]);
    });
  });

  it('recovers the planted channel order, with a value between the Lemma 1 bound and itself optimal', () => {
    expect(data.recoversPlantedOrder).toBe(true);
    expect(data.optimumProved).toBe(true);
    expect(data.lemma1Bound).toBeLessThanOrEqual(data.optimum * (1 + 1e-12));
    expect(Math.abs(data.value - data.optimum) / data.optimum).toBeLessThan(1e-12);
    expect(data.gap).toBeGreaterThanOrEqual(0);
    expect(Math.abs(data.gap - data.relaxationGap)).toBeLessThan(1e-12);
    expect(result.checks.every((c) => c.holds)).toBe(true);
  });

  it('rejects an even length', () => {
    expect(() => convolution({ length: 32 })).toThrow(InvalidArgumentError);
  });

  it('draws and checks a structured clone of its data exactly as the data', () => {
    expectPartsFromClone(data, convolutionFigures, convolutionChecks);
  });
});

describe('convolutionChecks and convolutionFigures on hand-made data', () => {
  const made = (overrides: Partial<ConvolutionData> = {}): ConvolutionData => ({
    parameters: { length: 5, channels: 3, inputChannels: 1, channelLength: 4, kernelSize: 2, samples: 10, seed: 0 },
    filter: Float64Array.from([0.4, 0.3, 0.1, 0.1, 0.3]),
    circulant: grid(5, 5),
    gains: Float64Array.from([1, 0.3, 0.6]),
    predictedFrequency: Int32Array.from([0, 2, 1]),
    fourierPermutationError: 1e-14,
    descrambledCirculant: grid(5, 5, (i, j) => i * j),
    channelFilters: grid(3, 2, (i, j) => 10 * i + j),
    permutation: Int32Array.from([2, 0, 1]),
    scramble: Int32Array.from([1, 2, 0]),
    recovered: Int32Array.from([0, 1, 2]),
    recoversPlantedOrder: true,
    value: 2,
    plantedValue: 2,
    optimum: 2,
    optimumProved: true,
    lemma1Bound: 1.5,
    gap: 1 / 3,
    relaxationGap: 1 / 3,
    ...overrides,
  });

  it('holds on an exact Fourier permutation and a proved optimum, and fails otherwise', () => {
    expect(holding(convolutionChecks(made()))).toEqual([true, true, true, true]);
    expect(holding(convolutionChecks(made({ fourierPermutationError: 1e-3, recoversPlantedOrder: false })))).toEqual([false, false, true, true]);
    // Below the bound is impossible for a true permutation value; an unproved optimum decides nothing.
    expect(holding(convolutionChecks(made({ gap: -0.1, optimumProved: false })))).toEqual([true, true, false, false]);
  });

  it('builds its figures from the data alone: gains sorted after descrambling, channels reordered by the permutation', () => {
    const figures = convolutionFigures(made());
    expect(figures.map((f) => f.name)).toEqual(['circulant', 'gains', 'channels']);
    expectFiguresRender(figures);
    const gains = figures[1]!.figure;
    if (gains.kind !== 'lines') throw new Error('gains is a line plot');
    expect(Array.from(gains.series[1]!.y)).toEqual([1, 0.6, 0.3]);
    const channels = figures[2]!.figure;
    if (channels.kind !== 'grid') throw new Error('channels is a grid');
    const descrambled = channels.panels[1]!;
    if (descrambled.kind !== 'heatmap' || !('data' in descrambled.values)) throw new Error('descrambled channels are a heatmap of a grid');
    expect(Array.from(descrambled.values.data)).toEqual([20, 21, 0, 1, 10, 11]);
  });
});
