import { ConvergenceError } from './errors.js';

const EPS = 2 ** -52;

/**
 * Implicit QL with Wilkinson-type shifts on a symmetric tridiagonal matrix (EISPACK tql2).
 * Kernel: no validation. `d` (diagonal) and `e` (`e[i]` couples i-1 and i, `e[0]` unused)
 * are overwritten: `d` gets the eigenvalues in ascending order.
 * When `zt` is given it holds n rows of length `rowLength` (row-major, row i = i-th basis
 * vector); the rotations are applied to its rows, which are permuted with the sort, so on
 * exit row i is the eigenvector of d[i] expressed through the input rows.
 * Throws `ConvergenceError` after 60 iterations on one eigenvalue.
 */
export function tridiagonalQl(
  n: number,
  d: Float64Array,
  e: Float64Array,
  zt: Float64Array | null,
  rowLength: number,
  operation: string,
): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!;
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  let totalIterations = 0;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]!) + Math.abs(e[l]!));
    let m = l;
    while (m < n - 1) {
      if (Math.abs(e[m]!) <= EPS * tst1) break;
      m++;
    }
    if (m > l) {
      let iterations = 0;
      do {
        iterations++;
        totalIterations++;
        if (iterations > 60) throw new ConvergenceError({ operation, iterations: totalIterations, what: 'tridiagonal QL did not converge', scope: 'linalg' });
        let g = d[l]!;
        let p = (d[l + 1]! - g) / (2 * e[l]!);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l]! / (p + r);
        d[l + 1] = e[l]! * (p + r);
        const dl1 = d[l + 1]!;
        let h = g - d[l]!;
        for (let i = l + 2; i < n; i++) d[i] = d[i]! - h;
        f += h;
        p = d[m]!;
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1]!;
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i]!;
          h = c * p;
          r = Math.hypot(p, e[i]!);
          e[i + 1] = s * r;
          s = e[i]! / r;
          c = p / r;
          p = c * d[i]! - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]!);
          if (zt !== null) {
            const ri = i * rowLength;
            const rj = (i + 1) * rowLength;
            for (let k = 0; k < rowLength; k++) {
              const zj = zt[rj + k]!;
              const zi = zt[ri + k]!;
              zt[rj + k] = s * zi + c * zj;
              zt[ri + k] = c * zi - s * zj;
            }
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]!) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]!) > EPS * tst1);
    }
    d[l] = d[l]! + f;
    e[l] = 0;
  }
  // Selection sort ascending (n swaps at most), moving rows of zt along.
  for (let i = 0; i < n - 1; i++) {
    let k = i;
    let p = d[i]!;
    for (let j = i + 1; j < n; j++) {
      if (d[j]! < p) {
        k = j;
        p = d[j]!;
      }
    }
    if (k !== i) {
      d[k] = d[i]!;
      d[i] = p;
      if (zt !== null) {
        for (let j = 0; j < rowLength; j++) {
          const t = zt[i * rowLength + j]!;
          zt[i * rowLength + j] = zt[k * rowLength + j]!;
          zt[k * rowLength + j] = t;
        }
      }
    }
  }
}
