import { Matrix } from 'ml-matrix';
import type { WireMatrix } from '../protocol.js';

/** A Matrix as a row-major wire matrix (a fresh buffer, safe to transfer). */
export function toWire(m: Matrix): WireMatrix {
  const rows = m.rows;
  const columns = m.columns;
  const data = new Float64Array(rows * columns);
  for (let i = 0; i < rows; i++) {
    const row = m.getRow(i);
    for (let j = 0; j < columns; j++) data[i * columns + j] = row[j]!;
  }
  return { rows, columns, data };
}

/** A wire matrix as an ml-matrix Matrix (copied). */
export function fromWire(w: WireMatrix): Matrix {
  const m = new Matrix(w.rows, w.columns);
  for (let i = 0; i < w.rows; i++) for (let j = 0; j < w.columns; j++) m.set(i, j, w.data[i * w.columns + j]!);
  return m;
}

/** The buffers of wire matrices inside a payload, for `postMessage`'s transfer list. */
export function buffersOf(...matrices: readonly WireMatrix[]): ArrayBuffer[] {
  return matrices.map((m) => m.data.buffer as ArrayBuffer);
}
