import { orthogonalityError } from '@descramble/linalg';
import { describe, expect, it } from 'vitest';
import { createRng, gaussianMatrix, relativeMatrixError } from '../test/helpers.js';
import { compareStrategies } from './compare-strategies.js';
import { descrambleLayer } from './descramble-layer.js';
import { iterativeDescrambler } from './iterative-descrambler.js';
import { smoothnessValue } from './smoothness.js';

function layer(seed: number, d: number) {
  const rng = createRng(seed);
  return { weights: gaussianMatrix(rng, d, 2 * d), data: gaussianMatrix(rng, 10 * d, 2 * d) };
}

describe('iterativeDescrambler', () => {
  it('runs one Figure 1 strategy exactly as compareStrategies runs it', () => {
    const { weights, data } = layer(3, 10);
    const exact = descrambleLayer({ weights, data });
    const { strategies } = compareStrategies({ weights, data, maxIterations: 80 });
    for (const start of ['identity', 'warm-start', 'rescaled'] as const) {
      const run = iterativeDescrambler(exact, weights, { start, maxIterations: 80 });
      const reference = strategies.find((s) => s.name === start)!;
      expect(run.start).toBe(start);
      expect(run.method).toBe('cayley-pgd');
      expect(run.value).toBe(reference.value);
      expect(run.gap.gap).toBe(reference.gap);
      expect(run.iterations).toBe(reference.iterations);
      expect(relativeMatrixError(run.P, reference.P)).toBe(0);
    }
  });

  it('measures the answer against the exact descrambler: value, gap, distance, P W', () => {
    const { weights, data } = layer(5, 12);
    const exact = descrambleLayer({ weights, data });
    const run = iterativeDescrambler(exact, weights, { method: 'trust-regions', maxIterations: 500, gradientTolerance: 1e-10 });
    expect(orthogonalityError(run.P)).toBeLessThan(1e-11);
    expect(run.value).toBeCloseTo(smoothnessValue(run.P, exact.smoothness, exact.gram), 10);
    expect(relativeMatrixError(run.descrambledWeights, run.P.mmul(weights))).toBeLessThan(1e-13);
    // The value can only be at or above the Lemma 1 optimum; a converged run reaches it.
    expect(run.value).toBeGreaterThanOrEqual(exact.optimum * (1 - 1e-12));
    expect(run.converged).toBe(true);
    expect(run.gap.gap).toBeLessThan(1e-8);
    expect(run.distanceToExact).toBeLessThan(1e-4);
  });

  it('a short budget stops short, and says so', () => {
    const { weights, data } = layer(9, 12);
    const exact = descrambleLayer({ weights, data });
    const run = iterativeDescrambler(exact, weights, { maxIterations: 3, recordLog: true });
    expect(run.stoppedBy).toBe('maxIterations');
    expect(run.converged).toBe(false);
    expect(run.log.length).toBe(4);
    expect(run.gap.gap).toBeGreaterThan(1e-6);
  });

  it('throws the signal reason when aborted', () => {
    const { weights, data } = layer(1, 6);
    const exact = descrambleLayer({ weights, data });
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    expect(() => iterativeDescrambler(exact, weights, { signal: controller.signal })).toThrow('stop');
  });
});
