import { createRng, randomOrthogonal } from '@descramble/linalg';
import fc from 'fast-check';
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { permutationsOf } from '../test/hash-cost.js';
import { DimensionMismatchError, InvalidArgumentError, NonFiniteInputError } from './errors.js';
import { fillSwapDeltas, qapValue, swapDelta, updateSwapDeltas } from './qap-kernels.js';
import {
  eigenvalueBound,
  gilmoreLawlerBound,
  type QuadraticAssignmentMethod,
  quadraticAssignmentValue,
  solveQuadraticAssignment,
} from './quadratic-assignment.js';

function randomMatrix(n: number, seed: number, options: { symmetric?: boolean; integer?: boolean } = {}): Matrix {
  const rng = createRng(seed);
  const m = new Matrix(n, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) m.set(i, j, options.integer ? Math.floor(rng.uniform() * 10) - 3 : rng.normal());
  }
  return options.symmetric ? m.add(m.transpose()) : m;
}

function bruteForceOptimum(a: Matrix, b: Matrix): number {
  let best = Number.POSITIVE_INFINITY;
  for (const p of permutationsOf(a.rows)) best = Math.min(best, quadraticAssignmentValue(a, b, p));
  return best;
}

const instanceArb = fc.record({
  n: fc.integer({ min: 2, max: 7 }),
  seed: fc.integer({ min: 0, max: 1e6 }),
  symmetric: fc.boolean(),
  integer: fc.boolean(),
});

