import { ARENA_BASE_BYTES, arena, GEMM_SCRATCH_DOUBLES, wasmKernels } from './wasm/kernels.js';

/**
 * Dense matrix products on row-major `Float64Array`s (BLAS-style kernels, stdlib style:
 * no validation, no allocation apart from a reused packing workspace).
 *
 * Layout: an m x n operand X with offset `o` and row stride `s` holds X(i, j) at
 * `x[o + i * s + j]`.
 */

const MC = 64;
const KC = 256;
const NC = 1024;

const packABuffer = new Float64Array(MC * KC);
let packBuffer = new Float64Array(KC * NC);

function scaleC(m: number, n: number, beta: number, c: Float64Array, offsetC: number, strideC: number): void {
  if (beta === 1) return;
  for (let i = 0; i < m; i++) {
    const row = offsetC + i * strideC;
    if (beta === 0) c.fill(0, row, row + n);
    else for (let j = row; j < row + n; j++) c[j] = beta * c[j]!;
  }
}

/**
 * 4 x 4 register-blocked micro-kernel: C[0:rows, 0:cols] += Apanel^T Bpanel where the
 * packed panels hold 4 entries per k step.
 */
function microKernel(
  kc: number,
  ap: Float64Array,
  offsetA: number,
  bp: Float64Array,
  offsetB: number,
  c: Float64Array,
  offsetC: number,
  strideC: number,
  rows: number,
  cols: number,
): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  let pa = offsetA;
  let pb = offsetB;
  const end = offsetA + 4 * kc;
  while (pa < end) {
    const a0 = ap[pa]!, a1 = ap[pa + 1]!, a2 = ap[pa + 2]!, a3 = ap[pa + 3]!;
    const b0 = bp[pb]!, b1 = bp[pb + 1]!, b2 = bp[pb + 2]!, b3 = bp[pb + 3]!;
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
    pa += 4;
    pb += 4;
  }
  if (rows === 4 && cols === 4) {
    let o = offsetC;
    c[o] = c[o]! + c00; c[o + 1] = c[o + 1]! + c01; c[o + 2] = c[o + 2]! + c02; c[o + 3] = c[o + 3]! + c03;
    o += strideC;
    c[o] = c[o]! + c10; c[o + 1] = c[o + 1]! + c11; c[o + 2] = c[o + 2]! + c12; c[o + 3] = c[o + 3]! + c13;
    o += strideC;
    c[o] = c[o]! + c20; c[o + 1] = c[o + 1]! + c21; c[o + 2] = c[o + 2]! + c22; c[o + 3] = c[o + 3]! + c23;
    o += strideC;
    c[o] = c[o]! + c30; c[o + 1] = c[o + 1]! + c31; c[o + 2] = c[o + 2]! + c32; c[o + 3] = c[o + 3]! + c33;
    return;
  }
  const acc = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33];
  for (let r = 0; r < rows; r++) {
    const o = offsetC + r * strideC;
    for (let q = 0; q < cols; q++) c[o + q] = c[o + q]! + (acc[4 * r + q]!);
  }
}

/** Packs B[pc:pc+kc, jc:jc+nc] (of op(B)) in column blocks of 4, zero-padded, into dst at off. */
function packB(
  dst: Float64Array,
  off: number,
  transB: boolean,
  b: Float64Array,
  offsetB: number,
  strideB: number,
  n: number,
  pc: number,
  kc: number,
  jc: number,
  nBlocks: number,
): void {
  for (let jb = 0; jb < nBlocks; jb++) {
    const base = off + jb * kc * 4;
    for (let q = 0; q < 4; q++) {
      const j = jc + jb * 4 + q;
      if (j >= n) {
        for (let p = 0; p < kc; p++) dst[base + p * 4 + q] = 0;
      } else if (transB) {
        const src = offsetB + j * strideB + pc;
        for (let p = 0; p < kc; p++) dst[base + p * 4 + q] = b[src + p]!;
      } else {
        const src = offsetB + pc * strideB + j;
        for (let p = 0; p < kc; p++) dst[base + p * 4 + q] = b[src + p * strideB]!;
      }
    }
  }
}

/** Packs alpha * A[ic:ic+mc, pc:pc+kc] (of op(A)) in row blocks of 4, zero-padded, into dst at off. */
function packA(
  dst: Float64Array,
  off: number,
  transA: boolean,
  alpha: number,
  a: Float64Array,
  offsetA: number,
  strideA: number,
  m: number,
  ic: number,
  mBlocks: number,
  pc: number,
  kc: number,
): void {
  for (let ib = 0; ib < mBlocks; ib++) {
    const base = off + ib * kc * 4;
    for (let r = 0; r < 4; r++) {
      const i = ic + ib * 4 + r;
      if (i >= m) {
        for (let p = 0; p < kc; p++) dst[base + p * 4 + r] = 0;
      } else if (transA) {
        const src = offsetA + pc * strideA + i;
        for (let p = 0; p < kc; p++) dst[base + p * 4 + r] = alpha * a[src + p * strideA]!;
      } else {
        const src = offsetA + i * strideA + pc;
        for (let p = 0; p < kc; p++) dst[base + p * 4 + r] = alpha * a[src + p]!;
      }
    }
  }
}

