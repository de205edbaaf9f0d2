import fc from 'fast-check';
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { createRng, secondDerivative, symmetricEigen } from '@descramble/linalg';
import { gaussianMatrix, randomOrthogonal, relativeError, relativeMatrixError } from '../test/helpers.js';
import { DimensionMismatchError, InvalidArgumentError } from './errors.js';
import { rescaleSpectral, type SmoothnessOperator, smoothnessCriterion, smoothnessMatrix } from './smoothness.js';

describe('smoothnessMatrix', () => {
  it('is D^T D: symmetric positive semidefinite', () => {
    for (const operator of ['fourier', 'periodic', 'dirichlet'] as SmoothnessOperator[]) {
      for (const d of [1, 2, 5, 16]) {
        const a = smoothnessMatrix(d, operator);
        const derivative = secondDerivative(d, operator);
        expect(relativeMatrixError(a, derivative.transpose().mmul(derivative))).toBeLessThan(1e-14);
        expect(relativeMatrixError(a, a.transpose())).toBe(0);
        const { values } = symmetricEigen(a);
        expect(values[0]!).toBeGreaterThan(-1e-12 * Math.max(1, values[d - 1]!));
      }
    }
  });

  it('fourier (default): eigenvalues k^4, cos/sin pairs, one constant and one Nyquist mode', () => {
    for (const d of [7, 8]) {
      const { values } = symmetricEigen(smoothnessMatrix(d));
      const expected: number[] = [0];
      for (let k = 1; k < d / 2; k++) expected.push(k ** 4, k ** 4);
      if (d % 2 === 0) expected.push((d / 2) ** 4);
      values.forEach((v, i) => {
        expect(Math.abs(v - expected[i]!)).toBeLessThan(1e-10 * (d / 2) ** 4);
      });
    }
  });

  it('rejects unknown operators and sizes', () => {
    expect(() => smoothnessMatrix(0)).toThrow(DimensionMismatchError);
    expect(() => smoothnessMatrix(2.5)).toThrow(DimensionMismatchError);
    expect(() => smoothnessMatrix(4, 'laplace' as SmoothnessOperator)).toThrow(InvalidArgumentError);
  });
});

describe('smoothnessCriterion', () => {
  it('equals ||D P S||_F^2 with A = D^T D, B = S S^T', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 24 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 1e9 }), (d, n, seed) => {
        const rng = createRng(seed);
        const s = gaussianMatrix(rng, d, n);
        const p = randomOrthogonal(d, rng);
        const derivative = secondDerivative(d, 'fourier');
        const direct = derivative.mmul(p).mmul(s).norm('frobenius') ** 2;
        const value = smoothnessCriterion(p, smoothnessMatrix(d), s.mmul(s.transpose()));
        expect(Math.abs(value - direct)).toBeLessThan(1e-11 * Math.max(1, direct));
      }),
      { numRuns: 30, seed: 3 },
    );
  });

  it('checks shapes', () => {
    expect(() => smoothnessCriterion(Matrix.eye(3), Matrix.eye(3), Matrix.eye(4))).toThrow(DimensionMismatchError);
    expect(() => smoothnessCriterion(new Matrix(3, 2), Matrix.eye(3), Matrix.eye(3))).toThrow(DimensionMismatchError);
  });
});

describe('rescaleSpectral', () => {
  it('scales to spectral norm d and leaves the zero matrix alone', () => {
    const rng = createRng(4);
    const s = gaussianMatrix(rng, 6, 9);
    const b = s.mmul(s.transpose());
    const scaled = rescaleSpectral(b);
    const { values } = symmetricEigen(scaled);
    expect(relativeError(values[5]!, 6)).toBeLessThan(1e-13);
    expect(rescaleSpectral(new Matrix(3, 3)).to2DArray()).toEqual(new Matrix(3, 3).to2DArray());
  });
});
