import { assertPositiveSize } from '@descramble/core';
import { linalgScope } from './errors.js';
import type { Matrix } from 'ml-matrix';
import { wrapRowMajor } from './convert.js';
import { householderQrKernel } from './qr.js';
import type { Rng } from './rng.js';

/**
 * A Haar-distributed random orthogonal d x d matrix: Q from the QR decomposition of a matrix
 * of independent standard normals, with the sign fix that makes diag(R) positive
 * (Mezzadri 2007). Deterministic given the generator's state.
 */
export function randomOrthogonal(d: number, rng: Rng): Matrix {
  assertPositiveSize(d, { ...linalgScope, operation: 'randomOrthogonal', what: 'd' });
  // Column j of the Gaussian matrix is row j of `at`: filling at row by row draws column-major.
  const at = rng.normalArray(d * d);
  const qt = new Float64Array(d * d);
  const r = new Float64Array(d * d);
  householderQrKernel(d, d, at, qt, r);
  const q = new Float64Array(d * d);
  for (let j = 0; j < d; j++) for (let i = 0; i < d; i++) q[i * d + j] = qt[j * d + i]!;
  return wrapRowMajor(q, d, d);
}
