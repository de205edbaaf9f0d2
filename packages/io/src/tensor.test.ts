import fc from 'fast-check';
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { InvalidTensorError } from './errors.js';
import {
  bfloat16BitsToNumber,
  columnMajorToRowMajor,
  decodeElements,
  encodeElements,
  float16BitsToNumber,
  fromMatrix,
  numberToBfloat16Bits,
  numberToFloat16Bits,
  toMatrix,
} from './tensor.js';

const minifloats = [
  { name: 'float16', decode: float16BitsToNumber, encode: numberToFloat16Bits, max: 65504, mantissaBits: 10 },
  { name: 'bfloat16', decode: bfloat16BitsToNumber, encode: numberToBfloat16Bits, max: 3.3895313892515355e38, mantissaBits: 7 },
];

describe.each(minifloats)('$name', ({ decode, encode, max }) => {
  it('decodes and re-encodes every one of the 65536 bit patterns (NaNs stay NaN)', () => {
    const mismatches: number[] = [];
    for (let bits = 0; bits < 65536; bits++) {
      const value = decode(bits);
      const ok = Number.isNaN(value) ? Number.isNaN(decode(encode(value))) : encode(value) === bits;
      if (!ok) mismatches.push(bits);
    }
    expect(mismatches).toEqual([]);
    expect(decode(encode(max))).toBe(max);
    expect(encode(Number.POSITIVE_INFINITY)).toBe(encode(max * 2));
  });

  it('rounds any double to the nearest representable value, ties to even', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, min: -max, max }), (x) => {
        const bits = encode(x);
        const y = decode(bits);
        // the neighbours of y on either side (same sign, next/previous magnitude)
        for (const neighbour of [decode(bits + 1), decode(bits - 1)]) {
          if (!Number.isFinite(neighbour) || Math.sign(neighbour) * Math.sign(y) < 0) continue;
          const mine = Math.abs(x - y);
          const theirs = Math.abs(x - neighbour);
          expect(mine).toBeLessThanOrEqual(theirs);
          if (mine === theirs && mine !== 0) expect(bits % 2).toBe(0);
        }
      }),
      { seed: 7, numRuns: 3000 },
    );
    // exact ties: 1 + half an ulp goes down to 1 (even), 1 + 1.5 ulp goes up to 1 + 2 ulp
    const ulp = decode(encode(1) + 1) - 1;
    expect(decode(encode(1 + ulp / 2))).toBe(1);
    expect(decode(encode(1 + 1.5 * ulp))).toBe(1 + 2 * ulp);
  });
});

describe('decodeElements', () => {
  it('widens float32 exactly and copies unaligned data instead of viewing it', () => {
    const values = Float32Array.from([0.1, -2.5, 3.4e38, 1e-45, Number.NaN]);
    const bytes = new Uint8Array(3 + values.byteLength);
    bytes.set(new Uint8Array(values.buffer), 3);
    const out = decodeElements(bytes, 3, values.length, 'float32') as Float64Array;
    expect(Array.from(out)).toEqual(Array.from(values));
    bytes[3] = 0; // the result is a copy: later changes to the input do not show
    expect(out[0]).toBe(Math.fround(0.1));
  });

  it('reads big-endian elements', () => {
    const bytes = new Uint8Array(16);
    const view = new DataView(bytes.buffer);
    view.setFloat64(0, Math.PI, false);
    view.setBigInt64(8, -5n, false);
    expect(decodeElements(bytes, 0, 1, 'float64', false)[0]).toBe(Math.PI);
    expect(decodeElements(bytes, 8, 1, 'int64', false)[0]).toBe(-5n);
  });
});

describe('encodeElements', () => {
  const context = { format: 'npy' as const, file: 'test' };
  it('rejects integers out of range or not integers, naming the element', () => {
    expect(() => encodeElements('w', { dtype: 'int8', shape: [2], data: [1, 128] }, context)).toThrow(/w\[1\]: value 128 is not an integer in \[-128, 127\]/);
    expect(() => encodeElements('w', { dtype: 'uint32', shape: [1], data: [1.5] }, context)).toThrow(InvalidTensorError);
    expect(() => encodeElements('w', { dtype: 'float32', shape: [3], data: [1, 2] }, context)).toThrow(/needs 3 elements, data has 2/);
    expect(() => encodeElements('w', { dtype: 'int64', shape: [1], data: new Float64Array(1) } as never, context)).toThrow(/needs a BigInt64Array/);
  });
});

describe('layout helpers', () => {
  it('columnMajorToRowMajor matches the index formula', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }), (shape) => {
        const count = shape.reduce((a, b) => a * b, 1);
        const column = Float64Array.from({ length: count }, (_, i) => i);
        const row = columnMajorToRowMajor(column, shape);
        // element at multi-index (i0..ik): row-major offset vs column-major offset
        for (let r = 0; r < count; r++) {
          let rest = r;
          const index = new Array<number>(shape.length);
          for (let axis = shape.length - 1; axis >= 0; axis--) {
            index[axis] = rest % shape[axis]!;
            rest = Math.floor(rest / shape[axis]!);
          }
          let c = 0;
          for (let axis = shape.length - 1; axis >= 0; axis--) c = c * shape[axis]! + index[axis]!;
          expect(row[r]).toBe(c);
        }
      }),
      { seed: 3, numRuns: 200 },
    );
  });

  it('toMatrix and fromMatrix round-trip; toMatrix needs 2-D', () => {
    const matrix = new Matrix([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const tensor = fromMatrix(matrix);
    expect([...tensor.shape]).toEqual([2, 3]);
    expect(Array.from(tensor.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(toMatrix(tensor).to2DArray()).toEqual(matrix.to2DArray());
    expect(() => toMatrix({ dtype: 'float64', shape: [6], data: tensor.data })).toThrow(InvalidTensorError);
  });
});
