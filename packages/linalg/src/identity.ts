/** out = I (n x n row-major). No allocation, no validation. */
export function setIdentityKernel(n: number, out: Float64Array): void {
  out.fill(0, 0, n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = 1;
}
