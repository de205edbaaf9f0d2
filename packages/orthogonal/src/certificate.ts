/**
 * The exact certificate for Brockett costs (Lemma 1, THEORY.md section 2):
 *
 *   min over O(d) of tr(A P B P^T) = sum_i omega_i sigma_i^2,
 *
 * omega ascending eigenvalues of A, sigma_i^2 descending eigenvalues of B (B = S S^T).
 * Any P is certified to be within `gap = value - optimum` of the optimum.
 */

import type { Matrix } from 'ml-matrix';
import { symmetricEigenvalues } from '@descramble/linalg';
import { multiply } from './dense.js';
import { DimensionMismatchError, orthogonalScope } from './errors.js';
import { assertOrthogonal, assertSymmetric, squareToFlat } from './matrix-io.js';

export interface BrockettCertificate {
  /** tr(A P B P^T). */
  value: number;
  /** sum_i omega_i sigma_i^2 (the global minimum over O(d), attained in both components). */
  optimum: number;
  /** value - optimum (>= 0 up to round-off). */
  gap: number;
  /** gap / |optimum| (gap / scale when the optimum is 0, scale = ||A||_F ||B||_F). */
  relativeGap: number;
}

/** Lower bound of the Brockett cost over O(d): sum_i omega_i sigma_i^2. */
export function brockettOptimum(A: Matrix, B: Matrix): number {
  const n = A.rows;
  const a = squareToFlat(A, n, 'brockettOptimum(A)');
  const b = squareToFlat(B, n, 'brockettOptimum(B)');
  assertSymmetric(a, n, 'brockettOptimum(A)');
  assertSymmetric(b, n, 'brockettOptimum(B)');
  const omega = symmetricEigenvalues(A); // ascending
  const sigma2 = symmetricEigenvalues(B); // ascending; pair with reversed order
  let optimum = 0;
  for (let i = 0; i < n; i++) optimum += omega[i]! * sigma2[n - 1 - i]!;
  return optimum;
}

/** Certificate of a candidate P (must be orthogonal to 1e-8 sqrt(d)). */
export function brockettCertificate(A: Matrix, B: Matrix, P: Matrix): BrockettCertificate {
  const n = A.rows;
  if (B.rows !== n || P.rows !== n) {
    throw new DimensionMismatchError(
      'brockettCertificate',
      'B and P shapes',
      `${n}x${n}`,
      `B ${B.rows}x${B.columns}, P ${P.rows}x${P.columns}`,
      orthogonalScope,
    );
  }
  const a = squareToFlat(A, n, 'brockettCertificate(A)');
  const b = squareToFlat(B, n, 'brockettCertificate(B)');
  const p = squareToFlat(P, n, 'brockettCertificate(P)');
  assertOrthogonal(p, n, 'brockettCertificate(P)', 1e-8 * Math.sqrt(n));
  const optimum = brockettOptimum(A, B);
  const ap = multiply(a, p, new Float64Array(n * n), n);
  const apb = multiply(ap, b, new Float64Array(n * n), n);
  let value = 0;
  for (let i = 0; i < n * n; i++) value += apb[i]! * p[i]!;
  const gap = value - optimum;
  let scale = Math.abs(optimum);
  if (scale === 0) {
    let na = 0;
    let nb = 0;
    for (let i = 0; i < n * n; i++) {
      na += a[i]! * a[i]!;
      nb += b[i]! * b[i]!;
    }
    scale = Math.sqrt(na * nb);
  }
  return { value, optimum, gap, relativeGap: scale === 0 ? 0 : gap / scale };
}
