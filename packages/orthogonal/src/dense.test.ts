import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  expmSkew,
  invert,
  invertPositiveReal,
  jacobiEigen,
  multiply,
  orthogonalityDrift,
  polarFactor,
  qrDecomposition,
  setIdentity,
  skewPart,
} from './dense.js';

const eps = Number.EPSILON;

function randomArray(n: number, seed: number): Float64Array {
  let s = seed >>> 0;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 4294967296 - 0.5;
  }
  return out;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}

describe('dense kernels', () => {
  it('invertPositiveReal inverts I + skew (block Schur recursion, n > base case)', () => {
    for (const n of [7, 33, 70]) {
      const s = skewPart(randomArray(n, n), new Float64Array(n * n), n);
      for (let i = 0; i < n * n; i++) s[i]! *= 4;
      for (let i = 0; i < n; i++) s[i * n + i]! += 1;
      const inv = invertPositiveReal(s, new Float64Array(n * n), n);
      const product = multiply(s, inv, new Float64Array(n * n), n);
      for (let i = 0; i < n; i++) product[i * n + i]! -= 1;
      // ||M|| <= 1 + 2n here; residual ~ n eps ||M|| ||M^{-1}|| with ||M^{-1}|| <= 1
      expect(maxAbs(product)).toBeLessThan(100 * n * n * eps);
    }
  });

  it('invert (pivoted) agrees with invertPositiveReal', () => {
    const n = 40;
    const m = skewPart(randomArray(n, 3), new Float64Array(n * n), n);
    for (let i = 0; i < n; i++) m[i * n + i]! += 1;
    const a = invert(m, new Float64Array(n * n), n, new Float64Array(n * n));
    const b = invertPositiveReal(m, new Float64Array(n * n), n);
    for (let i = 0; i < n * n; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e3 * eps);
  });

  it('QR: Q orthogonal, Q R = M, R upper triangular with positive diagonal', () => {
    const n = 12;
    const m = randomArray(n, 5);
    const q = new Float64Array(n * n);
    const r = new Float64Array(n * n);
    qrDecomposition(m, q, n, new Float64Array(n * n), r);
    expect(orthogonalityDrift(q, n)).toBeLessThan(50 * n * eps);
    const qr = multiply(q, r, new Float64Array(n * n), n);
    for (let i = 0; i < n * n; i++) expect(Math.abs(qr[i]! - m[i]!)).toBeLessThan(50 * n * eps);
    for (let i = 0; i < n; i++) {
      expect(r[i * n + i]!).toBeGreaterThan(0);
      for (let j = 0; j < i; j++) expect(r[i * n + j]).toBe(0);
    }
  });

  it('expmSkew matches the 2 x 2 rotation closed form, also for large angles', () => {
    fc.assert(
      fc.property(fc.double({ min: -40, max: 40, noNaN: true }), (theta) => {
        const s = Float64Array.from([0, -theta, theta, 0]);
        const out = new Float64Array(4);
        expmSkew(s, out, 2, new Float64Array(4), new Float64Array(4), new Float64Array(4));
        const tol = 1e-13 * Math.max(1, Math.abs(theta));
        return (
          Math.abs(out[0]! - Math.cos(theta)) < tol &&
          Math.abs(out[1]! + Math.sin(theta)) < tol &&
          Math.abs(out[2]! - Math.sin(theta)) < tol &&
          Math.abs(out[3]! - Math.cos(theta)) < tol
        );
      }),
    );
  });

  it('polarFactor of I + Omega (2 x 2) is the rotation by atan(omega)', () => {
    const w = 0.7;
    const m = Float64Array.from([1, -w, w, 1]);
    const out = new Float64Array(4);
    polarFactor(m, out, 2, new Float64Array(4), new Float64Array(4), new Float64Array(4));
    const theta = Math.atan(w);
    expect(Math.abs(out[0]! - Math.cos(theta))).toBeLessThan(1e-15);
    expect(Math.abs(out[2]! - Math.sin(theta))).toBeLessThan(1e-15);
  });

  it('jacobiEigen: A V = V Lambda, ascending', () => {
    const n = 9;
    const r = randomArray(n, 11);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = r[i * n + j]! + r[j * n + i]!;
    const { values, vectors } = jacobiEigen(a, n);
    for (let i = 1; i < n; i++) expect(values[i]!).toBeGreaterThanOrEqual(values[i - 1]!);
    const av = multiply(a, vectors, new Float64Array(n * n), n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) expect(Math.abs(av[i * n + j]! - values[j]! * vectors[i * n + j]!)).toBeLessThan(1e-13);
    }
    expect(orthogonalityDrift(vectors, n)).toBeLessThan(1e-13);
  });

  it('orthogonalityDrift is 0 for I and sqrt(n) |c^2 - 1| for c I', () => {
    const n = 5;
    const id = setIdentity(new Float64Array(n * n), n);
    expect(orthogonalityDrift(id, n)).toBe(0);
    for (let i = 0; i < n; i++) id[i * n + i] = 1.1;
    expect(orthogonalityDrift(id, n)).toBeCloseTo(Math.sqrt(n) * 0.21, 14);
  });
});
