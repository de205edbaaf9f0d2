import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { directDft, maxAbs, maxAbsDifference, randomMatrix } from '../test/support.js';
import { DimensionMismatchError, NonFiniteInputError } from './errors.js';
import { fft2, ifft2 } from './fft2.js';


/** Separable direct 2-D DFT: rows, then columns. */
function directDft2(re: Matrix, im: Matrix): { re: Matrix; im: Matrix } {
  const rows = re.rows;
  const columns = re.columns;
  const stage = { re: new Matrix(rows, columns), im: new Matrix(rows, columns) };
  for (let i = 0; i < rows; i++) {
    const d = directDft(re.getRow(i), im.getRow(i), -1);
    stage.re.setRow(i, Array.from(d.re));
    stage.im.setRow(i, Array.from(d.im));
  }
  const out = { re: new Matrix(rows, columns), im: new Matrix(rows, columns) };
  for (let j = 0; j < columns; j++) {
    const d = directDft(stage.re.getColumn(j), stage.im.getColumn(j), -1);
    out.re.setColumn(j, Array.from(d.re));
    out.im.setColumn(j, Array.from(d.im));
  }
  return out;
}

const SHAPES: [number, number][] = [
  [1, 1],
  [1, 7],
  [7, 1],
  [2, 3],
  [5, 8],
  [8, 5],
  [9, 9],
  [16, 12],
  [13, 31],
];

describe('fft2', () => {
  it('matches the separable direct DFT for real and complex input (odd, even, degenerate shapes)', () => {
    for (const [rows, columns] of SHAPES) {
      const re = randomMatrix(rows, columns, rows * 100 + columns);
      const im = randomMatrix(rows, columns, rows * 100 + columns + 1);
      for (const complex of [false, true]) {
        const ours = complex ? fft2({ re, im }) : fft2(re);
        const direct = directDft2(re, complex ? im : Matrix.zeros(rows, columns));
        const scale = Math.max(maxAbs(direct.re), maxAbs(direct.im));
        const error = Math.max(maxAbsDifference(ours.re, direct.re), maxAbsDifference(ours.im, direct.im));
        expect(error, `${rows}x${columns} ${complex ? 'complex' : 'real'}`).toBeLessThanOrEqual(1e-13 * scale);
      }
    }
  });

  it('real input gives a Hermitian spectrum Y[-p, -q] = conj Y[p, q]', () => {
    const y = fft2(randomMatrix(11, 14, 5));
    for (let p = 0; p < 11; p++) {
      for (let q = 0; q < 14; q++) {
        const mp = (11 - p) % 11;
        const mq = (14 - q) % 14;
        expect(y.re.get(mp, mq)).toBeCloseTo(y.re.get(p, q), 12);
        expect(y.im.get(mp, mq)).toBeCloseTo(-y.im.get(p, q), 12);
      }
    }
  });

  it('ifft2(fft2(a)) round-trips to 1e-13 (real and complex, up to 256 x 256 and 1000-long rows)', () => {
    for (const [rows, columns] of [...SHAPES, [80, 256], [37, 51], [256, 256], [3, 1000]] as [number, number][]) {
      const re = randomMatrix(rows, columns, 7 + rows + columns);
      const im = randomMatrix(rows, columns, 9 + rows + columns);
      const backReal = ifft2(fft2(re));
      const scale = maxAbs(re);
      expect(maxAbsDifference(backReal.re, re), `${rows}x${columns}`).toBeLessThanOrEqual(1e-13 * scale);
      expect(maxAbs(backReal.im)).toBeLessThanOrEqual(1e-13 * scale);
      const backComplex = ifft2(fft2({ re, im }));
      const complexScale = Math.max(scale, maxAbs(im));
      expect(maxAbsDifference(backComplex.re, re)).toBeLessThanOrEqual(1e-13 * complexScale);
      expect(maxAbsDifference(backComplex.im, im)).toBeLessThanOrEqual(1e-13 * complexScale);
    }
  });

  it('ifft2 of a real matrix equals the conjugate of fft2 divided by the size, index-reversed', () => {
    const a = randomMatrix(6, 10, 11);
    const inverse = ifft2(a);
    const forward = fft2(a);
    for (let p = 0; p < 6; p++) {
      for (let q = 0; q < 10; q++) {
        expect(inverse.re.get(p, q)).toBeCloseTo(forward.re.get(p, q) / 60, 13);
        expect(inverse.im.get(p, q)).toBeCloseTo(-forward.im.get(p, q) / 60, 13);
      }
    }
  });

  it('validates shapes and values and does not mutate its input', () => {
    expect(() => fft2(new Matrix(0, 3))).toThrow(DimensionMismatchError);
    expect(() => fft2({ re: new Matrix(2, 3), im: new Matrix(3, 2) })).toThrow(DimensionMismatchError);
    const bad = Matrix.ones(2, 2);
    bad.set(1, 0, Number.NaN);
    expect(() => fft2(bad)).toThrow(NonFiniteInputError);
    const a = randomMatrix(4, 4, 1);
    const copy = a.clone();
    fft2(a);
    ifft2(a);
    expect(maxAbsDifference(a, copy)).toBe(0);
  });
});
