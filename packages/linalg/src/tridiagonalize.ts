import { arena, GEMM_SCRATCH_DOUBLES, TAIL_BASE_BYTES, wasmKernels } from './wasm/kernels.js';
import { gemm } from './gemm.js';

/**
 * Householder tridiagonalisation of a symmetric matrix, `A = H T H^T` with
 * `H = H_0 H_1 ... H_{n-3}`, `H_k = I - tau_k v_k v_k^T`. Kernel: no validation.
 *
 * `a` (n x n row-major, full symmetric storage) is overwritten: row k, columns k+1..n-1, holds
 * v_k (with v_k[k+1] = 1) for k <= n-3; the rest is scratch. Writes the diagonal `d`,
 * the off-diagonal `e` (`e[i]` couples i-1 and i; `e[0] = 0`) and `tau` (length n).
 *
 * Each step updates the trailing block with the symmetric rank-2 update
 * `A <- A - v w^T - w v^T` and, in the same pass over each row, forms the next step's
 * product `A v'`, so the trailing matrix is read once per step.
 */
export function tridiagonalize(n: number, a: Float64Array, d: Float64Array, e: Float64Array, tau: Float64Array): void {
  e[0] = 0;
  tau.fill(0);
  if (n === 1) {
    d[0] = a[0]!;
    return;
  }
  // With the wasm kernels, the matrix and vectors live in wasm memory for the whole reduction
  // (copied in and out once); the O(n) work per step stays in JS on views of that memory.
  const kernels = n >= 48 ? wasmKernels() : null;
  const input = a;
  let aPtr = 0;
  let vPtr = 0;
  let vNextPtr = 0;
  let pPtr = 0;
  let pNextPtr = 0;
  let wPtr = 0;
  let v: Float64Array;
  let vNext: Float64Array;
  let p: Float64Array;
  let pNext: Float64Array;
  let w: Float64Array;
  if (kernels !== null) {
    const mem = arena(kernels, GEMM_SCRATCH_DOUBLES + n * n + 5 * n);
    const base = TAIL_BASE_BYTES / 8;
    const slots = [base, base + n * n, base + n * n + n, base + n * n + 2 * n, base + n * n + 3 * n, base + n * n + 4 * n];
    [aPtr, vPtr, vNextPtr, pPtr, pNextPtr, wPtr] = slots.map((x) => x * 8) as [number, number, number, number, number, number];
    a = mem.subarray(slots[0]!, slots[0]! + n * n);
    a.set(input);
    v = mem.subarray(slots[1]!, slots[1]! + n);
    vNext = mem.subarray(slots[2]!, slots[2]! + n);
    p = mem.subarray(slots[3]!, slots[3]! + n);
    pNext = mem.subarray(slots[4]!, slots[4]! + n);
    w = mem.subarray(slots[5]!, slots[5]! + n);
    v.fill(0);
    vNext.fill(0);
    p.fill(0);
    pNext.fill(0);
    w.fill(0);
  } else {
    v = new Float64Array(n);
    vNext = new Float64Array(n);
    p = new Float64Array(n);
    pNext = new Float64Array(n);
    w = new Float64Array(n);
  }
  let has = n > 2 && makeReflector(n, a, 0, v, tau, e);
  if (has) {
    const t = tau[0]!;
    for (let i = 1; i < n; i++) {
      const row = i * n;
      let s = 0;
      for (let j = 1; j < n; j++) s += a[row + j]! * v[j]!;
      p[i] = t * s;
    }
  }
  for (let k = 0; k < n - 2; k++) {
    d[k] = a[k * n + k]!;
    const s0 = k + 1;
    if (has) {
      // w = p - (tau/2)(p . v) v with p = tau A22 v; then row s0 of A22 -= v w^T + w v^T.
      let pv = 0;
      for (let j = s0; j < n; j++) pv += p[j]! * v[j]!;
      const half = 0.5 * tau[k]! * pv;
      for (let j = s0; j < n; j++) w[j] = p[j]! - half * v[j]!;
      const row = s0 * n;
      const vi = v[s0]!;
      const wi = w[s0]!;
      for (let j = s0; j < n; j++) a[row + j] = a[row + j]! - vi * w[j]! - wi * v[j]!;
    }
    // Row s0 is final: it defines the next reflector (for rows/cols s0+1..n-1).
    const hasNext = s0 <= n - 3 && makeReflector(n, a, s0, vNext, tau, e);
    const tn = tau[s0]!;
    const lo = s0 + 1;
    if (kernels !== null) {
      if (has || hasNext) kernels.tridiagonalSweep(aPtr, n, lo, vPtr, wPtr, vNextPtr, pNextPtr, tn, has ? (hasNext ? 0 : 1) : 2);
    } else {
      sweepJs(n, a, lo, has, hasNext, v, w, vNext, pNext, tn);
    }
    [v, vNext] = [vNext, v];
    [p, pNext] = [pNext, p];
    [vPtr, vNextPtr] = [vNextPtr, vPtr];
    [pPtr, pNextPtr] = [pNextPtr, pPtr];
    has = hasNext;
  }
  d[n - 2] = a[(n - 2) * n + n - 2]!;
  d[n - 1] = a[(n - 1) * n + n - 1]!;
  e[n - 1] = a[(n - 2) * n + n - 1]!;
  if (kernels !== null) input.set(a);
}

