import type { AbstractMatrix, Matrix } from 'ml-matrix';
import { readSquare, wrapRowMajor } from './convert.js';
import { InvalidArgumentError, SingularMatrixError } from './errors.js';
import { luFactorKernel, luSolveKernel, singularPivot } from './lu.js';
import { maxAbs } from './norms.js';

const EPS = 2 ** -52;

/**
 * Solves (I + X) Y = (I - X) for Y by LU with partial pivoting (X n x n row-major).
 * Throws `SingularMatrixError` when a pivot vanishes relative to the matrix scale.
 */
function cayleyTransform(operation: string, n: number, x: Float64Array): Float64Array {
  const lu = new Float64Array(n * n);
  const rhs = new Float64Array(n * n);
  for (let k = 0; k < n * n; k++) {
    lu[k] = x[k]!;
    rhs[k] = -x[k]!;
  }
  for (let i = 0; i < n; i++) {
    lu[i * n + i]! += 1;
    rhs[i * n + i]! += 1;
  }
  const scale = Math.max(1, maxAbs(lu));
  const pivots = new Int32Array(n);
  luFactorKernel(n, lu, pivots);
  const k = singularPivot(n, lu, n * EPS * scale);
  if (k >= 0) throw new SingularMatrixError({ operation, what: 'I + argument', pivot: k, scope: 'linalg' });
  luSolveKernel(n, lu, pivots, rhs, n);
  return rhs;
}

/**
 * Cayley transform `P = (I + Q)^{-1} (I - Q)` of a skew-symmetric Q: P is orthogonal with
 * det(P) = 1 and no eigenvalue -1. Throws `InvalidArgumentError` when Q is not skew-symmetric
 * (beyond 1e-8 relative to max |q_ij|).
 */
export function cayley(q: AbstractMatrix): Matrix {
  const operation = 'cayley';
  const n = q.rows;
  const data = readSquare(operation, 'q', q);
  const tolerance = 1e-8 * maxAbs(data);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const s = Math.abs(data[i * n + j]! + data[j * n + i]!);
      if (s > tolerance) {
        throw new InvalidArgumentError({ operation, argument: 'q', what: `not skew-symmetric: |q_ij + q_ji| = ${s} at [${i}, ${j}]`, scope: 'linalg' });
      }
    }
  }
  return wrapRowMajor(cayleyTransform(operation, n, data), n, n);
}

/**
 * Inverse Cayley transform `Q = (I + P)^{-1} (I - P)` (the Cayley map is an involution).
 * For orthogonal P without eigenvalue -1, Q is skew-symmetric (up to rounding). Throws `SingularMatrixError` when I + P is singular (P has eigenvalue -1).
 */
export function inverseCayley(p: AbstractMatrix): Matrix {
  const operation = 'inverseCayley';
  const n = p.rows;
  const data = readSquare(operation, 'p', p);
  return wrapRowMajor(cayleyTransform(operation, n, data), n, n);
}
