import { Matrix } from 'ml-matrix';
import { afterEach, describe, expect, it } from 'vitest';
import {
  GramAccumulator,
  kernelBackend,
  multiply,
  multiplyTransposeB,
  orthogonalityError,
  setKernelBackend,
  svd,
  symmetricEigen,
  toFloat64Array,
} from '../src/index.js';
import { EPS, frobenius, naiveMultiply, randomMatrix, randomSymmetric } from './helpers.js';

afterEach(() => setKernelBackend('wasm'));

/** Runs the same computation on both backends. */
function both<T>(run: () => T): { wasm: T; js: T } {
  setKernelBackend('wasm');
  const wasm = run();
  setKernelBackend('js');
  const js = run();
  setKernelBackend('wasm');
  return { wasm, js };
}

describe('kernel backends (WebAssembly SIMD and the pure-JS fallback)', () => {
  it('uses wasm where supported (Node 20 has SIMD) and can be switched to JS', () => {
    expect(kernelBackend()).toBe('wasm');
    setKernelBackend('js');
    expect(kernelBackend()).toBe('js');
  });

  it('products agree between backends within the dot-product error bound', () => {
    const a = randomMatrix(70, 300, 1);
    const b = randomMatrix(300, 90, 2);
    const { wasm, js } = both(() => toFloat64Array(multiply(a, b)));
    const absProduct = toFloat64Array(naiveMultiply(a.clone().abs(), b.clone().abs()));
    for (let i = 0; i < wasm.length; i++) {
      expect(Math.abs(wasm[i]! - js[i]!)).toBeLessThanOrEqual(8 * 300 * EPS * absProduct[i]!);
    }
    const { wasm: w2, js: j2 } = both(() => toFloat64Array(multiplyTransposeB(a, a)));
    for (let i = 0; i < w2.length; i++) expect(Math.abs(w2[i]! - j2[i]!)).toBeLessThanOrEqual(1e-11 * 300);
  });

  it('symmetricEigen and svd meet the accuracy bounds on both backends', () => {
    const a = randomSymmetric(150, 3);
    const g = randomMatrix(140, 100, 4);
    for (const backend of ['wasm', 'js'] as const) {
      setKernelBackend(backend);
      const { values, vectors } = symmetricEigen(a);
      const av = naiveMultiply(a, vectors);
      for (let i = 0; i < 150; i++) for (let j = 0; j < 150; j++) av.set(i, j, av.get(i, j) - vectors.get(i, j) * values[j]!);
      expect(frobenius(av)).toBeLessThanOrEqual(100 * 150 * EPS * frobenius(a));
      expect(orthogonalityError(vectors)).toBeLessThanOrEqual(100 * 150 * EPS);
      const { u, s, v } = svd(g);
      const us = u.clone();
      for (let i = 0; i < 140; i++) for (let j = 0; j < 100; j++) us.set(i, j, u.get(i, j) * s[j]!);
      expect(frobenius(Matrix.sub(g, naiveMultiply(us, v.transpose())))).toBeLessThanOrEqual(100 * 140 * EPS * frobenius(g));
      expect(orthogonalityError(u)).toBeLessThanOrEqual(100 * 140 * EPS);
      expect(orthogonalityError(v)).toBeLessThanOrEqual(100 * 140 * EPS);
    }
  });

  it('Gram accumulation agrees between backends', () => {
    const data = toFloat64Array(randomMatrix(40, 5000, 5));
    const { wasm, js } = both(() => toFloat64Array(new GramAccumulator(40).addColumnsFlat(data, 5000).gram()));
    for (let i = 0; i < wasm.length; i++) expect(Math.abs(wasm[i]! - js[i]!)).toBeLessThanOrEqual(1e-10 * 5000);
  });
});
