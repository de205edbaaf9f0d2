import { matrixToTensor, shapeSize, tensorToMatrix as copyToMatrix } from '@descramble/core';
import type { Tensor } from '@descramble/permutation';
import { type AbstractMatrix, Matrix } from 'ml-matrix';
import { NonFiniteValueError, ShapeMismatchError } from './errors.js';

/**
 * Tensors are @descramble/permutation's plain `{ shape, data }` (@descramble/core's `Float64Tensor`): row-major (C order) Float64,
 * weight tensors in PyTorch's layouts (`[out, in]`, `[out, in, k]`, `[out, in, kh, kw]`),
 * batches with the sample axis first. Functions of this package never mutate a tensor they are given.
 */
export { shapeSize };
export type { Tensor };

/** Formats a shape as `[2, 3, 4]` for messages. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * Builds a tensor from data and a shape. Accepts any numeric array (Float32Array widens exactly);
 * the data are copied, so the result never aliases the argument.
 */
export function tensor(data: ArrayLike<number>, shape: readonly number[], operation = 'tensor'): Tensor {
  for (const extent of shape) {
    if (!Number.isInteger(extent) || extent < 0) {
      throw new ShapeMismatchError({ operation, what: 'shape', expected: 'non-negative integer extents', actual: formatShape(shape) });
    }
  }
  const size = shapeSize(shape);
  if (data.length !== size) {
    throw new ShapeMismatchError({ operation, what: 'data length', expected: `${size} for shape ${formatShape(shape)}`, actual: String(data.length) });
  }
  return { shape: [...shape], data: Float64Array.from(data) };
}

/** The tensor `[rows, columns]` holding a matrix's entries (copied). */
export function tensorFromMatrix(matrix: AbstractMatrix): Tensor {
  const { shape, data } = matrixToTensor(matrix);
  return { shape, data };
}

/** The rank-2 tensor as an ml-matrix `Matrix` (copied); a rank-1 tensor becomes a column. */
export function tensorToMatrix(t: Tensor, operation = 'tensorToMatrix'): Matrix {
  let rows: number;
  let columns: number;
  if (t.shape.length === 2) {
    rows = t.shape[0]!;
    columns = t.shape[1]!;
  } else if (t.shape.length === 1) {
    rows = t.shape[0]!;
    columns = 1;
  } else {
    throw new ShapeMismatchError({ operation, what: 'tensor', expected: 'rank 1 or 2', actual: formatShape(t.shape) });
  }
  return copyToMatrix(t, rows, columns, Matrix);
}

/** Throws `NonFiniteValueError` naming `what` and the flat index of the first NaN or infinity. */
export function assertFinite(data: ArrayLike<number>, operation: string, what: string): void {
  for (let i = 0; i < data.length; i++) {
    const value = data[i]!;
    if (!Number.isFinite(value)) throw new NonFiniteValueError({ operation, location: `${what} [${i}]`, value });
  }
}

/** Largest absolute entry-wise difference of two tensors of the same shape. */
export function maxAbsDifference(a: Tensor, b: Tensor, operation = 'maxAbsDifference'): number {
  if (a.shape.length !== b.shape.length || a.shape.some((extent, i) => extent !== b.shape[i])) {
    throw new ShapeMismatchError({ operation, what: 'second tensor', expected: formatShape(a.shape), actual: formatShape(b.shape) });
  }
  let worst = 0;
  for (let i = 0; i < a.data.length; i++) {
    const difference = Math.abs(a.data[i]! - b.data[i]!);
    if (Number.isNaN(difference)) return Number.NaN;
    if (difference > worst) worst = difference;
  }
  return worst;
}
