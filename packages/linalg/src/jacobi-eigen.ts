import { setIdentityKernel } from './identity.js';

/** Sweeps allowed to {@link jacobiEigenKernel}; cyclic Jacobi converges quadratically in ~log n sweeps. */
export const JACOBI_MAX_SWEEPS = 100;

/**
 * Eigen-decomposition of a small symmetric matrix (n <= ~32: O(n^3) per sweep) by cyclic
 * Jacobi rotations, accurate to ~eps ||A|| with orthogonal eigenvectors to ~n eps. `a`
 * (n x n row-major) is overwritten (its diagonal tends to the eigenvalues); `values`
 * receives the eigenvalues ascending and `vectors` (n x n row-major) the matching
 * eigenvectors as columns. Stops when the off-diagonal mass is <= 1e-32 of the total.
 * Returns the sweeps performed. No allocation (ordering is in place),
 * no validation.
 */
export function jacobiEigenKernel(n: number, a: Float64Array, values: Float64Array, vectors: Float64Array): number {
  const m = a;
  const v = vectors;
  setIdentityKernel(n, v);
  let sweeps = 0;
  for (; sweeps < JACOBI_MAX_SWEEPS; sweeps++) {
    let off = 0;
    let total = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const x = m[i * n + j]! * m[i * n + j]!;
        total += x;
        if (i !== j) off += x;
      }
    }
    // Stop when the off-diagonal part is below the rounding of the whole matrix (||off||_F <=
    // 4 n eps ||A||_F): by Weyl the diagonal then holds the eigenvalues to that accuracy, and a
    // fixed relative target such as 1e-16 can be out of reach when an eigenvalue is near zero.
    if (off <= (4 * n * Number.EPSILON) ** 2 * total || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q]!;
        if (apq === 0) continue;
        const app = m[p * n + p]!;
        const aqq = m[q * n + q]!;
        // After a few sweeps an entry below the rounding of both diagonal entries is set to zero
        // (Rutishauser's rule): rotations cannot reduce it further, and without the rule the
        // 1e-32 test can be out of reach (rounding refills the off-diagonal at ~n^2 eps^2).
        const g = 100 * Math.abs(apq);
        if (sweeps > 3 && Math.abs(app) + g === Math.abs(app) && Math.abs(aqq) + g === Math.abs(aqq)) {
          m[p * n + q] = 0;
          m[q * n + p] = 0;
          continue;
        }
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const mkp = m[k * n + p]!;
          const mkq = m[k * n + q]!;
          m[k * n + p] = c * mkp - s * mkq;
          m[k * n + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p * n + k]!;
          const mqk = m[q * n + k]!;
          m[p * n + k] = c * mpk - s * mqk;
          m[q * n + k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!;
          const vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  for (let i = 0; i < n; i++) values[i] = m[i * n + i]!;
  // Insertion sort by adjacent swaps: stable (tied eigenvalues keep their order), O(n^3) at
  // most, which is the cost of one sweep.
  for (let i = 1; i < n; i++) {
    for (let j = i; j > 0 && values[j]! < values[j - 1]!; j--) {
      const t = values[j]!;
      values[j] = values[j - 1]!;
      values[j - 1] = t;
      for (let k = 0; k < n; k++) {
        const x = v[k * n + j]!;
        v[k * n + j] = v[k * n + j - 1]!;
        v[k * n + j - 1] = x;
      }
    }
  }
  return sweeps;
}
