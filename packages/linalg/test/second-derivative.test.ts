import { describe, expect, it } from 'vitest';
import {
  DimensionMismatchError,
  InvalidArgumentError,
  isSymmetric,
  multiply,
  multiplyTransposeA,
  orthogonalityError,
  realFourierBasis,
  type SecondDerivativeKind,
  secondDerivative,
  symmetricEigenvalues,
} from '../src/index.js';
import { EPS } from './helpers.js';

/** Frequencies of the columns of realFourierBasis(d): 0, 1, 1, 2, 2, ..., (d/2 for even d). */
function frequencies(d: number): number[] {
  const out = [0];
  for (let k = 1; 2 * k < d; k++) out.push(k, k);
  if (d % 2 === 0) out.push(d / 2);
  return out;
}

describe('realFourierBasis', () => {
  it('has orthonormal columns ordered constant, cos/sin pairs, Nyquist', () => {
    for (const d of [1, 2, 3, 8, 9, 64, 81]) {
      const f = realFourierBasis(d);
      expect(orthogonalityError(f)).toBeLessThanOrEqual(10 * d * EPS);
      expect(f.get(0, 0)).toBeCloseTo(1 / Math.sqrt(d), 15);
      if (d >= 3) {
        // Column 1 is sqrt(2/d) cos(x_j), column 2 is sqrt(2/d) sin(x_j), x_j = 2 pi j / d.
        const j = 1;
        const x = (2 * Math.PI * j) / d;
        expect(Math.abs(f.get(j, 1) - Math.sqrt(2 / d) * Math.cos(x))).toBeLessThanOrEqual(4 * EPS);
        expect(Math.abs(f.get(j, 2) - Math.sqrt(2 / d) * Math.sin(x))).toBeLessThanOrEqual(4 * EPS);
      }
      if (d % 2 === 0) expect(f.get(1, d - 1)).toBeCloseTo(-1 / Math.sqrt(d), 15);
    }
  });
});

describe('secondDerivative', () => {
  it("'fourier' has eigenvalue -k^2 on the Fourier modes of frequency k (odd and even d)", () => {
    for (const d of [1, 2, 3, 4, 7, 16, 33, 80]) {
      const f = realFourierBasis(d);
      const d2 = secondDerivative(d, 'fourier');
      // F^T D2 F must be diag(-k^2): check the full matrix, so off-diagonal leakage fails too.
      const spectral = multiplyTransposeA(f, multiply(d2, f));
      const ks = frequencies(d);
      const scale = (d / 2) ** 2 + 1;
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < d; j++) {
          const want = i === j ? -(ks[i]! ** 2) : 0;
          expect(Math.abs(spectral.get(i, j) - want)).toBeLessThanOrEqual(20 * d * EPS * scale);
        }
      }
    }
  });

  it("'fourier' differentiates band-limited functions exactly", () => {
    const d = 12;
    const d2 = secondDerivative(d, 'fourier');
    // u = sin(3x) + cos(2x), u'' = -9 sin(3x) - 4 cos(2x).
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) {
        const x = (2 * Math.PI * j) / d;
        s += d2.get(i, j) * (Math.sin(3 * x) + Math.cos(2 * x));
      }
      const x = (2 * Math.PI * i) / d;
      expect(Math.abs(s - (-9 * Math.sin(3 * x) - 4 * Math.cos(2 * x)))).toBeLessThanOrEqual(1e-12);
    }
  });

  it("'periodic' and 'dirichlet' have the closed-form spectra", () => {
    for (const d of [1, 2, 3, 10, 31]) {
      const periodic = symmetricEigenvalues(secondDerivative(d, 'periodic'));
      const expectedP = Array.from({ length: d }, (_, k) => -4 * Math.sin((Math.PI * k) / d) ** 2).sort((a, b) => a - b);
      const dirichlet = symmetricEigenvalues(secondDerivative(d, 'dirichlet'));
      const expectedD = Array.from({ length: d }, (_, k) => -4 * Math.sin((Math.PI * (k + 1)) / (2 * (d + 1))) ** 2).sort(
        (a, b) => a - b,
      );
      for (let i = 0; i < d; i++) {
        expect(Math.abs(periodic[i]! - expectedP[i]!)).toBeLessThanOrEqual(100 * d * EPS * 4);
        expect(Math.abs(dirichlet[i]! - expectedD[i]!)).toBeLessThanOrEqual(100 * d * EPS * 4);
      }
    }
    const p = secondDerivative(5, 'periodic');
    expect([p.get(0, 0), p.get(0, 1), p.get(0, 4), p.get(0, 2)]).toEqual([-2, 1, 1, 0]);
    const q = secondDerivative(5, 'dirichlet');
    expect([q.get(0, 0), q.get(0, 1), q.get(0, 4), q.get(4, 3)]).toEqual([-2, 1, 0, 1]);
  });

  it('builds symmetric matrices and rejects bad arguments', () => {
    for (const kind of ['fourier', 'periodic', 'dirichlet'] as const) {
      expect(isSymmetric(secondDerivative(9, kind), 0)).toBe(true);
    }
    expect(() => secondDerivative(0, 'fourier')).toThrow(DimensionMismatchError);
    expect(() => secondDerivative(2.5, 'fourier')).toThrow(DimensionMismatchError);
    expect(() => secondDerivative(4, 'spline' as SecondDerivativeKind)).toThrow(InvalidArgumentError);
    expect(() => realFourierBasis(-1)).toThrow(DimensionMismatchError);
  });
});
