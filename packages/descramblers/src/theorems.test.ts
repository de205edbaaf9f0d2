import fc from 'fast-check';
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { multiplyTransposeA, orthogonalityError } from '@descramble/linalg';
import { createRng, gaussianMatrix, randomOrthogonal, relativeMatrixError } from '../test/helpers.js';
import { descrambleLayer } from './descramble-layer.js';
import { descramblerDistance } from './descrambler-distance.js';
import { DimensionMismatchError, InvalidArgumentError, NotSymmetricError } from './errors.js';
import { determinant, exactDescrambler } from './exact-descrambler.js';
import type { SmoothnessOperator } from './smoothness.js';
import { isotropicDescrambler, largeDataDescrambler } from './theorems.js';

/** W = Q1 diag(s) Q2^T (out x in) with prescribed singular values s (descending). */
function weightsWithSingularValues(seed: number, out: number, inputs: number, s: readonly number[]): Matrix {
  const rng = createRng(seed);
  const q1 = randomOrthogonal(out, rng);
  const q2 = randomOrthogonal(inputs, rng);
  const sigma = new Matrix(out, inputs);
  s.forEach((x, i) => {
    sigma.set(i, i, x);
  });
  return q1.mmul(sigma).mmul(q2.transpose());
}

/** For each eigenspace b of A: (T_b^T M)^T (T_b^T M), invariant under the tie family. */
function blockProjections(m: Matrix, result: { smoothnessEigenvectors: Matrix; ties: { a: readonly { indices: readonly number[] }[] } }, d: number): Matrix[] {
  const x = multiplyTransposeA(result.smoothnessEigenvectors, m);
  const tied = new Set(result.ties.a.flatMap((g) => g.indices));
  const groups: number[][] = result.ties.a.map((g) => [...g.indices]);
  for (let i = 0; i < d; i++) if (!tied.has(i)) groups.push([i]);
  return groups.map((rows) => {
    const xb = new Matrix(rows.map((r) => x.getRow(r)));
    return xb.transpose().mmul(xb);
  });
}

describe('isotropicDescrambler (Theorem 2)', () => {
  it('P W = T Sigma V^T exactly, and P is the Lemma 1 descrambler of W W^T (any shape)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 24 }),
        fc.integer({ min: 1, max: 24 }),
        fc.integer({ min: 1, max: 1e9 }),
        fc.constantFrom<SmoothnessOperator>('fourier', 'dirichlet'),
        fc.constantFrom<'orthogonal' | 'special-orthogonal'>('orthogonal', 'special-orthogonal'),
        (out, inputs, seed, operator, group) => {
          const w = gaussianMatrix(createRng(seed), out, inputs);
          const iso = isotropicDescrambler(w, { operator, group });
          expect(orthogonalityError(iso.P)).toBeLessThan(1e-12);
          expect(relativeMatrixError(iso.descrambledWeights, iso.P.mmul(w))).toBeLessThan(1e-12);
          if (group === 'special-orthogonal') expect(determinant(iso.P)).toBeCloseTo(1, 10);
          const k = Math.min(out, inputs);
          const v = iso.rightSingularVectors;
          expect(v.rows).toBe(inputs);
          expect(v.columns).toBe(k);
          expect(orthogonalityError(v)).toBeLessThan(1e-12);
          // T Sigma V^T assembled here, independently.
          const t = iso.smoothnessEigenvectors;
          const tSigma = new Matrix(out, k);
          for (let i = 0; i < out; i++) for (let j = 0; j < k; j++) tSigma.set(i, j, t.get(i, j) * iso.singularValues[j]!);
          expect(relativeMatrixError(tSigma.mmul(v.transpose()), iso.descrambledWeights)).toBeLessThan(1e-12);
          // Optimal for B = W W^T (the isotropic limit, Gamma = I).
          expect(Math.abs(iso.gap)).toBeLessThan(1e-10);
          const lemma = largeDataDescrambler(w, Matrix.eye(inputs).mul(3), { operator });
          expect(Math.abs(iso.optimum * 3 - lemma.optimum)).toBeLessThan(1e-10 * Math.max(1, Math.abs(lemma.optimum)));
        },
      ),
      { numRuns: 40, seed: 8 },
    );
  });

  it('for isotropic data, descrambleLayer P W matches T Sigma V^T up to the tie family', () => {
    const out = 6;
    const inputs = 9;
    const w = weightsWithSingularValues(4, out, inputs, [8, 6, 4, 3, 2, 1]);
    const iso = isotropicDescrambler(w);
    const target = blockProjections(iso.descrambledWeights, iso, out);
    const rng = createRng(5);
    const errors: number[] = [];
    for (const samples of [1000, 100_000]) {
      const data = gaussianMatrix(rng, samples, inputs);
      const layer = descrambleLayer({ weights: w, data });
      const projections = blockProjections(layer.descrambledWeights, iso, out);
      errors.push(Math.max(...projections.map((p, b) => relativeMatrixError(p, target[b]!))));
    }
    // Error ~ N^{-1/2}: 100x the samples, about 10x smaller; and small at N = 1e5.
    expect(errors[1]!).toBeLessThan(0.05);
    expect(errors[1]!).toBeLessThan(errors[0]! / 3);
  });
});

describe('largeDataDescrambler (Theorem 1)', () => {
  it('is Lemma 1 on W Gamma W^T, with P W as descrambled weights', () => {
    const rng = createRng(6);
    const w = gaussianMatrix(rng, 5, 7);
    const l = gaussianMatrix(rng, 7, 7);
    const gamma = l.mmul(l.transpose());
    const result = largeDataDescrambler(w, gamma, { operator: 'periodic' });
    const direct = exactDescrambler(w.mmul(gamma).mmul(w.transpose()), { operator: 'periodic' });
    expect(descramblerDistance(result.P, direct.P, direct.smoothness)).toBeLessThan(1e-9);
    expect(Math.abs(result.optimum - direct.optimum)).toBeLessThan(1e-10 * Math.abs(direct.optimum));
    expect(relativeMatrixError(result.descrambledWeights, result.P.mmul(w))).toBeLessThan(1e-14);
  });

  it('checks Gamma', () => {
    const w = Matrix.ones(3, 4);
    expect(() => largeDataDescrambler(w, Matrix.eye(3))).toThrow(DimensionMismatchError);
    const skew = Matrix.eye(4);
    skew.set(0, 1, 1);
    expect(() => largeDataDescrambler(w, skew)).toThrow(NotSymmetricError);
    expect(() => largeDataDescrambler(w, Matrix.eye(4), { bias: [1, 2, 3] })).toThrow(InvalidArgumentError);
  });
});
