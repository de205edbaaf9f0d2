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

/** Where `svdTallKernel` keeps its arrays in `mem` (offsets in doubles). */
interface SvdTallWorkspace {
  /** A^T, n x m (row j = column j of A); overwritten by the bidiagonalisation. */
  readonly at: number;
  /** U^T, n x m (row j = left vector j). */
  readonly ut: number;
  /** V^T, n x n (row j = right vector j). */
  readonly vt: number;
  /** A work vector of length m. */
  readonly work: number;
  /** Rotation logs for U^T and V^T, 4 doubles per entry. */
  readonly logU: number;
  readonly logV: number;
  /** LOG_CAPACITY int32 of scratch for the wasm replay of a log. */
  readonly chains: number;
  /** One past the last double used. */
  readonly end: number;
}

function svdTallWorkspace(m: number, n: number, base: number): SvdTallWorkspace {
  const at = base;
  const ut = at + n * m;
  const vt = ut + n * m;
  const work = vt + n * n;
  const logU = work + m;
  const logV = logU + 4 * LOG_CAPACITY;
  const chains = logV + 4 * LOG_CAPACITY;
  return { at, ut, vt, work, logU, logV, chains, end: chains + LOG_CAPACITY / 2 };
}

/** Doubles of workspace `svdTallKernel` needs for an m x n problem (m >= n). */
export function svdWorkspaceSize(m: number, n: number): number {
  return svdTallWorkspace(m, n, 0).end;
}

/**
 * Thin SVD kernel for m >= n, in the stages of LINPACK dsvdc / JAMA, named after their LAPACK
 * counterparts: `bidiagonalise` (dgebrd), `formLeftVectors` and `formRightVectors` (dorgbr),
 * then `bidiagonalQr` (dbdsqr: implicit-shift QR with deflation, splitting and, per converged
 * value, the sign fix and sort). The plane rotations are logged and replayed on the singular
 * vectors in cache-sized column chunks. All arrays live in `mem` from offset `base` (see
 * `svdTallWorkspace`); A^T is overwritten, U^T and V^T hold the singular vectors as rows.
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
  const workspace = svdTallWorkspace(m, n, base);
  // The bidiagonal: diagonal d, superdiagonal e (e[k] couples d[k] and d[k + 1]).
  const d = new Float64Array(Math.min(m + 1, n));
  const e = new Float64Array(n);
  const leftReflectors = Math.min(m - 1, n);
  const rightReflectors = Math.max(0, Math.min(n - 2, m));
  const order = bidiagonalise(m, n, leftReflectors, rightReflectors, mem, workspace, d, e, kernels);
  formLeftVectors(m, n, leftReflectors, mem, workspace.ut, d);
  formRightVectors(n, rightReflectors, mem, workspace.vt, e);
  const logU = new RowOpLog(mem, workspace.logU, LOG_CAPACITY, workspace.chains, workspace.ut, n, m, kernels);
  const logV = new RowOpLog(mem, workspace.logV, LOG_CAPACITY, workspace.chains, workspace.vt, n, n, kernels);
  bidiagonalQr(m, n, order, d, e, logU, logV, operation);
  logU.flush();
  logV.flush();
  for (let i = 0; i < n; i++) s[i] = d[i]!;
}

/**
 * Householder bidiagonalisation (dgebrd, unblocked as in dsvdc): A = U_0 B V_0^T with B upper
 * bidiagonal (d, e), from `nct` column and `nrt` row reflectors (dsvdc's names). Column reflector
 * k is left in row k of U^T (from index k), row reflector k in row k of V^T (from index k + 1),
 * each scaled so that its head is 1 + |x|/norm. Returns the order p of B.
 */
