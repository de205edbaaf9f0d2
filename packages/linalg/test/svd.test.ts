import fc from 'fast-check';
import { Matrix } from 'ml-matrix';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createRng,
  DimensionMismatchError,
  NonFiniteInputError,
  multiply,
  orthogonalityError,
  randomOrthogonal,
  setKernelBackend,
  svd,
  toFloat64Array,
} from '../src/index.js';
import { EPS, frobenius, naiveMultiply, randomMatrix } from './helpers.js';

/** Residual ||A - U S V^T||_F <= 100 max(m,n) eps ||A||_F and orthonormal U, V. */
function checkSvd(a: Matrix, naive = true): void {
  const m = a.rows;
  const n = a.columns;
  const k = Math.min(m, n);
  const { u, s, v } = svd(a);
  expect([u.rows, u.columns, v.rows, v.columns, s.length]).toEqual([m, k, n, k, k]);
  for (let i = 0; i < k; i++) {
    expect(s[i]!).toBeGreaterThanOrEqual(0);
    if (i > 0) expect(s[i]!).toBeLessThanOrEqual(s[i - 1]!);
  }
  const us = u.clone();
  for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) us.set(i, j, u.get(i, j) * s[j]!);
  const recon = naive ? naiveMultiply(us, v.transpose()) : multiply(us, v.transpose());
  const diff = Matrix.sub(a, recon);
  const bound = 100 * Math.max(m, n) * EPS;
  expect(frobenius(diff)).toBeLessThanOrEqual(bound * Math.max(frobenius(a), Number.MIN_VALUE));
  expect(orthogonalityError(u)).toBeLessThanOrEqual(bound);
  expect(orthogonalityError(v)).toBeLessThanOrEqual(bound);
}

describe('svd', () => {
  it('decomposes square, tall and wide matrices', () => {
    checkSvd(randomMatrix(1, 1, 1));
    checkSvd(randomMatrix(8, 8, 2));
    checkSvd(randomMatrix(50, 7, 3));
    checkSvd(randomMatrix(7, 50, 4));
    checkSvd(randomMatrix(1, 9, 5));
    checkSvd(randomMatrix(9, 1, 6));
    checkSvd(randomMatrix(80, 80, 7));
  });

  it('handles rank-deficient and zero matrices (U and V stay orthonormal)', () => {
    const low = naiveMultiply(randomMatrix(30, 3, 8), randomMatrix(3, 20, 9));
    checkSvd(low);
    const { s } = svd(low);
    for (let i = 3; i < 20; i++) expect(s[i]!).toBeLessThanOrEqual(100 * 30 * EPS * s[0]!);
    checkSvd(low.transpose());
    checkSvd(Matrix.zeros(5, 3));
    const repeated = new Matrix([
      [2, 0, 0],
      [0, 2, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
    checkSvd(repeated);
    expect(Array.from(svd(repeated).s)).toEqual([2, 2, 0]);
  });

  it('keeps small singular values to absolute accuracy eps ||A|| (unlike eig(A^T A))', () => {
    // A = U diag(1, 1e-9, 1e-13) V^T with known singular values.
    const q1 = svd(randomMatrix(6, 3, 10)).u;
    const q2 = svd(randomMatrix(3, 3, 11)).u;
    const sigma = [1, 1e-9, 1e-13];
    const us = q1.clone();
    for (let i = 0; i < 6; i++) for (let j = 0; j < 3; j++) us.set(i, j, q1.get(i, j) * sigma[j]!);
    const a = naiveMultiply(us, q2.transpose());
    const { s } = svd(a);
    sigma.forEach((x, i) => {
      expect(Math.abs(s[i]! - x)).toBeLessThanOrEqual(100 * 6 * EPS);
    });
  });

  it('satisfies the bounds for random shapes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 20 }), fc.integer(), (m, n, seed) => {
        checkSvd(randomMatrix(m, n, seed));
      }),
      { numRuns: 40 },
    );
  });

  it('meets the bounds at 256 x 256', () => {
    checkSvd(randomMatrix(256, 256, 12), false);
  });

  it('does not modify its input and rejects bad input', () => {
    const a = randomMatrix(4, 3, 13);
    const before = toFloat64Array(a);
    svd(a);
    expect(toFloat64Array(a)).toEqual(before);
    expect(() => svd(new Matrix(0, 3))).toThrow(DimensionMismatchError);
    a.set(1, 1, Number.POSITIVE_INFINITY);
    expect(() => svd(a)).toThrow(NonFiniteInputError);
  });
});

