import { ConvergenceError } from './errors.js';
import { gemm } from './gemm.js';
import { tridiagonalQl } from './tridiagonal-ql.js';

const EPS = 2 ** -52;
const LEAF = 32;
const MAX_SECULAR_ITERATIONS = 200;

/**
 * Eigen-decomposition of a symmetric tridiagonal matrix by divide and conquer (Cuppen 1981) with
 * deflation and the Gu-Eisenstat (1995) recomputation of the rank-one vector, so eigenvectors are
 * orthogonal to working precision even for clustered eigenvalues. Kernel: no validation.
 *
 * `d` (diagonal) is overwritten with the eigenvalues in ascending order, `e` (`e[i]` couples
 * i-1 and i) is destroyed, and `z` (n x n row-major) receives the eigenvectors as columns.
 * Subproblems of at most 32 rows use implicit QL. The merge is a pair of matrix products.
 */
export function tridiagonalEigenDivideConquer(
  n: number,
  d: Float64Array,
  e: Float64Array,
  z: Float64Array,
  operation: string,
  signal?: AbortSignal,
): void {
  z.fill(0);
  solveBlock(n, d, e, z, 0, n, operation, signal);
}

function solveBlock(
  n: number,
  d: Float64Array,
  e: Float64Array,
  z: Float64Array,
  o: number,
  size: number,
  operation: string,
  signal: AbortSignal | undefined,
): void {
  // Between leaves and merges: the O(n^3) work of a large problem is spread over them.
  signal?.throwIfAborted();
  if (size <= LEAF) {
    const dl = d.slice(o, o + size);
    const el = new Float64Array(size);
    for (let i = 1; i < size; i++) el[i] = e[o + i]!;
    const zt = new Float64Array(size * size);
    for (let i = 0; i < size; i++) zt[i * size + i] = 1;
    tridiagonalQl(size, dl, el, zt, size, operation);
    for (let j = 0; j < size; j++) {
      for (let i = 0; i < size; i++) z[(o + i) * n + o + j] = zt[j * size + i]!;
    }
    d.set(dl, o);
    return;
  }
  const m = size >> 1;
  const beta = e[o + m]!;
  d[o + m - 1] = d[o + m - 1]! - beta;
  d[o + m] = d[o + m]! - beta;
  solveBlock(n, d, e, z, o, m, operation, signal);
  solveBlock(n, d, e, z, o + m, size - m, operation, signal);
  signal?.throwIfAborted();
  merge(n, d, z, o, size, m, beta, operation);
}

