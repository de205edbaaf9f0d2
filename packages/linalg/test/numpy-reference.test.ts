import { readFileSync } from 'node:fs';
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { frobeniusNorm, secondDerivative, svd, symmetricEigenvalues } from '../src/index.js';
import { EPS } from './helpers.js';

interface Reference {
  eigenvalues: { name: string; a: number[][]; values: number[] }[];
  singularValues: { name: string; a: number[][]; values: number[] }[];
  fourierSecondDerivative: { d: number; matrix: number[][] }[];
}

// Written by tooling/fixtures/linalg/generate.py (numpy); committed so tests need no Python.
const reference = JSON.parse(
  readFileSync(new URL('./fixtures/numpy-reference.json', import.meta.url), 'utf8'),
) as Reference;

describe('agreement with numpy reference values', () => {
  it('eigenvalues match numpy.linalg.eigvalsh to 100 d eps ||A||_F', () => {
    expect(reference.eigenvalues.length).toBeGreaterThanOrEqual(3);
    for (const { a, values } of reference.eigenvalues) {
      const m = new Matrix(a);
      const ours = symmetricEigenvalues(m);
      const bound = 100 * a.length * EPS * frobeniusNorm(m);
      values.forEach((v, i) => {
        expect(Math.abs(ours[i]! - v)).toBeLessThanOrEqual(bound);
      });
    }
  });

  it('singular values match numpy.linalg.svd to 100 max(m, n) eps ||A||_F', () => {
    expect(reference.singularValues.length).toBeGreaterThanOrEqual(4);
    for (const { a, values } of reference.singularValues) {
      const m = new Matrix(a);
      const { s } = svd(m);
      const bound = 100 * Math.max(m.rows, m.columns) * EPS * frobeniusNorm(m);
      expect(s.length).toBe(values.length);
      values.forEach((v, i) => {
        expect(Math.abs(s[i]! - v)).toBeLessThanOrEqual(bound);
      });
    }
  });

  it("secondDerivative('fourier') matches the FFT construction entry by entry", () => {
    for (const { d, matrix } of reference.fourierSecondDerivative) {
      const ours = secondDerivative(d, 'fourier');
      // FFT round-off is about log2(d) eps times the largest entry (d/2)^2.
      const bound = 50 * EPS * (d / 2) ** 2 * Math.log2(d);
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < d; j++) expect(Math.abs(ours.get(i, j) - matrix[i]![j]!)).toBeLessThanOrEqual(bound);
      }
    }
  });
});
