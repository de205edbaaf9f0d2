import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import { convolution } from './convolution.js';

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
});
