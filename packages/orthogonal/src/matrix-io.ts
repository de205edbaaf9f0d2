/**
 * Conversions between ml-matrix `Matrix` (the exchange type at the package boundary)
 * and row-major `Float64Array`s (the solvers' working type), with validation.
 */

import { assertFiniteArray, assertSquare } from '@descramble/core';
import { fromFloat64Array, toFloat64Array } from '@descramble/linalg';
import type { Matrix } from 'ml-matrix';
import { NotOrthogonalError, orthogonalScope } from './errors.js';
import { orthogonalityDrift } from './dense.js';

/** Row-major copy of an n x n Matrix, validating shape and finiteness. */
export function squareToFlat(m: Matrix, n: number, location: string): Float64Array {
  // `location` names the function and the argument, e.g. `retract(P)`, so entries are just `entry[i, j]`.
  const check = { ...orthogonalScope, operation: location, name: 'entry' };
  assertSquare(m, { ...check, name: 'matrix', size: n });
  const out = toFloat64Array(m);
  assertFiniteArray(out, { ...check, columns: n });
  return out;
}

/** Matrix from a row-major n x n array (copies). */
export function flatToMatrix(a: Float64Array, n: number): Matrix {
  return fromFloat64Array(a.subarray(0, n * n), n, n);
}

/** Throws NotOrthogonalError when ||P^T P - I||_F > tolerance. */
export function assertOrthogonal(p: Float64Array, n: number, location: string, tolerance = 1e-8): void {
  const drift = orthogonalityDrift(p, n);
  if (!(drift <= tolerance)) throw new NotOrthogonalError({ location, orthogonalityError: drift });
}
