/**
 * Seeded random points and directions on O(d).
 */

import { createRng } from '@descramble/linalg';
import { qrDecomposition, skewPart } from './dense.js';

/** What this package needs from a generator (linalg's `Rng` satisfies it). */
export interface NormalSource {
  normal(): number;
}

/** Seeded normal source: linalg's `createRng(seed)` (same seed, same bytes everywhere). */
export function seededNormalSource(seed: number): NormalSource {
  return createRng(seed);
}

/** Haar-distributed orthogonal matrix (QR of a Gaussian matrix, R with positive diagonal). */
export function randomOrthogonalFlat(n: number, source: NormalSource): Float64Array {
  const g = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) g[i] = source.normal();
  const q = new Float64Array(n * n);
  qrDecomposition(g, q, n, new Float64Array(n * n));
  return q;
}

/** Random skew-symmetric matrix with unit Frobenius norm. */
export function randomSkewFlat(n: number, source: NormalSource): Float64Array {
  const g = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) g[i] = source.normal();
  const s = skewPart(g, new Float64Array(n * n), n);
  let nrm = 0;
  for (let i = 0; i < n * n; i++) nrm += s[i]! * s[i]!;
  nrm = Math.sqrt(nrm);
  if (nrm > 0) for (let i = 0; i < n * n; i++) s[i]! /= nrm;
  return s;
}
