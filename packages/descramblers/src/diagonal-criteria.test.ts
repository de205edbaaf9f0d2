import fc from 'fast-check';
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { orthogonalityError, symmetricEigen } from '@descramble/linalg';
import { createRng, gaussianMatrix, randomOrthogonal, relativeError } from '../test/helpers.js';
import { diagonalNormSquareCriterion, diagonalSumCriterion, maxDiagonalNormSquare, maxDiagonalSum } from './diagonal-criteria.js';
import { DimensionMismatchError, NonFiniteInputError } from './errors.js';

describe('maxDiagonalSum (orthogonal Procrustes)', () => {
  it('attains the nuclear norm, P W is symmetric PSD, and random orthogonal matrices do no better', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 1e9 }), (d, seed) => {
        const rng = createRng(seed);
        const w = gaussianMatrix(rng, d, d);
        const result = maxDiagonalSum(w);
        expect(orthogonalityError(result.P)).toBeLessThan(1e-12);
        expect(relativeError(result.value, result.optimum)).toBeLessThan(1e-12);
        const pw = result.P.mmul(w);
        const asymmetry = pw.clone().sub(pw.transpose()).norm('frobenius');
        expect(asymmetry).toBeLessThan(1e-12 * pw.norm('frobenius'));
        expect(symmetricEigen(pw.add(pw.transpose()).div(2)).values[0]!).toBeGreaterThan(-1e-12 * result.optimum);
        for (let k = 0; k < 20; k++) expect(diagonalSumCriterion(randomOrthogonal(d, rng), w)).toBeLessThanOrEqual(result.optimum * (1 + 1e-12));
      }),
      { numRuns: 20, seed: 9 },
    );
  });

  it('rejects non-square and non-finite W', () => {
    expect(() => maxDiagonalSum(new Matrix(2, 3))).toThrow(DimensionMismatchError);
    expect(() => maxDiagonalSum(new Matrix([[Number.NaN]]))).toThrow(NonFiniteInputError);
  });
});

describe('diagonalNormSquareCriterion', () => {
  it('value is sum (P W)_ii^2 and the gradient matches central differences', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 1e9 }), (d, seed) => {
        const rng = createRng(seed);
        const w = gaussianMatrix(rng, d, d);
        const p = gaussianMatrix(rng, d, d); // the Euclidean gradient is defined on all matrices
        const { value, gradient } = diagonalNormSquareCriterion(p, w);
        const pw = p.mmul(w);
        let direct = 0;
        for (let i = 0; i < d; i++) direct += pw.get(i, i) ** 2;
        expect(relativeError(value, direct)).toBeLessThan(1e-13);
        const h = 1e-6;
        for (let i = 0; i < d; i++) {
          for (let j = 0; j < d; j++) {
            const plus = p.clone();
            plus.set(i, j, p.get(i, j) + h);
            const minus = p.clone();
            minus.set(i, j, p.get(i, j) - h);
            const numeric = (diagonalNormSquareCriterion(plus, w).value - diagonalNormSquareCriterion(minus, w).value) / (2 * h);
            // f is quadratic in P: central differences are exact up to roundoff ~ eps |f| / h.
            expect(Math.abs(numeric - gradient.get(i, j))).toBeLessThan(1e-7 * Math.max(1, value));
          }
        }
      }),
      { numRuns: 20, seed: 10 },
    );
  });
});

describe('maxDiagonalNormSquare (through @descramble/orthogonal)', () => {
  it('attains the bound ||W||_F^2 when the columns of W are orthogonal (W = Q D), from random starts', () => {
    for (const seed of [1, 2, 3]) {
      const rng = createRng(seed);
      const d = 6;
      const w = randomOrthogonal(d, rng).mmul(Matrix.diag([6, -5, 4, 3, -2, 1]));
      // The Procrustes start would already be optimal here; start anywhere instead.
      const result = maxDiagonalNormSquare(w, { P0: randomOrthogonal(d, rng) });
      expect(result.converged).toBe(true);
      expect(orthogonalityError(result.P)).toBeLessThan(1e-12);
      expect(relativeError(result.value, result.upperBound)).toBeLessThan(1e-10);
    }
  });

  it('improves on its start, stays below the bound, and beats random orthogonal matrices', () => {
    const rng = createRng(4);
    const d = 8;
    const w = gaussianMatrix(rng, d, d);
    const start = maxDiagonalSum(w).P;
    const result = maxDiagonalNormSquare(w, { P0: start });
    expect(result.value).toBeGreaterThanOrEqual(diagonalNormSquareCriterion(start, w).value);
    expect(result.value).toBeLessThanOrEqual(result.upperBound * (1 + 1e-12));
    expect(result.gradientNorm).toBeLessThan(1e-6);
    for (let k = 0; k < 50; k++) expect(diagonalNormSquareCriterion(randomOrthogonal(d, rng), w).value).toBeLessThan(result.value);
  });
});
