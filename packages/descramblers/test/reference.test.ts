import { readFileSync } from 'node:fs';
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { descrambleLayer, maxDiagonalSum, type SmoothnessOperator } from '../src/index.js';
import { relativeError, relativeMatrixError } from './helpers.js';

// Reference values from numpy/scipy: tooling/fixtures/descramblers/generate.py (a Python port
// of fourdif for the Fourier operator). Eigenvectors are compared only through tie-invariant
// projections, so sign and in-eigenspace rotation conventions of the two eigensolvers cancel.
interface Block {
  indices: number[];
  descrambler: number[][];
  weights: number[][];
}
interface Case {
  name: string;
  operator: SmoothnessOperator;
  weights: number[][];
  data: number[][];
  smoothnessEigenvalues: number[];
  gramEigenvalues: number[];
  optimum: number;
  optimumRescaled: number;
  value: number;
  rank: number;
  familyDimension: number;
  exactFamilyDimension: number;
  blocks?: Block[];
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/reference.json', import.meta.url), 'utf8')) as {
  cases: Case[];
  procrustes: { weights: number[][]; P: number[][]; value: number; nuclearNorm: number };
};

/** |x - y| relative to the largest eigenvalue (how eigenvalues are accurate). */
function spectrumError(ours: Float64Array, theirs: number[]): number {
  const scale = Math.max(...theirs.map(Math.abs));
  return Math.max(...theirs.map((v, i) => Math.abs(v - ours[i]!))) / scale;
}

describe('agreement with numpy/scipy to 1e-10', () => {
  for (const c of fixture.cases) {
    it(`${c.name}: spectra, optimum (plain and rescaled), rank, family and tie-invariant projections`, () => {
      const weights = new Matrix(c.weights);
      const data = new Matrix(c.data);
      const plain = descrambleLayer({ weights, data, operator: c.operator });
      const rescaled = descrambleLayer({ weights, data, operator: c.operator, rescale: true });
      expect(spectrumError(plain.smoothnessEigenvalues, c.smoothnessEigenvalues)).toBeLessThan(1e-12);
      expect(spectrumError(plain.gramEigenvalues, c.gramEigenvalues)).toBeLessThan(1e-12);
      expect(relativeError(plain.optimum, c.optimum)).toBeLessThan(1e-10);
      expect(relativeError(plain.value, c.value)).toBeLessThan(1e-10);
      expect(relativeError(rescaled.optimum, c.optimumRescaled)).toBeLessThan(1e-10);
      expect(plain.rankB).toBe(c.rank);
      expect(plain.familyDimension).toBe(c.familyDimension);
      expect(plain.exactFamilyDimension).toBe(c.exactFamilyDimension);
      if (c.blocks === undefined) return;
      const t = plain.smoothnessEigenvectors;
      for (const block of c.blocks) {
        const tb = new Matrix(t.rows, block.indices.length);
        block.indices.forEach((k, j) => {
          for (let i = 0; i < t.rows; i++) tb.set(i, j, t.get(i, k));
        });
        const projector = tb.mmul(tb.transpose());
        const p = plain.P;
        const pw = plain.descrambledWeights;
        const ours = p.transpose().mmul(projector).mmul(p);
        const oursWeights = pw.transpose().mmul(projector).mmul(pw);
        // Errors relative to the norm of the whole matrix (projector: sqrt(block size)).
        expect(ours.clone().sub(new Matrix(block.descrambler)).norm('frobenius')).toBeLessThan(1e-10);
        expect(relativeMatrixError(oursWeights, new Matrix(block.weights))).toBeLessThan(1e-10);
      }
    });
  }

  it('max diagonal sum: the orthogonal Procrustes solution and the nuclear norm', () => {
    const { weights, P, value, nuclearNorm } = fixture.procrustes;
    const result = maxDiagonalSum(new Matrix(weights));
    expect(relativeMatrixError(result.P, new Matrix(P))).toBeLessThan(1e-10);
    expect(relativeError(result.value, value)).toBeLessThan(1e-12);
    expect(relativeError(result.optimum, nuclearNorm)).toBeLessThan(1e-12);
  });
});
