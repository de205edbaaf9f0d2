import { orthogonalityError } from '@descramble/linalg';
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { createRng, gaussianMatrix, relativeMatrixError } from '../test/helpers.js';
import { compareStrategies } from './compare-strategies.js';
import { InvalidArgumentError } from './errors.js';

function layer(seed: number, d: number) {
  const rng = createRng(seed);
  return { weights: gaussianMatrix(rng, d, 2 * d), data: gaussianMatrix(rng, 10 * d, 2 * d) };
}

describe('compareStrategies (Figure 1)', () => {
  it('reports four strategies; none beats the Lemma 1 optimum; exact is exact', () => {
    const { weights, data } = layer(7, 12);
    const { strategies, exact } = compareStrategies({ weights, data, maxIterations: 200, rescale: true });
    expect(strategies.map((s) => s.name)).toEqual(['identity', 'warm-start', 'rescaled', 'exact']);
    for (const s of strategies) {
      expect(orthogonalityError(s.P)).toBeLessThan(1e-11);
      expect(s.gap).toBeGreaterThan(-1e-12);
      expect(relativeMatrixError(s.descrambledWeights, s.P.mmul(weights))).toBeLessThan(1e-13);
      expect(Number.isFinite(s.time)).toBe(true);
      expect(s.distanceToExact).toBeGreaterThanOrEqual(0);
    }
    const last = strategies[3]!;
    expect(last.P).toBe(exact.P);
    expect(last.gap).toBe(0);
    expect(last.withinRoundoff).toBe(true);
    expect(last.distanceToExact).toBe(0);
    expect(last.stoppedBy).toBe('closed-form');
    // 200 iterations of the 2021 method on d = 12 do not reach the optimum.
    const iterative = strategies.slice(0, 3);
    for (const s of iterative) {
      expect(s.iterations).toBeLessThanOrEqual(200);
      expect(s.log.length).toBe(s.iterations + 1);
      // Armijo steps never increase the cost.
      for (let k = 1; k < s.log.length; k++) expect(s.log[k]!.cost).toBeLessThanOrEqual(s.log[k - 1]!.cost * (1 + 1e-14));
    }
    expect(Math.max(...iterative.map((s) => s.gap))).toBeGreaterThan(1e-8);
  });

  it('on a small problem the iterative strategies reach the exact explanation', () => {
    const { weights, data } = layer(1, 5);
    const { strategies } = compareStrategies({
      weights,
      data,
      operator: 'dirichlet',
      rescale: true,
      maxIterations: 5000,
      gradientTolerance: 1e-9,
    });
    for (const s of strategies) {
      expect(Math.abs(s.gap)).toBeLessThan(1e-10);
      // Near the optimum the distance is about sqrt(gap) / eigengap.
      expect(s.distanceToExact).toBeLessThan(1e-4);
    }
  });

  it('validates its budget and input', () => {
    const { weights, data } = layer(2, 4);
    expect(() => compareStrategies({ weights, data, maxIterations: -1 })).toThrow(InvalidArgumentError);
    expect(() => compareStrategies({ weights })).toThrow(InvalidArgumentError);
    expect(() => compareStrategies({ weights, gram: Matrix.eye(3) })).toThrow();
  });

  it('one gap definition: every strategy gap is relativeGap(value, optimum, exact.gapRoundoff)', () => {
    const { weights, data } = layer(3, 8);
    const { strategies, exact } = compareStrategies({ weights, data, maxIterations: 30 });
    for (const s of strategies) {
      expect(s.absoluteGap).toBe(s.value - exact.optimum);
      if (s.withinRoundoff) expect(s.gap).toBe(0);
      else expect(s.gap).toBe(s.absoluteGap / Math.max(Math.abs(exact.optimum), exact.gapRoundoff));
    }
  });

  it('aborts: a pre-aborted signal throws its reason; an abort during a solver stops it at the next iteration', () => {
    const { weights, data } = layer(4, 8);
    const reason = new Error('ctrl-c');
    expect(() => compareStrategies({ weights, data, signal: AbortSignal.abort(reason) })).toThrow(reason);
    // Synchronous code never yields to a timer: abort from inside instead, via a data stream.
    const aborting = new AbortController();
    function* rows() {
      yield data.subMatrix(0, 9, 0, data.columns - 1);
      aborting.abort(reason);
      yield data.subMatrix(10, data.rows - 1, 0, data.columns - 1);
    }
    expect(() => compareStrategies({ weights, data: rows(), signal: aborting.signal })).toThrow(reason);
    // A signal that trips on its 50th check: only per-iteration checks inside the solvers reach 50.
    let checks = 0;
    const tripping = {
      aborted: false,
      reason,
      throwIfAborted() {
        checks++;
        if (checks >= 50) throw reason;
      },
    } as unknown as AbortSignal;
    expect(() => compareStrategies({ weights, data, maxIterations: 1000, gradientTolerance: 0, signal: tripping })).toThrow(reason);
    expect(checks).toBe(50);
  });
});
