import fc from 'fast-check';
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { symmetricEigen } from '@descramble/linalg';
import { createRng, randomOrthogonal, symmetricWithSpectrum, withMultiplicities } from '../test/helpers.js';
import { descramblerDistance } from './descrambler-distance.js';
import { DimensionMismatchError, NotSymmetricError } from './errors.js';
import { smoothnessMatrix } from './smoothness.js';

describe('descramblerDistance', () => {
  it('is a pseudometric: zero on itself, symmetric, triangle inequality, at most sqrt(2d)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 40 }), fc.integer({ min: 1, max: 1e9 }), (d, seed) => {
        const rng = createRng(seed);
        const a = smoothnessMatrix(d, 'fourier');
        const [p, q, r] = [randomOrthogonal(d, rng), randomOrthogonal(d, rng), randomOrthogonal(d, rng)];
        expect(descramblerDistance(p, p, a)).toBe(0);
        expect(Math.abs(descramblerDistance(p, q, a) - descramblerDistance(q, p, a))).toBeLessThan(1e-14);
        // Each block term is a norm of a difference, so the max over blocks obeys the triangle inequality.
        expect(descramblerDistance(p, r, a)).toBeLessThanOrEqual(descramblerDistance(p, q, a) + descramblerDistance(q, r, a) + 1e-12);
        expect(descramblerDistance(p, q, a)).toBeLessThanOrEqual(Math.sqrt(2 * d) + 1e-12);
      }),
      { numRuns: 20, seed: 5 },
    );
  });

  it('is zero across rotations inside eigenspaces of A and sign flips, positive otherwise', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 2, maxLength: 5 }), fc.integer({ min: 1, max: 1e9 }), (sizes, seed) => {
        const rng = createRng(seed);
        const d = sizes.reduce((x, y) => x + y, 0);
        const omega = withMultiplicities(sizes.map((m, k) => [k * k, m] as const));
        const a = symmetricWithSpectrum(rng, omega);
        // Eigenvectors of A in ascending order, grouped as the blocks of `sizes`.
        const t = symmetricEigen(a).vectors;
        const p = randomOrthogonal(d, rng);
        // Q acting inside the eigenspaces: T diag(Q_b) T^T, applied on the left of P.
        const q = new Matrix(d, d);
        let start = 0;
        for (const m of sizes) {
          const block = randomOrthogonal(m, rng);
          for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) q.set(start + i, start + j, block.get(i, j));
          start += m;
        }
        const within = t.mmul(q).mmul(t.transpose()).mmul(p);
        expect(descramblerDistance(within, p, a)).toBeLessThan(1e-12);
        // A reflection mixing the first and last eigenspaces: a different explanation.
        const mix = Matrix.eye(d);
        mix.set(0, 0, 0);
        mix.set(d - 1, d - 1, 0);
        mix.set(0, d - 1, 1);
        mix.set(d - 1, 0, 1);
        const swapped = t.mmul(mix).mmul(t.transpose()).mmul(p);
        expect(descramblerDistance(swapped, p, a)).toBeGreaterThan(Math.SQRT2 - 1e-10);
      }),
      { numRuns: 25, seed: 6 },
    );
  });

  it('checks its inputs', () => {
    const a = smoothnessMatrix(3);
    expect(() => descramblerDistance(Matrix.eye(3), Matrix.eye(4), a)).toThrow(DimensionMismatchError);
    const skew = a.clone();
    skew.set(0, 1, skew.get(0, 1) + 1);
    expect(() => descramblerDistance(Matrix.eye(3), Matrix.eye(3), skew)).toThrow(NotSymmetricError);
  });
});
