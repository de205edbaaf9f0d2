import { Matrix } from 'ml-matrix';
import { createRng, fromFloat64Array, randomOrthogonal, toFloat64Array } from '../src/index.js';

export const EPS = 2 ** -52;

/** Naive triple-loop product, the reference for the blocked kernels. */
export function naiveMultiply(a: Matrix, b: Matrix): Matrix {
  const out = new Matrix(a.rows, b.columns);
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < b.columns; j++) {
      let s = 0;
      for (let k = 0; k < a.columns; k++) s += a.get(i, k) * b.get(k, j);
      out.set(i, j, s);
    }
  }
  return out;
}

export function frobenius(a: Matrix): number {
  const d = toFloat64Array(a);
  let s = 0;
  for (const x of d) s += x * x;
  return Math.sqrt(s);
}

export function randomMatrix(rows: number, columns: number, seed: number): Matrix {
  return fromFloat64Array(createRng(seed).normalArray(rows * columns), rows, columns);
}

/** Q diag(values) Q^T with a seeded Haar Q. */
export function withSpectrum(values: readonly number[], seed: number): Matrix {
  const d = values.length;
  const q = randomOrthogonal(d, createRng(seed));
  const qd = q.clone();
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) qd.set(i, j, q.get(i, j) * values[j]!);
  const a = naiveMultiply(qd, q.transpose());
  // Exact symmetry (the product is symmetric only up to rounding).
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) a.set(j, i, a.get(i, j));
  return a;
}

export function randomSymmetric(d: number, seed: number): Matrix {
  const g = randomMatrix(d, d, seed);
  const a = new Matrix(d, d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) a.set(i, j, g.get(i, j) + g.get(j, i));
  return a;
}

/** ||V^T V - I||_F computed naively (independent of the library's syrk). */
export function naiveOrthogonalityError(v: Matrix): number {
  const g = naiveMultiply(v.transpose(), v);
  for (let i = 0; i < g.rows; i++) g.set(i, i, g.get(i, i) - 1);
  return frobenius(g);
}
