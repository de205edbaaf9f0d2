import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { maxAbsDifference } from '../test/support.js';
import { DegenerateInputError, InvalidArgumentError } from './errors.js';
import { chebyshevBasis, legendreBasis } from './polynomial-basis.js';
import { bandedness, polynomialInnerProducts } from './polynomial-inner-products.js';

/** k x width matrix with ones on the main diagonal. */
function identityPattern(k: number, width: number): Matrix {
  const m = Matrix.zeros(k, width);
  for (let i = 0; i < Math.min(k, width); i++) m.set(i, i, 1);
  return m;
}

describe('polynomialInnerProducts', () => {
  it('vectors that are exactly T0..T4 (Chebyshev-Gauss grid) give the identity pattern and bandedness 1', () => {
    const n = 256;
    const vectors = chebyshevBasis(n, 4, { grid: 'chebyshev-gauss' });
    const g = polynomialInnerProducts(vectors, 19, { grid: 'chebyshev-gauss' });
    expect(g.rows).toBe(5);
    expect(g.columns).toBe(20);
    expect(maxAbsDifference(g, identityPattern(5, 20))).toBeLessThanOrEqual(1e-12);
    expect(bandedness(g, 0)).toBeCloseTo(1, 14);
  });

  it('on the equispaced grid (the paper’s) the orthonormalised T0..T4 give the identity pattern', () => {
    const vectors = chebyshevBasis(256, 4, { orthonormalise: true });
    const g = polynomialInnerProducts(vectors, 19, { orthonormalise: true });
    expect(maxAbsDifference(g, identityPattern(5, 20))).toBeLessThanOrEqual(1e-12);
    expect(bandedness(g, 0)).toBeCloseTo(1, 14);
    // The raw T_k are not orthogonal there: T0 and T2 have cosine well away from 0.
    const raw = polynomialInnerProducts(chebyshevBasis(256, 4), 4);
    expect(Math.abs(raw.get(0, 2))).toBeGreaterThan(0.1);
    expect(bandedness(raw, 0)).toBeLessThan(1);
  });

  it('is invariant to the vectors’ signs and scales up to the sign of the entries, and sees permutations', () => {
    const basis = legendreBasis(100, 6, { orthonormalise: true });
    const vectors = new Matrix(100, 3);
    vectors.setColumn(0, basis.getColumn(2).map((x) => -3 * x));
    vectors.setColumn(1, basis.getColumn(0).map((x) => 0.5 * x));
    vectors.setColumn(2, basis.getColumn(1));
    const g = polynomialInnerProducts(vectors, 6, { basis: 'legendre', orthonormalise: true });
    expect(g.get(0, 2)).toBeCloseTo(-1, 12);
    expect(g.get(1, 0)).toBeCloseTo(1, 12);
    expect(g.get(2, 1)).toBeCloseTo(1, 12);
    expect(bandedness(g, 0)).toBeCloseTo(0, 12);
    expect(bandedness(g, 1)).toBeCloseTo(2 / 3, 12);
    expect(bandedness(g, 2)).toBeCloseTo(1, 12);
  });

  it('returns raw sums when not normalised, and can rescale the vectors’ values first', () => {
    const t = chebyshevBasis(9, 2, { grid: 'chebyshev-gauss' });
    const raw = polynomialInnerProducts(t, 2, { grid: 'chebyshev-gauss', normalise: false });
    expect(raw.get(0, 0)).toBeCloseTo(9, 12);
    expect(raw.get(1, 1)).toBeCloseTo(4.5, 12);
    // 5 x + 2 rescaled to [-1, 1] is x / cos(pi / 18) (the grid is symmetric), a multiple of T1.
    const affine = new Matrix(9, 1);
    affine.setColumn(0, t.getColumn(1).map((x) => 5 * x + 2));
    const rescaled = polynomialInnerProducts(affine, 2, { grid: 'chebyshev-gauss', rescale: true });
    expect(rescaled.get(0, 1)).toBeCloseTo(1, 12);
    expect(rescaled.get(0, 0)).toBeCloseTo(0, 12);
  });

  it('rejects zero vectors, bad families and bad degrees', () => {
    expect(() => polynomialInnerProducts(Matrix.zeros(5, 1), 2)).toThrow(DegenerateInputError);
    expect(() => polynomialInnerProducts(Matrix.ones(5, 1), 2, { basis: 'hermite' as 'legendre' })).toThrow(InvalidArgumentError);
    expect(() => polynomialInnerProducts(Matrix.ones(5, 1), -1)).toThrow(InvalidArgumentError);
  });
});

describe('bandedness', () => {
  it('is the share of squared mass within |i - j| <= bandwidth', () => {
    const a = new Matrix([
      [1, 2, 0],
      [0, 1, 0],
      [3, 0, 1],
      [0, 0, 1],
    ]);
    const total = 1 + 4 + 1 + 9 + 1 + 1;
    expect(bandedness(a, 0)).toBeCloseTo(3 / total, 15);
    expect(bandedness(a, 1)).toBeCloseTo(8 / total, 15);
    expect(bandedness(a, 2)).toBeCloseTo(1, 15);
  });

  it('refuses a zero matrix and a negative bandwidth', () => {
    expect(() => bandedness(Matrix.zeros(2, 2), 1)).toThrow(DegenerateInputError);
    expect(() => bandedness(Matrix.eye(2), -1)).toThrow(InvalidArgumentError);
  });
});
