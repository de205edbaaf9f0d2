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

/** Unit roundoff (LAPACK's dlamch('Epsilon')). */
const EPS = 2 ** -53;
/** Smallest normal double (dlamch('Safe minimum')). */
const SAFE_MINIMUM = 2 ** -1022;
/** dbdsqr's relative tolerance max(10, min(100, eps^(-1/8))) eps, about 99 eps. */
const TOLERANCE = Math.max(10, Math.min(100, EPS ** -0.125)) * EPS;
/** dbdsqr's MAXITR: at most 6 p^2 inner QR steps over the whole bidiagonal of order p. */
const MAX_ITERATION_FACTOR = 6;

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
 * Thin SVD kernel for m >= n in LAPACK's stages: `bidiagonalise` (dgebrd, unblocked as in
 * LINPACK dsvdc), `formLeftVectors` and `formRightVectors` (dorgbr), then `bidiagonalQr`
 * (dbdsqr: QR sweeps chased from the larger end of each block, zero-shift sweeps where a shift
 * would be negligible, relative convergence tests, then the sign fix and sort). The plane rotations are logged and replayed on the singular
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
  bidiagonalQr(order, d, e, logU, logV, operation);
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
 * Bidiagonal SVD iteration (dbdsqr, Demmel and Kahan 1990) on the p x p upper bidiagonal (d, e):
 * repeatedly find the bottom unreduced block d[lo..hi], solve a 2 x 2 block directly, or take
 * one QR sweep, chased from the larger end of the block towards the smaller, with a zero shift
 * whenever a shift would be lost against the block's largest values (so values of graded
 * matrices keep relative accuracy, and a useless shift does not pose as a shifted sweep).
 * Finally makes the values non-negative and sorts them descending. Rotations from the right go
 * to `logV`, from the left to `logU`. At most MAX_ITERATION_FACTOR p^2 inner steps in total.
 */
function bidiagonalQr(p: number, d: Float64Array, e: Float64Array, logU: RowOpLog, logV: RowOpLog, operation: string): void {
  const thresh = absoluteThreshold(p, d, e);
  const maxIterations = MAX_ITERATION_FACTOR * p * p;
  let iterations = 0;
  let downwards = true; // chase the bulge from d[lo] to d[hi]
  let oldLo = -1;
  let oldHi = -1;
  let hi = p - 1;
  while (hi > 0) {
    if (iterations > maxIterations) {
      throw new ConvergenceError({ operation, iterations, what: 'bidiagonal QR did not converge', scope: 'linalg' });
    }
    const block = unreducedBlock(hi, d, e, thresh);
    const lo = block.lo;
    if (lo === hi) {
      hi--;
      continue;
    }
    if (lo === hi - 1) {
      twoByTwoBlock(hi, d, e, logU, logV);
      hi -= 2;
      continue;
    }
    // A new block: chase from the larger end towards the smaller.
    if (lo > oldHi || hi < oldLo) downwards = Math.abs(d[lo]!) >= Math.abs(d[hi]!);
    const smin = downwards ? convergedDownwards(lo, hi, d, e) : convergedUpwards(lo, hi, d, e);
    if (smin < 0) continue;
    oldLo = lo;
    oldHi = hi;
    const shift = sweepShift(p, lo, hi, d, e, smin, block.smax, downwards);
    iterations += hi - lo;
    if (shift === 0) {
      if (downwards) zeroShiftSweepDownwards(lo, hi, d, e, thresh, logU, logV);
      else zeroShiftSweepUpwards(lo, hi, d, e, thresh, logU, logV);
    } else if (downwards) {
      shiftedSweepDownwards(lo, hi, d, e, shift, thresh, logU, logV);
    } else {
      shiftedSweepUpwards(lo, hi, d, e, shift, thresh, logU, logV);
    }
  }
  sortSingularValues(p, d, logU, logV);
}

/**
 * dbdsqr's absolute threshold: tol times an estimate of the smallest singular value (the
 * recurrence of Demmel and Kahan, divided by sqrt(p)), never below the underflow level.
 * Superdiagonals below it are set to zero wherever they are.
 */
