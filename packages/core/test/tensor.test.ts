import { describe, expect, it } from 'vitest';
import { DimensionMismatchError } from '../src/errors.js';
import { type Float64Tensor, matrixToTensor, shapeSize, type Tensor, tensorToMatrix } from '../src/tensor.js';

// A minimal matrix class, standing in for ml-matrix's (core depends on no matrix library).
class Grid {
  readonly values: number[][];
  constructor(
    readonly rows: number,
    readonly columns: number,
  ) {
    this.values = Array.from({ length: rows }, () => new Array<number>(columns).fill(0));
  }
  get(i: number, j: number): number {
    return this.values[i]![j]!;
  }
  set(i: number, j: number, value: number): this {
    this.values[i]![j] = value;
    return this;
  }
}

describe('Tensor and its matrix conversions', () => {
  it('shapeSize is the product of the extents, 1 for a scalar', () => {
    expect(shapeSize([2, 3, 4])).toBe(24);
    expect(shapeSize([])).toBe(1);
    expect(shapeSize([5, 0])).toBe(0);
  });

  it('matrixToTensor copies row-major, and tensorToMatrix gives back the same entries', () => {
    const grid = new Grid(2, 3);
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) grid.set(i, j, 10 * i + j);
    const t = matrixToTensor(grid);
    expect(t).toEqual({ dtype: 'float64', shape: [2, 3], data: Float64Array.of(0, 1, 2, 10, 11, 12) });
    grid.set(0, 0, 99);
    expect(t.data[0]).toBe(0);
    const back = tensorToMatrix(t, 2, 3, Grid);
    expect(back.values).toEqual([
      [0, 1, 2],
      [10, 11, 12],
    ]);
  });

  it('64-bit integer tensors convert exactly below 2^53; a float64 tensor may leave its dtype out', () => {
    const big: Tensor = { dtype: 'int64', shape: [1, 2], data: BigInt64Array.of(-3n, 2n ** 52n) };
    expect(tensorToMatrix(big, 1, 2, Grid).values).toEqual([[-3, 2 ** 52]]);
    const plain: Float64Tensor = { shape: [2, 1], data: Float64Array.of(1, 2) };
    expect(tensorToMatrix(plain, 2, 1, Grid).values).toEqual([[1], [2]]);
  });

  it('refuses a shape that does not cover the data, instead of filling NaN', () => {
    const t: Float64Tensor = { shape: [3], data: Float64Array.of(1, 2, 3) };
    expect(() => tensorToMatrix(t, 2, 2, Grid)).toThrow(DimensionMismatchError);
    expect(() => tensorToMatrix(t, 2, 2, Grid)).toThrow(/^core: tensorToMatrix: data length: expected 2 x 2, got 3$/);
  });
});
