/**
 * The one tensor type of the `@descramble` packages: a dtype, a shape and row-major (C order,
 * last axis fastest) data, plain data with no methods so it crosses worker and package
 * boundaries as is. Floats and integers up to 32 bits are held as `Float64Array` (exact
 * widening), 64-bit integers exactly as `BigInt64Array` / `BigUint64Array`; `dtype` records
 * what the file stored (or what a writer should store).
 */

import { DimensionMismatchError } from './errors.js';

/** Floating-point dtypes; held as `Float64Array` (exact widening). */
export type FloatDType = 'float64' | 'float32' | 'float16' | 'bfloat16';
/** Integer dtypes up to 32 bits and bool (0/1); held as `Float64Array` (exact). */
export type SmallIntDType = 'int8' | 'int16' | 'int32' | 'uint8' | 'uint16' | 'uint32' | 'bool';
/** 64-bit integer dtypes; held as `BigInt64Array` / `BigUint64Array`. */
export type BigIntDType = 'int64' | 'uint64';
/** Every dtype. */
export type DType = FloatDType | SmallIntDType | BigIntDType;
/** Dtypes whose data is a `Float64Array`. */
export type NumberDType = FloatDType | SmallIntDType;

/** A tensor whose data is a `Float64Array` (floats, ints up to 32 bits, bool). */
export interface NumberTensor {
  readonly dtype: NumberDType;
  /** Dimensions, outermost first; `[]` for a 0-d (scalar) tensor. */
  readonly shape: readonly number[];
  /** Row-major (C order) elements; `data.length` is the product of `shape`. */
  readonly data: Float64Array;
}
/** A signed 64-bit integer tensor, exact. */
export interface Int64Tensor {
  readonly dtype: 'int64';
  readonly shape: readonly number[];
  readonly data: BigInt64Array;
}
/** An unsigned 64-bit integer tensor, exact. */
export interface Uint64Tensor {
  readonly dtype: 'uint64';
  readonly shape: readonly number[];
  readonly data: BigUint64Array;
}
/** A tensor of any dtype, as the file readers return it. */
export type Tensor = NumberTensor | Int64Tensor | Uint64Tensor;

/**
 * The float64 tensors the numerical packages compute on (weights, activations): a
 * {@link NumberTensor} whose `dtype` may be left out, meaning `float64`. Every `NumberTensor` a
 * reader returns is one, so files' tensors go to nets and permutation without conversion.
 */
export interface Float64Tensor {
  readonly dtype?: NumberDType;
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

/** Number of entries of a shape (1 for a scalar shape `[]`). */
export function shapeSize(shape: readonly number[]): number {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}

/** What {@link matrixToTensor} reads: any matrix with `rows`, `columns` and `get(i, j)` (ml-matrix's `Matrix`, say). */
export interface MatrixLike {
  readonly rows: number;
  readonly columns: number;
  get(row: number, column: number): number;
}

/** A matrix class {@link tensorToMatrix} can fill: `new M(rows, columns)` and `set(i, j, v)` (ml-matrix's `Matrix`, say). */
export type MatrixConstructor<M> = new (rows: number, columns: number) => M & { set(row: number, column: number, value: number): unknown };

/**
 * The tensor `[rows, columns]` holding a matrix's entries (a row-major copy). Takes any
 * {@link MatrixLike}, so this package needs no matrix library.
 */
export function matrixToTensor(matrix: MatrixLike, dtype: NumberDType = 'float64'): NumberTensor {
  const { rows, columns } = matrix;
  const data = new Float64Array(rows * columns);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < columns; j++) data[i * columns + j] = matrix.get(i, j);
  }
  return { dtype, shape: [rows, columns], data };
}

/**
 * The entries of a `rows x columns` tensor copied into a new matrix of the class given
 * (`tensorToMatrix(t, 2, 3, Matrix)`), 64-bit integers converted with `Number` (exact below 2^53).
 * The caller checks the shape it needs (and names a wrong one in its own package's error).
 *
 * @throws DimensionMismatchError (scope `core`) when `rows * columns` is not `data.length`.
 */
export function tensorToMatrix<M>(tensor: Tensor | Float64Tensor, rows: number, columns: number, Matrix: MatrixConstructor<M>): M {
  if (!(Number.isSafeInteger(rows) && Number.isSafeInteger(columns) && rows >= 0 && columns >= 0 && rows * columns === tensor.data.length)) {
    throw new DimensionMismatchError({ scope: 'core', operation: 'tensorToMatrix', what: 'data length', expected: `${rows} x ${columns}`, actual: tensor.data.length });
  }
  const matrix = new Matrix(rows, columns);
  const data = tensor.data;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < columns; j++) matrix.set(i, j, Number(data[i * columns + j]!));
  }
  return matrix;
}
