import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { linearNetwork, modeStrength } from './linear-network.js';

describe('modeStrength (Saxe, McClelland and Ganguli)', () => {
  it('starts at a0, tends to s and solves da/dt = 2 a (s - a)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.05, max: 2, noNaN: true }), fc.double({ min: 1e-4, max: 1e-2, noNaN: true }), fc.double({ min: 0, max: 20, noNaN: true }), (s, a0, t) => {
        expect(Math.abs(modeStrength(s, a0, 0) - a0) / a0).toBeLessThan(1e-12);
        expect(Math.abs(modeStrength(s, a0, 1e4) - s) / s).toBeLessThan(1e-12);
        const h = 1e-5;
        const derivative = (modeStrength(s, a0, t + h) - modeStrength(s, a0, t - h)) / (2 * h);
        const a = modeStrength(s, a0, t);
        // Central difference error ~ h^2 |a'''| <= h^2 (2 s)^3 s.
        expect(Math.abs(derivative - 2 * a * (s - a))).toBeLessThan(1e-6 * s * s);
      }),
      { numRuns: 50 },
    );
  });
});

describe('linearNetwork (two-layer linear network on signal recovery)', () => {
  const result = linearNetwork({ size: 32, hidden: 6, samples: 10000, leadingModes: 3, seed: 5 });

  it('follows the analytic a_i(t) within 5% over the whole run (gradient descent, step 0.002)', () => {
    for (const run of result.data.runs) {
      expect(run.maxRelativeError).toBeLessThan(0.05);
      // The run reaches 99% of the weakest mode: the final measured strengths are near s_i.
      run.measured.forEach((m, i) => {
        expect(Math.abs((m[m.length - 1] as number) / (run.modeStrengths[i] as number) - 1)).toBeLessThan(0.02);
      });
    }
  });

  it('descrambles W1(t) to T diag(sqrt a(t)) V^T at every snapshot', () => {
    for (const run of result.data.runs) expect(run.semanticError).toBeLessThan(1e-6);
  });

  it("aligns W1's leading right singular vectors with K's left singular vectors (principal angles < 10 degrees)", () => {
    for (const run of result.data.runs) {
      expect(run.principalAngles.length).toBe(3);
      for (const angle of run.principalAngles) expect(angle).toBeLessThan((10 * Math.PI) / 180);
    }
  });
});
