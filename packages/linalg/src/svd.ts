import type { AbstractMatrix, Matrix } from 'ml-matrix';
import { readMatrix, wrapRowMajor } from './convert.js';
import { ConvergenceError } from './errors.js';
import { binaryExponent, maxAbs, norm2Kernel, timesPowerOfTwo } from './norms.js';
import { applyReflectorsBlocked } from './tridiagonalize.js';
import { arena, GEMM_SCRATCH_DOUBLES, TAIL_BASE_BYTES, type WasmKernels, wasmKernels } from './wasm/kernels.js';

/** Thin singular value decomposition `A = U diag(s) V^T`. */
export interface SvdResult {
  /** m x k, orthonormal columns (k = min(m, n)). */
  readonly u: Matrix;
  /** k singular values, descending, non-negative. */
  readonly s: Float64Array;
  /** n x k, orthonormal columns. */
  readonly v: Matrix;
}

const EPS = 2 ** -52;
const TINY = 2 ** -966;
const MAX_ITERATIONS_PER_VALUE = 100;

/** Row operations logged during the bidiagonal QR and replayed in cache-sized column chunks. */
class RowOpLog {
  count = 0;
  constructor(
    private readonly mem: Float64Array,
    private readonly offset: number,
    private readonly capacity: number,
    private readonly chainsOffset: number,
    private readonly rowsOffset: number,
    private readonly rows: number,
    private readonly rowLength: number,
    private readonly kernels: WasmKernels | null,
  ) {}

  rotate(i: number, j: number, c: number, s: number): void {
    this.push(i, j, c, s);
  }

  negate(i: number): void {
    this.push(i, -1, 0, 0);
  }

  swap(i: number, j: number): void {
    this.push(i, -2 - j, 0, 0);
  }

  private push(i: number, j: number, c: number, s: number): void {
    const o = this.offset + 4 * this.count;
    this.mem[o] = i;
    this.mem[o + 1] = j;
    this.mem[o + 2] = c;
    this.mem[o + 3] = s;
    this.count++;
    if (this.count === this.capacity) this.flush();
  }

  flush(): void {
    if (this.count === 0) return;
    // JS: chunks of columns so that all rows of one chunk take about 256 KiB.
    const chunk = Math.max(8, Math.min(this.rowLength, (Math.floor(32768 / this.rows) >> 1) << 1));
    if (this.kernels !== null) {
      this.kernels.applyRowOps(this.rowsOffset * 8, this.rowLength, this.offset * 8, this.count, this.chainsOffset * 8);
    } else {
      applyRowOpsJs(this.mem, this.rowsOffset, this.rowLength, this.offset, this.count, chunk);
    }
    this.count = 0;
  }
}

function applyRowOpsJs(mem: Float64Array, base: number, rowLength: number, ops: number, count: number, chunk: number): void {
  for (let c0 = 0; c0 < rowLength; c0 += chunk) {
    const c1 = Math.min(rowLength, c0 + chunk);
    for (let t = 0; t < count; t++) {
      const o = ops + 4 * t;
      const i = mem[o]!;
      const j = mem[o + 1]!;
      const x = base + i * rowLength;
      if (j >= 0) {
        const c = mem[o + 2]!;
        const s = mem[o + 3]!;
        const y = base + j * rowLength;
        for (let q = c0; q < c1; q++) {
          const xi = mem[x + q]!;
          const yi = mem[y + q]!;
          mem[x + q] = c * xi + s * yi;
          mem[y + q] = c * yi - s * xi;
        }
      } else if (j === -1) {
        for (let q = c0; q < c1; q++) mem[x + q] = -mem[x + q]!;
      } else {
        const y = base + (-2 - j) * rowLength;
        for (let q = c0; q < c1; q++) {
          const tmp = mem[x + q]!;
          mem[x + q] = mem[y + q]!;
          mem[y + q] = tmp;
        }
      }
    }
  }
}

const LOG_CAPACITY = 8192;

/** Doubles of workspace `svdTallKernel` needs for an m x n problem (m >= n). */
export function svdWorkspaceSize(m: number, n: number): number {
  return 2 * n * m + n * n + m + 8 * LOG_CAPACITY + LOG_CAPACITY / 2;
}

/**
 * Thin SVD kernel for m >= n: Golub-Kahan Householder bidiagonalisation, then implicit-shift QR
 * on the bidiagonal (LINPACK dsvdc / JAMA), with the plane rotations logged and replayed on the
 * singular vectors in cache-sized column chunks. All arrays live in `mem` from offset `base`:
 * A^T (n x m, row j = column j of A; overwritten), then U^T (n x m, row j = left vector j),
 * V^T (n x n, row j = right vector j), a work vector (m) and the rotation logs.
 * Writes the singular values (descending) to `s`.
 */
