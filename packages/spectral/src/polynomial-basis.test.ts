import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { maxAbsDifference } from '../test/support.js';
import { DegenerateInputError, InvalidArgumentError } from './errors.js';
import {
  chebyshevBasis,
  chebyshevGaussNodes,
  gaussLegendre,
  legendreBasis,
  rescaleToUnitInterval,
  unitIntervalGrid,
} from './polynomial-basis.js';

function gramError(q: Matrix): number {
  return maxAbsDifference(q.transpose().mmul(q), Matrix.eye(q.columns));
}

describe('grids', () => {
  it('unitIntervalGrid is numpy.linspace(-1, 1, n)', () => {
    expect(Array.from(unitIntervalGrid(5))).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(Array.from(unitIntervalGrid(1))).toEqual([-1]);
    const g = unitIntervalGrid(256);
    expect(g[0]).toBe(-1);
    expect(g[255]).toBe(1);
    expect(g[1]! - g[0]!).toBeCloseTo(2 / 255, 15);
  });

  it('chebyshevGaussNodes are the roots of T_n, ascending', () => {
    for (const n of [1, 2, 5, 20]) {
      const x = chebyshevGaussNodes(n);
      for (let i = 0; i < n; i++) {
        expect(Math.cos(n * Math.acos(x[i]!))).toBeCloseTo(0, 13);
        if (i > 0) expect(x[i]!).toBeGreaterThan(x[i - 1]!);
      }
    }
  });

  it('gaussLegendre reproduces known rules and integrates degree 2n - 1 exactly', () => {
    const three = gaussLegendre(3);
    expect(three.nodes[0]).toBeCloseTo(-Math.sqrt(3 / 5), 15);
    expect(three.nodes[1]).toBe(0);
    expect(three.weights[0]).toBeCloseTo(5 / 9, 15);
    expect(three.weights[1]).toBeCloseTo(8 / 9, 15);
    for (const n of [1, 4, 17, 64]) {
      const { nodes, weights } = gaussLegendre(n);
      for (let degree = 0; degree <= 2 * n - 1; degree += n > 10 ? 7 : 1) {
        let integral = 0;
        for (let i = 0; i < n; i++) integral += weights[i]! * nodes[i]! ** degree;
        const exact = degree % 2 === 1 ? 0 : 2 / (degree + 1);
        expect(Math.abs(integral - exact), `n = ${n}, degree = ${degree}`).toBeLessThanOrEqual(1e-14);
      }
    }
  });
});