/** Merges two solved halves: eigen-decomposition of diag(D1, D2) + beta v v^T in the block basis. */
function merge(n: number, d: Float64Array, z: Float64Array, o: number, size: number, m: number, beta: number, operation: string): void {
  // Rank-one vector in the eigenbasis of the halves: last row of Q1, first row of Q2 (each unit norm).
  const zv = new Float64Array(size);
  for (let i = 0; i < m; i++) zv[i] = z[(o + m - 1) * n + o + i]!;
  for (let i = m; i < size; i++) zv[i] = z[(o + m) * n + o + i]!;
  let rho = 2 * beta;
  for (let i = 0; i < size; i++) zv[i] = zv[i]! * Math.SQRT1_2;
  const sign = rho < 0 ? -1 : 1;
  rho = Math.abs(rho);
  const dw = new Float64Array(size);
  let dmax = 0;
  for (let i = 0; i < size; i++) {
    dw[i] = sign * d[o + i]!;
    dmax = Math.max(dmax, Math.abs(dw[i]!));
  }
  const type = new Uint8Array(size);
  for (let i = 0; i < size; i++) type[i] = i < m ? 1 : 2;

  const perm = Array.from({ length: size }, (_, i) => i).sort((a, b) => dw[a]! - dw[b]!);
  const tol = 8 * EPS * Math.max(dmax, rho);
  const kept: number[] = [];
  const deflated: number[] = [];
  let prev = -1;
  for (const idx of perm) {
    if (rho * Math.abs(zv[idx]!) <= tol) {
      deflated.push(idx);
      continue;
    }
    if (prev >= 0) {
      const c0 = zv[prev]!;
      const s0 = zv[idx]!;
      const r = Math.hypot(c0, s0);
      const c = c0 / r;
      const s = s0 / r;
      if (Math.abs((dw[idx]! - dw[prev]!) * c * s) <= tol) {
        // Rotate columns prev, idx so that z_prev = 0; prev deflates.
        zv[idx] = r;
        zv[prev] = 0;
        const dp = dw[prev]!;
        const di = dw[idx]!;
        dw[prev] = s * s * dp + c * c * di;
        dw[idx] = c * c * dp + s * s * di;
        const cp = o + prev;
        const ci = o + idx;
        for (let row = o; row < o + size; row++) {
          const a = z[row * n + cp]!;
          const b = z[row * n + ci]!;
          z[row * n + cp] = s * a - c * b;
          z[row * n + ci] = c * a + s * b;
        }
        if (type[prev] !== type[idx]) {
          type[prev] = 3;
          type[idx] = 3;
        }
        deflated.push(prev);
        prev = idx;
        continue;
      }
      kept.push(prev);
    }
    prev = idx;
  }
  if (prev >= 0) kept.push(prev);

  const k = kept.length;
  const lambda = new Float64Array(k);
  // u (k x k row-major): u[i][j] = component i of the eigenvector of root j.
  const u = new Float64Array(k * k);
  if (k > 0) secularEigenvectors(k, kept, dw, zv, rho, lambda, u, operation);

  // New eigenvectors for the kept roots: Znew = Zblock[:, kept] U, split by row support.
  const zNew = new Float64Array(size * k);
  if (k > 0) {
    const top: number[] = [];
    const bottom: number[] = [];
    for (let i = 0; i < k; i++) {
      const t = type[kept[i]!]!;
      if (t !== 2) top.push(i);
      if (t !== 1) bottom.push(i);
    }
    blockProduct(n, z, o, 0, m, top, kept, u, k, zNew);
    blockProduct(n, z, o, m, size - m, bottom, kept, u, k, zNew);
  }

  // Sort all eigenvalues ascending (in the original sign) and assemble the block.
  const total = k + deflated.length;
  const values = new Float64Array(total);
  const source = new Int32Array(total); // >= 0: root index; < 0: -(deflated column) - 1
  for (let j = 0; j < k; j++) {
    values[j] = sign * lambda[j]!;
    source[j] = j;
  }
  deflated.forEach((idx, t) => {
    values[k + t] = sign * dw[idx]!;
    source[k + t] = -idx - 1;
  });
  const order = Array.from({ length: total }, (_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const block = new Float64Array(size * size);
  order.forEach((from, to) => {
    const src = source[from]!;
    if (src >= 0) {
      for (let row = 0; row < size; row++) block[row * size + to] = zNew[row * k + src]!;
    } else {
      const col = o + (-src - 1);
      for (let row = 0; row < size; row++) block[row * size + to] = z[(o + row) * n + col]!;
    }
    d[o + to] = values[from]!;
  });
  for (let row = 0; row < size; row++) z.set(block.subarray(row * size, (row + 1) * size), (o + row) * n + o);
}

/**
 * zNew[rowStart + r][j] = sum_{i in cols} Z[o + rowStart + r][o + kept[i]] * u[i][j] for the given
 * subset of kept columns (those with support in this row range).
 */
function blockProduct(
  n: number,
  z: Float64Array,
  o: number,
  rowStart: number,
  rows: number,
  cols: number[],
  kept: number[],
  u: Float64Array,
  k: number,
  zNew: Float64Array,
): void {
  const c = cols.length;
  if (c === 0 || rows === 0) return;
  const g = new Float64Array(rows * c);
  const us = new Float64Array(c * k);
  for (let t = 0; t < c; t++) {
    const i = cols[t]!;
    const col = o + kept[i]!;
    for (let r = 0; r < rows; r++) g[r * c + t] = z[(o + rowStart + r) * n + col]!;
    us.set(u.subarray(i * k, (i + 1) * k), t * k);
  }
  gemm(false, false, rows, k, c, 1, g, 0, c, us, 0, k, 0, zNew, rowStart * k, k);
}

/**
 * Roots and eigenvectors of diag(dk) + rho zk zk^T for the kept indices (dk ascending, rho > 0).
 * Eigenvector components use the Gu-Eisenstat recomputed zhat.
 */
function secularEigenvectors(
  k: number,
  kept: number[],
  dw: Float64Array,
  zv: Float64Array,
  rho: number,
  lambda: Float64Array,
  u: Float64Array,
  operation: string,
): void {
  const dk = new Float64Array(k);
  const zk = new Float64Array(k);
  const wk = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    dk[i] = dw[kept[i]!]!;
    zk[i] = zv[kept[i]!]!;
    wk[i] = rho * zk[i]! * zk[i]!;
  }
  if (k === 1) {
    lambda[0] = dk[0]! + wk[0]!;
    u[0] = 1;
    return;
  }
  // delta[i][j] = dk[i] - lambda[j], computed accurately from each root's origin; stored in u.
  const dd = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    const { origin, tau } = secularRoot(k, dk, wk, j, dd, operation);
    lambda[j] = dk[origin]! + tau;
    for (let i = 0; i < k; i++) u[i * k + j] = dk[i]! - dk[origin]! - tau;
  }
  // Gu-Eisenstat: zhat_i^2 = -prod_j delta(i,j) / (rho prod_{j != i} (d_i - d_j)).
  const zhat = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let prod = u[i * k + i]!;
    for (let j = 0; j < k; j++) {
      if (j !== i) prod *= u[i * k + j]! / (dk[i]! - dk[j]!);
    }
    const z2 = -prod / rho;
    const mag = Math.sqrt(Math.max(0, z2));
    zhat[i] = zk[i]! >= 0 ? mag : -mag;
  }
  for (let j = 0; j < k; j++) {
    let norm = 0;
    for (let i = 0; i < k; i++) {
      const x = zhat[i]! / u[i * k + j]!;
      u[i * k + j] = x;
      norm += x * x;
    }
    const inv = 1 / Math.sqrt(norm);
    for (let i = 0; i < k; i++) u[i * k + j] = u[i * k + j]! * inv;
  }
}

