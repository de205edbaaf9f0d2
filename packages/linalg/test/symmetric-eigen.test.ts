import fc from 'fast-check';
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import {
  DimensionMismatchError,
  multiply,
  NonFiniteInputError,
  NotSymmetricError,
  orthogonalityError,
  secondDerivative,
  symmetricEigen,
  symmetricEigenFlat,
  symmetricEigenvalues,
  toFloat64Array,
} from '../src/index.js';
import { EPS, frobenius, naiveMultiply, randomMatrix, randomSymmetric, withSpectrum } from './helpers.js';

/** Checks the acceptance bounds: residual <= 100 d eps ||A||_F, ||V^T V - I|| <= 100 d eps. */
function checkDecomposition(a: Matrix, naive = true): { residual: number; orthogonality: number } {
  const d = a.rows;
  const { values, vectors } = symmetricEigen(a);
  expect(values.length).toBe(d);
  for (let i = 1; i < d; i++) expect(values[i]!).toBeGreaterThanOrEqual(values[i - 1]!);
  const av = naive ? naiveMultiply(a, vectors) : multiply(a, vectors);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) av.set(i, j, av.get(i, j) - vectors.get(i, j) * values[j]!);
  const residual = frobenius(av);
  const orthogonality = orthogonalityError(vectors);
  const normA = frobenius(a);
  expect(residual).toBeLessThanOrEqual(100 * d * EPS * normA);
  expect(orthogonality).toBeLessThanOrEqual(100 * d * EPS);
  return { residual, orthogonality };
}

