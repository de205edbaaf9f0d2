/**
 * Principal angles between the column spaces of two matrices (Bjorck-Golub, with the
 * Knyazev-Argentati sine formula for the small angles).
 */
import { gemm, svd } from '@descramble/linalg';
import type { AbstractMatrix } from 'ml-matrix';
import { DegenerateInputError, DimensionMismatchError, spectralScope } from './errors.js';
import { matrixToRowMajor, readMatrix, rowMajorToMatrix } from './matrix-data.js';

/** Angles between two subspaces, with the evidence they were computed from. */
export interface PrincipalAngles {
  /** theta_1 <= ... <= theta_p in [0, pi/2], p = min(rank A, rank B). */
  readonly angles: Float64Array;
  /** cos theta_i: singular values of Q_A^T Q_B clipped to [0, 1], descending. */
  readonly cosines: Float64Array;
  /** sin theta_i: singular values of the residual of the smaller basis against the larger, ascending. */
  readonly sines: Float64Array;
  /** Numerical ranks used (singular values above `max(rows, cols) eps sigma_1`). */
  readonly rankA: number;
  readonly rankB: number;
}

const EPS = 2 ** -52;

/** Orthonormal basis (row-major rows x rank) of the column space via the thin SVD. */
function orthonormalBasis(name: string, a: AbstractMatrix): { q: Float64Array; rank: number } {
  readMatrix('principalAngles', name, a);
  const { u, s } = svd(a);
  const tolerance = Math.max(a.rows, a.columns) * EPS * (s[0] ?? 0);
  let rank = 0;
  while (rank < s.length && s[rank]! > tolerance) rank++;
  if (rank === 0) throw new DegenerateInputError({ operation: 'principalAngles', reason: `${name} is zero; its column space is {0}` });
  return { q: matrixToRowMajor(u.subMatrix(0, a.rows - 1, 0, rank - 1)), rank };
}

/**
 * Principal angles between `range(A)` and `range(B)` (same number of rows), ascending.
 * Cosines are the singular values of `Q_A^T Q_B`; for angles below pi/4 (cos^2 >= 1/2) the
 * angle is taken as `arcsin` of the matching singular value of `Q_B - Q_A (Q_A^T Q_B)`
 * (B the smaller basis), which keeps small angles accurate where arccos loses half the
 * digits (Knyazev & Argentati, SIAM J. Sci. Comput. 23 (2002)).
 */
export function principalAngles(a: AbstractMatrix, b: AbstractMatrix): PrincipalAngles {
  if (a.rows !== b.rows) throw new DimensionMismatchError({ operation: 'principalAngles', what: 'b rows', expected: a.rows, actual: b.rows, ...spectralScope });
  const basisA = orthonormalBasis('a', a);
  const basisB = orthonormalBasis('b', b);
  const n = a.rows;
  // Make `large` the basis with at least as many columns as `small`.
  const [large, small] = basisA.rank >= basisB.rank ? [basisA, basisB] : [basisB, basisA];
  const p = large.rank;
  const q = small.rank;
  // M = Q_large^T Q_small (p x q).
  const m = new Float64Array(p * q);
  gemm(true, false, p, q, n, 1, large.q, 0, p, small.q, 0, q, 0, m, 0, q);
  const cosines = svd(rowMajorToMatrix(m, p, q)).s.slice(0, q);
  for (let i = 0; i < q; i++) cosines[i] = Math.min(1, Math.max(0, cosines[i]!));
  // Residual R = Q_small - Q_large M (n x q): its singular values are the sines.
  const residual = small.q.slice();
  gemm(false, false, n, q, p, -1, large.q, 0, p, m, 0, q, 1, residual, 0, q);
  const sines = svd(rowMajorToMatrix(residual, n, q)).s.slice(0, q).sort();
  for (let i = 0; i < q; i++) sines[i] = Math.min(1, Math.max(0, sines[i]!));
  const angles = new Float64Array(q);
  for (let i = 0; i < q; i++) {
    const c = cosines[i]!;
    angles[i] = c * c >= 0.5 ? Math.asin(sines[i]!) : Math.acos(c);
  }
  return { angles, cosines, sines, rankA: basisA.rank, rankB: basisB.rank };
}
