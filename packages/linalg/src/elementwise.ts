/**
 * out = alpha A + beta A^T (n x n row-major). Each pair (i, j), (j, i) is formed together, so
 * alpha = -beta gives an exactly skew-symmetric and alpha = beta an exactly symmetric result
 * (skew part: 1/2, -1/2; symmetric part: 1/2, 1/2; transpose: 0, 1). `out` must not alias
 * `a`. No allocation, no validation.
 */
export function addTransposedKernel(n: number, a: Float64Array, alpha: number, beta: number, out: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const oi = i * n;
    out[oi + i] = (alpha + beta) * a[oi + i]!;
    for (let j = i + 1; j < n; j++) {
      const aij = a[oi + j]!;
      const aji = a[j * n + i]!;
      out[oi + j] = alpha * aij + beta * aji;
      out[j * n + i] = alpha * aji + beta * aij;
    }
  }
}

/** ||M - I||_F of an n x n row-major M. No allocation, no validation. */
export function distanceToIdentityKernel(n: number, m: Float64Array): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    const oi = i * n;
    // Off-diagonal entries in two branch-free runs; the diagonal's (m_ii - 1)^2 directly (no
    // m_ii^2 - 2 m_ii + 1 cancellation: the result is often at rounding level).
    for (let j = 0; j < i; j++) s += m[oi + j]! * m[oi + j]!;
    const d = m[oi + i]! - 1;
    s += d * d;
    for (let j = i + 1; j < n; j++) s += m[oi + j]! * m[oi + j]!;
  }
  return Math.sqrt(s);
}
