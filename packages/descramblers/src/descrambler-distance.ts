import type { Matrix } from 'ml-matrix';
import { multiplyTransposeA, symmetricEigen } from '@descramble/linalg';
import { groupLabels, groupsFromLabels, relativeEigenvalueRoundoff } from './spectrum.js';
import { assertSquareMatrix, assertSymmetric, assertUnitInterval } from '@descramble/core';
import { descramblersScope } from './errors.js';

/** Options of `descramblerDistance`. */
export interface DescramblerDistanceOptions {
  /**
   * Relative roundoff bound for tied eigenvalues of A: ties within `max(tolerance, 10 d eps) ||A||_2`
   * of a group's first eigenvalue, as `exactDescrambler` (default `10 d eps`).
   */
  readonly tolerance?: number;
}

/**
 * The tie-invariant distance between two descramblers for the smoothness matrix A:
 * `max_b ||P1^T Pi_b P1 - P2^T Pi_b P2||_F` over the eigenspaces b of A (projectors
 * `Pi_b = T_b T_b^T`, tied eigenvalues grouped). It is zero exactly when P1 and P2 give the
 * same explanation: invariant under sign flips and rotations inside A's eigenspaces (and
 * inside B's eigenspaces that sit within one eigenspace of A). Between 0 and `sqrt(2 d)`;
 * a swap of two modes between different eigenspaces gives at least `sqrt(2)`.
 *
 * @throws DimensionMismatchError, NonFiniteInputError, NotSymmetricError, InvalidArgumentError
 */
export function descramblerDistance(p1: Matrix, p2: Matrix, a: Matrix, options: DescramblerDistanceOptions = {}): number {
  const operation = 'descramblerDistance';
  assertSquareMatrix(p1, { ...descramblersScope, operation, name: 'p1' });
  const d = p1.rows;
  assertSquareMatrix(p2, { ...descramblersScope, operation, name: 'p2', size: d });
  assertSquareMatrix(a, { ...descramblersScope, operation, name: 'a', size: d });
  assertSymmetric(a, a.rows, { ...descramblersScope, operation, name: 'a' });
  const requested = options.tolerance ?? 0;
  assertUnitInterval(requested, { ...descramblersScope, operation, argument: 'tolerance', noun: 'a relative tolerance' });
  const tolerance = Math.max(requested, relativeEigenvalueRoundoff(d));
  const { values, vectors } = symmetricEigen(a);
  const groups = groupsFromLabels(values, groupLabels(values, tolerance));
  // Rows of T^T P: the coordinates of P's columns in A's eigenbasis.
  const x1 = multiplyTransposeA(vectors, p1);
  const x2 = multiplyTransposeA(vectors, p2);
  let distance = 0;
  for (const group of groups) {
    // ||X1_b^T X1_b - X2_b^T X2_b||_F over the rows b of the group.
    let sum = 0;
    for (let i = 0; i < d; i++) {
      for (let j = i; j < d; j++) {
        let entry = 0;
        for (const k of group.indices) entry += x1.get(k, i) * x1.get(k, j) - x2.get(k, i) * x2.get(k, j);
        sum += i === j ? entry * entry : 2 * entry * entry;
      }
    }
    distance = Math.max(distance, Math.sqrt(sum));
  }
  return distance;
}