/**
 * j-th root of f(x) = 1 + sum_i w_i / (d_i - x) (d ascending strictly, w > 0), as
 * x = d[origin] + tau with origin the nearer pole, so differences d_i - x stay accurate.
 * Safeguarded iteration on a two-pole rational model (Bunch-Nielsen-Sorensen), bisection fallback.
 */
function secularRoot(
  k: number,
  d: Float64Array,
  w: Float64Array,
  j: number,
  dd: Float64Array,
  operation: string,
): { origin: number; tau: number } {
  let origin = j;
  let lo = 0;
  let hi = 0;
  if (j < k - 1) {
    const half = (d[j + 1]! - d[j]!) / 2;
    let f = 1;
    for (let i = 0; i < k; i++) f += w[i]! / (d[i]! - d[j]! - half);
    if (f >= 0) {
      origin = j;
      lo = 0;
      hi = half;
    } else {
      origin = j + 1;
      lo = -half;
      hi = 0;
    }
  } else {
    let total = 0;
    for (let i = 0; i < k; i++) total += w[i]!;
    lo = 0;
    hi = total;
  }
  const base = d[origin]!;
  for (let i = 0; i < k; i++) dd[i] = d[i]! - base;
  const poleA = dd[j]!; // left pole (relative)
  const poleB = j < k - 1 ? dd[j + 1]! : Number.POSITIVE_INFINITY;
  let tau = (lo + hi) / 2;
  for (let iteration = 0; iteration < MAX_SECULAR_ITERATIONS; iteration++) {
    let psi = 0;
    let dpsi = 0;
    let phi = 0;
    let dphi = 0;
    for (let i = 0; i <= j; i++) {
      const t = 1 / (dd[i]! - tau);
      const wt = w[i]! * t;
      psi += wt;
      dpsi += wt * t;
    }
    for (let i = j + 1; i < k; i++) {
      const t = 1 / (dd[i]! - tau);
      const wt = w[i]! * t;
      phi += wt;
      dphi += wt * t;
    }
    const f = 1 + psi + phi;
    if (Math.abs(f) <= 8 * EPS * (1 + Math.abs(psi) + Math.abs(phi)) * Math.max(1, Math.sqrt(k) / 4)) {
      return { origin, tau };
    }
    if (f < 0) lo = tau;
    else hi = tau;
    if (hi - lo <= 2 * EPS * Math.max(Math.abs(lo), Math.abs(hi))) return { origin, tau: (lo + hi) / 2 };
    // Two-pole model around the current point.
    const da = poleA - tau;
    const q = dpsi * da * da;
    const pc = psi - dpsi * da;
    let next: number;
    if (j < k - 1) {
      const db = poleB - tau;
      const s = dphi * db * db;
      const rc = phi - dphi * db;
      const c = 1 + pc + rc;
      const a2 = c;
      const b2 = -(c * (poleA + poleB) + q + s);
      const c2 = c * poleA * poleB + q * poleB + s * poleA;
      if (Math.abs(a2) <= EPS * (Math.abs(b2) + Math.abs(c2))) {
        next = c2 / -b2;
      } else {
        const disc = Math.sqrt(Math.max(0, b2 * b2 - 4 * a2 * c2));
        const r1 = (-b2 - (b2 >= 0 ? disc : -disc)) / (2 * a2);
        const r2 = r1 !== 0 ? c2 / (a2 * r1) : 0;
        next = r1 > poleA && r1 < poleB ? r1 : r2;
      }
    } else {
      const c = 1 + pc + phi;
      next = c > 0 ? poleA + q / c : Number.NaN;
    }
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    if (Math.abs(next - tau) <= 2 * EPS * Math.abs(next)) return { origin, tau: next };
    tau = next;
  }
  throw new ConvergenceError({ operation, iterations: MAX_SECULAR_ITERATIONS, what: 'secular equation did not converge', scope: 'linalg' });
}
