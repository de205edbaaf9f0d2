/**
 * Conversions between ml-matrix `Matrix` (the exchange type at the package boundary)
 * and row-major `Float64Array`s (the solvers' working type), with validation.
 */

import { fromFloat64Array, toFloat64Array } from '@descramble/linalg';
import type { Matrix } from 'ml-matrix';
import { DimensionMismatchError, NonFiniteInputError, NotOrthogonalError, NotSymmetricError, orthogonalScope } from './errors.js';
import { orthogonalityDrift } from './dense.js';

/** Row-major copy of an n x n Matrix, validating shape and finiteness. */
export function squareToFlat(m: Matrix, n: number, location: string): Float64Array {
  if (m.rows !== n || m.columns !== n) {
    throw new DimensionMismatchError({ operation: location, what: 'matrix', expected: `${n}x${n}`, actual: `${m.rows}x${m.columns}`, ...orthogonalScope });
  }
  const out = toFloat64Array(m);
  for (let k = 0; k < n * n; k++) {
    const v = out[k]!;
    if (!Number.isFinite(v)) {
      throw new NonFiniteInputError({ operation: location, location: `entry [${Math.floor(k / n)}, ${k % n}]`, value: v, ...orthogonalScope });
    }
  }
  return out;
}

/** Matrix from a row-major n x n array (copies). */
export function flatToMatrix(a: Float64Array, n: number): Matrix {
  return fromFloat64Array(a.subarray(0, n * n), n, n);
}

/** Throws NonFiniteInputError at the first non-finite entry. */
export function assertFinite(a: Float64Array, location: string): void {
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i]!)) throw new NonFiniteInputError({ operation: location, location: `entry ${i}`, value: a[i]!, ...orthogonalScope });
  }
}

/** Throws NotSymmetricError when max |a_ij - a_ji| > tolerance * max |a_ij|. */
export function assertSymmetric(a: Float64Array, n: number, location: string, tolerance = 1e-10): void {
  let scale = 0;
  let asym = 0;
  let at = 'entry [0, 0]';
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      scale = Math.max(scale, Math.abs(a[i * n + j]!));
      const gap = Math.abs(a[i * n + j]! - a[j * n + i]!);
      if (gap > asym) {
        asym = gap;
        at = `entry [${i}, ${j}]`;
      }
    }
  }
  if (asym > tolerance * scale) throw new NotSymmetricError({ operation: location, asymmetry: asym, tolerance: tolerance * scale, location: at, ...orthogonalScope });
}

/** Throws NotOrthogonalError when ||P^T P - I||_F > tolerance. */
export function assertOrthogonal(p: Float64Array, n: number, location: string, tolerance = 1e-8): void {
  const drift = orthogonalityDrift(p, n);
  if (!(drift <= tolerance)) throw new NotOrthogonalError(location, drift);
}
