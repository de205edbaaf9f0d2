/**
 * `minimizeBrockett(A, B, options)`: the Brockett problem solved in the eigenbasis of B.
 *
 * With B = U diag(s) U^T (one symmetric eigendecomposition, included in the reported
 * time) and R = P U, tr(A P B P^T) = tr(A R diag(s) R^T): products with B become
 * scalings and the Jacobi preconditioner is diagonal and exact at the minimiser. Costs,
 * gradient norms and the log are invariant under this change of variables (it is an
 * isometry of O(d)); the returned P is R U^T, with its Lemma 1 certificate.
 */

import { symmetricEigen } from '@descramble/linalg';
import { Matrix } from 'ml-matrix';
import { type BrockettCertificate, brockettCertificate } from './certificate.js';
import { minimize, type MinimizeOptions, type MinimizeOutput } from './minimize.js';
import { brockettProblem } from './problems.js';
import { randomOrthogonalFlat, seededNormalSource } from './random.js';
import { flatToMatrix } from './matrix-io.js';

export interface BrockettMinimizeResult extends MinimizeOutput {
  certificate: BrockettCertificate;
}

export function minimizeBrockett(A: Matrix, B: Matrix, options: MinimizeOptions = {}): BrockettMinimizeResult {
  const start = performance.now();
  brockettProblem(A, B); // validates shapes and symmetry
  const n = A.rows;
  const { values, vectors: U } = symmetricEigen(B);
  const rotated = brockettProblem(A, Matrix.diag(Array.from(values)));
  let P0 = options.P0;
  if (P0 === undefined) {
    const p = flatToMatrix(randomOrthogonalFlat(n, seededNormalSource(options.seed ?? 0)), n);
    P0 = p;
  }
  const { callback } = options;
  const inner: MinimizeOptions = { ...options, P0: P0.mmul(U) };
  if (callback !== undefined) inner.callback = (entry, R) => callback(entry, R.mmul(U.transpose()));
  const result = minimize(rotated, inner);
  const P = result.P.mmul(U.transpose());
  const time = (performance.now() - start) / 1000; // includes eig(B); excludes the certificate
  const certificate = brockettCertificate(A, B, P);
  const alternative = result.alternative === undefined ? undefined : { ...result.alternative, P: result.alternative.P.mmul(U.transpose()) };
  const output: BrockettMinimizeResult = { ...result, P, time, certificate };
  if (alternative !== undefined) output.alternative = alternative;
  return output;
}