function absoluteThreshold(p: number, d: Float64Array, e: Float64Array): number {
  let sminoa = Math.abs(d[0]!);
  let mu = sminoa;
  for (let i = 1; i < p && sminoa !== 0; i++) {
    mu = Math.abs(d[i]!) * (mu / (mu + Math.abs(e[i - 1]!)));
    sminoa = Math.min(sminoa, mu);
  }
  return Math.max((TOLERANCE * sminoa) / Math.sqrt(p), MAX_ITERATION_FACTOR * (p * (p * SAFE_MINIMUM)));
}

/** Reused result of `unreducedBlock` (no allocation per sweep). */
const blockScratch = { lo: 0, smax: 0 };

/**
 * The bottom unreduced block d[lo..hi] (lo = hi when e[hi-1] is negligible), zeroing the
 * negligible superdiagonal that bounds it, and the largest |d|, |e| inside it.
 */
function unreducedBlock(hi: number, d: Float64Array, e: Float64Array, thresh: number): { lo: number; smax: number } {
  let smax = Math.abs(d[hi]!);
  let j = hi - 1;
  for (; j >= 0; j--) {
    const abse = Math.abs(e[j]!);
    if (abse <= thresh || abse === 0) {
      e[j] = 0;
      break;
    }
    smax = Math.max(smax, Math.abs(d[j]!), abse);
  }
  blockScratch.lo = j + 1;
  blockScratch.smax = smax;
  return blockScratch;
}

/** A 2 x 2 block d[hi-1..hi]: its SVD directly (dlasv2), rotations on both sides. */
function twoByTwoBlock(hi: number, d: Float64Array, e: Float64Array, logU: RowOpLog, logV: RowOpLog): void {
  const r = twoByTwoSvd(d[hi - 1]!, e[hi - 1]!, d[hi]!);
  d[hi - 1] = r.ssmax;
  e[hi - 1] = 0;
  d[hi] = r.ssmin;
  logV.rotate(hi - 1, hi, r.csr, r.snr);
  logU.rotate(hi - 1, hi, r.csl, r.snl);
}

/**
 * Convergence tests for a sweep chased downwards: e[hi-1] against d[hi], then every e[j]
 * against the running estimate mu of the smallest singular value of d[lo..j] (relative, so
 * tiny values of a graded block still converge). Zeroes the first negligible e[j] and returns
 * -1; otherwise returns the estimate of the block's smallest singular value.
 */
function convergedDownwards(lo: number, hi: number, d: Float64Array, e: Float64Array): number {
  if (Math.abs(e[hi - 1]!) <= TOLERANCE * Math.abs(d[hi]!)) {
    e[hi - 1] = 0;
    return -1;
  }
  let mu = Math.abs(d[lo]!);
  let smin = mu;
  for (let j = lo; j < hi; j++) {
    const abse = Math.abs(e[j]!);
    if (abse <= TOLERANCE * mu) {
      e[j] = 0;
      return -1;
    }
    mu = Math.abs(d[j + 1]!) * (mu / (mu + abse));
    smin = Math.min(smin, mu);
  }
  return smin;
}

/** `convergedDownwards` mirrored, for sweeps chased upwards: e[lo] first, then from the bottom. */
function convergedUpwards(lo: number, hi: number, d: Float64Array, e: Float64Array): number {
  if (Math.abs(e[lo]!) <= TOLERANCE * Math.abs(d[lo]!)) {
    e[lo] = 0;
    return -1;
  }
  let mu = Math.abs(d[hi]!);
  let smin = mu;
  for (let j = hi - 1; j >= lo; j--) {
    const abse = Math.abs(e[j]!);
    if (abse <= TOLERANCE * mu) {
      e[j] = 0;
      return -1;
    }
    mu = Math.abs(d[j]!) * (mu / (mu + abse));
    smin = Math.min(smin, mu);
  }
  return smin;
}

/**
 * The shift for the next sweep: zero when shifting could spoil relative accuracy (smin tiny
 * against smax) or when the smaller singular value of the 2 x 2 at the far end of the chase
 * is negligible against the value at its start (shift^2 would vanish in f = d^2 - shift^2).
 */
