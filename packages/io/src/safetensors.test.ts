import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sameTensors, tensorsArbitrary } from '../test/arbitraries.js';
import { values } from '../test/helpers.js';
import { InvalidTensorError, MalformedHeaderError, OversizedError, TruncatedFileError, UnsupportedDtypeError } from './errors.js';
import { readSafetensors, writeSafetensors } from './safetensors.js';
import { ELEMENT_SIZE } from './tensor.js';

/** A safetensors file from a header object and a data region. */
function file(header: unknown, data = new Uint8Array(0), rawHeader?: string): Uint8Array {
  const json = new TextEncoder().encode(rawHeader ?? JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe('writeSafetensors / readSafetensors', () => {
  it('round-trips random tensors of every dtype, with metadata', () => {
    fc.assert(
      fc.property(tensorsArbitrary(), fc.dictionary(fc.string(), fc.string()), (tensors, metadata) => {
        const bytes = writeSafetensors(tensors, metadata);
        const back = readSafetensors(bytes);
        expect(sameTensors(back.tensors, tensors)).toBe(true);
        expect(back.metadata).toEqual(metadata);
      }),
      { seed: 11, numRuns: 300 },
    );
  });

  it('lays tensors out like the reference: header padded to 8, decreasing element size, all aligned', () => {
    fc.assert(
      fc.property(tensorsArbitrary(), (tensors) => {
        const bytes = writeSafetensors(tensors);
        const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
        expect(headerLength % 8).toBe(0);
        const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Record<string, { dtype: string; data_offsets: [number, number] }>;
        const sizes = Object.values(header).map((entry) => ({ begin: entry.data_offsets[0], size: { F64: 8, I64: 8, U64: 8, F32: 4, I32: 4, U32: 4, F16: 2, BF16: 2, I16: 2, U16: 2 }[entry.dtype] ?? 1 }));
        for (const { begin, size } of sizes) expect(begin % size).toBe(0);
        const ordered = [...sizes].sort((a, b) => a.begin - b.begin).map((s) => s.size);
        expect(ordered).toEqual([...ordered].sort((a, b) => b - a));
      }),
      { seed: 12, numRuns: 100 },
    );
  });

  it('reads a file inside a larger buffer without touching the bytes around it', () => {
    const bytes = writeSafetensors({ w: { dtype: 'float32', shape: [2], data: [1.5, -2] } });
    const big = new Uint8Array(bytes.length + 9).fill(0xee);
    big.set(bytes, 5);
    const back = readSafetensors(big.subarray(5, 5 + bytes.length)).tensors.get('w')!;
    expect(values(back)).toEqual([1.5, -2]);
    expect(() => readSafetensors(big.subarray(5, 5 + bytes.length - 1))).toThrow(TruncatedFileError);
  });

  it('rejects what the writer cannot encode', () => {
    expect(() => writeSafetensors({ w: { dtype: 'uint8', shape: [1], data: [256] } })).toThrow(InvalidTensorError);
    expect(() => writeSafetensors({ __metadata__: { dtype: 'uint8', shape: [1], data: [1] } })).toThrow(/reserved/);
    expect(() => writeSafetensors({}, { k: 5 as unknown as string })).toThrow(/metadata values must be strings/);
  });
});

describe('readSafetensors enforces the reference rules', () => {
  const f32 = (n: number) => new Uint8Array(4 * n);
  const cases: [string, Uint8Array, new (...args: never[]) => Error, RegExp][] = [
    ['shorter than 8 bytes', new Uint8Array(5), TruncatedFileError, /header length: file truncated: needs 8 bytes, has 5/],
    ['header length above 100,000,000', (() => { const b = file({}); new DataView(b.buffer).setBigUint64(0, 100_000_001n, true); return b; })(), OversizedError, /header length: size 100000001 exceeds the limit 100000000/],
    ['header past the end', (() => { const b = file({}); new DataView(b.buffer).setBigUint64(0, 50n, true); return b; })(), TruncatedFileError, /header: file truncated/],
    ['header not starting with {', file(null, undefined, ' {}'), MalformedHeaderError, /does not start with "\{"/],
    ['invalid JSON', file(null, undefined, '{"a":'), MalformedHeaderError, /not valid JSON/],
    ['invalid UTF-8', (() => { const b = file(null, undefined, '{"?":1}'); b[10] = 0xff; return b; })(), MalformedHeaderError, /header: header is not valid UTF-8/],
    ['metadata with a number', file({ __metadata__: { k: 1 } }), MalformedHeaderError, /__metadata__\.k: must be a map of strings to strings/],
    ['unknown dtype', file({ w: { dtype: 'F8_E4M3', shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1)), UnsupportedDtypeError, /w\.dtype: unsupported dtype F8_E4M3/],
    ['negative dimension', file({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 0] } }), MalformedHeaderError, /w\.shape/],
    ['gap between tensors', file({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] } }, f32(3)), MalformedHeaderError, /b\.data_offsets: \[8, 12\] is not contiguous: expected to begin at 4/],
    ['overlapping tensors', file({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32(2)), MalformedHeaderError, /not contiguous/],
    ['size not count x element size', file({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, f32(2)), MalformedHeaderError, /a\.data_offsets: holds 8 bytes, shape \[3\] of F32 needs 12/],
    ['data past the end of the file', file({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 12] } }, f32(2)), TruncatedFileError, /data: file truncated/],
    ['bytes after the last tensor', file({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, f32(3)), MalformedHeaderError, /data: tensors cover 8 bytes but the data region has 12/],
    ['offsets that are not integers', file({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4.5] } }, f32(1)), MalformedHeaderError, /a\.data_offsets/],
  ];
  it.each(cases)('%s', (_, bytes, type, message) => {
    let caught: unknown;
    try {
      readSafetensors(bytes, 'bad.safetensors');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(type);
    expect((caught as Error).message).toMatch(/^io: safetensors: bad\.safetensors: /);
    expect((caught as Error).message).toMatch(message);
  });

  it('accepts tensors listed out of offset order (the reference sorts by offset)', () => {
    const data = new Uint8Array(8);
    new DataView(data.buffer).setFloat32(0, 1, true);
    new DataView(data.buffer).setFloat32(4, 2, true);
    const { tensors } = readSafetensors(file({ b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] }, a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, data));
    expect([...tensors.keys()]).toEqual(['a', 'b']);
    expect(tensors.get('b')!.data[0]).toBe(2);
  });

  it('covers every dtype of ELEMENT_SIZE', () => {
    expect(Object.keys(ELEMENT_SIZE).length).toBe(13);
  });
});
