import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import {
  ConvergenceError,
  DimensionMismatchError,
  fromFloat64Array,
  frobeniusNorm,
  isSymmetric,
  LinalgError,
  NonFiniteInputError,
  NotSymmetricError,
  orthogonalityError,
  symmetricPart,
  toFloat64Array,
} from '../src/index.js';

describe('norms and symmetry helpers', () => {
  it('frobeniusNorm is overflow-safe and exact on simple cases', () => {
    expect(frobeniusNorm(new Matrix([[3, 4]]))).toBe(5);
    expect(frobeniusNorm(new Matrix([[3e300, 4e300]]))).toBeCloseTo(5e300, -285);
    expect(frobeniusNorm(new Matrix(0, 0))).toBe(0);
    expect(() => frobeniusNorm(new Matrix([[Number.NaN]]))).toThrow(NonFiniteInputError);
  });

  it('orthogonalityError is 0 for permutations and sqrt(2) for a doubled column', () => {
    const p = new Matrix([
      [0, 1, 0],
      [0, 0, 1],
      [1, 0, 0],
    ]);
    expect(orthogonalityError(p)).toBe(0);
    const q = Matrix.eye(3);
    q.set(0, 0, Math.SQRT2);
    expect(orthogonalityError(q)).toBeCloseTo(1, 14);
  });

  it('symmetricPart and isSymmetric', () => {
    const a = new Matrix([
      [1, 2],
      [4, 3],
    ]);
    expect(symmetricPart(a).to2DArray()).toEqual([
      [1, 3],
      [3, 3],
    ]);
    expect(isSymmetric(a)).toBe(false);
    expect(isSymmetric(symmetricPart(a), 0)).toBe(true);
    expect(isSymmetric(new Matrix(2, 3))).toBe(false);
    expect(() => symmetricPart(new Matrix(2, 3))).toThrow(DimensionMismatchError);
  });

  it('toFloat64Array / fromFloat64Array round-trip row-major data without sharing memory', () => {
    const data = new Float64Array([1, 2, 3, 4, 5, 6]);
    const m = fromFloat64Array(data, 2, 3);
    expect(m.get(1, 0)).toBe(4);
    data[0] = 99;
    expect(m.get(0, 0)).toBe(1);
    expect(Array.from(toFloat64Array(m))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(toFloat64Array(m.transpose()))).toEqual([1, 4, 2, 5, 3, 6]);
    expect(() => fromFloat64Array(data, 4, 2)).toThrow(DimensionMismatchError);
  });

  it('errors share one base class and one message pattern', () => {
    const errors = [
      new DimensionMismatchError({ operation: 'op', what: 'a rows', expected: 3, actual: 4, scope: 'linalg' }),
      new NonFiniteInputError({ operation: 'op', location: 'a[0, 1]', value: Number.NaN, scope: 'linalg' }),
      new NotSymmetricError({ operation: 'op', asymmetry: 1, tolerance: 0.1, location: 'a[0, 1]', scope: 'linalg' }),
      new ConvergenceError({ operation: 'op', iterations: 10, scope: 'linalg' }),
    ];
    for (const e of errors) {
      expect(LinalgError.isInstance(e)).toBe(true);
      expect(e).toBeInstanceOf(Error);
      expect(e.message).toMatch(/^linalg: op: /);
    }
    expect(errors[0]).toMatchObject({ expected: '3', actual: '4', name: 'DimensionMismatchError' });
    expect(errors[3]).toMatchObject({ iterations: 10 });
  });
});