function sweepShift(
  p: number,
  lo: number,
  hi: number,
  d: Float64Array,
  e: Float64Array,
  smin: number,
  smax: number,
  downwards: boolean,
): number {
  if (p * TOLERANCE * (smin / smax) <= Math.max(EPS, 0.01 * TOLERANCE)) return 0;
  const start = Math.abs(downwards ? d[lo]! : d[hi]!);
  const shift = downwards ? smallerSingularValue(d[hi - 1]!, e[hi - 1]!, d[hi]!) : smallerSingularValue(d[lo]!, e[lo]!, d[lo + 1]!);
  if (start > 0 && (shift / start) ** 2 < EPS) return 0;
  return shift;
}

/** Plane rotation (dlartg): c f + s g = r, c g - s f = 0, c >= 0 and r with the sign of f. */
const rotation = { c: 1, s: 0, r: 0 };
function planeRotation(f: number, g: number): void {
  if (g === 0) {
    rotation.c = 1;
    rotation.s = 0;
    rotation.r = f;
  } else if (f === 0) {
    rotation.c = 0;
    rotation.s = g < 0 ? -1 : 1;
    rotation.r = Math.abs(g);
  } else {
    const r = f < 0 ? -Math.hypot(f, g) : Math.hypot(f, g);
    rotation.c = f / r;
    rotation.s = g / r;
    rotation.r = r;
  }
}

/**
 * Zero-shift QR sweep chased downwards (Demmel and Kahan): no subtraction anywhere, so every
 * entry keeps high relative accuracy; a zero d[j] moves to the bottom and splits off.
 */
function zeroShiftSweepDownwards(
  lo: number,
  hi: number,
  d: Float64Array,
  e: Float64Array,
  thresh: number,
  logU: RowOpLog,
  logV: RowOpLog,
): void {
  let cs = 1;
  let oldcs = 1;
  let oldsn = 0;
  for (let i = lo; i < hi; i++) {
    planeRotation(d[i]! * cs, e[i]!);
    cs = rotation.c;
    const sn = rotation.s;
    const r = rotation.r;
    if (i > lo) e[i - 1] = oldsn * r;
    planeRotation(oldcs * r, d[i + 1]! * sn);
    oldcs = rotation.c;
    oldsn = rotation.s;
    d[i] = rotation.r;
    logV.rotate(i, i + 1, cs, sn);
    logU.rotate(i, i + 1, oldcs, oldsn);
  }
  const h = d[hi]! * cs;
  d[hi] = h * oldcs;
  e[hi - 1] = h * oldsn;
  if (Math.abs(e[hi - 1]!) <= thresh) e[hi - 1] = 0;
}

/** `zeroShiftSweepDownwards` mirrored: chased from d[hi] up to d[lo]. */
function zeroShiftSweepUpwards(
  lo: number,
  hi: number,
  d: Float64Array,
  e: Float64Array,
  thresh: number,
  logU: RowOpLog,
  logV: RowOpLog,
): void {
  let cs = 1;
  let oldcs = 1;
  let oldsn = 0;
  for (let i = hi; i > lo; i--) {
    planeRotation(d[i]! * cs, e[i - 1]!);
    cs = rotation.c;
    const sn = rotation.s;
    const r = rotation.r;
    if (i < hi) e[i] = oldsn * r;
    planeRotation(oldcs * r, d[i - 1]! * sn);
    oldcs = rotation.c;
    oldsn = rotation.s;
    d[i] = rotation.r;
    logU.rotate(i - 1, i, cs, -sn);
    logV.rotate(i - 1, i, oldcs, -oldsn);
  }
  const h = d[lo]! * cs;
  d[lo] = h * oldcs;
  e[lo] = h * oldsn;
  if (Math.abs(e[lo]!) <= thresh) e[lo] = 0;
}