function bidiagonalise(
  m: number,
  n: number,
  nct: number,
  nrt: number,
  mem: Float64Array,
  workspace: SvdTallWorkspace,
  d: Float64Array,
  e: Float64Array,
  kernels: WasmKernels | null,
): number {
  const { at: AT, ut: UT, vt: VT, work: WORK } = workspace;
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
  for (let k = 0; k < Math.max(nct, nrt); k++) {
    const ak = AT + k * m;
    // Column reflector (dlarfg) for A[k.., k]: d[k] = -sign(A[k, k]) ||A[k.., k]||.
    if (k < nct) {
      let norm = norm2Kernel(m - k, mem, ak + k);
      if (norm !== 0) {
        if (mem[ak + k]! < 0) norm = -norm;
        const inv = 1 / norm;
        for (let i = ak + k; i < ak + m; i++) mem[i] = mem[i]! * inv;
        mem[ak + k] = mem[ak + k]! + 1;
      }
      d[k] = -norm;
    }
    // Apply it to the trailing columns (dlarf) and read off row k right of the diagonal.
    for (let j = k + 1; j < n; j++) {
      const aj = AT + j * m;
      if (k < nct && d[k] !== 0) {
        const t = -dot(ak + k, aj + k, m - k) / mem[ak + k]!;
        axpy(t, ak + k, aj + k, m - k);
      }
      e[j] = mem[aj + k]!;
    }
    if (k < nct) {
      for (let i = k; i < m; i++) mem[UT + k * m + i] = mem[ak + i]!;
    }
    // Row reflector (dlarfg) for e[k + 1..], applied to the trailing block (dlarf).
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
  // The entries of B that no reflector produced.
  const p = Math.min(n, m + 1);
  if (nct < n) d[nct] = mem[AT + nct * m + nct]!;
  if (m < p) d[p - 1] = 0;
  if (nrt + 1 < p) e[nrt] = mem[AT + (p - 1) * m + nrt]!;
  e[p - 1] = 0;
  return p;
}

/**
 * Forms U = H_0 ... H_{count-1} [I; 0] (dorgbr 'Q') from the column reflectors in the rows of
 * U^T, with blocked (compact WY) reflector application, and stores it back transposed.
 */
function formLeftVectors(m: number, n: number, count: number, mem: Float64Array, UT: number, d: Float64Array): void {
  const tauU = new Float64Array(n);
  for (let k = 0; k < count; k++) {
    const uk = UT + k * m;
    const ukk = mem[uk + k]!;
    if (d[k] === 0 || ukk === 0) continue;
    tauU[k] = ukk;
    const inv = 1 / ukk;
    for (let i = uk + k + 1; i < uk + m; i++) mem[i] = mem[i]! * inv;
  }
  const z = new Float64Array(m * n);
  for (let j = 0; j < n; j++) z[j * n + j] = 1;
  applyReflectorsBlocked(m, count, 0, mem, UT, m, tauU, z, 0, n, true);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) mem[UT + j * m + i] = z[i * n + j]!;
}

/**
 * Forms V = G_0 ... G_{count-1} (dorgbr 'P') from the row reflectors in the rows of V^T, with
 * blocked (compact WY) reflector application, and stores it back transposed.
 */
function formRightVectors(n: number, count: number, mem: Float64Array, VT: number, e: Float64Array): void {
  const tauV = new Float64Array(n);
  for (let k = 0; k < count; k++) {
    const vk = VT + k * n;
    const head = mem[vk + k + 1]!;
    if (e[k] === 0 || head === 0) continue;
    tauV[k] = head;
    const inv = 1 / head;
    for (let i = vk + k + 2; i < vk + n; i++) mem[i] = mem[i]! * inv;
  }
  const z = new Float64Array(n * n);
  for (let j = 0; j < n; j++) z[j * n + j] = 1;
  applyReflectorsBlocked(n, count, 1, mem, VT, n, tauV, z, 0, n, true);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) mem[VT + j * n + i] = z[i * n + j]!;
}

/**
 * Bidiagonal SVD iteration (dbdsqr's role, LINPACK's algorithm) on the leading p x p block of
 * (d, e): find the bottom unreduced block d[k..p-1], then deflate a negligible d[p-1], split at
 * a negligible d[k-1], take one shifted QR sweep, or, when e[p-2] is negligible, finalise d[p-1]
 * and shrink p. Every sweep is shifted (dsvdc has no zero-shift sweep). Rotations from the right
 * go to `logV`, from the left to `logU`.
 */
function bidiagonalQr(
  m: number,
  n: number,
  p: number,
  d: Float64Array,
  e: Float64Array,
  logU: RowOpLog,
  logV: RowOpLog,
  operation: string,
): void {
  const pp = p - 1;
  let iterations = 0;
  let totalIterations = 0;
  while (p > 0) {
    let k = negligibleSuperdiagonal(p, d, e);
    let kase: number; // dsvdc's: 1 deflate, 2 split, 3 QR sweep, 4 converged
    if (k === p - 2) {
      kase = 4;
    } else {
      const ks = negligibleDiagonal(p, k, d, e);
      if (ks === k) kase = 3;
      else if (ks === p - 1) kase = 1;
      else {
        kase = 2;
        k = ks;
      }
    }
    k++;
    switch (kase) {
      case 1:
        deflateLastDiagonal(k, p, d, e, logV);
        break;
      case 2:
        splitAtZeroDiagonal(k, p, d, e, logU);
        break;
      case 3:
        iterations++;
        totalIterations++;
        if (iterations > MAX_ITERATIONS_PER_VALUE) {
          throw new ConvergenceError({ operation, iterations: totalIterations, what: 'bidiagonal QR did not converge', scope: 'linalg' });
        }
        shiftedQrSweep(m, k, p, d, e, logU, logV);
        break;
      default:
        finaliseSingularValue(m, n, k, pp, d, logU, logV);
        iterations = 0;
        p--;
    }
  }
}

/**
 * The largest k < p - 1 with e[k] negligible against its neighbours on the diagonal (set to
 * exactly zero), or -1: the bottom unreduced block then starts at k + 1.
 */
