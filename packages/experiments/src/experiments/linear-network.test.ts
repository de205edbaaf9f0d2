import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectFiguresRender, expectPartsFromClone, grid, holding } from '../../test/experiment-parts.js';
import { type LinearNetworkData, linearNetwork, linearNetworkChecks, linearNetworkFigures, modeStrength, type SignalRecoveryRun } from './linear-network.js';

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

  it('draws and checks a structured clone of its data exactly as the data', () => {
    expectPartsFromClone(result.data, linearNetworkFigures, linearNetworkChecks);
  });
});

describe('linearNetworkChecks and linearNetworkFigures on hand-made data', () => {
  const times = Float64Array.from([0, 1, 2]);
  const run = (overrides: Partial<SignalRecoveryRun> = {}): SignalRecoveryRun => ({
    operator: 'blur',
    forward: grid(4, 4),
    modeStrengths: Float64Array.from([1, 0.5]),
    times,
    measured: [Float64Array.from([0.001, 0.5, 0.99]), Float64Array.from([0.001, 0.1, 0.45])],
    analytic: [Float64Array.from([0.001, 0.5, 0.98]), Float64Array.from([0.001, 0.1, 0.46])],
    maxRelativeError: 0.01,
    snapshotTimes: [1, 2],
    descrambledFirstLayers: [grid(2, 4), grid(2, 4, (i, j) => i - j)],
    semanticError: 1e-9,
    principalAngles: Float64Array.from([0.01, 0.02]),
    pseudoInverseError: 0.1,
    overlap: grid(2, 2, (i, j) => (i === j ? 0.99 : 0.05)),
    ...overrides,
  });
  const made = (runs: readonly SignalRecoveryRun[]): LinearNetworkData => ({
    parameters: { operators: runs.map((r) => r.operator), size: 4, hidden: 2, samples: 100, noise: 0.2, initialStrength: 1e-3, step: 0.01, leadingModes: 2, seed: 0 },
    runs,
  });

  it('holds four checks per operator, and fails exactly those the data contradict', () => {
    expect(holding(linearNetworkChecks(made([run()])))).toEqual([true, true, true, true]);
    const off = run({ operator: 'deer', maxRelativeError: 0.2, principalAngles: Float64Array.from([0.01, 0.5]), pseudoInverseError: 0.3 });
    expect(holding(linearNetworkChecks(made([run(), off])))).toEqual([true, true, true, true, false, true, false, false]);
  });

  it('builds three figures per operator from the data alone', () => {
    const figures = linearNetworkFigures(made([run(), run({ operator: 'deer' })]));
    expect(figures.map((f) => f.name)).toEqual(['blur-modes', 'blur-semantic', 'blur-overlap', 'deer-modes', 'deer-semantic', 'deer-overlap']);
    expectFiguresRender(figures);
    expect(figures[1]!.caption).toContain('t = 1.0, 2.0');
  });
});