describe('quadratic assignment kernels', () => {
  it('swap deltas equal the change of the objective, also after O(1) updates', () => {
    fc.assert(
      fc.property(instanceArb, fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 6 }), (inst, swaps) => {
        const { n } = inst;
        const a = randomMatrix(n, inst.seed, inst).to1DArray();
        const b = randomMatrix(n, inst.seed + 1, inst).to1DArray();
        const fa = Float64Array.from(a);
        const fb = Float64Array.from(b);
        const p = Int32Array.from({ length: n }, (_, i) => (i * 3 + inst.seed) % n);
        if (new Set(p).size !== n) p.set(Int32Array.from({ length: n }, (_, i) => i));
        const delta = new Float64Array(n * n);
        fillSwapDeltas(n, fa, fb, p, delta);
        const scale = 1 + n * n * 100;
        for (const [x, y] of swaps) {
          const r = x % n;
          const s = y % n;
          if (r === s) continue;
          const [lo, hi] = r < s ? [r, s] : [s, r];
          const before = qapValue(n, fa, fb, p);
          const predicted = swapDelta(n, fa, fb, p, lo, hi);
          expect(Math.abs(delta[lo * n + hi]! - predicted)).toBeLessThanOrEqual(1e-9 * scale);
          [p[lo], p[hi]] = [p[hi]!, p[lo]!];
          expect(Math.abs(qapValue(n, fa, fb, p) - before - predicted)).toBeLessThanOrEqual(1e-12 * scale);
          updateSwapDeltas(n, fa, fb, p, delta, lo, hi);
          for (let i = 0; i < n; i++) {
            for (let j = i + 1; j < n; j++) expect(Math.abs(delta[i * n + j]! - swapDelta(n, fa, fb, p, i, j))).toBeLessThanOrEqual(1e-9 * scale);
          }
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('solveQuadraticAssignment', () => {
  it('branch and bound equals exhaustive search and the bounds lie below the optimum (n <= 7)', () => {
    fc.assert(
      fc.property(instanceArb, (inst) => {
        const a = randomMatrix(inst.n, inst.seed, inst);
        const b = randomMatrix(inst.n, inst.seed + 7, inst);
        const optimum = bruteForceOptimum(a, b);
        const tolerance = 1e-9 * (1 + Math.abs(optimum));
        const exact = solveQuadraticAssignment(a, b, { method: 'branch-and-bound' });
        expect(exact.proved).toBe(true);
        expect(Math.abs(exact.value - optimum)).toBeLessThanOrEqual(tolerance);
        expect(exact.gap).toBe(0);
        expect(gilmoreLawlerBound(a, b)).toBeLessThanOrEqual(optimum + tolerance);
        expect(eigenvalueBound(a, b)).toBeLessThanOrEqual(optimum + tolerance);
        // auto is exact at n <= 8
        const auto = solveQuadraticAssignment(a, b);
        expect(Math.abs(auto.value - optimum)).toBeLessThanOrEqual(tolerance);
      }),
      { numRuns: 60 },
    );
  });

  it('every method returns a permutation whose value is its objective, above the bound', () => {
    const methods: QuadraticAssignmentMethod[] = ['auto', 'branch-and-bound', 'lemma1-rounding', 'faq', 'two-opt', 'tabu'];
    const a = randomMatrix(9, 1, { symmetric: true });
    const b = randomMatrix(9, 2, { symmetric: true });
    for (const method of methods) {
      const r = solveQuadraticAssignment(a, b, { method, seed: 3 });
      expect(new Set(r.permutation).size).toBe(9);
      expect(r.value).toBeCloseTo(quadraticAssignmentValue(a, b, r.permutation), 9);
      expect(r.lowerBound).toBeLessThanOrEqual(r.value + 1e-9);
      expect(r.gap).toBeGreaterThanOrEqual(0);
      expect(r.method).toBe(method);
    }
  });

  it('the eigenvalue bound is the Lemma 1 value: attained by T U^T for symmetric A, B', () => {
    const n = 6;
    const a = randomMatrix(n, 11, { symmetric: true });
    const b = randomMatrix(n, 12, { symmetric: true });
    const bound = eigenvalueBound(a, b);
    // any orthogonal Q: tr(A Q B Q^T) >= bound; a random one from QR of a Gaussian
    const rng = createRng(5);
    for (let trial = 0; trial < 20; trial++) {
      const q = randomOrthogonal(n, rng);
      const value = a.mmul(q).mmul(b).mmul(q.transpose()).trace();
      expect(value).toBeGreaterThanOrEqual(bound - 1e-9 * (1 + Math.abs(bound)));
    }
    // with commuting diagonal matrices the bound is the rearrangement minimum, attained by a permutation
    const da = Matrix.diag([1, 2, 3, 4, 5, 6]);
    const db = Matrix.diag([6, 1, 5, 2, 4, 3]);
    expect(eigenvalueBound(da, db)).toBeCloseTo(1 * 6 + 2 * 5 + 3 * 4 + 4 * 3 + 5 * 2 + 6 * 1, 10);
    const exact = solveQuadraticAssignment(da, db, { method: 'lemma1-rounding' });
    expect(exact.value).toBeCloseTo(56, 10);
    expect(exact.proved).toBe(true);
  });

  it('is deterministic for a seed', () => {
    const a = randomMatrix(14, 21, { symmetric: true, integer: true });
    const b = randomMatrix(14, 22, { symmetric: true, integer: true });
    const first = solveQuadraticAssignment(a, b, { seed: 9 });
    const second = solveQuadraticAssignment(a, b, { seed: 9 });
    expect(Array.from(second.permutation)).toEqual(Array.from(first.permutation));
    expect(second.value).toBe(first.value);
  });

  it('randomised FAQ starts depend on the seed only; a time-limited auto still returns a polished permutation', () => {
    const a = randomMatrix(16, 31, { symmetric: true, integer: true });
    const b = randomMatrix(16, 32, { symmetric: true, integer: true });
    const first = solveQuadraticAssignment(a, b, { method: 'faq', faqStart: 'randomised', seed: 4 });
    const again = solveQuadraticAssignment(a, b, { method: 'faq', faqStart: 'randomised', seed: 4 });
    expect(Array.from(again.permutation)).toEqual(Array.from(first.permutation));
    const timed = solveQuadraticAssignment(a, b, { timeLimitMs: 1 });
    const polished = solveQuadraticAssignment(a, b, { method: 'two-opt', initial: timed.permutation });
    // tabu runs at least one steepest-descent block or stops at the Lemma 1 start: either way
    // the answer is a permutation whose reported value is its objective
    expect(timed.value).toBe(quadraticAssignmentValue(a, b, timed.permutation));
    expect(polished.value).toBeLessThanOrEqual(timed.value);
  });

  it('validates its inputs with typed errors', () => {
    const a = randomMatrix(4, 1);
    expect(() => solveQuadraticAssignment(a, randomMatrix(5, 2))).toThrow(DimensionMismatchError);
    const bad = a.clone();
    bad.set(1, 2, Number.NaN);
    expect(() => solveQuadraticAssignment(bad, a)).toThrow(NonFiniteInputError);
    expect(() => solveQuadraticAssignment(a, a, { initial: Int32Array.from([0, 1, 1, 3]) })).toThrow(InvalidArgumentError);
    expect(() => solveQuadraticAssignment(a, a, { method: 'nope' as QuadraticAssignmentMethod })).toThrow(InvalidArgumentError);
  });
});
