import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { maxAbsDifference, randomMatrix } from '../test/support.js';
import { NonFiniteInputError } from './errors.js';
import { fft2 } from './fft2.js';
import { centredFrequencies, fftshift } from './shift.js';
import { symmetriseSpectrum, weightSpectrum } from './weight-spectrum.js';

function absolute(c: { re: Matrix; im: Matrix }): Matrix {
  const out = new Matrix(c.re.rows, c.re.columns);
  for (let i = 0; i < out.rows; i++) for (let j = 0; j < out.columns; j++) out.set(i, j, Math.hypot(c.re.get(i, j), c.im.get(i, j)));
  return out;
}

/** MATLAB's fliplr: reverse the column order. */
function fliplr(a: Matrix): Matrix {
  const out = new Matrix(a.rows, a.columns);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.columns; j++) out.set(i, j, a.get(i, a.columns - 1 - j));
  return out;
}

/** MATLAB's circshift(a, 1, 2): every column moves one place to the right, the last wraps to the front. */
function circshiftColumnsByOne(a: Matrix): Matrix {
  const out = new Matrix(a.rows, a.columns);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.columns; j++) out.set(i, (j + 1) % a.columns, a.get(i, j));
  return out;
}

describe('weightSpectrum', () => {
  it('is |fftshift(fft2(W))| with centred labels, for odd, even and degenerate shapes', () => {
    for (const [rows, columns] of [
      [80, 256],
      [37, 51],
      [1, 7],
      [7, 1],
      [5, 6],
      [6, 5],
    ] as [number, number][]) {
      const w = randomMatrix(rows, columns, rows + 1000 * columns);
      const spectrum = weightSpectrum(w);
      const reference = absolute(fftshift(fft2(w)));
      const scale = Math.sqrt(rows * columns) * 10;
      expect(maxAbsDifference(spectrum.magnitude, reference), `${rows}x${columns}`).toBeLessThanOrEqual(1e-13 * scale);
      expect(spectrum.rowFrequencies).toEqual(centredFrequencies(rows));
      expect(spectrum.columnFrequencies).toEqual(centredFrequencies(columns));
      expect(spectrum.symmetrised).toBe(false);
    }
  });

  it('conserves energy: sum |S|^2 = rows * columns * ||W||_F^2 (Parseval)', () => {
    const w = randomMatrix(80, 256, 3);
    const magnitude = weightSpectrum(w).magnitude;
    let energy = 0;
    for (let i = 0; i < 80; i++) for (let j = 0; j < 256; j++) energy += magnitude.get(i, j) ** 2;
    const frobenius = w.norm('frobenius') ** 2;
    expect(Math.abs(energy - 80 * 256 * frobenius)).toBeLessThanOrEqual(1e-12 * energy);
  });

  it('symmetrises exactly as MATLAB |A| + |circshift(fliplr(A), 1, 2)|, for even and odd widths', () => {
    for (const [rows, columns] of [
      [5, 8],
      [4, 7],
      [3, 1],
      [80, 256],
    ] as [number, number][]) {
      const w = randomMatrix(rows, columns, 17 * rows + columns);
      const a = absolute(fftshift(fft2(w)));
      const expected = a.clone().add(circshiftColumnsByOne(fliplr(a)));
      expect(maxAbsDifference(symmetriseSpectrum(a), expected)).toBe(0);
      const spectrum = weightSpectrum(w, { symmetrise: true });
      expect(spectrum.symmetrised).toBe(true);
      expect(maxAbsDifference(spectrum.magnitude, expected)).toBeLessThanOrEqual(1e-12 * rows * columns);
    }
  });

  it('for even widths the symmetrised spectrum is |A(k1, k2)| + |A(k1, -k2)|', () => {
    const w = randomMatrix(6, 10, 99);
    const a = weightSpectrum(w);
    const s = weightSpectrum(w, { symmetrise: true });
    const columnOf = (k: number): number => a.columnFrequencies.indexOf(((k + 5) % 10 + 10) % 10 - 5);
    for (let i = 0; i < 6; i++) {
      for (let j = 0; j < 10; j++) {
        const k = a.columnFrequencies[j]!;
        const mirrored = a.magnitude.get(i, columnOf(-k));
        expect(s.magnitude.get(i, j)).toBeCloseTo(a.magnitude.get(i, j) + mirrored, 12);
      }
    }
    // For odd widths the same formula pairs k with 1 - k instead (not a mirror).
    const odd = randomMatrix(4, 7, 5);
    const ao = weightSpectrum(odd);
    const so = weightSpectrum(odd, { symmetrise: true });
    const j = 5; // frequency 2, paired with column (7 - 5) = 2, frequency -1
    expect(ao.columnFrequencies[j]).toBe(2);
    expect(so.magnitude.get(1, j)).toBeCloseTo(ao.magnitude.get(1, j) + ao.magnitude.get(1, 2), 12);
    expect(ao.columnFrequencies[2]).toBe(-1);
  });

  it('rejects non-finite weights and leaves its input untouched', () => {
    const w = randomMatrix(3, 4, 1);
    const copy = w.clone();
    weightSpectrum(w, { symmetrise: true });
    expect(maxAbsDifference(w, copy)).toBe(0);
    w.set(2, 3, Number.POSITIVE_INFINITY);
    expect(() => weightSpectrum(w)).toThrow(NonFiniteInputError);
  });
});
