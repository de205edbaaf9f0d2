import fc from 'fast-check';
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import {
  DimensionMismatchError,
  fromFloat64Array,
  gemm,
  multiply,
  multiplyFlat,
  multiplyTransposeA,
  multiplyTransposeAFlat,
  multiplyTransposeB,
  multiplyTransposeBFlat,
  NonFiniteInputError,
  syrk,
  toFloat64Array,
} from '../src/index.js';
import { EPS, naiveMultiply, randomMatrix } from './helpers.js';

/** |C - C_ref| <= 4 k eps (|A| |B|)_ij elementwise: the standard dot-product error bound. */
function expectProductClose(actual: Matrix, a: Matrix, b: Matrix): void {
  const m = a.rows;
  const k = a.columns;
  const n = b.columns;
  expect([actual.rows, actual.columns]).toEqual([m, n]);
  const ad = toFloat64Array(a);
  const bd = toFloat64Array(b);
  const cd = toFloat64Array(actual);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let ref = 0;
      let abs = 0;
      for (let p = 0; p < k; p++) {
        const t = ad[i * k + p]! * bd[p * n + j]!;
        ref += t;
        abs += Math.abs(t);
      }
      const err = Math.abs(cd[i * n + j]! - ref);
      if (!(err <= 4 * k * EPS * abs)) expect.fail(`entry (${i}, ${j}): error ${err} > ${4 * k * EPS * abs}`);
    }
  }
}

describe('matrix products', () => {
  it('multiply, multiplyTransposeA, multiplyTransposeB match the triple loop on random shapes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 90 }),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 90 }),
        fc.integer(),
        (m, k, n, seed) => {
          const a = randomMatrix(m, k, seed);
          const b = randomMatrix(k, n, seed + 1);
          expectProductClose(multiply(a, b), a, b);
          expectProductClose(multiplyTransposeB(a, b.transpose()), a, b);
          expectProductClose(multiplyTransposeA(a.transpose(), b), a, b);
          const flat = fromFloat64Array(multiplyFlat(toFloat64Array(a), toFloat64Array(b), m, k, n), m, n);
          expectProductClose(flat, a, b);
          const flatB = multiplyTransposeBFlat(toFloat64Array(a), toFloat64Array(b.transpose()), m, k, n);
          expectProductClose(fromFloat64Array(flatB, m, n), a, b);
          const flatA = multiplyTransposeAFlat(toFloat64Array(a.transpose()), toFloat64Array(b), k, m, n);
          expectProductClose(fromFloat64Array(flatA, m, n), a, b);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('crosses every blocking boundary (MC = 64, KC = 256, NC = 1024)', () => {
    for (const [m, k, n] of [
      [130, 600, 70],
      [5, 3, 1100],
      [67, 257, 1029],
    ] as const) {
      const a = randomMatrix(m, k, m + k);
      const b = randomMatrix(k, n, k + n);
      expectProductClose(multiply(a, b), a, b);
      expectProductClose(multiplyTransposeA(a.transpose(), b), a, b);
      expectProductClose(multiplyTransposeB(a, b.transpose()), a, b);
    }
  });

  it('gemm honours offsets, strides, alpha and beta on sub-blocks', () => {
    // A is a 5 x 6 window of a 9 x 10 array, B a 6 x 4 window, C a 5 x 4 window.
    const bigA = randomMatrix(9, 10, 1);
    const bigB = randomMatrix(8, 7, 2);
    const bigC = randomMatrix(7, 6, 3);
    const a = bigA.subMatrix(2, 6, 3, 8);
    const b = bigB.subMatrix(1, 6, 2, 5);
    const cBefore = bigC.subMatrix(1, 5, 1, 4);
    const c = toFloat64Array(bigC);
    gemm(false, false, 5, 4, 6, 0.5, toFloat64Array(bigA), 2 * 10 + 3, 10, toFloat64Array(bigB), 1 * 7 + 2, 7, -2, c, 1 * 6 + 1, 6);
    const result = fromFloat64Array(c, 7, 6);
    const expected = Matrix.add(naiveMultiply(a, b).mul(0.5), cBefore.clone().mul(-2));
    for (let i = 0; i < 7; i++) {
      for (let j = 0; j < 6; j++) {
        const inside = i >= 1 && i <= 5 && j >= 1 && j <= 4;
        const want = inside ? expected.get(i - 1, j - 1) : bigC.get(i, j);
        expect(Math.abs(result.get(i, j) - want)).toBeLessThanOrEqual(64 * EPS * (1 + Math.abs(want)) * 10);
        if (!inside) expect(result.get(i, j)).toBe(bigC.get(i, j));
      }
    }
  });

  it('gemm with beta = 0 ignores NaN in C, and transposed operands agree', () => {
    const a = randomMatrix(3, 4, 4);
    const b = randomMatrix(4, 2, 5);
    const c = new Float64Array(6).fill(Number.NaN);
    const at = toFloat64Array(a.transpose());
    const bt = toFloat64Array(b.transpose());
    gemm(true, true, 3, 2, 4, 1, at, 0, 3, bt, 0, 4, 0, c, 0, 2);
    expectProductClose(fromFloat64Array(c, 3, 2), a, b);
  });

  it('syrk gives an exactly symmetric A A^T and A^T A', () => {
    for (const [n, k] of [
      [1, 1],
      [5, 300],
      [67, 9],
    ] as const) {
      const a = randomMatrix(n, k, n + k);
      const c = new Float64Array(n * n);
      syrk(false, n, k, 1, toFloat64Array(a), 0, k, 0, c, 0, n);
      const aat = fromFloat64Array(c, n, n);
      expectProductClose(aat, a, a.transpose());
      const c2 = new Float64Array(n * n);
      syrk(true, n, k, 1, toFloat64Array(a.transpose()), 0, n, 0, c2, 0, n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          expect(c[i * n + j]).toBe(c[j * n + i]);
          expect(c2[i * n + j]).toBe(c2[j * n + i]);
        }
      }
      expectProductClose(fromFloat64Array(c2, n, n), a, a.transpose());
    }
  });

  it('rejects mismatched shapes and non-finite entries', () => {
    expect(() => multiply(randomMatrix(2, 3, 1), randomMatrix(2, 3, 2))).toThrow(DimensionMismatchError);
    expect(() => multiplyTransposeA(randomMatrix(2, 3, 1), randomMatrix(3, 3, 2))).toThrow(DimensionMismatchError);
    expect(() => multiplyTransposeB(randomMatrix(2, 3, 1), randomMatrix(2, 2, 2))).toThrow(DimensionMismatchError);
    expect(() => multiplyFlat(new Float64Array(5), new Float64Array(6), 2, 3, 2)).toThrow(DimensionMismatchError);
    const bad = randomMatrix(2, 2, 3);
    bad.set(1, 0, Number.NaN);
    expect(() => multiply(bad, bad)).toThrow(NonFiniteInputError);
  });
});
