import { createRng, qr } from '@descramble/linalg';
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { randomMatrix } from '../test/support.js';
import { DegenerateInputError, InvalidArgumentError } from './errors.js';
import { bandEdges, bandEnergyFraction, NOTCH_DEPTH_CONVENTION, notchDepth } from './spectral-measures.js';
import { weightSpectrum } from './weight-spectrum.js';

/** W - (1 - alpha) * rowmean(W) 1^T: scales the zero-input-frequency column of fft2(W) by alpha, nothing else. */
function scaleRowMeans(w: Matrix, alpha: number): Matrix {
  const out = w.clone();
  for (let i = 0; i < w.rows; i++) {
    const mean = w.getRow(i).reduce((s, x) => s + x, 0) / w.columns;
    for (let j = 0; j < w.columns; j++) out.set(i, j, w.get(i, j) - (1 - alpha) * mean);
  }
  return out;
}

/** Orthonormal real Fourier mode on n points: sqrt(2/n) cos or sin of 2 pi f j / n (0 < f < n/2). */
function fourierMode(n: number, frequency: number, kind: 'cos' | 'sin'): number[] {
  const out: number[] = [];
  for (let j = 0; j < n; j++) {
    const angle = (2 * Math.PI * ((frequency * j) % n)) / n;
    out.push(Math.sqrt(2 / n) * (kind === 'cos' ? Math.cos(angle) : Math.sin(angle)));
  }
  return out;
}

describe('notchDepth', () => {
  it('recovers a planted notch of known depth on a synthetic spectrum', () => {
    const depth = 17.3;
    const spectrum = Matrix.ones(9, 16);
    spectrum.setColumn(8, new Array(9).fill(10 ** (-depth / 20)));
    const result = notchDepth(spectrum, { neighbours: 3 });
    expect(result.depthDb).toBeCloseTo(depth, 12);
    expect(result.neighbourFrequencies).toEqual([-3, -2, -1, 1, 2, 3]);
    expect(result.neighbourEnergy).toBeCloseTo(9, 12);
    // The reference band is the mean of the neighbours: a louder band deepens the notch by its dB.
    spectrum.setColumn(7, new Array(9).fill(Math.sqrt(7)));
    expect(notchDepth(spectrum, { neighbours: 1 }).depthDb).toBeCloseTo(depth + 10 * Math.log10((7 + 1) / 2), 12);
  });

  it('measures a notch planted in a weight matrix: scaling row means by alpha deepens it by -20 log10 alpha dB', () => {
    const w = randomMatrix(80, 256, 12);
    const before = notchDepth(weightSpectrum(w)).depthDb;
    for (const alpha of [0.5, 0.1, 0.01]) {
      const after = notchDepth(weightSpectrum(scaleRowMeans(w, alpha))).depthDb;
      expect(after - before).toBeCloseTo(-20 * Math.log10(alpha), 9);
    }
    // Removing the means entirely leaves (numerically) nothing at zero input frequency.
    expect(notchDepth(weightSpectrum(scaleRowMeans(w, 0))).depthDb).toBeGreaterThan(200);
  });

  it('one sign convention: a weaker zero line is a positive depth, a stronger one negative, stated in the result', () => {
    const weak = Matrix.ones(3, 5);
    weak.setColumn(2, [0.1, 0.1, 0.1]);
    const strong = Matrix.ones(3, 5);
    strong.setColumn(2, [10, 10, 10]);
    const notch = notchDepth(weak);
    const peak = notchDepth(strong);
    // |0.1|^2 / 1 = -20 dB energy ratio: the zero line is 20 dB weaker, depth +20.
    expect(notch.depthDb).toBeCloseTo(20, 12);
    expect(notch.isNotch).toBe(true);
    expect(peak.depthDb).toBeCloseTo(-20, 12);
    expect(peak.isNotch).toBe(false);
    expect(notch.convention).toBe(NOTCH_DEPTH_CONVENTION);
    expect(NOTCH_DEPTH_CONVENTION).toMatch(/positive when the zero-frequency line is weaker than its neighbours/);
  });

  it('works along the hidden axis too, and reports infinity for an exactly empty zero line', () => {
    const spectrum = Matrix.ones(5, 4);
    spectrum.setRow(2, [0, 0, 0, 0]);
    expect(notchDepth(spectrum, { axis: 0 }).depthDb).toBe(Number.POSITIVE_INFINITY);
    expect(notchDepth(spectrum).depthDb).toBeCloseTo(0, 12);
  });

  it('refuses undefined depths and bad options', () => {
    expect(() => notchDepth(Matrix.zeros(4, 6))).toThrow(DegenerateInputError);
    expect(() => notchDepth(Matrix.ones(4, 1))).toThrow(DegenerateInputError);
    expect(() => notchDepth(Matrix.ones(4, 6), { neighbours: 0 })).toThrow(InvalidArgumentError);
    expect(() => notchDepth(Matrix.ones(4, 6), { axis: 3 as 0 })).toThrow(InvalidArgumentError);
  });
});