describe('svd at the ends of the float64 range (power-of-two scaling)', () => {
  it('2^k A has singular values 2^k s, for subnormal and huge scalings', () => {
    for (const [m, n] of [
      [7, 4],
      [4, 7],
    ] as const) {
      const a = randomMatrix(m, n, 31);
      const base = svd(a).s;
      for (const exponent of [-1030, -600, 600, 1000]) {
        const { s, u, v } = svd(a.clone().mul(2 ** exponent));
        for (let i = 0; i < base.length; i++) {
          const expected = base[i]! * 2 ** exponent;
          // Normal range: the scaled problem is the same problem, bit for bit. Subnormal entries lose bits.
          if (exponent > -1000) expect(s[i]).toBe(expected);
          else expect(Math.abs(s[i]! - expected)).toBeLessThanOrEqual(1e-12 * base[0]! * 2 ** exponent + 2 ** -1060);
        }
        expect(orthogonalityError(u)).toBeLessThanOrEqual(100 * 7 * EPS);
        expect(orthogonalityError(v)).toBeLessThanOrEqual(100 * 7 * EPS);
      }
    }
  });
});

/** U diag(sigma) V^T with seeded Haar U (m x m) and V (n x n), sigma_i = ratio^(i / (k - 1)). */
function gradedMatrix(m: number, n: number, ratio: number, seed: number): { a: Matrix; sigma: number[] } {
  const rng = createRng(seed);
  const u = randomOrthogonal(m, rng);
  const v = randomOrthogonal(n, rng);
  const k = Math.min(m, n);
  const sigma = Array.from({ length: k }, (_, i) => ratio ** (i / (k - 1)));
  const us = new Matrix(m, k);
  for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) us.set(i, j, u.get(i, j) * sigma[j]!);
  return { a: naiveMultiply(us, v.subMatrix(0, n - 1, 0, k - 1).transpose()), sigma };
}

describe('svd of graded matrices (both kernel backends)', () => {
  afterEach(() => setKernelBackend('wasm'));

  it('converges on U diag(10^(-12 i/199)) V^T, 200 x 200 and 300 x 200 (LINPACK-style sweeps did not)', () => {
    for (const backend of ['js', 'wasm'] as const) {
      setKernelBackend(backend);
      for (const [m, n] of [
        [200, 200],
        [300, 200],
      ] as const) {
        const rng = createRng(1);
        const u = randomOrthogonal(m, rng);
        const v = randomOrthogonal(n, rng);
        const us = new Matrix(m, n);
        for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) us.set(i, j, u.get(i, j) * 10 ** ((-12 * j) / (n - 1)));
        checkSvd(us.mmul(v.transpose()), false);
      }
    }
  });

  it('meets the bounds for grading ratios down to 1e-15, tall and square, sizes 50..300', () => {
    const cases = [
      [50, 50, 1e-15, 2],
      [120, 60, 1e-8, 3],
      [150, 150, 1e-12, 4],
      [300, 200, 1e-15, 5],
      [250, 250, 1e-15, 6],
    ] as const;
    for (const backend of ['js', 'wasm'] as const) {
      setKernelBackend(backend);
      for (const [m, n, ratio, seed] of cases) {
        const { a, sigma } = gradedMatrix(m, n, ratio, seed);
        checkSvd(a, false);
        // A dense A carries rounding of size eps ||A|| from its own formation, so its singular
        // values are known to absolute accuracy c n eps sigma_1 only (Weyl).
        const { s } = svd(a);
        for (let i = 0; i < s.length; i++) expect(Math.abs(s[i]! - sigma[i]!)).toBeLessThanOrEqual(100 * m * EPS);
      }
    }
  });

  it('gives graded bidiagonal matrices their singular values to relative accuracy', () => {
    // An upper bidiagonal B passes the Householder stage exactly (up to signs), and bidiagonal QR
    // with zero shifts and relative convergence tests keeps every value to relative accuracy
    // O(n eps) (Demmel and Kahan). Check prod s_i = |det B| = prod |d_i| in logarithms: relative
    // errors O(n eps) per value sum to O(n^2 eps), while absolute errors eps ||B|| on values
    // down to 1e-15 ||B|| would miss by far more.
    for (const backend of ['js', 'wasm'] as const) {
      setKernelBackend(backend);
      for (const [n, ratio] of [
        [50, 1e-15],
        [200, 1e-12],
        [100, 1e-15],
      ] as const) {
        const rng = createRng(n);
        const b = new Matrix(n, n);
        let logDet = 0;
        for (let i = 0; i < n; i++) {
          const scale = ratio ** (i / (n - 1));
          b.set(i, i, scale * (0.5 + rng.uniform()));
          logDet += Math.log(b.get(i, i));
          if (i + 1 < n) b.set(i, i + 1, scale * (0.5 + rng.uniform()));
        }
        checkSvd(b, false);
        const { s } = svd(b);
        let logProduct = 0;
        for (let i = 0; i < n; i++) logProduct += Math.log(s[i]!);
        expect(Math.abs(logProduct - logDet)).toBeLessThanOrEqual(10 * n * n * EPS);
      }
    }
  });
});
