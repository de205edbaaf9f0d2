/**
 * Graded Brockett problems with known eigenbases (shared by the conditioned tests and the
 * benchmark): A = T diag(omega) T^T, B = U diag(lambda) U^T with T, U Haar, lambda geometric
 * from 1 down to 1 / condition, omega on [0, 1]:
 *
 * - 'linear': omega_i = i / (d - 1), all distinct;
 * - 'descrambling': omega in tied pairs, ((ceil(i / 2)) / (d / 2))^4, like the Fourier
 *   second-difference smoothness A (a constant mode 0, then cos/sin pairs k^4), so that the
 *   problem looks like descrambling a raw, uncentred layer Gram.
 *
 * Because T and U are known, the cost is evaluated to relative round-off in the joint
 * eigenbasis, f(P) = sum_ij omega_i lambda_j (T^T P U)_ij^2, and f* = sum_i omega_i lambda_i
 * (omega ascending against lambda descending, Lemma 1). tr(A P B P^T) in the original
 * coordinates cannot resolve a relative gap of 1e-8 here: its round-off is about
 * n eps ||A|| ||B||, which is 1e-13 against f* down to 1e-5.
 */
import { createRng, multiply, multiplyTransposeA, multiplyTransposeB, randomOrthogonal } from '@descramble/linalg';
import { Matrix } from 'ml-matrix';

export type GradedKind = 'linear' | 'descrambling';

export interface GradedBrockett {
  A: Matrix;
  B: Matrix;
  T: Matrix;
  U: Matrix;
  omega: Float64Array;
  lambda: Float64Array;
  optimum: number;
}

function conjugate(q: Matrix, values: Float64Array): Matrix {
  const scaled = q.clone();
  for (let i = 0; i < q.rows; i++) for (let j = 0; j < q.columns; j++) scaled.set(i, j, q.get(i, j) * values[j]!);
  const m = multiplyTransposeB(scaled, q);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < i; j++) m.set(i, j, m.get(j, i));
  return m;
}

export function gradedBrockett(kind: GradedKind, d: number, condition: number, seed: number): GradedBrockett {
  const omega = new Float64Array(d);
  const lambda = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    omega[i] = kind === 'linear' ? i / (d - 1) : (Math.ceil(i / 2) / Math.ceil(d / 2)) ** 4;
    lambda[i] = condition ** (-i / (d - 1));
  }
  const T = randomOrthogonal(d, createRng(seed));
  const U = randomOrthogonal(d, createRng(seed + 1));
  let optimum = 0;
  for (let i = 0; i < d; i++) optimum += omega[i]! * lambda[i]!;
  return { A: conjugate(T, omega), B: conjugate(U, lambda), T, U, omega, lambda, optimum };
}

/** f(P) in the joint eigenbasis (relative round-off) and the relative gap (f - f*) / f*. */
export function gradedGap(problem: GradedBrockett, P: Matrix): { value: number; relativeGap: number } {
  const m = multiply(multiplyTransposeA(problem.T, P), problem.U);
  let value = 0;
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < m.columns; j++) value += problem.omega[i]! * problem.lambda[j]! * m.get(i, j) ** 2;
  }
  return { value, relativeGap: (value - problem.optimum) / problem.optimum };
}
