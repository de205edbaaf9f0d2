import type { AbstractMatrix, Matrix } from 'ml-matrix';
import { readSquare, wrapRowMajor } from './convert.js';
import { InvalidArgumentError, SingularMatrixError } from './errors.js';
import { maxAbs } from './norms.js';

const EPS = 2 ** -52;

/**
 * Solves (I + X) Y = (I - X) for Y by LU with partial pivoting (X n x n row-major).
 * Throws `SingularMatrixError` when a pivot vanishes relative to the matrix scale.
 */
function cayleyTransform(operation: string, n: number, x: Float64Array): Float64Array {
  const lu = new Float64Array(n * n);
  const rhs = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const v = x[i * n + j]!;
      lu[i * n + j] = i === j ? 1 + v : v;
      rhs[i * n + j] = i === j ? 1 - v : -v;
    }
  }
  const scale = Math.max(1, maxAbs(lu));
  for (let k = 0; k < n; k++) {
    let p = k;
    let best = Math.abs(lu[k * n + k]!);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(lu[i * n + k]!);
      if (v > best) {
        best = v;
        p = i;
      }
    }
    if (best <= n * EPS * scale) throw new SingularMatrixError(operation, 'I + argument', k);
    if (p !== k) {
      for (let j = 0; j < n; j++) {
        let t = lu[k * n + j]!;
        lu[k * n + j] = lu[p * n + j]!;
        lu[p * n + j] = t;
        t = rhs[k * n + j]!;
        rhs[k * n + j] = rhs[p * n + j]!;
        rhs[p * n + j] = t;
      }
    }
    const pivot = lu[k * n + k]!;
    for (let i = k + 1; i < n; i++) {
      const f = lu[i * n + k]! / pivot;
      if (f === 0) continue;
      for (let j = k + 1; j < n; j++) lu[i * n + j] = lu[i * n + j]! - (f * lu[k * n + j]!);
      for (let j = 0; j < n; j++) rhs[i * n + j] = rhs[i * n + j]! - (f * rhs[k * n + j]!);
    }
  }
  for (let k = n - 1; k >= 0; k--) {
    const pivot = lu[k * n + k]!;
    for (let j = 0; j < n; j++) {
      let t = rhs[k * n + j]!;
      for (let i = k + 1; i < n; i++) t -= lu[k * n + i]! * rhs[i * n + j]!;
      rhs[k * n + j] = t / pivot;
    }
  }
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
        throw new InvalidArgumentError(operation, 'q', `not skew-symmetric: |q_ij + q_ji| = ${s} at [${i}, ${j}]`);
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
