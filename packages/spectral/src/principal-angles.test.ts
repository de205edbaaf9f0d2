import { createRng, randomOrthogonal } from '@descramble/linalg';
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { randomMatrix } from '../test/support.js';
import { DegenerateInputError, DimensionMismatchError } from './errors.js';
import { principalAngles } from './principal-angles.js';

/**
 * Planted subspaces in R^n: A = span(e_1..e_p), B = span(cos t_i e_i + sin t_i e_{p+i}),
 * both rotated by one random orthogonal Q and mixed by random invertible column operations.
 */
function planted(n: number, angles: number[], extraA: number, seed: number): { a: Matrix; b: Matrix } {
  const rng = createRng(seed);
  const q = randomOrthogonal(n, rng);
  const k = angles.length;
  const a0 = Matrix.zeros(n, k + extraA);
  const b0 = Matrix.zeros(n, k);
  for (let i = 0; i < k + extraA; i++) a0.set(i, i, 1);
  for (let i = 0; i < k; i++) {
    b0.set(i, i, Math.cos(angles[i]!));
    b0.set(k + extraA + i, i, Math.sin(angles[i]!));
  }
  const mixA = randomMatrix(k + extraA, k + extraA, seed + 1).add(Matrix.eye(k + extraA).mul(3));
  const mixB = randomMatrix(k, k, seed + 2).add(Matrix.eye(k).mul(3));
  return { a: q.mmul(a0).mmul(mixA), b: q.mmul(b0).mmul(mixB) };
}

describe('principalAngles', () => {
  it('recovers planted angles, ascending, including tiny ones to full relative accuracy', () => {
    const angles = [1e-10, 1e-6, 0.3, 1.2, Math.PI / 2];
    const { a, b } = planted(12, angles, 0, 4);
    const result = principalAngles(a, b);
    expect(result.rankA).toBe(5);
    expect(result.rankB).toBe(5);
    expect(result.angles.length).toBe(5);
    for (let i = 0; i < 5; i++) {
      // arccos alone would give ~1e-8 absolute error on the first two; the sine formula gives ~1e-16.
      expect(Math.abs(result.angles[i]! - angles[i]!), `angle ${i}`).toBeLessThanOrEqual(1e-15 + 1e-12 * angles[i]!);
    }
    // Symmetric in its arguments.
    const swapped = principalAngles(b, a);
    for (let i = 0; i < 5; i++) expect(swapped.angles[i]).toBeCloseTo(result.angles[i]!, 13);
  });

  it('handles subspaces of different dimension (angles = min of the two) and rank-deficient inputs', () => {
    const { a, b } = planted(10, [0.2, 0.9], 3, 9);
    const result = principalAngles(a, b);
    expect(result.rankA).toBe(5);
    expect(result.angles.length).toBe(2);
    expect(result.angles[0]).toBeCloseTo(0.2, 13);
    expect(result.angles[1]).toBeCloseTo(0.9, 13);
    // Duplicate a column: same column space, rank 2.
    const deficient = new Matrix(10, 3);
    deficient.setColumn(0, b.getColumn(0));
    deficient.setColumn(1, b.getColumn(1));
    deficient.setColumn(2, b.getColumn(0).map((x) => 2 * x));
    const again = principalAngles(a, deficient);
    expect(again.rankB).toBe(2);
    expect(again.angles[1]).toBeCloseTo(0.9, 13);
    // A wide matrix spans the whole space: every angle to it is 0.
    const whole = principalAngles(randomMatrix(4, 6, 3), randomMatrix(4, 2, 4));
    expect(whole.rankA).toBe(4);
    for (const t of whole.angles) expect(t).toBeLessThanOrEqual(1e-14);
  });

  it('gives zeros for one subspace and pi/2 for orthogonal ones, with cos^2 + sin^2 = 1', () => {
    const a = randomMatrix(8, 3, 1);
    const same = principalAngles(a, a.mmul(randomMatrix(3, 3, 2)));
    for (const t of same.angles) expect(t).toBeLessThanOrEqual(1e-14);
    const e = Matrix.eye(6);
    const orthogonal = principalAngles(e.subMatrix(0, 5, 0, 1), e.subMatrix(0, 5, 2, 4));
    for (const t of orthogonal.angles) expect(t).toBeCloseTo(Math.PI / 2, 14);
    const { a: pa, b: pb } = planted(9, [0.1, 0.5, 1.0], 0, 5);
    const r = principalAngles(pa, pb);
    for (let i = 0; i < 3; i++) expect(r.cosines[i]! ** 2 + r.sines[i]! ** 2).toBeCloseTo(1, 13);
  });

  it('rejects mismatched rows and zero matrices', () => {
    expect(() => principalAngles(Matrix.ones(4, 2), Matrix.ones(5, 2))).toThrow(DimensionMismatchError);
    expect(() => principalAngles(Matrix.zeros(4, 2), Matrix.ones(4, 2))).toThrow(DegenerateInputError);
  });
});
