import { type AbstractMatrix, Matrix } from 'ml-matrix';
import { DimensionMismatchError, NonFiniteInputError } from './errors.js';

interface DenseRows {
  data: Float64Array[];
}

function denseRows(a: AbstractMatrix): Float64Array[] | undefined {
  if (a instanceof Matrix) {
    const rows = (a as unknown as DenseRows).data;
    if (Array.isArray(rows) && rows.length === a.rows && (a.rows === 0 || rows[0] instanceof Float64Array)) {
      return rows;
    }
  }
  return undefined;
}

/**
 * Copies a matrix into a new row-major `Float64Array` (entry (i, j) at `i * columns + j`).
 * Never shares memory with the input.
 */
export function toFloat64Array(a: AbstractMatrix): Float64Array {
  const rows = a.rows;
  const columns = a.columns;
  const out = new Float64Array(rows * columns);
  const dense = denseRows(a);
  if (dense !== undefined) {
    for (let i = 0; i < rows; i++) out.set(dense[i]!.subarray(0, columns), i * columns);
    return out;
  }
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < columns; j++) out[i * columns + j] = a.get(i, j);
  }
  return out;
}

/** Builds a `Matrix` from row-major data (copied). `data.length` must equal `rows * columns`. */
export function fromFloat64Array(data: Float64Array | ArrayLike<number>, rows: number, columns: number): Matrix {
  checkSize('fromFloat64Array', 'rows', rows);
  checkSize('fromFloat64Array', 'columns', columns);
  if (data.length !== rows * columns) {
    throw new DimensionMismatchError({ operation: 'fromFloat64Array', what: 'data length', expected: `${rows} * ${columns} = ${rows * columns}`, actual: data.length, scope: 'linalg' });
  }
  return wrapRowMajor(data instanceof Float64Array ? data : Float64Array.from(data), rows, columns, true);
}

/** @internal Builds a Matrix from row-major data; copies rows when `copy`, else views them. */
export function wrapRowMajor(data: Float64Array, rows: number, columns: number, copy = false): Matrix {
  const m = new Matrix(rows, columns);
  const dense = (m as unknown as DenseRows).data;
  for (let i = 0; i < rows; i++) {
    const row = data.subarray(i * columns, (i + 1) * columns);
    if (copy) dense[i]!.set(row);
    else dense[i] = row;
  }
  return m;
}

/** @internal Throws unless `n` is a non-negative integer. */
export function checkSize(operation: string, what: string, n: number): void {
  if (!Number.isInteger(n) || n < 0) {
    throw new DimensionMismatchError({ operation, what, expected: 'a non-negative integer', actual: n, scope: 'linalg' });
  }
}

/** @internal Throws unless `n` is a positive integer. */
export function checkPositiveSize(operation: string, what: string, n: number): void {
  if (!Number.isInteger(n) || n < 1) {
    throw new DimensionMismatchError({ operation, what, expected: 'a positive integer', actual: n, scope: 'linalg' });
  }
}

/** @internal Throws `NonFiniteInputError` at the first NaN/Inf of a row-major array. */
export function checkFinite(operation: string, name: string, data: Float64Array, columns: number): void {
  for (let k = 0; k < data.length; k++) {
    const x = data[k]!;
    if (x - x !== 0) {
      const i = columns > 0 ? Math.floor(k / columns) : 0;
      const j = columns > 0 ? k - i * columns : k;
      throw new NonFiniteInputError({ operation, location: `${name}[${i}, ${j}]`, value: x, scope: 'linalg' });
    }
  }
}

/** @internal Copies a matrix to row-major data, rejecting empty shapes and non-finite entries. */
export function readMatrix(operation: string, name: string, a: AbstractMatrix, allowEmpty = false): Float64Array {
  if (!allowEmpty && (a.rows === 0 || a.columns === 0)) {
    throw new DimensionMismatchError({ operation, what: `${name} shape`, expected: 'non-empty matrix', actual: `${a.rows} x ${a.columns}`, scope: 'linalg' });
  }
  const data = toFloat64Array(a);
  checkFinite(operation, name, data, a.columns);
  return data;
}

/** @internal Like `readMatrix` and also requires a square matrix. */
export function readSquare(operation: string, name: string, a: AbstractMatrix): Float64Array {
  if (a.rows !== a.columns) {
    throw new DimensionMismatchError({ operation, what: `${name} shape`, expected: 'square matrix', actual: `${a.rows} x ${a.columns}`, scope: 'linalg' });
  }
  return readMatrix(operation, name, a);
}
