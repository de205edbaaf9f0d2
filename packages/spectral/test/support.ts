/**
 * Test support shared by the spectral tests: the fixture input formula (bit-identical to
 * tooling/fixtures/spectral/make_fixtures.py), a direct O(n^2) DFT, and small helpers.
 */
import { readFileSync } from 'node:fs';
import { createRng } from '@descramble/linalg';
import { Matrix } from 'ml-matrix';

/** `((13 i^2 + 7 j^2 + 31 i j + 7919 i + 104729 j + 523 salt) mod 1009) / 1009 - 0.5`. */
export function formula(i: number, j: number, salt: number): number {
  const k = (13 * i * i + 7 * j * j + 31 * i * j + 7919 * i + 104729 * j + 523 * salt) % 1009;
  return k / 1009 - 0.5;
}

export function formulaMatrix(rows: number, columns: number, salt: number): Matrix {
  const m = new Matrix(rows, columns);
  for (let i = 0; i < rows; i++) for (let j = 0; j < columns; j++) m.set(i, j, formula(i, j, salt));
  return m;
}

export function formulaVector(n: number, salt: number): Float64Array {
  const v = new Float64Array(n);
  for (let k = 0; k < n; k++) v[k] = formula(k, 3, salt);
  return v;
}

/** Reads a little-endian float64 fixture file. */
export function readFloat64(url: URL): Float64Array {
  const bytes = readFileSync(url);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(bytes.byteLength / 8);
  for (let k = 0; k < out.length; k++) out[k] = view.getFloat64(8 * k, true);
  return out;
}

/** Direct DFT, `sign = -1` forward (unnormalised), `+1` backward (unnormalised). Angles reduced exactly. */
export function directDft(re: ArrayLike<number>, im: ArrayLike<number>, sign: -1 | 1): { re: Float64Array; im: Float64Array } {
  const n = re.length;
  const outRe = new Float64Array(n);
  const outIm = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let sr = 0;
    let si = 0;
    for (let j = 0; j < n; j++) {
      const angle = (sign * 2 * Math.PI * ((j * k) % n)) / n;
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      sr += re[j]! * c - im[j]! * s;
      si += re[j]! * s + im[j]! * c;
    }
    outRe[k] = sr;
    outIm[k] = si;
  }
  return { re: outRe, im: outIm };
}

/** max_k |a_k - b_k| for complex vectors given as re/im pairs. */
export function maxComplexDifference(aRe: ArrayLike<number>, aIm: ArrayLike<number>, bRe: ArrayLike<number>, bIm: ArrayLike<number>): number {
  let worst = 0;
  for (let k = 0; k < aRe.length; k++) worst = Math.max(worst, Math.hypot(aRe[k]! - bRe[k]!, aIm[k]! - bIm[k]!));
  return worst;
}

export function maxAbsComplex(re: ArrayLike<number>, im: ArrayLike<number>): number {
  let worst = 0;
  for (let k = 0; k < re.length; k++) worst = Math.max(worst, Math.hypot(re[k]!, im[k]!));
  return worst;
}

export function maxAbsDifference(a: Matrix, b: Matrix): number {
  let worst = 0;
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.columns; j++) worst = Math.max(worst, Math.abs(a.get(i, j) - b.get(i, j)));
  return worst;
}

export function maxAbs(a: Matrix): number {
  let worst = 0;
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.columns; j++) worst = Math.max(worst, Math.abs(a.get(i, j)));
  return worst;
}

/** A rows x columns matrix of seeded standard normal entries. */
export function randomMatrix(rows: number, columns: number, seed: number): Matrix {
  const rng = createRng(seed);
  const m = new Matrix(rows, columns);
  for (let i = 0; i < rows; i++) for (let j = 0; j < columns; j++) m.set(i, j, rng.normal());
  return m;
}
