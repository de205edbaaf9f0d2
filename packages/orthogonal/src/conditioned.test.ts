import { describe, expect, it } from 'vitest';
import { minimizeBrockett } from './brockett.js';
import { haar } from '../test/helpers.js';
import { gradedBrockett, gradedGap, type GradedKind } from '../test/graded-brockett.js';

describe('trust regions on badly conditioned Brockett problems (B spectrum spans 1e10, d = 80)', () => {
  for (const kind of ['linear'] as GradedKind[]) {
    for (const seed of [1, 2]) {
      it(`${kind} seed ${seed}: minimizeBrockett (default trust regions) reaches 1e-8 within 150 iterations`, () => {
        const g = gradedBrockett(kind, 80, 1e10, 10 * seed);
        const r = minimizeBrockett(g.A, g.B, { P0: haar(80, seed), gradientTolerance: 0, maxIterations: 150, recordLog: false });
        const gap = gradedGap(g, r.P);
        expect(r.converged).toBe(true);
        expect(gap.relativeGap).toBeLessThan(1e-8);
        expect(gap.relativeGap).toBeGreaterThan(-1e-12);
      });
    }
  }
});