function negligibleSuperdiagonal(p: number, d: Float64Array, e: Float64Array): number {
  let k: number;
  for (k = p - 2; k >= -1; k--) {
    if (k === -1) break;
    if (Math.abs(e[k]!) <= TINY + EPS * (Math.abs(d[k]!) + Math.abs(d[k + 1]!))) {
      e[k] = 0;
      break;
    }
  }
  return k;
}

/**
 * The largest ks in (k, p - 1] with d[ks] negligible against its neighbouring superdiagonals
 * (set to exactly zero), or k when the block d[k+1..p-1] has none.
 */
function negligibleDiagonal(p: number, k: number, d: Float64Array, e: Float64Array): number {
  let ks: number;
  for (ks = p - 1; ks >= k; ks--) {
    if (ks === k) break;
    const t = (ks !== p ? Math.abs(e[ks]!) : 0) + (ks !== k + 1 ? Math.abs(e[ks - 1]!) : 0);
    if (Math.abs(d[ks]!) <= TINY + EPS * t) {
      d[ks] = 0;
      break;
    }
  }
  return ks;
}

/** d[p-1] = 0: rotations from the right chase e[p-2] up the block d[k..p-1] and out of it. */
function deflateLastDiagonal(k: number, p: number, d: Float64Array, e: Float64Array, logV: RowOpLog): void {
  let f = e[p - 2]!;
  e[p - 2] = 0;
  for (let j = p - 2; j >= k; j--) {
    const t = Math.hypot(d[j]!, f);
    const cs = d[j]! / t;
    const sn = f / t;
    d[j] = t;
    if (j !== k) {
      f = -sn * e[j - 1]!;
      e[j - 1] = cs * e[j - 1]!;
    }
    logV.rotate(j, p - 1, cs, sn);
  }
}

/** d[k-1] = 0: rotations from the left chase e[k-1] along row k-1 and out of the block. */
function splitAtZeroDiagonal(k: number, p: number, d: Float64Array, e: Float64Array, logU: RowOpLog): void {
  let f = e[k - 1]!;
  e[k - 1] = 0;
  for (let j = k; j < p; j++) {
    const t = Math.hypot(d[j]!, f);
    const cs = d[j]! / t;
    const sn = f / t;
    d[j] = t;
    f = -sn * e[j]!;
    e[j] = cs * e[j]!;
    logU.rotate(j, k - 1, cs, sn);
  }
}

/**
 * One implicit-shift QR sweep (Golub-Kahan) on the unreduced block d[k..p-1], with the shift
 * from the trailing 2 x 2 of B^T B computed on values scaled by the block's largest entry.
 */
function shiftedQrSweep(
  m: number,
  k: number,
  p: number,
  d: Float64Array,
  e: Float64Array,
  logU: RowOpLog,
  logV: RowOpLog,
): void {
  const scale = Math.max(Math.abs(d[p - 1]!), Math.abs(d[p - 2]!), Math.abs(e[p - 2]!), Math.abs(d[k]!), Math.abs(e[k]!));
  const sp = d[p - 1]! / scale;
  const spm1 = d[p - 2]! / scale;
  const epm1 = e[p - 2]! / scale;
  const sk = d[k]! / scale;
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
    f = cs * d[j]! + sn * e[j]!;
    e[j] = cs * e[j]! - sn * d[j]!;
    g = sn * d[j + 1]!;
    d[j + 1] = cs * d[j + 1]!;
    logV.rotate(j, j + 1, cs, sn);
    t = Math.hypot(f, g);
    cs = f / t;
    sn = g / t;
    d[j] = t;
    f = cs * e[j]! + sn * d[j + 1]!;
    d[j + 1] = -sn * e[j]! + cs * d[j + 1]!;
    g = sn * e[j + 1]!;
    e[j + 1] = cs * e[j + 1]!;
    if (j < m - 1) logU.rotate(j, j + 1, cs, sn);
  }
  e[p - 2] = f;
}

/**
 * d[k] has converged (the finalisation dbdsqr does at the end, here per value as in dsvdc):
 * make it non-negative (negating right vector k), then bubble it down past smaller values
 * d[k+1..pp] so the values end descending, swapping the vectors along.
 */
function finaliseSingularValue(
  m: number,
  n: number,
  k: number,
  pp: number,
  d: Float64Array,
  logU: RowOpLog,
  logV: RowOpLog,
): void {
  if (d[k]! <= 0) {
    d[k] = d[k]! < 0 ? -d[k]! : 0;
    logV.negate(k);
  }
  while (k < pp) {
    if (d[k]! >= d[k + 1]!) break;
    const t = d[k]!;
    d[k] = d[k + 1]!;
    d[k + 1] = t;
    if (k < n - 1) logV.swap(k, k + 1);
    if (k < m - 1) logU.swap(k, k + 1);
    k++;
  }
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
