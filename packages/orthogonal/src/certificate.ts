/**
 * The exact certificate for Brockett costs (Lemma 1):
 *
 *   min over O(d) of tr(A P B P^T) = sum_i omega_i sigma_i^2,
 *
 * omega ascending eigenvalues of A, sigma_i^2 descending eigenvalues of B (B = S S^T).
 * Any P is certified to be within `value - optimum` of the optimum; `relativeGap` is the one
 * definition of "gap" used by every package.
 */

import { assertSymmetric } from '@descramble/core';
import type { Matrix } from 'ml-matrix';
import { symmetricEigenvalues } from '@descramble/linalg';
import { multiply } from './dense.js';
import { CertificateViolationError, DimensionMismatchError, NonFiniteInputError, orthogonalScope } from './errors.js';
import { assertOrthogonal, squareToFlat } from './matrix-io.js';

/** The one definition of the gap between a value and its proven lower bound. */
export interface RelativeGap {
  /**
   * `(value - reference) / scale`, >= 0; exactly 0 when `withinRoundoff` (the difference is
   * below the roundoff bound, so its sign and size mean nothing and it is clamped).
   */
  readonly gap: number;
  /** `value - reference`, unclamped (may be slightly negative within roundoff). */
  readonly absoluteGap: number;
  /** `max(|reference|, roundoff)`: relative to the optimum unless that is below roundoff. */
  readonly scale: number;
  /** The roundoff bound used. */
  readonly roundoff: number;
  /** `|value - reference| <= roundoff`: the gap was clamped to 0. */
  readonly withinRoundoff: boolean;
}

/**
 * The gap of `value` above its proven lower bound `reference` (e.g. the Lemma 1 optimum):
 * `gap = (value - reference) / scale`, `scale = max(|reference|, roundoff)`, where `roundoff`
 * bounds the floating-point error of computing `value - reference` (for Brockett costs use
 * {@link brockettRoundoff}). When `|value - reference| <= roundoff` the gap is 0 and
 * `withinRoundoff` is true. A value below `reference - roundoff` is impossible.
 *
 * @throws NonFiniteInputError for a non-finite value, reference or roundoff (or roundoff < 0);
 *   CertificateViolationError when `value < reference - roundoff`.
 */
export function relativeGap(value: number, reference: number, roundoff: number, location = 'relativeGap'): RelativeGap {
  if (!Number.isFinite(value)) throw new NonFiniteInputError({ operation: location, location: 'value', value, ...orthogonalScope });
  if (!Number.isFinite(reference)) throw new NonFiniteInputError({ operation: location, location: 'reference', value: reference, ...orthogonalScope });
  if (!(roundoff >= 0) || !Number.isFinite(roundoff)) throw new NonFiniteInputError({ operation: location, location: 'roundoff (>= 0)', value: roundoff, ...orthogonalScope });
  const absoluteGap = value - reference;
  const scale = Math.max(Math.abs(reference), roundoff);
  if (Math.abs(absoluteGap) <= roundoff) return { gap: 0, absoluteGap, scale, roundoff, withinRoundoff: true };
  if (absoluteGap < 0) throw new CertificateViolationError({ location, value, reference, roundoff });
  return { gap: absoluteGap / scale, absoluteGap, scale, roundoff, withinRoundoff: false };
}

/**
 * Safety factor c of {@link brockettRoundoff}. The value `tr(A P B P^T)` is computed by two
 * d x d products and a d^2-term sum, each entry with error at most `gamma_d |A||P||B||P|`
 * (Higham, section 3.5), and the optimum from eigenvalues each within `p(d) eps ||.||_2`
 * (backward-stable eigensolver, Weyl); errors of independent roundings add like a random
 * walk, so both stay well below `d eps ||A||_2 ||B||_2` in practice. c = 10 leaves a margin
 * (the same factor as the eigenvalue roundoff bound of the descramblers).
 */
export const BROCKETT_ROUNDOFF_FACTOR = 10;

