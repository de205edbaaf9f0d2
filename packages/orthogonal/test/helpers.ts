import { createRng, multiplyTransposeB, randomOrthogonal, symmetricEigen } from '@descramble/linalg';
import { Matrix } from 'ml-matrix';

export function gaussianMatrix(rows: number, columns: number, seed: number): Matrix {
  const rng = createRng(seed);
  const m = new Matrix(rows, columns);
  for (let i = 0; i < rows; i++) for (let j = 0; j < columns; j++) m.set(i, j, rng.normal());
  return m;
}

/** Random symmetric positive semi-definite X X^T / columns (X rows x columns Gaussian). */
export function randomGram(d: number, columns: number, seed: number): Matrix {
  const x = gaussianMatrix(d, columns, seed);
  const g = multiplyTransposeB(x, x).div(columns);
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) g.set(i, j, g.get(j, i));
  return g;
}

export function haar(d: number, seed: number): Matrix {
  return randomOrthogonal(d, createRng(seed));
}

/** Lemma 1 minimiser T U^T (A = T Omega T^T ascending, B = U Sigma^2 U^T descending). */
export function lemmaOneMinimiser(A: Matrix, B: Matrix): Matrix {
  const t = symmetricEigen(A).vectors;
  const u = symmetricEigen(B).vectors; // ascending; reverse the columns for descending
  const d = A.rows;
  const uDescending = new Matrix(d, d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) uDescending.set(i, j, u.get(i, d - 1 - j));
  return t.mmul(uDescending.transpose());
}

export function determinant(m: Matrix): number {
  const d = m.rows;
  const a = m.clone();
  let det = 1;
  for (let c = 0; c < d; c++) {
    let p = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(a.get(r, c)) > Math.abs(a.get(p, c))) p = r;
    if (a.get(p, c) === 0) return 0;
    if (p !== c) {
      a.swapRows(p, c);
      det = -det;
    }
    det *= a.get(c, c);
    for (let r = c + 1; r < d; r++) {
      const f = a.get(r, c) / a.get(c, c);
      for (let k = c; k < d; k++) a.set(r, k, a.get(r, k) - f * a.get(c, k));
    }
  }
  return det;
}

export function maxAbsDifference(a: Matrix, b: Matrix): number {
  let m = 0;
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.columns; j++) m = Math.max(m, Math.abs(a.get(i, j) - b.get(i, j)));
  return m;
}
