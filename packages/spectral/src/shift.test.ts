import fc from 'fast-check';
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from './errors.js';
import { centredFrequencies, fftFrequencies, fftshift, ifftshift } from './shift.js';

describe('fftshift / ifftshift', () => {
  it('match numpy on odd and even lengths', () => {
    // numpy.fft.fftshift(np.arange(5)) = [3 4 0 1 2]; ifftshift = [2 3 4 0 1]
    expect(Array.from(fftshift([0, 1, 2, 3, 4]))).toEqual([3, 4, 0, 1, 2]);
    expect(Array.from(ifftshift([0, 1, 2, 3, 4]))).toEqual([2, 3, 4, 0, 1]);
    expect(Array.from(fftshift([0, 1, 2, 3, 4, 5]))).toEqual([3, 4, 5, 0, 1, 2]);
    expect(Array.from(ifftshift([0, 1, 2, 3, 4, 5]))).toEqual([3, 4, 5, 0, 1, 2]);
    expect(Array.from(fftshift([7]))).toEqual([7]);
    expect(Array.from(fftshift([]))).toEqual([]);
  });

  it('puts frequency 0 at index floor(n/2): fftshift(fftFrequencies(n)) = centredFrequencies(n)', () => {
    for (let n = 1; n <= 12; n++) {
      const shifted = Array.from(fftshift(fftFrequencies(n)));
      expect(shifted).toEqual(centredFrequencies(n));
      expect(shifted[Math.floor(n / 2)]).toBe(0);
    }
    // numpy.fft.fftfreq(5) * 5 = [0, 1, 2, -2, -1]; fftfreq(4) * 4 = [0, 1, -2, -1]
    expect(fftFrequencies(5)).toEqual([0, 1, 2, -2, -1]);
    expect(fftFrequencies(4)).toEqual([0, 1, -2, -1]);
  });

  it('ifftshift undoes fftshift for every length (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { maxLength: 40 }), (x) => {
        expect(Array.from(ifftshift(fftshift(x)))).toEqual(Array.from(Float64Array.from(x)));
      }),
    );
  });

  it('shifts matrices along both axes, or one axis, like numpy', () => {
    // numpy.fft.fftshift(np.arange(6).reshape(2, 3)) = [[5, 3, 4], [2, 0, 1]]
    const a = new Matrix([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    expect(fftshift(a).to2DArray()).toEqual([
      [5, 3, 4],
      [2, 0, 1],
    ]);
    expect(fftshift(a, 1).to2DArray()).toEqual([
      [2, 0, 1],
      [5, 3, 4],
    ]);
    expect(fftshift(a, 0).to2DArray()).toEqual([
      [3, 4, 5],
      [0, 1, 2],
    ]);
    expect(ifftshift(fftshift(a)).to2DArray()).toEqual(a.to2DArray());
    const complex = fftshift({ re: a, im: a.clone().mul(-1) });
    expect(complex.im.to2DArray()).toEqual([
      [-5, -3, -4],
      [-2, -0, -1],
    ]);
    const vector = fftshift({ re: Float64Array.of(0, 1, 2), im: Float64Array.of(3, 4, 5) });
    expect(Array.from(vector.re)).toEqual([2, 0, 1]);
    expect(Array.from(vector.im)).toEqual([5, 3, 4]);
    expect(() => fftshift(a, 2 as 0)).toThrow(InvalidArgumentError);
  });
});
