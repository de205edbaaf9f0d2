import { fromFloat64Array, multiply, multiplyTransposeA, multiplyTransposeB, type Rng, symmetricEigen, toFloat64Array } from '@descramble/linalg';
import type { MatrixData } from './experiment.js';
import { Matrix } from 'ml-matrix';

/** rows x columns matrix of independent N(0, scale^2) entries. */
export function gaussianMatrix(rows: number, columns: number, rng: Rng, scale = 1): Matrix {
  const m = new Matrix(rows, columns);
  for (let i = 0; i < rows; i++) for (let j = 0; j < columns; j++) m.set(i, j, scale * rng.normal());
  return m;
}

/** A matrix from a row-major flat array. */
export function matrixFromRowMajor(data: ArrayLike<number>, rows: number, columns: number): Matrix {
  return fromFloat64Array(data, rows, columns);
}

/** Row-major flat copy of a matrix. */
export function toRowMajor(m: Matrix): Float64Array {
  return toFloat64Array(m);
}

/** A row-major copy of a matrix as experiments' data hold it. */
export function toGrid(m: Matrix): MatrixData {
  return { rows: m.rows, columns: m.columns, data: toRowMajor(m) };
}

/** f(S) for a symmetric S: V f(lambda) V^T. */
export function symmetricFunction(s: Matrix, f: (lambda: number) => number): Matrix {
  const { values, vectors } = symmetricEigen(s);
  const scaled = vectors.clone();
  for (let j = 0; j < values.length; j++) {
    const factor = f(values[j] as number);
    for (let i = 0; i < scaled.rows; i++) scaled.set(i, j, scaled.get(i, j) * factor);
  }
  return multiplyTransposeB(scaled, vectors);
}

/** The first k columns of m. */
export function leadingColumns(m: Matrix, k: number): Matrix {
  return m.subMatrix(0, m.rows - 1, 0, k - 1);
}

/** ||a - b||_F / ||b||_F. */
export function relativeDifference(a: Matrix, b: Matrix): number {
  return a.clone().sub(b).norm('frobenius') / b.norm('frobenius');
}

/** X^T X / N for X with one sample per row. */
export function secondMomentOfRows(x: Matrix): Matrix {
  return multiplyTransposeA(x, x).mul(1 / x.rows);
}

export { multiply, multiplyTransposeA, multiplyTransposeB };
