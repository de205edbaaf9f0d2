import { qr } from '@descramble/linalg';
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { maxAbsDifference, randomMatrix } from '../test/support.js';
import { DegenerateInputError, DimensionMismatchError, InvalidArgumentError } from './errors.js';
import { fft } from './fft.js';
import { fftshift } from './shift.js';
import { singularVectorSpectra, spectrumSimilarity } from './singular-vector-spectra.js';
import { weightSpectrum } from './weight-spectrum.js';

function fourierMode(n: number, frequency: number): number[] {
  return Array.from({ length: n }, (_, j) => Math.sqrt(2 / n) * Math.cos((2 * Math.PI * ((frequency * j) % n)) / n));
}

/** M = U diag(sigma) V^T with V's columns cosines of frequencies 1..k and U random orthonormal. */
function plantedMatrix(rows: number, columns: number, sigma: number[], seed: number): Matrix {
  const k = sigma.length;
  const u = qr(randomMatrix(rows, k, seed)).q;
  const v = new Matrix(columns, k);
  for (let c = 0; c < k; c++) v.setColumn(c, fourierMode(columns, c + 1));
  return u.mmul(Matrix.diag(sigma)).mmul(v.transpose());
}

describe('singularVectorSpectra', () => {
  it('recovers planted singular values and the frequency of each right singular vector', () => {
    const sigma = [9, 5, 3, 2];
    const m = plantedMatrix(30, 64, sigma, 3);
    const result = singularVectorSpectra(m, 4);
    for (let i = 0; i < 4; i++) expect(result.singularValues[i]).toBeCloseTo(sigma[i]!, 12);
    // Row i of rightVectorSpectra peaks at frequencies +-(i + 1): centred index 32 +- (i + 1).
    for (let i = 0; i < 4; i++) {
      const row = result.rightVectorSpectra.getRow(i);
      const peak = row.indexOf(Math.max(...row));
      expect(Math.abs(peak - 32)).toBe(i + 1);
      expect(row[32 + i + 1]).toBeCloseTo(Math.sqrt(64 / 2), 12);
    }
    expect(result.left.magnitude.rows).toBe(4);
    expect(result.left.magnitude.columns).toBe(30);
    expect(result.right.magnitude.columns).toBe(64);
  });

  it('stacks the (sign-fixed) singular vectors as rows and transforms them; scaled multiplies by sigma', () => {
    const m = randomMatrix(12, 20, 8);
    const plain = singularVectorSpectra(m, 3);
    const scaled = singularVectorSpectra(m, 3, { scaled: true });
    // Reconstruct the leading rank-3 part from the rows: sum_i sigma_i u_i v_i^T.
    const rank3 = plain.leftVectors.transpose().mmul(Matrix.diag(Array.from(plain.singularValues))).mmul(plain.rightVectors);
    const viaScaled = scaled.leftVectors.transpose().mmul(plain.rightVectors);
    expect(maxAbsDifference(rank3, viaScaled)).toBeLessThanOrEqual(1e-12);
    expect(maxAbsDifference(weightSpectrum(plain.rightVectors).magnitude, plain.right.magnitude)).toBeLessThanOrEqual(1e-13);
    // Sign convention: the largest-magnitude entry of each v_i is positive.
    for (let i = 0; i < 3; i++) {
      const row = plain.rightVectors.getRow(i);
      const largest = row.reduce((best, x) => (Math.abs(x) > Math.abs(best) ? x : best), 0);
      expect(largest).toBeGreaterThan(0);
      const expected = fftshift(fft(row));
      for (let j = 0; j < 20; j++) expect(plain.rightVectorSpectra.get(i, j)).toBeCloseTo(Math.hypot(expected.re[j]!, expected.im[j]!), 12);
    }
    // M and -M have the same spectra (the sign convention removes the ambiguity).
    const negated = singularVectorSpectra(m.clone().mul(-1), 3);
    expect(maxAbsDifference(negated.right.magnitude, plain.right.magnitude)).toBeLessThanOrEqual(1e-12);
    expect(maxAbsDifference(negated.left.magnitude, plain.left.magnitude)).toBeLessThanOrEqual(1e-12);
    expect(() => singularVectorSpectra(m, 13)).toThrow(InvalidArgumentError);
    expect(() => singularVectorSpectra(m, 0)).toThrow(InvalidArgumentError);
  });
});

describe('spectrumSimilarity', () => {
  it('is 1 for proportional spectra, in [0, 1], and separates different band structure', () => {
    const kernel = plantedMatrix(40, 64, [8, 4, 2, 1], 1);
    // A "trained" matrix sharing the right singular vectors but with other left vectors and scale.
    const trained = plantedMatrix(25, 64, [8, 4, 2, 1], 2).mul(3);
    const a = singularVectorSpectra(kernel, 4, { scaled: true }).right;
    const b = singularVectorSpectra(trained, 4, { scaled: true }).right;
    expect(spectrumSimilarity(a, b)).toBeCloseTo(1, 12);
    expect(spectrumSimilarity(a, a.magnitude)).toBeCloseTo(1, 14);
    const noise = singularVectorSpectra(randomMatrix(25, 64, 4), 4, { scaled: true }).right;
    const score = spectrumSimilarity(a, noise);
    expect(score).toBeGreaterThanOrEqual(0);
    expect(score).toBeLessThan(0.8);
  });

  it('rejects mismatched shapes and zero spectra', () => {
    expect(() => spectrumSimilarity(Matrix.ones(2, 3), Matrix.ones(3, 2))).toThrow(DimensionMismatchError);
    expect(() => spectrumSimilarity(Matrix.ones(2, 3), Matrix.zeros(2, 3))).toThrow(DegenerateInputError);
  });
});
