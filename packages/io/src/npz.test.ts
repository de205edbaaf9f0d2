import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sameTensors, tensorsArbitrary } from '../test/arbitraries.js';
import { MalformedHeaderError, TruncatedFileError } from './errors.js';
import { readNpz, writeNpz } from './npz.js';
import { readZip } from './zip.js';
import { ReadContext } from './context.js';

const DTYPES = ['float64', 'float32', 'int32', 'int64', 'uint8', 'bool'] as const;

describe('writeNpz / readNpz', () => {
  it.each([false, true])('round-trips random tensors (compress: %s)', (compress) => {
    fc.assert(
      fc.property(tensorsArbitrary(DTYPES), (tensors) => {
        const bytes = writeNpz(tensors, { compress });
        expect(sameTensors(readNpz(bytes), tensors)).toBe(true);
        const methods = readZip(bytes, new ReadContext('npz')).map((member) => member.method);
        expect(methods.every((method) => method === (compress ? 8 : 0))).toBe(true);
      }),
      { seed: 31, numRuns: 150 },
    );
  });

  it('is deterministic: the same tensors give the same bytes', () => {
    const tensors = { a: { dtype: 'float32' as const, shape: [3], data: [1, 2, 3] } };
    expect(writeNpz(tensors, { compress: true })).toEqual(writeNpz(tensors, { compress: true }));
  });

  it('detects a corrupted member by its CRC-32, and a truncated archive', () => {
    const bytes = writeNpz({ a: { dtype: 'float64', shape: [4], data: [1, 2, 3, 4] } });
    const corrupt = bytes.slice();
    const dataByte = 30 + 'a.npy'.length + 128 + 8; // local header, name, npy header, second float
    corrupt[dataByte] = corrupt[dataByte]! ^ 1;
    expect(() => readNpz(corrupt, 'x.npz')).toThrow(/io: npz: x\.npz: a\.npy\.crc32: CRC-32 mismatch/);
    expect(() => readNpz(bytes.subarray(0, 10), 'x.npz')).toThrow(TruncatedFileError);
    expect(() => readNpz(bytes.subarray(0, bytes.length - 1), 'x.npz')).toThrow(MalformedHeaderError);
  });

  it('rejects an impossible inflated size before allocating it', () => {
    const bytes = writeNpz({ a: { dtype: 'float64', shape: [64], data: new Float64Array(64) } }, { compress: true });
    // central directory entry: uncompressed size at +24
    const view = new DataView(bytes.buffer);
    let cd = bytes.length - 22;
    cd = view.getUint32(cd + 16, true);
    view.setUint32(cd + 24, 0xfffffff0, true);
    expect(() => readNpz(bytes)).toThrow(/declared size 4294967280 impossible/);
  });
});