/** One implicit-shift QR sweep (Golub-Kahan) chased downwards, shift from the bottom 2 x 2. */
function shiftedSweepDownwards(
  lo: number,
  hi: number,
  d: Float64Array,
  e: Float64Array,
  shift: number,
  thresh: number,
  logU: RowOpLog,
  logV: RowOpLog,
): void {
  // f = d[lo]^2 - shift^2, divided by d[lo], formed without cancellation.
  let f = (Math.abs(d[lo]!) - shift) * ((d[lo]! < 0 ? -1 : 1) + shift / d[lo]!);
  let g = e[lo]!;
  for (let i = lo; i < hi; i++) {
    planeRotation(f, g);
    const cosr = rotation.c;
    const sinr = rotation.s;
    if (i > lo) e[i - 1] = rotation.r;
    f = cosr * d[i]! + sinr * e[i]!;
    e[i] = cosr * e[i]! - sinr * d[i]!;
    g = sinr * d[i + 1]!;
    d[i + 1] = cosr * d[i + 1]!;
    planeRotation(f, g);
    const cosl = rotation.c;
    const sinl = rotation.s;
    d[i] = rotation.r;
    f = cosl * e[i]! + sinl * d[i + 1]!;
    d[i + 1] = cosl * d[i + 1]! - sinl * e[i]!;
    if (i < hi - 1) {
      g = sinl * e[i + 1]!;
      e[i + 1] = cosl * e[i + 1]!;
    }
    logV.rotate(i, i + 1, cosr, sinr);
    logU.rotate(i, i + 1, cosl, sinl);
  }
  e[hi - 1] = f;
  if (Math.abs(e[hi - 1]!) <= thresh) e[hi - 1] = 0;
}

/** `shiftedSweepDownwards` mirrored: chased from d[hi] up to d[lo], shift from the top 2 x 2. */
function shiftedSweepUpwards(
  lo: number,
  hi: number,
  d: Float64Array,
  e: Float64Array,
  shift: number,
  thresh: number,
  logU: RowOpLog,
  logV: RowOpLog,
): void {
  let f = (Math.abs(d[hi]!) - shift) * ((d[hi]! < 0 ? -1 : 1) + shift / d[hi]!);
  let g = e[hi - 1]!;
  for (let i = hi; i > lo; i--) {
    planeRotation(f, g);
    const cosr = rotation.c;
    const sinr = rotation.s;
    if (i < hi) e[i] = rotation.r;
    f = cosr * d[i]! + sinr * e[i - 1]!;
    e[i - 1] = cosr * e[i - 1]! - sinr * d[i]!;
    g = sinr * d[i - 1]!;
    d[i - 1] = cosr * d[i - 1]!;
    planeRotation(f, g);
    const cosl = rotation.c;
    const sinl = rotation.s;
    d[i] = rotation.r;
    f = cosl * e[i - 1]! + sinl * d[i - 1]!;
    d[i - 1] = cosl * d[i - 1]! - sinl * e[i - 1]!;
    if (i > lo + 1) {
      g = sinl * e[i - 2]!;
      e[i - 2] = cosl * e[i - 2]!;
    }
    logU.rotate(i - 1, i, cosr, -sinr);
    logV.rotate(i - 1, i, cosl, -sinl);
  }
  e[lo] = f;
  if (Math.abs(e[lo]!) <= thresh) e[lo] = 0;
}

/** The smaller singular value of [[f, g], [0, h]] (dlas2), accurate to a few ulps. */
function smallerSingularValue(f: number, g: number, h: number): number {
  const fa = Math.abs(f);
  const ga = Math.abs(g);
  const ha = Math.abs(h);
  const fhmn = Math.min(fa, ha);
  const fhmx = Math.max(fa, ha);
  if (fhmn === 0) return 0;
  if (ga < fhmx) {
    const as = 1 + fhmn / fhmx;
    const at = (fhmx - fhmn) / fhmx;
    const au = (ga / fhmx) ** 2;
    return fhmn * (2 / (Math.sqrt(as * as + au) + Math.sqrt(at * at + au)));
  }
  const au = fhmx / ga;
  if (au === 0) return (fhmn * fhmx) / ga;
  const as = 1 + fhmn / fhmx;
  const at = (fhmx - fhmn) / fhmx;
  const c = 1 / (Math.sqrt(1 + (as * au) ** 2) + Math.sqrt(1 + (at * au) ** 2));
  return 2 * (fhmn * c * au);
}

/** Reused result of `twoByTwoSvd`. */
const twoByTwo = { ssmin: 0, ssmax: 0, csl: 1, snl: 0, csr: 1, snr: 0 };

/**
 * SVD of the upper triangular [[f, g], [0, h]] (dlasv2):
 * [csl snl; -snl csl] [f g; 0 h] [csr -snr; snr csr] = diag(ssmax, ssmin), |ssmax| >= |ssmin|,
 * every entry to a few ulps (relative) even for widely different f, g, h.
 */
