import type { AbstractMatrix } from 'ml-matrix';
import {
  descramblersScope,
  DimensionMismatchError,
  InvalidArgumentError,
  NonFiniteInputError,
  NotSymmetricError,
} from './errors.js';

/** @internal Throws unless `a` is a non-empty matrix of finite numbers. */
export function checkMatrix(operation: string, name: string, a: AbstractMatrix): void {
  if (a.rows === 0 || a.columns === 0) {
    throw new DimensionMismatchError({ operation, what: `${name} shape`, expected: 'non-empty matrix', actual: `${a.rows} x ${a.columns}`, ...descramblersScope });
  }
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < a.columns; j++) {
      const x = a.get(i, j);
      if (!Number.isFinite(x)) throw new NonFiniteInputError({ operation, location: `${name}[${i}, ${j}]`, value: x, ...descramblersScope });
    }
  }
}

/** @internal Throws unless `a` is a non-empty finite square matrix, optionally of size `n`. */
export function checkSquare(operation: string, name: string, a: AbstractMatrix, n?: number): void {
  if (a.rows !== a.columns) {
    throw new DimensionMismatchError({ operation, what: `${name} shape`, expected: 'square matrix', actual: `${a.rows} x ${a.columns}`, ...descramblersScope });
  }
  if (n !== undefined && a.rows !== n) {
    throw new DimensionMismatchError({ operation, what: `${name} shape`, expected: `${n} x ${n}`, actual: `${a.rows} x ${a.columns}`, ...descramblersScope });
  }
  checkMatrix(operation, name, a);
}

/**
 * @internal Throws `NotSymmetricError` unless `max |a_ij - a_ji| <= relativeTolerance * max |a_ij|`.
 * Call after `checkSquare`.
 */
export function checkSymmetric(operation: string, name: string, a: AbstractMatrix, relativeTolerance = 1e-10): void {
  let asymmetry = 0;
  let location = `${name}[0, 0]`;
  let scale = 0;
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < a.columns; j++) {
      scale = Math.max(scale, Math.abs(a.get(i, j)));
      const gap = Math.abs(a.get(i, j) - a.get(j, i));
      if (j > i && gap > asymmetry) {
        asymmetry = gap;
        location = `${name}[${i}, ${j}]`;
      }
    }
  }
  const tolerance = relativeTolerance * scale;
  if (asymmetry > tolerance) throw new NotSymmetricError({ operation, asymmetry, tolerance, location, ...descramblersScope });
}

/** @internal Throws unless `x` is a finite number in `[0, 1)`. */
export function checkTolerance(operation: string, name: string, x: number): void {
  if (!Number.isFinite(x) || x < 0 || x >= 1) {
    throw new InvalidArgumentError({ operation, argument: name, what: `expected a relative tolerance in [0, 1), got ${x}`, ...descramblersScope });
  }
}