/** JS version of the fused sweep (see assembly/kernels.ts tridiagonalSweep). */
function sweepJs(
  n: number,
  a: Float64Array,
  lo: number,
  has: boolean,
  hasNext: boolean,
  v: Float64Array,
  w: Float64Array,
  vNext: Float64Array,
  pNext: Float64Array,
  tn: number,
): void {
  for (let i = lo; i < n; i++) {
    const row = i * n;
    let s = 0;
    if (has) {
      const vi = v[i]!;
      const wi = w[i]!;
      if (hasNext) {
        for (let j = lo; j < n; j++) {
          const x = a[row + j]! - vi * w[j]! - wi * v[j]!;
          a[row + j] = x;
          s += x * vNext[j]!;
        }
      } else {
        for (let j = lo; j < n; j++) a[row + j] = a[row + j]! - vi * w[j]! - wi * v[j]!;
      }
    } else if (hasNext) {
      for (let j = lo; j < n; j++) s += a[row + j]! * vNext[j]!;
    }
    pNext[i] = tn * s;
  }
}

/**
 * Householder vector for row k (entries k+1..n-1 of row k of `a`): v with v[k+1] = 1,
 * written to `v[k+1..n-1]` and to row k of `a`; sets tau[k] and e[k+1] (the new sub-diagonal).
 * Returns false when no reflection is needed (tau = 0).
 */
function makeReflector(n: number, a: Float64Array, k: number, v: Float64Array, tau: Float64Array, e: Float64Array): boolean {
  const row = k * n;
  const alpha = a[row + k + 1]!;
  let scale = 0;
  for (let j = k + 2; j < n; j++) scale = Math.max(scale, Math.abs(a[row + j]!));
  if (scale === 0) {
    tau[k] = 0;
    e[k + 1] = alpha;
    v.fill(0, 0, k + 1);
    v[k + 1] = 1;
    for (let j = k + 2; j < n; j++) v[j] = 0;
    return false;
  }
  scale = Math.max(scale, Math.abs(alpha));
  let sum = 0;
  for (let j = k + 1; j < n; j++) {
    const x = a[row + j]! / scale;
    sum += x * x;
  }
  const norm = scale * Math.sqrt(sum);
  const beta = alpha >= 0 ? -norm : norm;
  tau[k] = (beta - alpha) / beta;
  const inv = 1 / (alpha - beta);
  v.fill(0, 0, k + 1);
  v[k + 1] = 1;
  for (let j = k + 2; j < n; j++) v[j] = a[row + j]! * inv;
  e[k + 1] = beta;
  // Store v_k in row k (columns k+1..n-1).
  for (let j = k + 1; j < n; j++) a[row + j] = v[j]!;
  return true;
}