export function svdTallKernel(
  m: number,
  n: number,
  mem: Float64Array,
  base: number,
  s: Float64Array,
  kernels: WasmKernels | null,
  operation: string,
): void {
  const AT = base;
  const UT = AT + n * m;
  const VT = UT + n * m;
  const WORK = VT + n * n;
  const LOGU = WORK + m;
  const LOGV = LOGU + 4 * LOG_CAPACITY;
  const CHAINS = LOGV + 4 * LOG_CAPACITY; // LOG_CAPACITY int32 (scratch of the wasm replay)
  const dot = kernels
    ? (x: number, y: number, len: number): number => kernels.dot(x * 8, y * 8, len)
    : (x: number, y: number, len: number): number => {
        let t = 0;
        for (let q = 0; q < len; q++) t += mem[x + q]! * mem[y + q]!;
        return t;
      };
  const axpy = kernels
    ? (alpha: number, x: number, y: number, len: number): void => kernels.axpy(alpha, x * 8, y * 8, len)
    : (alpha: number, x: number, y: number, len: number): void => {
        for (let q = 0; q < len; q++) mem[y + q] = mem[y + q]! + alpha * mem[x + q]!;
      };
  const e = new Float64Array(n);
  const nct = Math.min(m - 1, n);
  const nrt = Math.max(0, Math.min(n - 2, m));
  const sFull = new Float64Array(Math.min(m + 1, n));
  for (let k = 0; k < Math.max(nct, nrt); k++) {
    const ak = AT + k * m;
    if (k < nct) {
      let norm = norm2Kernel(m - k, mem, ak + k);
      if (norm !== 0) {
        if (mem[ak + k]! < 0) norm = -norm;
        const inv = 1 / norm;
        for (let i = ak + k; i < ak + m; i++) mem[i] = mem[i]! * inv;
        mem[ak + k] = mem[ak + k]! + 1;
      }
      sFull[k] = -norm;
    }
    for (let j = k + 1; j < n; j++) {
      const aj = AT + j * m;
      if (k < nct && sFull[k] !== 0) {
        const t = -dot(ak + k, aj + k, m - k) / mem[ak + k]!;
        axpy(t, ak + k, aj + k, m - k);
      }
      e[j] = mem[aj + k]!;
    }
    if (k < nct) {
      for (let i = k; i < m; i++) mem[UT + k * m + i] = mem[ak + i]!;
    }
    if (k < nrt) {
      let norm = norm2Kernel(n - k - 1, e, k + 1);
      if (norm !== 0) {
        if (e[k + 1]! < 0) norm = -norm;
        for (let i = k + 1; i < n; i++) e[i] = e[i]! / norm;
        e[k + 1] = e[k + 1]! + 1;
      }
      e[k] = -norm;
      if (k + 1 < m && norm !== 0) {
        mem.fill(0, WORK + k + 1, WORK + m);
        for (let j = k + 1; j < n; j++) axpy(e[j]!, AT + j * m + k + 1, WORK + k + 1, m - k - 1);
        for (let j = k + 1; j < n; j++) axpy(-e[j]! / e[k + 1]!, WORK + k + 1, AT + j * m + k + 1, m - k - 1);
      }
      for (let i = k + 1; i < n; i++) mem[VT + k * n + i] = e[i]!;
    }
  }
  let p = Math.min(n, m + 1);
  if (nct < n) sFull[nct] = mem[AT + nct * m + nct]!;
  if (m < p) sFull[p - 1] = 0;
  if (nrt + 1 < p) e[nrt] = mem[AT + (p - 1) * m + nrt]!;
  e[p - 1] = 0;

  // Generate U = H_0 ... H_{nct-1} [I; 0] and V = G_0 ... G_{nrt-1} with blocked (compact WY)
  // reflector application; U^T and V^T rows then receive the QR rotations.
  {
    const tauU = new Float64Array(n);
    for (let k = 0; k < nct; k++) {
      const uk = UT + k * m;
      const ukk = mem[uk + k]!;
      if (sFull[k] === 0 || ukk === 0) continue;
      tauU[k] = ukk;
      const inv = 1 / ukk;
      for (let i = uk + k + 1; i < uk + m; i++) mem[i] = mem[i]! * inv;
    }
    const z = new Float64Array(m * n);
    for (let j = 0; j < n; j++) z[j * n + j] = 1;
    applyReflectorsBlocked(m, nct, 0, mem, UT, m, tauU, z, 0, n, true);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) mem[UT + j * m + i] = z[i * n + j]!;
  }
  {
    const tauV = new Float64Array(n);
    for (let k = 0; k < nrt; k++) {
      const vk = VT + k * n;
      const head = mem[vk + k + 1]!;
      if (e[k] === 0 || head === 0) continue;
      tauV[k] = head;
      const inv = 1 / head;
      for (let i = vk + k + 2; i < vk + n; i++) mem[i] = mem[i]! * inv;
    }
    const z = new Float64Array(n * n);
    for (let j = 0; j < n; j++) z[j * n + j] = 1;
    applyReflectorsBlocked(n, nrt, 1, mem, VT, n, tauV, z, 0, n, true);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) mem[VT + j * n + i] = z[i * n + j]!;
  }

  const logU = new RowOpLog(mem, LOGU, LOG_CAPACITY, CHAINS, UT, n, m, kernels);
  const logV = new RowOpLog(mem, LOGV, LOG_CAPACITY, CHAINS, VT, n, n, kernels);

  // Main iteration on the bidiagonal (sFull, e).
  const pp = p - 1;
  let iterations = 0;
  let totalIterations = 0;
  while (p > 0) {
    let k: number;
    let kase: number;
    for (k = p - 2; k >= -1; k--) {
      if (k === -1) break;
      if (Math.abs(e[k]!) <= TINY + EPS * (Math.abs(sFull[k]!) + Math.abs(sFull[k + 1]!))) {
        e[k] = 0;
        break;
      }
    }
    if (k === p - 2) {
      kase = 4;
    } else {
      let ks: number;
      for (ks = p - 1; ks >= k; ks--) {
        if (ks === k) break;
        const t = (ks !== p ? Math.abs(e[ks]!) : 0) + (ks !== k + 1 ? Math.abs(e[ks - 1]!) : 0);
        if (Math.abs(sFull[ks]!) <= TINY + EPS * t) {
          sFull[ks] = 0;
          break;
        }
      }
      if (ks === k) kase = 3;
      else if (ks === p - 1) kase = 1;
      else {
        kase = 2;
        k = ks;
      }
    }
    k++;
    switch (kase) {
      case 1: {
        let f = e[p - 2]!;
        e[p - 2] = 0;
        for (let j = p - 2; j >= k; j--) {
          const t = Math.hypot(sFull[j]!, f);
          const cs = sFull[j]! / t;
          const sn = f / t;
          sFull[j] = t;
          if (j !== k) {
            f = -sn * e[j - 1]!;
            e[j - 1] = cs * e[j - 1]!;
          }
          logV.rotate(j, p - 1, cs, sn);
        }
        break;
      }
      case 2: {
        let f = e[k - 1]!;
        e[k - 1] = 0;
        for (let j = k; j < p; j++) {
          const t = Math.hypot(sFull[j]!, f);
          const cs = sFull[j]! / t;
          const sn = f / t;
          sFull[j] = t;
          f = -sn * e[j]!;
          e[j] = cs * e[j]!;
          logU.rotate(j, k - 1, cs, sn);
        }
        break;
      }
      case 3: {
        iterations++;
        totalIterations++;
        if (iterations > MAX_ITERATIONS_PER_VALUE) {
          throw new ConvergenceError({ operation, iterations: totalIterations, what: 'bidiagonal QR did not converge', scope: 'linalg' });
        }
        const scale = Math.max(
          Math.abs(sFull[p - 1]!),
          Math.abs(sFull[p - 2]!),
          Math.abs(e[p - 2]!),
          Math.abs(sFull[k]!),
          Math.abs(e[k]!),
        );
        const sp = sFull[p - 1]! / scale;
        const spm1 = sFull[p - 2]! / scale;
        const epm1 = e[p - 2]! / scale;
        const sk = sFull[k]! / scale;
        const ek = e[k]! / scale;
        const b = ((spm1 + sp) * (spm1 - sp) + epm1 * epm1) / 2;
        const c = sp * epm1 * (sp * epm1);
        let shift = 0;
        if (b !== 0 || c !== 0) {
          shift = Math.sqrt(b * b + c);
          if (b < 0) shift = -shift;
          shift = c / (b + shift);
        }
        let f = (sk + sp) * (sk - sp) + shift;
        let g = sk * ek;
        for (let j = k; j < p - 1; j++) {
          let t = Math.hypot(f, g);
          let cs = f / t;
          let sn = g / t;
          if (j !== k) e[j - 1] = t;
          f = cs * sFull[j]! + sn * e[j]!;
          e[j] = cs * e[j]! - sn * sFull[j]!;
          g = sn * sFull[j + 1]!;
          sFull[j + 1] = cs * sFull[j + 1]!;
          logV.rotate(j, j + 1, cs, sn);
          t = Math.hypot(f, g);
          cs = f / t;
          sn = g / t;
          sFull[j] = t;
          f = cs * e[j]! + sn * sFull[j + 1]!;
          sFull[j + 1] = -sn * e[j]! + cs * sFull[j + 1]!;
          g = sn * e[j + 1]!;
          e[j + 1] = cs * e[j + 1]!;
          if (j < m - 1) logU.rotate(j, j + 1, cs, sn);
        }
        e[p - 2] = f;
        break;
      }
      default: {
        if (sFull[k]! <= 0) {
          sFull[k] = sFull[k]! < 0 ? -sFull[k]! : 0;
          logV.negate(k);
        }
        while (k < pp) {
          if (sFull[k]! >= sFull[k + 1]!) break;
          const t = sFull[k]!;
          sFull[k] = sFull[k + 1]!;
          sFull[k + 1] = t;
          if (k < n - 1) logV.swap(k, k + 1);
          if (k < m - 1) logU.swap(k, k + 1);
          k++;
        }
        iterations = 0;
        p--;
      }
    }
  }
  logU.flush();
  logV.flush();
  for (let i = 0; i < n; i++) s[i] = sFull[i]!;
}

