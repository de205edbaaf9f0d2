import { assertFiniteArray, assertLength, assertNonEmpty, assertSize, assertSquare } from '@descramble/core';
import { type AbstractMatrix, Matrix } from 'ml-matrix';
import { linalgScope } from './errors.js';

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
  const operation = 'fromFloat64Array';
  assertSize(rows, { ...linalgScope, operation, what: 'rows' });
  assertSize(columns, { ...linalgScope, operation, what: 'columns' });
  assertLength(data.length, rows * columns, { ...linalgScope, operation, what: 'data length', formula: `${rows} * ${columns}` });
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

/** @internal Copies a matrix to row-major data, rejecting empty shapes and non-finite entries. */
export function readMatrix(operation: string, name: string, a: AbstractMatrix, allowEmpty = false): Float64Array {
  if (!allowEmpty) assertNonEmpty(a, { ...linalgScope, operation, name });
  const data = toFloat64Array(a);
  // Checked on the copy: one pass over a flat array, not a.get per entry.
  assertFiniteArray(data, { ...linalgScope, operation, name, columns: a.columns });
  return data;
}

/** @internal Like `readMatrix` and also requires a square matrix. */
export function readSquare(operation: string, name: string, a: AbstractMatrix): Float64Array {
  assertSquare(a, { ...linalgScope, operation, name });
  return readMatrix(operation, name, a);
}
