import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Matrix } from 'ml-matrix';
import { maxDiagonalNormSquareProblem, minimize, smallestHessianEigenvalue } from '../src/index.js';

interface FixtureCase {
  d: number;
  seed: number;
  W: number[][];
  bestValue: number;
  starts: number;
  startsReachingBest: number;
}

// Produced by tooling/fixtures/orthogonal/max_diagonal_norm_square.py (scipy BFGS on
// P0 expm(X) from 200 Haar starts in both components of O(d)).
const fixture = JSON.parse(readFileSync(new URL('./fixtures/max-diagonal-norm-square.json', import.meta.url), 'utf8')) as {
  cases: FixtureCase[];
};

describe('max diagonal norm-square: best of 20 random starts vs the scipy reference', () => {
  for (const c of fixture.cases) {
    it(`d = ${c.d}: agrees to 1e-8 relative`, () => {
      const W = new Matrix(c.W);
      const problem = maxDiagonalNormSquareProblem(W);
      let best = Number.NEGATIVE_INFINITY;
      let bestP = Matrix.eye(c.d);
      for (let seed = 0; seed < 20; seed++) {
        const r = minimize(problem, { method: 'trust-regions', seed, gradientTolerance: 1e-10 });
        expect(r.converged).toBe(true);
        // ||diag(P W)||^2 <= sum_i ||column i of W||^2 = ||W||_F^2 (Cauchy-Schwarz)
        expect(-r.cost).toBeLessThanOrEqual(W.norm('frobenius') ** 2 * (1 + 1e-14));
        if (-r.cost > best) {
          best = -r.cost;
          bestP = r.P;
        }
      }
      expect(Math.abs(best - c.bestValue)).toBeLessThanOrEqual(1e-8 * c.bestValue);
      // second-order condition at the best point (a local minimum of the cost, not a saddle)
      const lambda = smallestHessianEigenvalue(problem, bestP).value;
      expect(lambda).toBeGreaterThan(-1e-8 * c.bestValue);
    });
  }
});
