import type { AbstractMatrix, Matrix } from 'ml-matrix';
import { readSquare, wrapRowMajor } from './convert.js';
import { gemm } from './gemm.js';
import { ConvergenceError, SingularMatrixError } from './errors.js';
import { luFactorKernel, luInverseKernel } from './lu.js';

/** Newton iterations allowed before {@link polarFactorKernel} gives up (it needs ~10 from cond 1e16). */
export const POLAR_MAX_ITERATIONS = 100;

/**
 * Orthogonal polar factor U of a nonsingular square A (A = U H, H symmetric positive
 * definite) by Newton's iteration X <- (X + X^{-T}) / 2, quadratically convergent and
 * backward stable in practice (Higham, Functions of Matrices, ch. 8). Stops when the
 * relative Frobenius change is <= 1e-15 (then ||U^T U - I|| is a few eps for
 * well-conditioned A, growing like cond(A) eps). Unscaled: the solvers call it on
 * I + Omega, and the exponential's square roots on I + C, both near orthogonal.
 * `u` receives U; workspace `lu`, `inverse` (n x n) and `pivots` (n). Returns the number of
 * iterations, or -1 - k when an iterate is singular at pivot k (u then holds that iterate).
 * No allocation, no validation.
 */
export function polarFactorKernel(
  n: number,
  a: Float64Array,
  u: Float64Array,
  lu: Float64Array,
  inverse: Float64Array,
  pivots: Int32Array,
): number {
  const nn = n * n;
  for (let i = 0; i < nn; i++) u[i] = a[i]!;
  for (let iteration = 1; iteration <= POLAR_MAX_ITERATIONS; iteration++) {
    for (let i = 0; i < nn; i++) lu[i] = u[i]!;
    const zero = luFactorKernel(n, lu, pivots);
    if (zero >= 0) return -1 - zero;
    luInverseKernel(n, lu, pivots, inverse);
    let change = 0;
    let size = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const x = u[i * n + j]!;
        const next = 0.5 * (x + inverse[j * n + i]!);
        const delta = next - x;
        change += delta * delta;
        size += next * next;
        u[i * n + j] = next;
      }
    }
    if (change <= 1e-30 * size) return iteration;
  }
  return POLAR_MAX_ITERATIONS;
}

/** Result of {@link polarDecomposition}: A = U H. */
export interface PolarResult {
  /** Orthogonal factor. */
  readonly u: Matrix;
  /** Symmetric positive-definite factor U^T A (symmetrised). */
  readonly h: Matrix;
  /** Newton iterations used. */
  readonly iterations: number;
}

/**
 * Polar decomposition A = U H of a nonsingular square matrix (validating wrapper of
 * {@link polarFactorKernel}). Throws `SingularMatrixError` for a singular iterate and
 * `ConvergenceError` when Newton has not converged in {@link POLAR_MAX_ITERATIONS}.
 */
export function polarDecomposition(a: AbstractMatrix): PolarResult {
  const operation = 'polarDecomposition';
  const n = a.rows;
  const data = readSquare(operation, 'a', a);
  const u = new Float64Array(n * n);
  const work = new Float64Array(n * n);
  const iterations = polarFactorKernel(n, data, u, work, new Float64Array(n * n), new Int32Array(n));
  if (iterations < 0) throw new SingularMatrixError({ operation, what: 'a', pivot: -1 - iterations, scope: 'linalg' });
  if (iterations >= POLAR_MAX_ITERATIONS) throw new ConvergenceError({ operation, iterations, what: 'Newton polar iteration', scope: 'linalg' });
  gemm(true, false, n, n, n, 1, u, 0, n, data, 0, n, 0, work, 0, n);
  const h = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) h[i * n + j] = 0.5 * (work[i * n + j]! + work[j * n + i]!);
  }
  return { u: wrapRowMajor(u, n, n), h: wrapRowMajor(h, n, n), iterations };
}