describe('bandEnergyFraction and bandEdges', () => {
  it('read a planted band: rows mixing cos(3) and sin(7) input modes', () => {
    const rng = createRng(8);
    const n = 64;
    const rows = 10;
    const w = new Matrix(rows, n);
    let low = 0;
    let high = 0;
    for (let i = 0; i < rows; i++) {
      const a = rng.normal();
      const b = rng.normal();
      low += a * a;
      high += b * b;
      const c3 = fourierMode(n, 3, 'cos');
      const s7 = fourierMode(n, 7, 'sin');
      for (let j = 0; j < n; j++) w.set(i, j, a * c3[j]! + b * s7[j]!);
    }
    const spectrum = weightSpectrum(w);
    const expected = low / (low + high);
    for (const k of [3, 4, 5, 6]) expect(bandEnergyFraction(spectrum, 1, k)).toBeCloseTo(expected, 12);
    expect(bandEnergyFraction(spectrum, 1, 2)).toBeLessThan(1e-24);
    expect(bandEnergyFraction(spectrum, 1, 7)).toBeCloseTo(1, 12);
    // Real weights: half the energy at positive input frequencies, half at negative ones.
    expect(bandEnergyFraction(spectrum, 1, { from: 1, to: 32 })).toBeCloseTo(0.5, 12);
    expect(bandEnergyFraction(spectrum, 1, { from: -7, to: -7 })).toBeCloseTo((1 - expected) / 2, 12);
    const edges = bandEdges(spectrum, 1, expected / 2);
    expect(edges.halfWidth).toBe(3);
    expect(edges.fraction).toBeCloseTo(expected, 12);
    expect(edges.fractionBelow).toBeLessThan(1e-24);
    expect(bandEdges(spectrum, 1, Math.min(1, expected + 1e-6)).halfWidth).toBe(7);
    expect(bandEdges(spectrum, 1, 1).halfWidth).toBe(7);
  });

  it('read W = T Sigma V^T with band-limited V: the input spectrum lives in 1 <= |k| <= K0 in proportion to sigma^2', () => {
    const n = 256;
    const hidden = 80;
    // V: orthonormal Fourier modes with frequencies 1..8 (cos and sin), 16 columns.
    const frequencies: number[] = [];
    const v = new Matrix(n, 16);
    for (let f = 1; f <= 8; f++) {
      v.setColumn(2 * (f - 1), fourierMode(n, f, 'cos'));
      v.setColumn(2 * (f - 1) + 1, fourierMode(n, f, 'sin'));
      frequencies.push(f, f);
    }
    const t = qr(randomMatrix(hidden, 16, 31)).q;
    const sigma = frequencies.map((_, c) => 10 / (c + 1));
    const w = t.mmul(Matrix.diag(sigma)).mmul(v.transpose());
    const spectrum = weightSpectrum(w);
    const total = sigma.reduce((s, x) => s + x * x, 0);
    let cumulative = 0;
    for (let k = 1; k <= 8; k++) {
      cumulative += sigma[2 * (k - 1)]! ** 2 + sigma[2 * (k - 1) + 1]! ** 2;
      expect(bandEnergyFraction(spectrum, 1, k), `K = ${k}`).toBeCloseTo(cumulative / total, 12);
    }
    expect(bandEnergyFraction(spectrum, 1, 8)).toBeCloseTo(1, 13);
    expect(bandEnergyFraction(spectrum, 1, 0)).toBeLessThan(1e-26);
    expect(notchDepth(spectrum).depthDb).toBeGreaterThan(200);
    const half = bandEdges(spectrum, 1, 0.5);
    expect(half.fractionBelow).toBeLessThan(0.5);
    expect(half.fraction).toBeGreaterThanOrEqual(0.5);
    // sigma^2 of the first pair alone is (100 + 25) / total = 0.76 of the energy.
    expect(half.halfWidth).toBe(1);
    expect(bandEdges(spectrum, 1, 0.99).halfWidth).toBe(
      1 + [...Array(8).keys()].findIndex((k) => {
        let s = 0;
        for (let c = 0; c < 2 * (k + 1); c++) s += sigma[c]! ** 2;
        return s / total >= 0.99;
      }),
    );
    // Along the hidden axis the fractions of all bands add to one.
    expect(bandEnergyFraction(spectrum, 0, 40)).toBeCloseTo(1, 13);
  });

  it('rejects bad bands, fractions and empty spectra', () => {
    const s = Matrix.ones(3, 4);
    expect(() => bandEnergyFraction(s, 1, -1)).toThrow(InvalidArgumentError);
    expect(() => bandEnergyFraction(s, 1, { from: 2, to: 1 })).toThrow(InvalidArgumentError);
    expect(() => bandEdges(s, 1, 0)).toThrow(InvalidArgumentError);
    expect(() => bandEdges(s, 1, 1.5)).toThrow(InvalidArgumentError);
    expect(() => bandEdges(Matrix.zeros(3, 4), 0, 0.5)).toThrow(DegenerateInputError);
    expect(() => bandEnergyFraction(Matrix.zeros(3, 4), 0, 1)).toThrow(DegenerateInputError);
  });
});