function twoByTwoSvd(f: number, g: number, h: number): typeof twoByTwo {
  let ft = f;
  let fa = Math.abs(ft);
  let ht = h;
  let ha = Math.abs(h);
  let pmax = 1; // which of f, g, h is largest in magnitude
  const swap = ha > fa;
  if (swap) {
    pmax = 3;
    [ft, ht] = [ht, ft];
    [fa, ha] = [ha, fa];
  }
  const gt = g;
  const ga = Math.abs(gt);
  let ssmin: number;
  let ssmax: number;
  let clt: number;
  let crt: number;
  let slt: number;
  let srt: number;
  if (ga === 0) {
    ssmin = ha;
    ssmax = fa;
    clt = 1;
    crt = 1;
    slt = 0;
    srt = 0;
  } else {
    let gaSmall = true;
    ssmin = 0;
    ssmax = 0;
    clt = 1;
    crt = 1;
    slt = 0;
    srt = 0;
    if (ga > fa) {
      pmax = 2;
      if (fa / ga < EPS) {
        // g dominates: the values are g and f h / g to working accuracy.
        gaSmall = false;
        ssmax = ga;
        ssmin = ha > 1 ? fa / (ga / ha) : (fa / ga) * ha;
        clt = 1;
        slt = ht / gt;
        srt = 1;
        crt = ft / gt;
      }
    }
    if (gaSmall) {
      const dd = fa - ha;
      let l = dd === fa ? 1 : dd / fa; // 0 <= l <= 1 (1 also for infinite f or h)
      const m = gt / ft;
      let t = 2 - l;
      const mm = m * m;
      const tt = t * t;
      const s = Math.sqrt(tt + mm);
      const r = l === 0 ? Math.abs(m) : Math.sqrt(l * l + mm);
      const a = 0.5 * (s + r);
      ssmin = ha / a;
      ssmax = fa * a;
      if (mm === 0) {
        // m is tiny.
        if (l === 0) t = (ft < 0 ? -2 : 2) * (gt < 0 ? -1 : 1);
        else t = gt / (ft < 0 ? -Math.abs(dd) : Math.abs(dd)) + m / t;
      } else {
        t = (m / (s + t) + m / (r + l)) * (1 + a);
      }
      l = Math.sqrt(t * t + 4);
      crt = 2 / l;
      srt = t / l;
      clt = (crt + srt * m) / a;
      slt = (ht / ft) * srt / a;
    }
  }
  if (swap) {
    twoByTwo.csl = srt;
    twoByTwo.snl = crt;
    twoByTwo.csr = slt;
    twoByTwo.snr = clt;
  } else {
    twoByTwo.csl = clt;
    twoByTwo.snl = slt;
    twoByTwo.csr = crt;
    twoByTwo.snr = srt;
  }
  const sign = (x: number): number => (x < 0 || Object.is(x, -0) ? -1 : 1);
  let tsign: number;
  if (pmax === 1) tsign = sign(twoByTwo.csr) * sign(twoByTwo.csl) * sign(f);
  else if (pmax === 2) tsign = sign(twoByTwo.snr) * sign(twoByTwo.csl) * sign(g);
  else tsign = sign(twoByTwo.snr) * sign(twoByTwo.snl) * sign(h);
  twoByTwo.ssmax = tsign * Math.abs(ssmax);
  twoByTwo.ssmin = tsign * sign(f) * sign(h) * Math.abs(ssmin);
  return twoByTwo;
}

/**
 * Makes the singular values non-negative (negating right vectors) and sorts them descending
 * by selection, one swap per position, swapping the vectors along (dbdsqr's finish).
 */
function sortSingularValues(p: number, d: Float64Array, logU: RowOpLog, logV: RowOpLog): void {
  for (let i = 0; i < p; i++) {
    if (d[i] === 0) d[i] = 0; // no -0
    if (d[i]! < 0) {
      d[i] = -d[i]!;
      logV.negate(i);
    }
  }
  for (let last = p - 1; last > 0; last--) {
    let smallest = 0;
    let smin = d[0]!;
    for (let j = 1; j <= last; j++) {
      if (d[j]! <= smin) {
        smallest = j;
        smin = d[j]!;
      }
    }
    if (smallest !== last) {
      d[smallest] = d[last]!;
      d[last] = smin;
      logV.swap(smallest, last);
      logU.swap(smallest, last);
    }
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
