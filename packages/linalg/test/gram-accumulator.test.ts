import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createRng,
  DimensionMismatchError,
  EmptyGramError,
  FormatError,
  fromFloat64Array,
  GramAccumulator,
  GramOverflowError,
  NonFiniteInputError,
  toFloat64Array,
} from '../src/index.js';
import { EPS, naiveMultiply } from './helpers.js';

/** Reference Gram of row-major d x n data (samples as columns), by a naive product. */
function directGram(data: Float64Array, d: number, n: number): Float64Array {
  const s = fromFloat64Array(data, d, n);
  return toFloat64Array(naiveMultiply(s, s.transpose()));
}

function columnsOf(data: Float64Array, d: number, n: number, start: number, end: number): Float64Array {
  const out = new Float64Array(d * (end - start));
  for (let i = 0; i < d; i++) out.set(data.subarray(i * n + start, i * n + end), i * (end - start));
  return out;
}

function rowsOf(data: Float64Array, d: number, n: number, start: number, end: number): Float64Array {
  const out = new Float64Array(d * (end - start));
  for (let t = start; t < end; t++) for (let i = 0; i < d; i++) out[(t - start) * d + i] = data[i * n + t]!;
  return out;
}

describe('GramAccumulator', () => {
  it('equals the direct product for any split, layout and order of blocks', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 200 }),
        fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 8, maxLength: 8 }),
        fc.integer(),
        (d, n, cuts, layouts, seed) => {
          const data = createRng(seed).normalArray(d * n);
          const ref = directGram(data, d, n);
          // Split [0, n) at the cut points, then add the pieces in reverse order, each in a layout.
          const bounds = [0, ...cuts.map((c) => c % n).sort((x, y) => x - y), n];
          const pieces: [number, number][] = [];
          for (let i = 0; i + 1 < bounds.length; i++) pieces.push([bounds[i]!, bounds[i + 1]!]);
          const acc = new GramAccumulator(d);
          const other = new GramAccumulator(d);
          pieces.reverse().forEach(([start, end], i) => {
            const target = i % 2 === 0 ? acc : other;
            const b = end - start;
            switch (layouts[i % 8]) {
              case 0:
                target.addColumnsFlat(columnsOf(data, d, n, start, end), b);
                break;
              case 1:
                target.addColumns(fromFloat64Array(columnsOf(data, d, n, start, end), d, b));
                break;
              case 2:
                target.addRowsFlat(rowsOf(data, d, n, start, end), b);
                break;
              default:
                target.addRows(fromFloat64Array(rowsOf(data, d, n, start, end), b, d));
            }
          });
          acc.merge(other);
          expect(acc.count).toBe(n);
          const g = toFloat64Array(acc.gram());
          for (let k = 0; k < d * d; k++) {
            // Entrywise bound: n eps sum |x_i x_j| <= n eps sqrt(G_ii G_jj).
            const i = Math.floor(k / d);
            const j = k % d;
            const scale = Math.sqrt(ref[i * d + i]! * ref[j * d + j]!);
            expect(Math.abs(g[k]! - ref[k]!)).toBeLessThanOrEqual(4 * n * EPS * scale);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('merge is commutative bit for bit and merging an empty accumulator changes nothing', () => {
    const rng = createRng(3);
    const a = new GramAccumulator(4).addColumnsFlat(rng.normalArray(4 * 50), 50);
    const b = new GramAccumulator(4).addRowsFlat(rng.normalArray(4 * 70), 70);
    const ab = GramAccumulator.fromBytes(a.toBytes()).merge(b);
    const ba = GramAccumulator.fromBytes(b.toBytes()).merge(a);
    expect(ab.toBytes()).toEqual(ba.toBytes());
    expect(ab.count).toBe(120);
    const same = GramAccumulator.fromBytes(a.toBytes()).merge(new GramAccumulator(4));
    expect(same.toBytes()).toEqual(a.toBytes());
  });

  it('round-trips through bytes exactly, with a documented header', () => {
    const acc = new GramAccumulator(3).addColumnsFlat(createRng(4).normalArray(3 * 10), 10);
    const bytes = acc.toBytes();
    expect(Array.from(bytes.subarray(0, 4))).toEqual([0x44, 0x47, 0x52, 0x4d]); // "DGRM"
    expect(bytes.length).toBe(24 + 16 * 6);
    const back = GramAccumulator.fromBytes(bytes);
    expect(back.dimension).toBe(3);
    expect(back.count).toBe(10);
    expect(toFloat64Array(back.gram())).toEqual(toFloat64Array(acc.gram()));
    expect(back.toBytes()).toEqual(bytes);
    // A view into a larger buffer works too.
    const padded = new Uint8Array(bytes.length + 8);
    padded.set(bytes, 8);
    expect(GramAccumulator.fromBytes(padded.subarray(8)).toBytes()).toEqual(bytes);
  });

  it('rejects malformed bytes', () => {
    const bytes = new GramAccumulator(2).toBytes();
    expect(() => GramAccumulator.fromBytes(bytes.subarray(0, 10))).toThrow(FormatError);
    expect(() => GramAccumulator.fromBytes(bytes.subarray(0, bytes.length - 1))).toThrow(FormatError);
    const badMagic = bytes.slice();
    badMagic[0] = 0;
    expect(() => GramAccumulator.fromBytes(badMagic)).toThrow(FormatError);
    const badVersion = bytes.slice();
    badVersion[4] = 9;
    expect(() => GramAccumulator.fromBytes(badVersion)).toThrow(FormatError);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (random) => {
        try {
          GramAccumulator.fromBytes(random);
        } catch (error) {
          expect(error).toBeInstanceOf(FormatError);
        }
      }),
    );
  });

  it('keeps ~1e-15 relative accuracy over 1e6 samples (compensated summation)', () => {
    // The exact Gram is computed with BigInt: every sample lies on the 2^-52 grid, so
    // x_i x_j * 2^104 is an exact integer. Plain left-to-right summation of these 1e6 terms
    // is off by ~6e-15 relative on the diagonal; the compensated fold stays below 1e-15.
    const n = 1_000_000;
    const block = 50_000;
    const acc = new GramAccumulator(2);
    const rng = createRng(5);
    const scale = 2 ** 52;
    let s00 = 0n;
    let s01 = 0n;
    let s11 = 0n;
    for (let start = 0; start < n; start += block) {
      const rows = new Float64Array(2 * block);
      for (let t = 0; t < block; t++) {
        const a = 1 + rng.uniform();
        const b = 1 + 2 * rng.uniform();
        rows[2 * t] = a;
        rows[2 * t + 1] = b;
        const ma = BigInt(a * scale);
        const mb = BigInt(b * scale);
        s00 += ma * ma;
        s01 += ma * mb;
        s11 += mb * mb;
      }
      acc.addRowsFlat(rows, block);
    }
    const exact = (s: bigint): number => Number(s >> 52n) / scale;
    const g = acc.gram();
    expect(Math.abs(g.get(0, 0) - exact(s00)) / exact(s00)).toBeLessThanOrEqual(1e-15);
    expect(Math.abs(g.get(0, 1) - exact(s01)) / exact(s01)).toBeLessThanOrEqual(1e-15);
    expect(Math.abs(g.get(1, 1) - exact(s11)) / exact(s11)).toBeLessThanOrEqual(1e-15);
    expect(g.get(1, 0)).toBe(g.get(0, 1));
    expect(acc.count).toBe(n);
  });

  it('rejects mismatched blocks, non-finite data and bad dimensions', () => {
    const acc = new GramAccumulator(3);
    expect(() => acc.addColumnsFlat(new Float64Array(7), 2)).toThrow(DimensionMismatchError);
    expect(() => acc.addRowsFlat(new Float64Array(7), 2)).toThrow(DimensionMismatchError);
    expect(() => acc.addColumns(fromFloat64Array(new Float64Array(4), 2, 2))).toThrow(DimensionMismatchError);
    expect(() => acc.addRows(fromFloat64Array(new Float64Array(4), 2, 2))).toThrow(DimensionMismatchError);
    expect(() => acc.merge(new GramAccumulator(2))).toThrow(DimensionMismatchError);
    expect(() => new GramAccumulator(0)).toThrow(DimensionMismatchError);
    const data = new Float64Array(6);
    data[4] = Number.NaN;
    expect(() => acc.addRowsFlat(data, 2)).toThrow(NonFiniteInputError);
    expect(acc.count).toBe(0);
  });

  it('an empty accumulator has no Gram matrix: a typed error, not a zero matrix', () => {
    expect(() => new GramAccumulator(3).gram()).toThrow(EmptyGramError);
    expect(() => new GramAccumulator(3).addRowsFlat(new Float64Array(0), 0).gram()).toThrow(/^linalg: GramAccumulator.gram: no samples/);
  });

  it('names the sample whose squares overflow float64 and leaves the accumulator unchanged', () => {
    const d = 3;
    const rows = 10;
    const data = createRng(3).normalArray(rows * d);
    // 1e154^2 = 1e308 fits; two such samples overflow (2e308 > 1.8e308): the culprit is the second.
    data[4 * d + 1] = 1e154;
    data[6 * d + 1] = 1e154;
    const acc = new GramAccumulator(d).addRowsFlat(createRng(4).normalArray(5 * d), 5);
    const before = Array.from(toFloat64Array(acc.gram()));
    let error: unknown;
    try {
      acc.addRowsFlat(data, rows);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GramOverflowError);
    // 5 samples were there already: global index 5 + 6.
    expect((error as GramOverflowError).sample).toBe(11);
    expect((error as GramOverflowError).coordinate).toBe(1);
    expect((error as Error).message).toMatch(/^linalg: GramAccumulator.addRows: sample 11 makes the Gram matrix overflow float64 at entry \[1, 1\]/);
    expect(Array.from(toFloat64Array(acc.gram()))).toEqual(before);
    expect(acc.count).toBe(5);
    // Column layout: a single entry whose square overflows.
    const columns = new Float64Array(d * 4);
    columns[2 * 4 + 3] = 1e200;
    expect(() => new GramAccumulator(d).addColumnsFlat(columns, 4)).toThrow(/sample 3 makes the Gram matrix overflow float64 at entry \[2, 2\]/);
  });

  it('is exact in relative terms across a huge dynamic range (an outlier of 3e38 among unit samples)', () => {
    const d = 2;
    const acc = new GramAccumulator(d);
    acc.addRowsFlat(Float64Array.from([3e38, 0]), 1);
    acc.addRowsFlat(Float64Array.from({ length: 2 * 1000 }, (_, k) => (k % 2 === 0 ? 1 : 2)), 1000);
    const g = acc.gram();
    // G_00 = 9e76 + 1000 (the unit samples are below its ulp), G_11 = 4000 exactly, G_01 = 2000 exactly.
    expect(g.get(1, 1)).toBe(4000);
    expect(g.get(0, 1)).toBe(2000);
    expect(Math.abs(g.get(0, 0) - 9e76) / 9e76).toBeLessThanOrEqual(EPS);
  });
});