describe('symmetricEigen', () => {
  it('decomposes random symmetric matrices of several sizes', () => {
    for (const [d, seed] of [
      [1, 1],
      [2, 2],
      [3, 3],
      [17, 4],
      [80, 5],
      [131, 6],
    ] as const) {
      checkDecomposition(randomSymmetric(d, seed));
    }
  });

  it('recovers a known spectrum with repeated eigenvalues and stays orthonormal', () => {
    const spectrum = [1, 1, 1, 2, 2, 5, 5, 5, 5, -3, 0, 0, 7, 1, 2];
    const a = withSpectrum(spectrum, 11);
    checkDecomposition(a);
    const values = symmetricEigenvalues(a);
    const sorted = [...spectrum].sort((x, y) => x - y);
    sorted.forEach((v, i) => {
      expect(Math.abs(values[i]! - v)).toBeLessThanOrEqual(100 * spectrum.length * EPS * 7);
    });
  });

  it('handles tightly clustered eigenvalues', () => {
    const spectrum = Array.from({ length: 60 }, (_, i) => 1 + i * 1e-13 + (i % 7 === 0 ? 1 : 0));
    checkDecomposition(withSpectrum(spectrum, 12));
  });

  it('handles identity, zero and diagonal matrices exactly', () => {
    const id = Matrix.eye(9);
    const r = symmetricEigen(id);
    expect(Array.from(r.values)).toEqual(new Array(9).fill(1));
    expect(orthogonalityError(r.vectors)).toBeLessThanOrEqual(9 * EPS);
    const zero = Matrix.zeros(6, 6);
    const z = symmetricEigen(zero);
    expect(Array.from(z.values)).toEqual(new Array(6).fill(0));
    expect(orthogonalityError(z.vectors)).toBe(0);
    checkDecomposition(Matrix.diag([3, -1, 2, 2, 0]));
  });

  it('decomposes the Fourier second-derivative matrix (pairs of equal eigenvalues)', () => {
    for (const d of [32, 33]) {
      const a = secondDerivative(d, 'fourier');
      checkDecomposition(a);
      const values = symmetricEigenvalues(a);
      // Ascending: -(floor(d/2))^2 ... -1, -1, 0 with pairs.
      const expected: number[] = [0];
      for (let k = 1; 2 * k < d; k++) expected.push(-k * k, -k * k);
      if (d % 2 === 0) expected.push(-((d / 2) ** 2));
      expected.sort((x, y) => x - y);
      expected.forEach((v, i) => {
        expect(Math.abs(values[i]! - v)).toBeLessThanOrEqual(100 * d * EPS * (d / 2) ** 2);
      });
    }
  });

  it('meets the accuracy bounds at d = 1024', () => {
    checkDecomposition(randomSymmetric(1024, 21), false);
  });

  it('returns the same values with and without vectors, and matches the flat variant', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 24 }), fc.integer({ min: 0, max: 1000 }), (d, seed) => {
        const a = randomSymmetric(d, seed);
        const full = symmetricEigen(a);
        const only = symmetricEigenvalues(a);
        const option = symmetricEigen(a, { vectors: false });
        expect(option.vectors).toBeNull();
        expect(option.values).toEqual(only);
        const flat = symmetricEigenFlat(toFloat64Array(a), d);
        const scale = frobenius(a);
        for (let i = 0; i < d; i++) {
          expect(Math.abs(only[i]! - full.values[i]!)).toBeLessThanOrEqual(100 * d * EPS * scale);
          expect(flat.values[i]).toBe(full.values[i]);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('does not modify its input', () => {
    const a = randomSymmetric(12, 5);
    const before = toFloat64Array(a);
    symmetricEigen(a);
    expect(toFloat64Array(a)).toEqual(before);
  });

  it('rejects bad input with typed errors', () => {
    expect(() => symmetricEigen(randomMatrix(3, 4, 1))).toThrow(DimensionMismatchError);
    expect(() => symmetricEigen(new Matrix(0, 0))).toThrow(DimensionMismatchError);
    expect(() => symmetricEigen(randomMatrix(4, 4, 2))).toThrow(NotSymmetricError);
    const bad = randomSymmetric(4, 3);
    bad.set(2, 1, Number.NaN);
    try {
      symmetricEigen(bad);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(NonFiniteInputError);
      expect((error as NonFiniteInputError).location).toBe('a[2, 1]');
    }
    // Asymmetry below the tolerance is accepted (the symmetric part is decomposed).
    const nearly = randomSymmetric(5, 4);
    nearly.set(0, 1, nearly.get(0, 1) * (1 + 1e-12));
    expect(() => symmetricEigen(nearly)).not.toThrow();
  });
});

describe('symmetricEigen at the ends of the float64 range (power-of-two scaling)', () => {
  it('subnormal and huge scalings give the eigenvalues scaled exactly and the same eigenvectors', () => {
    const a = randomSymmetric(12, 21);
    const reference = symmetricEigen(a);
    // 2^-1030 * A has subnormal entries (below 2^-1022); 2^1000 * A has entries near 1e301.
    for (const exponent of [-1074 + 60, -1030, -1000, 1000, 1020]) {
      const factor = 2 ** exponent;
      const scaled = a.clone().mul(factor);
      const { values, vectors } = symmetricEigen(scaled);
      const norm = Math.max(Math.abs(reference.values[0]!), Math.abs(reference.values[11]!));
      for (let i = 0; i < 12; i++) {
        // Exact up to the bits a subnormal cannot hold: |error| <= 2^-1074 per entry, times d.
        const expected = reference.values[i]! * factor;
        expect(Math.abs(values[i]! - expected)).toBeLessThanOrEqual(100 * 12 * EPS * norm * factor + 12 * 2 ** -1074 * 2 ** 12);
      }
      expect(orthogonalityError(vectors)).toBeLessThanOrEqual(100 * 12 * EPS);
      const onlyValues = symmetricEigenvalues(scaled);
      for (let i = 0; i < 12; i++) expect(Number.isFinite(onlyValues[i]!)).toBe(true);
    }
  });

  it('scales by a power of two: entries exactly representable keep every bit (2^k A has eigenvalues 2^k lambda)', () => {
    const a = withSpectrum([3, 1, 1, -2, 0.5], 5);
    const base = symmetricEigenvalues(a);
    // Normal range: multiplication by 2^k is exact, so the scaled problem is the same problem.
    const up = symmetricEigenvalues(a.clone().mul(2 ** 600));
    const down = symmetricEigenvalues(a.clone().mul(2 ** -600));
    for (let i = 0; i < 5; i++) {
      expect(up[i]).toBe(base[i]! * 2 ** 600);
      expect(down[i]).toBe(base[i]! * 2 ** -600);
    }
  });
});

describe('symmetricEigen: AbortSignal', () => {
  it('a pre-aborted signal throws its reason; divide and conquer checks between merges', () => {
    const a = randomSymmetric(200, 41);
    const reason = new Error('stop');
    expect(() => symmetricEigen(a, { signal: AbortSignal.abort(reason) })).toThrow(reason);
    expect(() => symmetricEigenvalues(a, { signal: AbortSignal.abort(reason) })).toThrow(reason);
    let checks = 0;
    const counting = {
      aborted: false,
      reason,
      throwIfAborted() {
        checks++;
      },
    } as unknown as AbortSignal;
    const reference = symmetricEigen(a).values;
    const counted = symmetricEigen(a, { signal: counting }).values;
    expect(Array.from(counted)).toEqual(Array.from(reference));
    // n = 200 splits into 8 leaves of at most 32 rows: 15 blocks and 7 merges, plus 3 phase checks.
    expect(checks).toBe(15 + 7 + 3);
    let left = 10;
    const tripping = {
      aborted: false,
      reason,
      throwIfAborted() {
        if (--left === 0) throw reason;
      },
    } as unknown as AbortSignal;
    expect(() => symmetricEigen(a, { signal: tripping })).toThrow(reason);
  });
});
