import fc from 'fast-check';
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import {
  createRng,
  gaussianMatrix,
  hessianNullity,
  randomOrthogonal,
  relativeError,
  symmetricWithSpectrum,
  withMultiplicities,
} from '../test/helpers.js';
import { descramblerDistance } from './descrambler-distance.js';
import { NonFiniteInputError, NotSymmetricError, DimensionMismatchError, InvalidArgumentError, NotPositiveSemidefiniteError, ZeroMatrixError } from './errors.js';
import { determinant, exactDescrambler, tieFamilyMember } from './exact-descrambler.js';
import { orthogonalityError } from '@descramble/linalg';
import { type SmoothnessOperator, smoothnessCriterion, smoothnessMatrix, smoothnessValue } from './smoothness.js';

const operators: SmoothnessOperator[] = ['fourier', 'periodic', 'dirichlet'];

/** A random layer Gram matrix B = S S^T with N samples. */
function randomGram(seed: number, d: number, samples: number): Matrix {
  const s = gaussianMatrix(createRng(seed), d, samples);
  return s.mmul(s.transpose());
}

describe('exactDescrambler (Lemma 1)', () => {
  it('is orthogonal to 1e-12 and attains the Lemma 1 bound to 1e-10 (random sizes 2..128)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 128 }),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.constantFrom(...operators),
        fc.integer({ min: 0, max: 40 }),
        (d, seed, operator, extraSamples) => {
          const gram = randomGram(seed, d, d + extraSamples);
          const result = exactDescrambler(gram, { operator });
          expect(orthogonalityError(result.P)).toBeLessThan(1e-12);
          expect(result.gapNormalisation).toBe('optimum');
          expect(Math.abs(result.gap)).toBeLessThan(1e-10);
          expect(relativeError(result.value, result.optimum)).toBeLessThan(1e-10);
          // The value re-evaluated independently from A = D^T D.
          const a = smoothnessMatrix(d, operator);
          expect(relativeError(smoothnessCriterion(result.P, a, gram), result.optimum)).toBeLessThan(1e-10);
        },
      ),
      { numRuns: 12, seed: 20260101 },
    );
  });

  it('no random orthogonal matrix (200 draws) beats it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 128 }),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.constantFrom(...operators),
        (d, seed, operator) => {
          const gram = randomGram(seed, d, d + 3);
          const result = exactDescrambler(gram, { operator });
          const a = result.smoothness;
          const rng = createRng(seed ^ 0x5bd1e995);
          let best = Number.POSITIVE_INFINITY;
          for (let draw = 0; draw < 200; draw++) best = Math.min(best, smoothnessValue(randomOrthogonal(d, rng), a, gram));
          expect(best).toBeGreaterThan(result.optimum);
        },
      ),
      { numRuns: 2, seed: 20260102 },
    );
  });

  it('every member of the reported tie family is optimal; the family dimension is the Hessian nullity', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        (multA, multB, withZeros, seed) => {
          const d = multA.reduce((x, y) => x + y, 0);
          // B's multiplicities, padded or cut to d; optionally a block of zero eigenvalues.
          const sizesB: number[] = [];
          let left = d;
          for (const m of multB) {
            if (left === 0) break;
            sizesB.push(Math.min(m, left));
            left -= Math.min(m, left);
          }
          if (left > 0) sizesB.push(left);
          const rng = createRng(seed);
          const omega = withMultiplicities(multA.map((m, k) => [k + 1, m] as const));
          const lambda = withMultiplicities(sizesB.map((m, k) => [withZeros && k === sizesB.length - 1 ? 0 : 10 * (sizesB.length - k), m] as const));
          const a = symmetricWithSpectrum(rng, omega);
          const b = symmetricWithSpectrum(rng, lambda);
          if (lambda.every((x) => x === 0)) {
            expect(() => exactDescrambler(b, { smoothness: a })).toThrow(ZeroMatrixError);
            return;
          }
          const result = exactDescrambler(b, { smoothness: a });
          expect(hessianNullity(result.P, a, b, 1e-9)).toBe(result.familyDimension);
          // Closed form by multiplicities: sum a(a-1)/2 + sum b(b-1)/2 - sum c(c-1)/2 over overlaps.
          const tiedPairs = (sizes: number[]) => sizes.reduce((s, m) => s + (m * (m - 1)) / 2, 0);
          expect(result.ties.a.map((g) => g.indices.length)).toEqual(multA.filter((m) => m > 1));
          expect(result.ties.b.map((g) => g.indices.length)).toEqual(sizesB.filter((m) => m > 1));
          expect(result.familyDimension).toBeGreaterThanOrEqual(Math.max(tiedPairs(multA), tiedPairs(sizesB)));
          for (let k = 0; k < 5; k++) {
            const member = tieFamilyMember(result, rng);
            expect(orthogonalityError(member)).toBeLessThan(1e-12);
            expect(Math.abs(smoothnessCriterion(member, a, b) - result.optimum)).toBeLessThan(1e-10 * Math.max(1, Math.abs(result.optimum)));
          }
        },
      ),
      { numRuns: 40, seed: 7 },
    );
  });

  it('the tie family of a Fourier descrambler keeps the explanation; a swap across eigenspaces changes it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 128 }), fc.integer({ min: 1, max: 2 ** 31 - 1 }), (d, seed) => {
        const gram = randomGram(seed, d, 2 * d);
        const result = exactDescrambler(gram, { operator: 'fourier' });
        const a = result.smoothness;
        // Fourier: constant mode, cos/sin pairs, and the Nyquist mode when d is even.
        expect(result.ties.a.length).toBe(Math.floor((d - 1) / 2));
        expect(result.familyDimension).toBe(Math.floor((d - 1) / 2));
        const rng = createRng(seed + 1);
        for (let k = 0; k < 3; k++) {
          const member = tieFamilyMember(result, rng);
          expect(descramblerDistance(member, result.P, a)).toBeLessThan(1e-10);
          expect(relativeError(smoothnessCriterion(member, a, gram), result.optimum)).toBeLessThan(1e-10);
        }
        // Swap the constant mode (position 0) with the roughest mode (position d - 1).
        const u = result.gramEigenvectors.clone();
        for (let i = 0; i < d; i++) {
          u.set(i, 0, result.gramEigenvectors.get(i, d - 1));
          u.set(i, d - 1, result.gramEigenvectors.get(i, 0));
        }
        const swapped = result.smoothnessEigenvectors.mmul(u.transpose());
        expect(descramblerDistance(swapped, result.P, a)).toBeGreaterThan(Math.SQRT2 - 1e-8);
        expect(smoothnessCriterion(swapped, a, gram)).toBeGreaterThan(result.optimum * (1 + 1e-6));
      }),
      { numRuns: 8, seed: 11 },
    );
  });

  it('ties of B that straddle eigenspaces of A keep the value but change the explanation', () => {
    // Dirichlet A (distinct eigenvalues), B of rank 2 on d = 5: a 3-dimensional zero block.
    const rng = createRng(3);
    const b = symmetricWithSpectrum(rng, [5, 2, 0, 0, 0]);
    const result = exactDescrambler(b, { operator: 'dirichlet' });
    expect(result.familyDimension).toBe(3);
    expect(result.gramRank).toBe(2);
    expect(result.eigengaps.explanation).toBeLessThan(1e-12);
    const member = tieFamilyMember(result, rng);
    expect(relativeError(smoothnessCriterion(member, result.smoothness, b), result.optimum)).toBeLessThan(1e-12);
    expect(descramblerDistance(member, result.P, result.smoothness)).toBeGreaterThan(1e-3);
  });

  it('fewer samples than neurons: still optimal, reports rank and family size', () => {
    const d = 12;
    const samples = 4;
    const gram = randomGram(5, d, samples);
    const result = exactDescrambler(gram, { operator: 'dirichlet' });
    expect(result.gramRank).toBe(samples);
    expect(result.ties.b).toHaveLength(1);
    expect(result.ties.b[0]!.indices).toEqual([4, 5, 6, 7, 8, 9, 10, 11]);
    expect(result.familyDimension).toBe(((d - samples) * (d - samples - 1)) / 2);
    expect(Math.abs(result.gap)).toBeLessThan(1e-10);
  });

  it('zero B or zero A: every orthogonal matrix is optimal, so a typed error, never a number', () => {
    const d = 6;
    expect(() => exactDescrambler(new Matrix(d, d), { operator: 'fourier' })).toThrow(ZeroMatrixError);
    expect(() => exactDescrambler(new Matrix(d, d), { label: 'layer fc1' })).toThrow(/^descramblers: exactDescrambler \(layer fc1\): gram: is the zero matrix/);
    expect(() => exactDescrambler(randomGram(1, d, 8), { smoothness: new Matrix(d, d) })).toThrow(ZeroMatrixError);
  });

  it('a zero optimum (rank-1 B on the constant Fourier mode): gap 0 within roundoff, scale = roundoff', () => {
    const d = 8;
    const s = gaussianMatrix(createRng(9), d, 1);
    const result = exactDescrambler(s.mmul(s.transpose()), { operator: 'fourier', positiveSemidefinite: true });
    expect(Math.abs(result.optimum)).toBeLessThanOrEqual(result.gapRoundoff);
    expect(result.optimum).toBeGreaterThanOrEqual(0);
    expect(result.gapNormalisation).toBe('roundoff');
    expect(result.gapScale).toBe(result.gapRoundoff);
    expect(result.gap).toBe(0);
    expect(result.withinRoundoff).toBe(true);
    expect(result.gramRank).toBe(1);
    expect(result.warnings.map((w) => w.kind)).toContain('rank-deficient');
  });

  it('the gap on exact solutions is 0 within roundoff; a random P gives a positive gap of the one definition', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const d = 3 + (seed % 9);
      const gram = randomGram(seed, d, 2 * d);
      const result = exactDescrambler(gram, { operator: seed % 2 === 0 ? 'fourier' : 'dirichlet' });
      expect(result.withinRoundoff).toBe(true);
      expect(result.gap).toBe(0);
      expect(Math.abs(result.absoluteGap)).toBeLessThanOrEqual(result.gapRoundoff);
      // gapRoundoff = 10 d eps ||A||_2 ||B||_2 (+ 10 d^2 2^-1074), plus the clamp of the Fourier
      // constant mode's omega_0 (computed within roundoff of 0) when there is one; Dirichlet A is
      // positive definite, so nothing is clamped.
      const normA = Math.max(...Array.from(result.smoothnessEigenvalues, Math.abs));
      const normB = Math.max(...Array.from(result.gramEigenvalues, Math.abs));
      const base = 10 * d * (Number.EPSILON * normA * normB + d * Number.MIN_VALUE);
      if (seed % 2 === 0) expect(result.gapRoundoff).toBeGreaterThanOrEqual(base);
      else expect(Math.abs(result.gapRoundoff - base)).toBeLessThanOrEqual(4 * Number.EPSILON * base);
      const p = randomOrthogonal(d, createRng(seed + 100));
      const value = smoothnessValue(p, result.smoothness, result.gram);
      expect(value - result.optimum).toBeGreaterThan(result.gapRoundoff);
    }
  });

  it('a Gram with an eigenvalue below minus roundoff is refused when declared positive semidefinite', () => {
    const b = Matrix.diag([3, 2, -1]);
    expect(() => exactDescrambler(b, { positiveSemidefinite: true })).toThrow(NotPositiveSemidefiniteError);
    // Lemma 1 itself needs no definiteness.
    expect(exactDescrambler(b).gramEigenvalues[2]).toBeCloseTo(-1, 12);
  });

  it('ties: exactly tied eigenvalues spanning 12 orders of magnitude are tied by roundoff; 3% apart are not', () => {
    // Pairs (c, c) for c = 1, 1e-3, ..., 1e-12 and lone values 0.97 c: separated by 3%, 12 decades.
    const levels = [1, 1e-3, 1e-6, 1e-9, 1e-12];
    const lambda: number[] = [];
    for (const c of levels) lambda.push(c, c, 0.97 * c);
    const d = lambda.length;
    const b = symmetricWithSpectrum(createRng(5), lambda);
    const result = exactDescrambler(b, { operator: 'dirichlet' });
    // At 1e-12, 3% is 3e-14: below the roundoff 2 * 10 d eps ||B||_2 = 6.7e-14 of two eigenvalues,
    // so floating point cannot separate 0.97e-12 from 1e-12: tied, by roundoff.
    const expected = levels.map((_, k) => [k === levels.length - 1 ? [3 * k, 3 * k + 1, 3 * k + 2] : [3 * k, 3 * k + 1], 'roundoff']);
    expect(result.ties.b.map((g) => [g.indices, g.reason])).toEqual(expected);
    expect(result.exactFamilyDimension).toBe(levels.length - 1 + 3);
    expect(result.familyDimension).toBe(result.exactFamilyDimension);
    expect(result.tieRule).toMatch(/^Two eigenvalues are tied when/);
    expect(result.tieUncertainty.b.roundoff).toBeCloseTo(10 * d * Number.EPSILON, 25);
    // The old rule (neighbours within 1e-8 of the largest, chained) merged everything below 1e-8.
  });

  it('ties: sampling uncertainty |lambda| sqrt(2/N) ties values 3% apart at N = 100, not at N = 1e6; no chaining', () => {
    // 1, 0.97, 0.94, ... : each within 3% of the previous, so a chained rule would merge all.
    const lambda = Float64Array.from({ length: 12 }, (_, k) => 0.97 ** k);
    const b = symmetricWithSpectrum(createRng(6), Array.from(lambda));
    const few = exactDescrambler(b, { operator: 'dirichlet', sampleCount: 100 });
    // sqrt(2/100) = 14%: a group grows while members are within u_f + u_k of its FIRST member.
    for (const g of few.ties.b) {
      const first = lambda[g.indices[0]!]!;
      for (const k of g.indices) expect(first - lambda[k]!).toBeLessThanOrEqual(Math.sqrt(2 / 100) * (first + lambda[k]!) + 1e-12);
      expect(g.reason).toBe('sampling');
    }
    expect(few.ties.b.length).toBeGreaterThan(1);
    expect(few.exactFamilyDimension).toBe(0);
    expect(few.familyDimension).toBeGreaterThan(0);
    expect(few.tieRule).toContain('N = 100');
    const many = exactDescrambler(b, { operator: 'dirichlet', sampleCount: 1_000_000 });
    expect(many.ties.b).toEqual([]);
    expect(many.familyDimension).toBe(0);
  });

  it('ties: the tolerance option widens the roundoff term (max(tolerance, 10 d eps))', () => {
    const lambda = Float64Array.from([1, 1 - 1e-9, 0.5, 0.5 - 1e-6]);
    const b = symmetricWithSpectrum(createRng(8), Array.from(lambda));
    const plain = exactDescrambler(b, { operator: 'dirichlet' });
    expect(plain.ties.b).toEqual([]);
    expect(plain.tolerance).toBe(10 * 4 * Number.EPSILON);
    const loose = exactDescrambler(b, { operator: 'dirichlet', tolerance: 1e-8 });
    expect(loose.ties.b.map((g) => g.indices)).toEqual([[0, 1]]);
    expect(loose.tolerance).toBe(1e-8);
    const looser = exactDescrambler(b, { operator: 'dirichlet', tolerance: 1e-6 });
    expect(looser.ties.b.map((g) => g.indices)).toEqual([[0, 1], [2, 3]]);
  });

  it('subnormal- and huge-scaled Grams: eigenvalues, value and optimum scale exactly (powers of two)', () => {
    const base = randomGram(3, 6, 9);
    const reference = exactDescrambler(base, { operator: 'fourier' });
    for (const exponent of [-1030, -1000, 1000]) {
      const factor = 2 ** exponent;
      const scaled = base.clone().mul(factor);
      const result = exactDescrambler(scaled, { operator: 'fourier' });
      for (let i = 0; i < 6; i++) {
        // Subnormals keep fewer bits: relative error up to 2^-1074 / lambda_i.
        const expected = reference.gramEigenvalues[i]! * factor;
        expect(Math.abs(result.gramEigenvalues[i]! - expected)).toBeLessThanOrEqual(1e-13 * Math.abs(expected) + 2 ** -1070);
      }
      expect(descramblerDistance(result.P, reference.P, reference.smoothness)).toBeLessThan(1e-8);
    }
    // The factors (not powers of two): scaling itself rounds each entry by eps relative.
    for (const factor of [1e-310, 1e300]) {
      const result = exactDescrambler(base.clone().mul(factor), { operator: 'fourier' });
      const norm = reference.gramEigenvalues[0]! * factor;
      for (let i = 0; i < 6; i++) {
        expect(Math.abs(result.gramEigenvalues[i]! - reference.gramEigenvalues[i]! * factor)).toBeLessThanOrEqual(1e-12 * norm + 2 ** -1060);
      }
      expect(result.withinRoundoff).toBe(true);
    }
  });

  it('special-orthogonal: det P = +1 at no cost', () => {
    for (let seed = 1; seed <= 8; seed++) {
      const gram = randomGram(seed, 7, 10);
      const o = exactDescrambler(gram, { operator: 'dirichlet' });
      const so = exactDescrambler(gram, { operator: 'dirichlet', group: 'special-orthogonal' });
      expect(determinant(so.P)).toBeCloseTo(1, 12);
      expect(relativeError(so.value, o.optimum)).toBeLessThan(1e-12);
      expect(descramblerDistance(so.P, o.P, o.smoothness)).toBeLessThan(1e-10);
    }
  });

  it('tie family members of an SO(d) descrambler stay in SO(d)', () => {
    const gram = randomGram(12, 9, 4); // Fourier pairs and a 5-dimensional zero block of B
    const result = exactDescrambler(gram, { group: 'special-orthogonal' });
    // A pairs (1,2) (3,4) (5,6) (7,8); zero block of B at 4..8 (10 pairs); (5,6), (7,8) tied in both.
    expect(result.familyDimension).toBe(4 + 10 - 2);
    const rng = createRng(13);
    for (let k = 0; k < 10; k++) {
      const member = tieFamilyMember(result, rng);
      expect(determinant(member)).toBeCloseTo(1, 10);
      expect(relativeError(smoothnessValue(member, result.smoothness, gram), result.optimum)).toBeLessThan(1e-10);
    }
  });

  it('rescaling changes the value by d^2/(||A|| ||B||), never the minimiser', () => {
    const d = 9;
    const gram = randomGram(21, d, 30);
    const plain = exactDescrambler(gram);
    const scaled = exactDescrambler(gram, { rescale: true });
    expect(descramblerDistance(plain.P, scaled.P, plain.smoothness)).toBeLessThan(1e-10);
    const factor = (d * d) / (plain.smoothnessEigenvalues[d - 1]! * plain.gramEigenvalues[0]!);
    expect(relativeError(scaled.optimum, plain.optimum * factor)).toBeLessThan(1e-12);
    expect(scaled.smoothnessEigenvalues[d - 1]).toBeCloseTo(d, 10);
    expect(scaled.gramEigenvalues[0]).toBeCloseTo(d, 10);
  });

  it('rejects bad input with typed errors', () => {
    const good = randomGram(1, 4, 6);
    expect(() => exactDescrambler(new Matrix(3, 4))).toThrow(DimensionMismatchError);
    expect(() => exactDescrambler(new Matrix(0, 0))).toThrow(DimensionMismatchError);
    const nan = good.clone();
    nan.set(1, 2, Number.NaN);
    expect(() => exactDescrambler(nan)).toThrow(NonFiniteInputError);
    const inf = good.clone();
    inf.set(0, 0, Number.POSITIVE_INFINITY);
    expect(() => exactDescrambler(inf)).toThrow(NonFiniteInputError);
    const skew = good.clone();
    skew.set(0, 1, skew.get(0, 1) + 1);
    expect(() => exactDescrambler(skew)).toThrow(NotSymmetricError);
    expect(() => exactDescrambler(good, { smoothness: Matrix.eye(5) })).toThrow(DimensionMismatchError);
    expect(() => exactDescrambler(good, { tolerance: -1 })).toThrow(InvalidArgumentError);
    expect(() => exactDescrambler(good, { operator: 'sobolev' as SmoothnessOperator })).toThrow(InvalidArgumentError);
    expect(() => exactDescrambler(good, { operator: 'fourier', smoothness: Matrix.eye(4) })).toThrow(InvalidArgumentError);
  });

  it('never mutates its inputs', () => {
    const gram = randomGram(2, 5, 8);
    const copy = gram.clone();
    const a = smoothnessMatrix(5, 'periodic');
    const aCopy = a.clone();
    exactDescrambler(gram, { smoothness: a, rescale: true, group: 'special-orthogonal' });
    expect(gram.to2DArray()).toEqual(copy.to2DArray());
    expect(a.to2DArray()).toEqual(aCopy.to2DArray());
  });
});