describe('chebyshevBasis and legendreBasis', () => {
  it('evaluate T_k(cos theta) = cos(k theta) and P_k by their closed forms', () => {
    const x = [-0.9, -0.3, 0, 0.4, 1];
    const t = chebyshevBasis(5, 6, { grid: x });
    const p = legendreBasis(5, 3, { grid: x });
    for (let i = 0; i < 5; i++) {
      const xi = x[i]!;
      for (let k = 0; k <= 6; k++) expect(t.get(i, k)).toBeCloseTo(Math.cos(k * Math.acos(xi)), 13);
      expect(p.get(i, 2)).toBeCloseTo((3 * xi * xi - 1) / 2, 14);
      expect(p.get(i, 3)).toBeCloseTo((5 * xi ** 3 - 3 * xi) / 2, 14);
    }
  });

  it('raw T_k are orthogonal at Chebyshev-Gauss points with equal weights (n, n/2 on the diagonal)', () => {
    const n = 64;
    const t = chebyshevBasis(n, n - 1, { grid: 'chebyshev-gauss' });
    const gram = t.transpose().mmul(t);
    const expected = Matrix.eye(n).mul(n / 2);
    expected.set(0, 0, n);
    expect(maxAbsDifference(gram, expected)).toBeLessThanOrEqual(1e-12 * n);
  });

  it('raw P_k are orthogonal at Gauss-Legendre nodes with their weights (2 / (2k + 1) on the diagonal)', () => {
    const n = 40;
    const { weights } = gaussLegendre(n);
    const p = legendreBasis(n, n - 1, { grid: 'legendre-gauss' });
    const weighted = p.clone();
    for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) weighted.set(i, k, weights[i]! * p.get(i, k));
    const gram = p.transpose().mmul(weighted);
    const expected = Matrix.diag(Array.from({ length: n }, (_, k) => 2 / (2 * k + 1)));
    expect(maxAbsDifference(gram, expected)).toBeLessThanOrEqual(1e-13);
  });

  it('raw T_k are not orthogonal on the equispaced grid, but the orthonormalised versions are to 1e-12', () => {
    const raw = chebyshevBasis(256, 19);
    const gram = raw.transpose().mmul(raw);
    expect(Math.abs(gram.get(0, 2))).toBeGreaterThan(1);
    for (const grid of ['equispaced', 'chebyshev-gauss', 'legendre-gauss'] as const) {
      for (const [n, degree] of [
        [256, 19],
        [256, 60],
        [80, 79],
        [1000, 30],
      ] as [number, number][]) {
        const t = chebyshevBasis(n, degree, { grid, orthonormalise: true });
        const p = legendreBasis(n, degree, { grid, orthonormalise: true });
        expect(gramError(t), `${grid} ${n} ${degree}`).toBeLessThanOrEqual(1e-12);
        expect(gramError(p), `${grid} ${n} ${degree}`).toBeLessThanOrEqual(1e-12);
      }
    }
  });

  it('orthonormalised columns span the raw polynomials in degree order, with positive leading coefficient', () => {
    const n = 50;
    const raw = chebyshevBasis(n, 8);
    const q = chebyshevBasis(n, 8, { orthonormalise: true });
    // R = Q^T raw is upper triangular with a positive diagonal, and Q R = raw.
    const r = q.transpose().mmul(raw);
    for (let i = 0; i < 9; i++) {
      expect(r.get(i, i)).toBeGreaterThan(0);
      for (let j = 0; j < i; j++) expect(Math.abs(r.get(i, j))).toBeLessThanOrEqual(1e-12);
    }
    expect(maxAbsDifference(q.mmul(r), raw)).toBeLessThanOrEqual(1e-12);
    // Chebyshev and Legendre orthonormalised on the same grid coincide (the discrete orthogonal polynomials).
    expect(maxAbsDifference(q, legendreBasis(n, 8, { orthonormalise: true }))).toBeLessThanOrEqual(1e-12);
  });

  it('rejects impossible requests', () => {
    expect(() => chebyshevBasis(5, 5, { orthonormalise: true })).toThrow(InvalidArgumentError);
    expect(() => chebyshevBasis(3, 2, { grid: [0, 0, 0], orthonormalise: true })).toThrow(DegenerateInputError);
    expect(() => chebyshevBasis(4, 2, { grid: [0, 1] })).toThrow(InvalidArgumentError);
    expect(() => chebyshevBasis(4, 2, { grid: 'uniform' as 'equispaced' })).toThrow(InvalidArgumentError);
    expect(() => legendreBasis(0, 2)).toThrow(InvalidArgumentError);
    expect(() => legendreBasis(4, -1)).toThrow(InvalidArgumentError);
  });
});

describe('rescaleToUnitInterval', () => {
  it('maps min to -1 and max to 1 affinely', () => {
    expect(Array.from(rescaleToUnitInterval([3, 5, 4, 7]))).toEqual([-1, 0, -0.5, 1]);
    const v = Array.from({ length: 30 }, (_, i) => Math.sin(i) * 7 - 2);
    const r = rescaleToUnitInterval(v);
    expect(Math.min(...r)).toBe(-1);
    expect(Math.max(...r)).toBe(1);
    const slope = (r[1]! - r[0]!) / (v[1]! - v[0]!);
    for (let i = 0; i < 30; i++) expect(r[i]! - r[0]!).toBeCloseTo(slope * (v[i]! - v[0]!), 13);
  });

  it('refuses a constant vector', () => {
    expect(() => rescaleToUnitInterval([2, 2, 2])).toThrow(DegenerateInputError);
  });
});