/** Transposes rows x columns row-major `src` into `dst` (columns x rows). */
function transposeInto(rows: number, columns: number, src: Float64Array, dst: Float64Array): void {
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < columns; j++) dst[j * rows + i] = src[i * columns + j]!;
  }
}

/**
 * Thin singular value decomposition of any m x n matrix: `A = U diag(s) V^T`,
 * U m x k and V n x k with orthonormal columns, s descending, k = min(m, n).
 * Golub-Kahan bidiagonalisation + implicit-shift bidiagonal QR (never eigen of A^T A,
 * so small singular values keep absolute accuracy eps ||A||).
 * Throws `DimensionMismatchError` (empty), `NonFiniteInputError`, `ConvergenceError`.
 */
export function svd(a: AbstractMatrix): SvdResult {
  const operation = 'svd';
  const m = a.rows;
  const n = a.columns;
  const data = readMatrix(operation, 'a', a);
  const scale = maxAbs(data);
  const tall = m >= n;
  const rows = tall ? m : n; // of the tall problem
  const cols = tall ? n : m;
  const k = cols;
  // at = (tall matrix)^T, i.e. cols x rows.
  const s = new Float64Array(k);
  const ut = new Float64Array(k * rows);
  const vt = new Float64Array(k * k);
  if (scale === 0) {
    for (let j = 0; j < k; j++) {
      ut[j * rows + j] = 1;
      vt[j * k + j] = 1;
    }
  } else {
    const kernels = rows * cols >= 1024 ? wasmKernels() : null;
    const size = svdWorkspaceSize(rows, cols);
    const mem = kernels !== null ? arena(kernels, GEMM_SCRATCH_DOUBLES + size) : new Float64Array(size);
    const base = kernels !== null ? TAIL_BASE_BYTES / 8 : 0;
    // A^T of the tall problem, scaled by a power of two near 1 / max|a_ij| (exact, and finite
    // for subnormal max|a_ij|, where 1 / max|a_ij| overflows).
    const exponent = binaryExponent(scale);
    if (tall) {
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) mem[base + j * m + i] = timesPowerOfTwo(data[i * n + j]!, -exponent);
    } else {
      for (let q = 0; q < data.length; q++) mem[base + q] = timesPowerOfTwo(data[q]!, -exponent);
    }
    svdTallKernel(rows, cols, mem, base, s, kernels, operation);
    // Safety net: never hand back NaN or Infinity.
    for (let i = base + cols * rows; i < base + 2 * cols * rows + cols * cols; i++) {
      const x = mem[i]!;
      if (x - x !== 0) throw new ConvergenceError({ operation, iterations: 0, what: 'non-finite value in the result', scope: 'linalg' });
    }
    for (const x of s) if (x - x !== 0) throw new ConvergenceError({ operation, iterations: 0, what: 'non-finite value in the result', scope: 'linalg' });
    for (let i = 0; i < k; i++) s[i] = timesPowerOfTwo(s[i]!, exponent);
    ut.set(mem.subarray(base + cols * rows, base + 2 * cols * rows));
    vt.set(mem.subarray(base + 2 * cols * rows, base + 2 * cols * rows + cols * cols));
  }
  // Left vectors of the tall problem: ut (k x rows) -> rows x k. Right: vt (k x k) -> k x k.
  const left = new Float64Array(rows * k);
  transposeInto(k, rows, ut, left);
  const right = new Float64Array(k * k);
  transposeInto(k, k, vt, right);
  if (tall) return { u: wrapRowMajor(left, m, k), s, v: wrapRowMajor(right, n, k) };
  return { u: wrapRowMajor(right, m, k), s, v: wrapRowMajor(left, n, k) };
}
