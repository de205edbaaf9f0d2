import fc from 'fast-check';
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import {
  cayley,
  createRng,
  DimensionMismatchError,
  InvalidArgumentError,
  inverseCayley,
  orthogonalityError,
  randomOrthogonal,
  SingularMatrixError,
} from '../src/index.js';
import { EPS, frobenius, randomMatrix } from './helpers.js';

function randomSkew(d: number, seed: number, scale = 1): Matrix {
  const g = randomMatrix(d, d, seed);
  const q = new Matrix(d, d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) q.set(i, j, (scale * (g.get(i, j) - g.get(j, i))) / 2);
  return q;
}

describe('cayley / inverseCayley', () => {
  it('maps skew matrices to orthogonal ones and back', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer(), fc.double({ min: 0.01, max: 5, noNaN: true }), (d, seed, scale) => {
        const q = randomSkew(d, seed, scale);
        const p = cayley(q);
        // cond(I + Q) grows with ||Q||; the bound carries it.
        const cond = 1 + frobenius(q);
        expect(orthogonalityError(p)).toBeLessThanOrEqual(100 * d * EPS * cond * cond);
        const back = inverseCayley(p);
        expect(frobenius(Matrix.sub(back, q))).toBeLessThanOrEqual(100 * d * EPS * cond ** 3);
      }),
      { numRuns: 50 },
    );
  });

  it('is the identity at zero and known in 2-D: Q = [[0, -t], [t, 0]] gives a rotation', () => {
    expect(frobenius(Matrix.sub(cayley(Matrix.zeros(4, 4)), Matrix.eye(4)))).toBe(0);
    const t = 0.3;
    const p = cayley(
      new Matrix([
        [0, -t],
        [t, 0],
      ]),
    );
    // (I+Q)^{-1}(I-Q) is the rotation by -2 atan(t).
    const angle = -2 * Math.atan(t);
    expect(Math.abs(p.get(0, 0) - Math.cos(angle))).toBeLessThanOrEqual(4 * EPS);
    expect(Math.abs(p.get(1, 0) - Math.sin(angle))).toBeLessThanOrEqual(4 * EPS);
  });

  it('inverseCayley of a Haar rotation without eigenvalue -1 is skew', () => {
    const p = randomOrthogonal(6, createRng(7));
    const q = inverseCayley(p);
    expect(frobenius(Matrix.add(q, q.transpose()))).toBeLessThanOrEqual(1e-10 * frobenius(q));
  });

  it('throws on non-skew Q, on P with eigenvalue -1 and on non-square input', () => {
    expect(() => cayley(randomMatrix(3, 3, 1))).toThrow(InvalidArgumentError);
    expect(() => inverseCayley(Matrix.eye(3).mul(-1))).toThrow(SingularMatrixError);
    expect(() => cayley(randomMatrix(3, 2, 1))).toThrow(DimensionMismatchError);
  });
});
