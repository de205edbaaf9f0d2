import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { maxAbsDifference, randomMatrix } from '../test/support.js';
import type { ComplexMatrix } from './complex.js';
import { centredDftMatrix, dftMatrix, recentredDftMatrix } from './dft-matrix.js';
import { fft } from './fft.js';
import { fft2 } from './fft2.js';
import { fftshift } from './shift.js';

/** (A + iB)(C + iD) for complex matrices. */
function complexMultiply(x: ComplexMatrix, y: ComplexMatrix): ComplexMatrix {
  return {
    re: x.re.mmul(y.re).sub(x.im.mmul(y.im)),
    im: x.re.mmul(y.im).add(x.im.mmul(y.re)),
  };
}

function conjugateTranspose(x: ComplexMatrix): ComplexMatrix {
  return { re: x.re.transpose(), im: x.im.transpose().mul(-1) };
}

function unitarityError(x: ComplexMatrix): number {
  const product = complexMultiply(conjugateTranspose(x), x);
  return Math.max(maxAbsDifference(product.re, Matrix.eye(x.re.rows)), maxAbsDifference(product.im, Matrix.zeros(x.re.rows, x.re.rows)));
}


describe('DFT matrices', () => {
  it('dftMatrix(n) x = fft(x) (unnormalised) and is unitary once scaled', () => {
    for (const n of [1, 2, 5, 8, 13]) {
      const f = dftMatrix(n, { unitary: false });
      const x = Float64Array.from({ length: n }, (_, k) => Math.cos(3 * k) + k / n);
      const y = fft(x);
      const column = Matrix.columnVector(Array.from(x));
      expect(maxAbsDifference(f.re.mmul(column), Matrix.columnVector(Array.from(y.re)))).toBeLessThanOrEqual(1e-12);
      expect(maxAbsDifference(f.im.mmul(column), Matrix.columnVector(Array.from(y.im)))).toBeLessThanOrEqual(1e-12);
      expect(unitarityError(dftMatrix(n))).toBeLessThanOrEqual(1e-13);
    }
  });

  it('centredDftMatrix(n) x = fftshift(fft(x)) / sqrt(n) for odd and even n, and is unitary', () => {
    for (const n of [1, 2, 3, 4, 7, 10, 80]) {
      const c = centredDftMatrix(n);
      expect(unitarityError(c), `n = ${n}`).toBeLessThanOrEqual(1e-13);
      const x = Float64Array.from({ length: n }, (_, k) => Math.sin(1.3 * k * k) + 0.2);
      const y = fftshift(fft(x));
      const column = Matrix.columnVector(Array.from(x));
      const scale = 1 / Math.sqrt(n);
      expect(maxAbsDifference(c.re.mmul(column), Matrix.columnVector(Array.from(y.re, (v) => v * scale)))).toBeLessThanOrEqual(1e-13 * n);
      expect(maxAbsDifference(c.im.mmul(column), Matrix.columnVector(Array.from(y.im, (v) => v * scale)))).toBeLessThanOrEqual(1e-13 * n);
    }
  });

  it('centred 2-D DFT of a weight matrix: C_rows W C_columns^T = fftshift(fft2(W)) / sqrt(rows columns)', () => {
    const w = randomMatrix(6, 9, 4);
    const cr = centredDftMatrix(6);
    const cc = centredDftMatrix(9);
    const left = complexMultiply(cr, { re: w, im: Matrix.zeros(6, 9) });
    const both = complexMultiply(left, { re: cc.re.transpose(), im: cc.im.transpose() });
    const reference = fftshift(fft2(w));
    const scale = 1 / Math.sqrt(54);
    expect(maxAbsDifference(both.re, reference.re.clone().mul(scale))).toBeLessThanOrEqual(1e-13);
    expect(maxAbsDifference(both.im, reference.im.clone().mul(scale))).toBeLessThanOrEqual(1e-13);
  });

  it("recentredDftMatrix is the 2021 code's diag(exp(i pi k)) dftmtx(n) / sqrt(n); for even n its transpose is the centred DFT", () => {
    for (const n of [2, 4, 8, 10]) {
      const m = recentredDftMatrix(n);
      const c = centredDftMatrix(n);
      expect(maxAbsDifference(m.re.transpose(), c.re)).toBeLessThanOrEqual(1e-14);
      expect(maxAbsDifference(m.im.transpose(), c.im)).toBeLessThanOrEqual(1e-14);
    }
    for (const n of [3, 5, 9]) {
      const m = recentredDftMatrix(n, { unitary: false });
      const f = dftMatrix(n, { unitary: false });
      for (let k = 0; k < n; k++) {
        for (let j = 0; j < n; j++) {
          expect(m.re.get(k, j)).toBeCloseTo((-1) ** k * f.re.get(k, j), 14);
          expect(m.im.get(k, j)).toBeCloseTo((-1) ** k * f.im.get(k, j), 14);
        }
      }
      expect(unitarityError(recentredDftMatrix(n))).toBeLessThanOrEqual(1e-13);
      // For odd n it is not a row reordering of the DFT matrix: its transpose differs from the centred one.
      expect(maxAbsDifference(recentredDftMatrix(n).re.transpose(), centredDftMatrix(n).re)).toBeGreaterThan(1e-3);
    }
  });

  it("the 2021 display abs(M_rows' W M_columns) is |fftshift(fft2 W)| with the hidden axis reversed circularly (even sizes)", () => {
    const rows = 6;
    const columns = 8;
    const w = randomMatrix(rows, columns, 21);
    const mr = recentredDftMatrix(rows, { unitary: false });
    const mc = recentredDftMatrix(columns, { unitary: false });
    const display = complexMultiply(complexMultiply(conjugateTranspose(mr), { re: w, im: Matrix.zeros(rows, columns) }), mc);
    const centred = fftshift(fft2(w));
    for (let j = 0; j < rows; j++) {
      for (let k = 0; k < columns; k++) {
        const r = (rows - j) % rows;
        const expected = Math.hypot(centred.re.get(r, k), centred.im.get(r, k));
        expect(Math.hypot(display.re.get(j, k), display.im.get(j, k))).toBeCloseTo(expected, 11);
      }
    }
  });
});
