/**
 * fft2 / fft against numpy.fft on committed fixtures (tooling/fixtures/spectral/make_fixtures.py).
 * Inputs are regenerated from the shared integer formula; outputs are compared to 1e-12 of
 * the largest output magnitude (the transforms' error is ~ eps log2(n) max|Y|, about 1e-15).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fft, fft2 } from '../src/index.js';
import { formulaMatrix, formulaVector, maxAbsComplex, readFloat64 } from './support.js';

interface Fft2Entry {
  rows: number;
  cols: number;
  complex: boolean;
  storage: 'full' | 'sampled';
  file: string;
  maxAbs: number;
  frobenius?: number;
  checksumWeightsSalt?: number;
  checksum?: [number, number];
  count?: number;
}
interface FftEntry {
  n: number;
  complex: boolean;
  file: string;
  maxAbs: number;
}
const fixtures = new URL('./fixtures/', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('fft-manifest.json', fixtures), 'utf8')) as { fft2: Fft2Entry[]; fft: FftEntry[] };
const TOLERANCE = 1e-12;

describe('fft2 against numpy.fft.fft2', () => {
  it('covers the four shapes of the issue', () => {
    const shapes = manifest.fft2.map((e) => `${e.rows}x${e.cols}`);
    for (const shape of ['80x256', '37x51', '1x7', '256x256']) expect(shapes).toContain(shape);
  });

  for (const entry of manifest.fft2) {
    it(`${entry.rows}x${entry.cols} ${entry.complex ? 'complex' : 'real'} (${entry.storage})`, () => {
      const re = formulaMatrix(entry.rows, entry.cols, 0);
      const y = entry.complex ? fft2({ re, im: formulaMatrix(entry.rows, entry.cols, 1) }) : fft2(re);
      const reference = readFloat64(new URL(entry.file, fixtures));
      const scale = entry.maxAbs;
      let worst = 0;
      if (entry.storage === 'full') {
        expect(reference.length).toBe(2 * entry.rows * entry.cols);
        for (let i = 0; i < entry.rows; i++) {
          for (let j = 0; j < entry.cols; j++) {
            const k = 2 * (i * entry.cols + j);
            worst = Math.max(worst, Math.hypot(y.re.get(i, j) - reference[k]!, y.im.get(i, j) - reference[k + 1]!));
          }
        }
      } else {
        expect(reference.length).toBe(4 * entry.count!);
        for (let s = 0; s < entry.count!; s++) {
          const i = reference[4 * s]!;
          const j = reference[4 * s + 1]!;
          worst = Math.max(worst, Math.hypot(y.re.get(i, j) - reference[4 * s + 2]!, y.im.get(i, j) - reference[4 * s + 3]!));
        }
        // Checksums over every entry: Frobenius norm, max |Y| and a weighted sum.
        const weights = formulaMatrix(entry.rows, entry.cols, entry.checksumWeightsSalt!);
        let sumRe = 0;
        let sumIm = 0;
        let sumAbsWeights = 0;
        let frobenius = 0;
        let maxAbs = 0;
        for (let i = 0; i < entry.rows; i++) {
          for (let j = 0; j < entry.cols; j++) {
            const w = weights.get(i, j);
            const a = y.re.get(i, j);
            const b = y.im.get(i, j);
            sumRe += w * a;
            sumIm += w * b;
            sumAbsWeights += Math.abs(w);
            frobenius += a * a + b * b;
            maxAbs = Math.max(maxAbs, Math.hypot(a, b));
          }
        }
        const [checkRe, checkIm] = entry.checksum!;
        expect(Math.hypot(sumRe - checkRe, sumIm - checkIm)).toBeLessThanOrEqual(TOLERANCE * scale * sumAbsWeights);
        expect(Math.abs(Math.sqrt(frobenius) - entry.frobenius!)).toBeLessThanOrEqual(TOLERANCE * entry.frobenius!);
        expect(Math.abs(maxAbs - entry.maxAbs)).toBeLessThanOrEqual(TOLERANCE * scale);
      }
      expect(worst).toBeLessThanOrEqual(TOLERANCE * scale);
    });
  }
});

describe('fft against numpy.fft.fft', () => {
  for (const entry of manifest.fft) {
    it(`length ${entry.n} ${entry.complex ? 'complex' : 'real'}`, () => {
      const re = formulaVector(entry.n, 0);
      const y = entry.complex ? fft({ re, im: formulaVector(entry.n, 1) }) : fft(re);
      const reference = readFloat64(new URL(entry.file, fixtures));
      const refRe = reference.filter((_, k) => k % 2 === 0);
      const refIm = reference.filter((_, k) => k % 2 === 1);
      let worst = 0;
      for (let k = 0; k < entry.n; k++) worst = Math.max(worst, Math.hypot(y.re[k]! - refRe[k]!, y.im[k]! - refIm[k]!));
      expect(maxAbsComplex(refRe, refIm)).toBeCloseTo(entry.maxAbs, 10);
      expect(worst).toBeLessThanOrEqual(TOLERANCE * entry.maxAbs);
    });
  }
});
