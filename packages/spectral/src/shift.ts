/**
 * `fftshift` / `ifftshift` exactly as numpy: `fftshift(x) = roll(x, floor(n/2))` moves
 * frequency 0 to index `floor(n/2)`; `ifftshift(x) = roll(x, -floor(n/2))` undoes it (the two
 * differ for odd n). Frequency labels follow numpy's `fftfreq(n) * n`.
 */
import { assertPositiveInteger } from '@descramble/core';
import { type AbstractMatrix, Matrix } from 'ml-matrix';
import { type ComplexMatrix, type ComplexVector, isComplex } from './complex.js';
import { InvalidArgumentError, spectralScope } from './errors.js';
import { matrixToRowMajor, readVector, rowMajorToMatrix } from './matrix-data.js';

/** Axes to shift for a matrix: 0 = along the row index (rows move), 1 = along the column index, undefined = both. */
export type ShiftAxis = 0 | 1 | undefined;

/** out[(i + s) mod n] = x[i] for a vector. */
function rollVector(x: Float64Array, s: number): Float64Array {
  const n = x.length;
  const out = new Float64Array(n);
  const shift = ((s % n) + n) % n;
  for (let i = 0; i < n; i++) out[(i + shift) % n] = x[i]!;
  return out;
}

/** Rolls row-major data by `rowShift` along the row index and `columnShift` along the column index. */
function rollMatrixData(x: Float64Array, rows: number, columns: number, rowShift: number, columnShift: number): Float64Array {
  const out = new Float64Array(rows * columns);
  const rs = ((rowShift % rows) + rows) % rows;
  const cs = ((columnShift % columns) + columns) % columns;
  for (let i = 0; i < rows; i++) {
    const target = ((i + rs) % rows) * columns;
    const source = i * columns;
    for (let j = 0; j < columns; j++) out[target + ((j + cs) % columns)] = x[source + j]!;
  }
  return out;
}

function rollMatrix(a: AbstractMatrix, axis: ShiftAxis, sign: number, operation: string): Matrix {
  if (axis !== undefined && axis !== 0 && axis !== 1) {
    throw new InvalidArgumentError({ operation, argument: 'axis', what: `expected 0, 1 or undefined, got ${String(axis)}`, ...spectralScope });
  }
  const rows = a.rows;
  const columns = a.columns;
  if (rows === 0 || columns === 0) return new Matrix(rows, columns);
  const rowShift = axis === 1 ? 0 : sign * Math.floor(rows / 2);
  const columnShift = axis === 0 ? 0 : sign * Math.floor(columns / 2);
  return rowMajorToMatrix(rollMatrixData(matrixToRowMajor(a), rows, columns, rowShift, columnShift), rows, columns);
}

type Shiftable = ArrayLike<number> | ComplexVector | AbstractMatrix | ComplexMatrix;

function shift(operation: string, x: Shiftable, axis: ShiftAxis, sign: number): unknown {
  if (Matrix.isMatrix(x)) return rollMatrix(x as AbstractMatrix, axis, sign, operation);
  if (isComplex(x)) {
    const c = x as { re: unknown; im: unknown };
    if (Matrix.isMatrix(c.re) && Matrix.isMatrix(c.im)) {
      return {
        re: rollMatrix(c.re as AbstractMatrix, axis, sign, operation),
        im: rollMatrix(c.im as AbstractMatrix, axis, sign, operation),
      };
    }
    const v = x as ComplexVector;
    const re = readVector(operation, 'x.re', v.re, true);
    const im = readVector(operation, 'x.im', v.im, true);
    return { re: rollVector(re, sign * Math.floor(re.length / 2)), im: rollVector(im, sign * Math.floor(im.length / 2)) };
  }
  const v = readVector(operation, 'x', x as ArrayLike<number>, true);
  return rollVector(v, sign * Math.floor(v.length / 2));
}

/** Moves frequency 0 to the centre (index floor(n/2)), as numpy.fft.fftshift. Matrices: both axes unless `axis` is given. */
export function fftshift(x: ArrayLike<number>): Float64Array;
export function fftshift(x: ComplexVector): ComplexVector;
export function fftshift(x: AbstractMatrix, axis?: ShiftAxis): Matrix;
export function fftshift(x: ComplexMatrix, axis?: ShiftAxis): ComplexMatrix;
export function fftshift(x: Shiftable, axis?: ShiftAxis): unknown {
  return shift('fftshift', x, axis, 1);
}

/** The inverse of `fftshift` (as numpy.fft.ifftshift); differs from `fftshift` for odd lengths. */
export function ifftshift(x: ArrayLike<number>): Float64Array;
export function ifftshift(x: ComplexVector): ComplexVector;
export function ifftshift(x: AbstractMatrix, axis?: ShiftAxis): Matrix;
export function ifftshift(x: ComplexMatrix, axis?: ShiftAxis): ComplexMatrix;
export function ifftshift(x: Shiftable, axis?: ShiftAxis): unknown {
  return shift('ifftshift', x, axis, -1);
}

/**
 * Integer frequency of each DFT output index, in DFT order (numpy `fftfreq(n) * n`):
 * `[0, 1, ..., ceil(n/2) - 1, -floor(n/2), ..., -1]`.
 */
export function fftFrequencies(n: number): number[] {
  assertPositiveInteger(n, { ...spectralScope, operation: 'fftFrequencies', argument: 'n' });
  const out: number[] = [];
  for (let k = 0; k < n; k++) out.push(k < Math.ceil(n / 2) ? k : k - n);
  return out;
}

/** Integer frequencies in centred (fftshift) order: `-floor(n/2), ..., ceil(n/2) - 1`; index `floor(n/2)` is frequency 0. */
export function centredFrequencies(n: number): number[] {
  assertPositiveInteger(n, { ...spectralScope, operation: 'centredFrequencies', argument: 'n' });
  const out: number[] = [];
  const low = -Math.floor(n / 2);
  for (let k = 0; k < n; k++) out.push(low + k);
  return out;
}