/**
 * Applies `H = H_0 ... H_{n-3}` from `tridiagonalize` to Z (n x n row-major): Z <- H Z,
 * in blocks of reflectors combined into compact WY form (see `applyReflectorsBlocked`).
 */
export function applyTridiagonalReflectors(n: number, reflectors: Float64Array, tau: Float64Array, z: Float64Array): void {
  applyReflectorsBlocked(n, n - 2, 1, reflectors, 0, n, tau, z, 0, n);
}

/**
 * Z <- H_0 H_1 ... H_{count-1} Z for Householder reflectors `H_k = I - tau_k v_k v_k^T` acting on
 * indices k+shift .. L-1, with v_k[k+shift] = 1 implicit and v_k[i] stored at
 * `refl[reflOffset + k * reflStride + i]` for i > k+shift. Z is L x cols row-major at zOffset.
 * Reflectors are grouped 32 at a time into compact WY form `I - Y T Y^T`, so the work is two
 * matrix products per group. With `fromIdentity`, Z is known to start as the identity (first
 * `cols` columns), so columns left of each block's first index are still zero there and are
 * skipped. Kernel: no validation.
 */
export function applyReflectorsBlocked(
  length: number,
  count: number,
  shift: number,
  refl: Float64Array,
  reflOffset: number,
  reflStride: number,
  tau: Float64Array,
  z: Float64Array,
  zOffset: number,
  cols: number,
  fromIdentity = false,
): void {
  if (count <= 0 || cols === 0) return;
  const nb = 32;
  const t = new Float64Array(nb * nb);
  const work = new Float64Array(nb * cols);
  const col = new Float64Array(nb);
  const firstBlock = Math.floor((count - 1) / nb) * nb;
  for (let k0 = firstBlock; k0 >= 0; k0 -= nb) {
    const b = Math.min(nb, count - k0);
    const start = k0 + shift; // first index touched by this block
    const len = length - start;
    if (len <= 0) continue;
    // Yt (b x len): row j = v_{k0+j} restricted to indices start..length-1.
    const yt = new Float64Array(b * len);
    for (let j = 0; j < b; j++) {
      const k = k0 + j;
      const src = reflOffset + k * reflStride;
      const dst = j * len - start;
      yt[dst + k + shift] = 1;
      for (let c = k + shift + 1; c < length; c++) yt[dst + c] = refl[src + c]!;
    }
    // T (upper triangular): T[j][j] = tau_j, T[0:j, j] = -tau_j T[0:j, 0:j] (Y^T y_j).
    t.fill(0);
    for (let j = 0; j < b; j++) {
      const tj = tau[k0 + j]!;
      t[j * nb + j] = tj;
      if (j === 0 || tj === 0) continue;
      for (let i = 0; i < j; i++) {
        let s = 0;
        for (let c = j; c < len; c++) s += yt[i * len + c]! * yt[j * len + c]!;
        col[i] = -tj * s;
      }
      for (let i = 0; i < j; i++) {
        let s = 0;
        for (let l = i; l < j; l++) s += t[i * nb + l]! * col[l]!;
        t[i * nb + j] = s;
      }
    }
    // W = Yt Zsub (b x width), W <- T W, Zsub -= Yt^T W.
    const colStart = fromIdentity ? Math.min(start, cols) : 0;
    const width = cols - colStart;
    if (width === 0) continue;
    const zOff = zOffset + start * cols + colStart;
    gemm(false, false, b, width, len, 1, yt, 0, len, z, zOff, cols, 0, work, 0, width);
    for (let i = 0; i < b; i++) {
      const row = i * width;
      const tii = t[i * nb + i]!;
      for (let c = 0; c < width; c++) work[row + c] = work[row + c]! * tii;
      for (let l = i + 1; l < b; l++) {
        const til = t[i * nb + l]!;
        if (til === 0) continue;
        const src = l * width;
        for (let c = 0; c < width; c++) work[row + c] = work[row + c]! + til * work[src + c]!;
      }
    }
    gemm(true, false, len, width, b, -1, yt, 0, len, work, 0, width, 1, z, zOff, cols);
  }
}