/**
 * `c d (eps ||A||_2 ||B||_2 + d 2^-1074)` (c = {@link BROCKETT_ROUNDOFF_FACTOR}): roundoff of
 * `tr(A P B P^T) - optimum`. The second term is the absolute rounding of the d^2-term sums in
 * the subnormal range (it matters only when `||A|| ||B||` is below about 1e-290).
 */
export function brockettRoundoff(d: number, normA: number, normB: number): number {
  return BROCKETT_ROUNDOFF_FACTOR * d * (Number.EPSILON * normA * normB + d * Number.MIN_VALUE);
}

export interface BrockettCertificate extends RelativeGap {
  /** tr(A P B P^T). */
  value: number;
  /** sum_i omega_i sigma_i^2 (the global minimum over O(d), attained in both components). */
  optimum: number;
  /** @deprecated The same number as `gap` (kept for old callers). */
  relativeGap: number;
}

/** Lower bound of the Brockett cost over O(d): sum_i omega_i sigma_i^2. */
export function brockettOptimum(A: Matrix, B: Matrix): number {
  const n = A.rows;
  const a = squareToFlat(A, n, 'brockettOptimum(A)');
  const b = squareToFlat(B, n, 'brockettOptimum(B)');
  assertSymmetric({ get: (i, j) => a[i * n + j]! }, n, { ...orthogonalScope, operation: 'brockettOptimum(A)', name: 'entry' });
  assertSymmetric({ get: (i, j) => b[i * n + j]! }, n, { ...orthogonalScope, operation: 'brockettOptimum(B)', name: 'entry' });
  return optimumOf(symmetricEigenvalues(A), symmetricEigenvalues(B));
}

/** omega ascending, sigma2 ascending (paired in reverse). */
function optimumOf(omega: Float64Array, sigma2: Float64Array): number {
  const n = omega.length;
  let optimum = 0;
  for (let i = 0; i < n; i++) optimum += omega[i]! * sigma2[n - 1 - i]!;
  return optimum;
}

/**
 * Certificate of a candidate P (must be orthogonal to 1e-8 sqrt(d)): value, optimum and the
 * {@link relativeGap} with roundoff {@link brockettRoundoff}`(d, ||A||_2, ||B||_2)`.
 *
 * @throws CertificateViolationError when the value is below the optimum beyond roundoff.
 */
export function brockettCertificate(A: Matrix, B: Matrix, P: Matrix): BrockettCertificate {
  const n = A.rows;
  if (B.rows !== n || P.rows !== n) {
    throw new DimensionMismatchError({ operation: 'brockettCertificate', what: 'B and P shapes', expected: `${n}x${n}`, actual: `B ${B.rows}x${B.columns}, P ${P.rows}x${P.columns}`, ...orthogonalScope }
    );
  }
  const a = squareToFlat(A, n, 'brockettCertificate(A)');
  const b = squareToFlat(B, n, 'brockettCertificate(B)');
  const p = squareToFlat(P, n, 'brockettCertificate(P)');
  assertOrthogonal(p, n, 'brockettCertificate(P)', 1e-8 * Math.sqrt(n));
  assertSymmetric({ get: (i, j) => a[i * n + j]! }, n, { ...orthogonalScope, operation: 'brockettOptimum(A)', name: 'entry' });
  assertSymmetric({ get: (i, j) => b[i * n + j]! }, n, { ...orthogonalScope, operation: 'brockettOptimum(B)', name: 'entry' });
  const omega = symmetricEigenvalues(A);
  const sigma2 = symmetricEigenvalues(B);
  const optimum = optimumOf(omega, sigma2);
  const ap = multiply(a, p, new Float64Array(n * n), n);
  const apb = multiply(ap, b, new Float64Array(n * n), n);
  let value = 0;
  for (let i = 0; i < n * n; i++) value += apb[i]! * p[i]!;
  const normA = Math.max(Math.abs(omega[0]!), Math.abs(omega[n - 1]!));
  const normB = Math.max(Math.abs(sigma2[0]!), Math.abs(sigma2[n - 1]!));
  const gap = relativeGap(value, optimum, brockettRoundoff(n, normA, normB), 'brockettCertificate');
  return { value, optimum, ...gap, relativeGap: gap.gap };
}