/** Below this many multiply-adds the plain JS path wins (no copies into wasm memory). */
const WASM_MIN_WORK = 32 * 32 * 32;

function gemmCore(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Float64Array,
  offsetA: number,
  strideA: number,
  b: Float64Array,
  offsetB: number,
  strideB: number,
  c: Float64Array,
  offsetC: number,
  strideC: number,
  upperOnly: boolean,
): void {
  const kernels = m * n * k >= WASM_MIN_WORK ? wasmKernels() : null;
  if (kernels !== null) {
    const base = ARENA_BASE_BYTES / 8;
    const apOff = base;
    const bpOff = apOff + MC * KC;
    const cOff = bpOff + KC * NC;
    const mem = arena(kernels, GEMM_SCRATCH_DOUBLES);
    for (let jc = 0; jc < n; jc += NC) {
      const nc = Math.min(NC, n - jc);
      const nBlocks = (nc + 3) >> 2;
      const ldc = nBlocks * 4;
      for (let pc = 0; pc < k; pc += KC) {
        const kc = Math.min(KC, k - pc);
        packB(mem, bpOff, transB, b, offsetB, strideB, n, pc, kc, jc, nBlocks);
        for (let ic = 0; ic < m; ic += MC) {
          const mc = Math.min(MC, m - ic);
          const mBlocks = (mc + 3) >> 2;
          if (upperOnly && ic >= jc + nc) continue;
          packA(mem, apOff, transA, alpha, a, offsetA, strideA, m, ic, mBlocks, pc, kc);
          mem.fill(0, cOff, cOff + mBlocks * 4 * ldc);
          kernels.gemmBlock(kc, mBlocks, nBlocks, apOff * 8, bpOff * 8, cOff * 8, ldc, upperOnly ? 1 : 0, ic, jc);
          for (let r = 0; r < mc; r++) {
            const dst = offsetC + (ic + r) * strideC + jc;
            const src = cOff + r * ldc;
            for (let q = 0; q < nc; q++) c[dst + q] = c[dst + q]! + mem[src + q]!;
          }
        }
      }
    }
    return;
  }
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    const nBlocks = (nc + 3) >> 2;
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      if (packBuffer.length < nBlocks * 4 * kc) packBuffer = new Float64Array(nBlocks * 4 * kc);
      const bp = packBuffer;
      packB(bp, 0, transB, b, offsetB, strideB, n, pc, kc, jc, nBlocks);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        const mBlocks = (mc + 3) >> 2;
        if (upperOnly && ic >= jc + nc) continue;
        const ap = packABuffer;
        packA(ap, 0, transA, alpha, a, offsetA, strideA, m, ic, mBlocks, pc, kc);
        for (let jb = 0; jb < nBlocks; jb++) {
          const j0 = jc + jb * 4;
          const cols = Math.min(4, n - j0);
          for (let ib = 0; ib < mBlocks; ib++) {
            const i0 = ic + ib * 4;
            if (upperOnly && i0 > j0 + 3) break;
            const rows = Math.min(4, m - i0);
            microKernel(kc, ap, ib * kc * 4, bp, jb * kc * 4, c, offsetC + i0 * strideC + j0, strideC, rows, cols);
          }
        }
      }
    }
  }
}

/**
 * General matrix product kernel, row-major:
 * `C = alpha * op(A) * op(B) + beta * C` with `op(X) = X` or `X^T`,
 * op(A) m x k, op(B) k x n, C m x n. `strideX` is the row stride of X as stored
 * (for `transA`, A is stored k x m). When `beta === 0`, C is overwritten (its NaNs do not propagate).
 * Performs no validation and does not allocate (a packing workspace is reused).
 */
export function gemm(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Float64Array,
  offsetA: number,
  strideA: number,
  b: Float64Array,
  offsetB: number,
  strideB: number,
  beta: number,
  c: Float64Array,
  offsetC: number,
  strideC: number,
): void {
  if (m === 0 || n === 0) return;
  scaleC(m, n, beta, c, offsetC, strideC);
  if (alpha === 0 || k === 0) return;
  gemmCore(transA, transB, m, n, k, alpha, a, offsetA, strideA, b, offsetB, strideB, c, offsetC, strideC, false);
}

/**
 * Symmetric rank-k update kernel, row-major: `C = alpha * A A^T + beta * C` (A n x k, `trans = false`)
 * or `C = alpha * A^T A + beta * C` (A stored k x n, `trans = true`). C is n x n and both
 * triangles are written (the lower is mirrored from the upper, so C comes out exactly symmetric).
 */
export function syrk(
  trans: boolean,
  n: number,
  k: number,
  alpha: number,
  a: Float64Array,
  offsetA: number,
  strideA: number,
  beta: number,
  c: Float64Array,
  offsetC: number,
  strideC: number,
): void {
  if (n === 0) return;
  scaleC(n, n, beta, c, offsetC, strideC);
  if (alpha !== 0 && k > 0) {
    gemmCore(trans, !trans, n, n, k, alpha, a, offsetA, strideA, a, offsetA, strideA, c, offsetC, strideC, true);
  }
  for (let i = 1; i < n; i++) {
    for (let j = 0; j < i; j++) c[offsetC + i * strideC + j] = c[offsetC + j * strideC + i]!;
  }
}
