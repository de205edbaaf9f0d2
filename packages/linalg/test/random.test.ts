import { describe, expect, it } from 'vitest';
import { createRng, InvalidArgumentError, orthogonalityError, qr, randomOrthogonal, toFloat64Array } from '../src/index.js';
import { EPS, frobenius, naiveMultiply, randomMatrix } from './helpers.js';

describe('createRng', () => {
  it('is deterministic: same seed, same bytes; different seeds differ', () => {
    const a = createRng(42).normalArray(1000);
    const b = createRng(42).normalArray(1000);
    expect(new Uint8Array(a.buffer)).toEqual(new Uint8Array(b.buffer));
    expect(createRng(43).uniform()).not.toBe(createRng(42).uniform());
    expect(createRng(-5).uniform()).not.toBe(createRng(5).uniform());
    expect(createRng(2 ** 40).uniform()).not.toBe(createRng(0).uniform());
  });

  it('has the right first two moments (5-sigma bounds for n = 2e5)', () => {
    const n = 200_000;
    const rng = createRng(1);
    const u = rng.uniformArray(n);
    const z = rng.normalArray(n);
    let su = 0;
    let sz = 0;
    let sz2 = 0;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      if (!(u[i]! >= 0 && u[i]! < 1)) outside++;
      su += u[i]!;
      sz += z[i]!;
      sz2 += z[i]! * z[i]!;
    }
    expect(outside).toBe(0);
    expect(Math.abs(su / n - 0.5)).toBeLessThanOrEqual(5 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(sz / n)).toBeLessThanOrEqual(5 / Math.sqrt(n));
    expect(Math.abs(sz2 / n - 1)).toBeLessThanOrEqual(5 * Math.sqrt(2 / n));
    const words = new Set(Array.from({ length: 1000 }, () => rng.uint32()));
    expect(words.size).toBeGreaterThan(990);
  });

  it('rejects non-integer seeds', () => {
    expect(() => createRng(1.5)).toThrow(InvalidArgumentError);
    expect(() => createRng(Number.NaN)).toThrow(InvalidArgumentError);
  });
});

describe('randomOrthogonal and qr', () => {
  it('gives orthogonal matrices, deterministically, with both determinant signs (Haar)', () => {
    for (const d of [1, 2, 5, 50]) {
      const q = randomOrthogonal(d, createRng(d));
      expect(orthogonalityError(q)).toBeLessThanOrEqual(10 * d * EPS);
      expect(toFloat64Array(q)).toEqual(toFloat64Array(randomOrthogonal(d, createRng(d))));
    }
    // Haar on O(2): det = +-1 each with probability 1/2, and the (0,0) entry is cos of a uniform angle.
    const rng = createRng(9);
    let positive = 0;
    const trials = 2000;
    for (let t = 0; t < trials; t++) {
      const q = randomOrthogonal(2, rng);
      if (q.get(0, 0) * q.get(1, 1) - q.get(0, 1) * q.get(1, 0) > 0) positive++;
    }
    expect(Math.abs(positive / trials - 0.5)).toBeLessThanOrEqual(5 * Math.sqrt(0.25 / trials));
  });

  it('qr reconstructs A with orthonormal Q and non-negative diagonal in R', () => {
    const a = randomMatrix(9, 4, 3);
    const { q, r } = qr(a);
    expect(orthogonalityError(q)).toBeLessThanOrEqual(100 * 9 * EPS);
    const diff = naiveMultiply(q, r).sub(a);
    expect(frobenius(diff)).toBeLessThanOrEqual(100 * 9 * EPS * frobenius(a));
    for (let i = 0; i < 4; i++) {
      expect(r.get(i, i)).toBeGreaterThanOrEqual(0);
      for (let j = 0; j < i; j++) expect(r.get(i, j)).toBe(0);
    }
  });
});
