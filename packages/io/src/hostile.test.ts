/**
 * Hostile files for the browser-safe readers: zip bombs, lying zip headers, HDF5 fill-value
 * and gzip bombs, a MATLAB compressed element of gigabytes, duplicate safetensors keys. Each
 * must end in its typed error, decided from headers and metadata before the memory is taken.
 * (The peak memory of the worst cases is measured in a child process in node-hostile.test.ts.)
 */
import { deflateRawSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { buildZip, hdf5Bomb, matBomb, npzBomb, npzManyEntries, npzUnderstated } from '../test/bombs.js';
import { fixture } from '../test/helpers.js';
import { BROWSER_DEFAULT_MEMORY_BUDGET, defaultMemoryBudget, setDefaultMemoryBudget } from './budget.js';
import { DuplicateKeyError, IoError, MalformedHeaderError, MemoryBudgetError } from './errors.js';
import { readHdf5 } from './hdf5.js';
import { readMatV5 } from './mat.js';
import { encodeNpyHeader, readNpy, writeNpy } from './npy.js';
import { readNpz, writeNpz } from './npz.js';
import { readOnnx } from './onnx.js';
import { readTensors } from './read-tensors.js';
import { readSafetensors, writeSafetensors } from './safetensors.js';
import { crc32 } from './zip.js';

const MiB = 1024 * 1024;

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

async function rejected(action: () => Promise<unknown>): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('memory budget', () => {
  afterEach(() => setDefaultMemoryBudget(undefined));

  it('counts the float64 widening exactly: count x 8 bytes fits, one byte less does not', () => {
    const bytes = writeNpy({ dtype: 'uint8', shape: [10, 100], data: new Float64Array(1000) });
    expect(readNpy(bytes, 'u8.npy', { memoryBudget: 8000 }).data.length).toBe(1000);
    const error = thrown(() => readNpy(bytes, 'u8.npy', { memoryBudget: 7999 }));
    expect(error).toBeInstanceOf(MemoryBudgetError);
    expect(error).toMatchObject({ file: 'u8.npy', format: 'npy', needed: 8000, budget: 7999 });
    expect((error as Error).message).toMatch(/^io: npy: u8\.npy: u8\.npy as float64: needs 8000 bytes of memory, beyond the memory budget of 7999 bytes/);
  });

  it('counts Fortran order twice (the reordering copy)', () => {
    const bytes = fixture('npy_fortran_f8.npy');
    const count = readNpy(bytes).data.length;
    expect(readNpy(bytes, 'f.npy', { memoryBudget: 16 * count }).data.length).toBe(count);
    expect(() => readNpy(bytes, 'f.npy', { memoryBudget: 16 * count - 1 })).toThrow(MemoryBudgetError);
  });

  it('counts safetensors tensors together', () => {
    const bytes = writeSafetensors({
      a: { dtype: 'float32', shape: [3, 4], data: new Float64Array(12) },
      b: { dtype: 'int8', shape: [5], data: new Float64Array(5) },
    });
    expect(readSafetensors(bytes, 's', { memoryBudget: 17 * 8 }).tensors.size).toBe(2);
    expect(thrown(() => readSafetensors(bytes, 's', { memoryBudget: 17 * 8 - 1 }))).toMatchObject({ needed: 136, budget: 135 });
  });

  it('has a settable process default, 1 GiB without Node', () => {
    expect(defaultMemoryBudget()).toBeGreaterThan(0);
    setDefaultMemoryBudget(100);
    expect(defaultMemoryBudget()).toBe(100);
    expect(() => readNpy(writeNpy({ dtype: 'float64', shape: [13], data: new Float64Array(13) }))).toThrow(MemoryBudgetError);
    setDefaultMemoryBudget(undefined);
    expect(defaultMemoryBudget()).not.toBe(100);
    expect(BROWSER_DEFAULT_MEMORY_BUDGET).toBe(1024 * MiB);
  });

  it('refuses a budget that is not a positive integer', () => {
    const bytes = writeNpy({ dtype: 'float64', shape: [1], data: [1] });
    for (const memoryBudget of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => readNpy(bytes, 'x', { memoryBudget })).toThrow(/memoryBudget: must be a positive integer/);
    }
    expect(() => setDefaultMemoryBudget(0)).toThrow(IoError);
  });

  it('readTensors and readOnnx pass the budget on', async () => {
    await expect(readTensors({ bytes: fixture('mlp_float32.npz'), name: 'm.npz' }, { memoryBudget: 1000 })).rejects.toThrow(MemoryBudgetError);
    await expect(readTensors({ bytes: fixture('mlp.safetensors'), name: 'm.safetensors' }, { memoryBudget: 1000 })).rejects.toThrow(MemoryBudgetError);
    const error = thrown(() => readOnnx(fixture('mlp.onnx'), { name: 'm.onnx', memoryBudget: 1000 }));
    expect(error).toBeInstanceOf(MemoryBudgetError);
    expect((error as MemoryBudgetError).what).toMatch(/initializers as float64/);
    expect(readOnnx(fixture('mlp.onnx'), { memoryBudget: 1 << 20 }).graph.initializers.size).toBe(6);
  });
});

describe('npz bombs and lying zip headers', () => {
  it('a 3.8 MB npz with a 3.9 GB member: MemoryBudgetError from the headers, nothing inflated', () => {
    const { file, memberSize } = npzBomb(3.9e9);
    expect(file.length).toBeLessThan(4 * MiB);
    expect(memberSize).toBeGreaterThan(3.9e9);
    const error = thrown(() => readNpz(file, 'bomb.npz', { memoryBudget: 256 * MiB }));
    expect(error).toBeInstanceOf(MemoryBudgetError);
    // every float64 value (the member less its 128-byte header) plus the inflated member
    expect(error).toMatchObject({ file: 'bomb.npz', format: 'npz', needed: memberSize - 128 + memberSize, budget: 256 * MiB });
  });

  it('a member whose stream inflates past its declared size stops at the first excess', () => {
    expect(() => readNpz(npzUnderstated(3.9e9), 'liar.npz')).toThrow(/io: npz: liar\.npz: w\.npy\.data: inflates beyond its declared 1000 bytes/);
    // a small stream (inflated in one call) too
    const header = encodeNpyHeader('float64', [109]);
    const plain = new Uint8Array(100_000);
    plain.set(header);
    const small = buildZip([{ name: 'w.npy', method: 8, data: new Uint8Array(deflateRawSync(plain)), size: 1000, crc: crc32(plain.subarray(0, 1000)) }]);
    expect(() => readNpz(small, 'liar.npz')).toThrow(/inflates beyond its declared 1000 bytes/);
  });

  it('300 central entries pointing at one member are refused (names differ, or ranges overlap)', () => {
    expect(() => readNpz(npzManyEntries(300, false), 'm.npz')).toThrow(/m0\.npy\.local header: name differs from the central directory/);
    const overlap = thrown(() => readNpz(npzManyEntries(300, true), 'm.npz'));
    expect(overlap).toBeInstanceOf(MalformedHeaderError);
    expect((overlap as Error).message).toMatch(/m\.npy: bytes \[0, \d+\) overlap m\.npy's/);
    // one entry is a valid archive
    expect(readNpz(npzManyEntries(1, true)).get('m')!.data.length).toBe(1000);
  });

  it('central and local headers must agree on sizes, CRC-32, method and name', () => {
    const plain = writeNpy({ dtype: 'float64', shape: [4], data: [1, 2, 3, 4] });
    const member = { name: 'a.npy', method: 0 as const, data: plain, size: plain.length, crc: crc32(plain) };
    expect(readNpz(buildZip([member])).get('a')!.data).toEqual(Float64Array.from([1, 2, 3, 4]));
    const zip = buildZip([member]);
    const cases: [string, (view: DataView) => void, RegExp][] = [
      ['local CRC', (view) => view.setUint32(14, 1, true), /a\.npy\.local header\.crc32: CRC-32 differs/],
      ['local size', (view) => view.setUint32(22, 1, true), /a\.npy\.local header\.size: sizes 1\/160 differ/],
      ['local method', (view) => view.setUint16(8, 8, true), /compression method differs/],
      ['local name', (view) => view.setUint8(30, 'b'.charCodeAt(0)), /name differs/],
    ];
    for (const [, edit, pattern] of cases) {
      const bad = zip.slice();
      edit(new DataView(bad.buffer));
      expect(() => readNpz(bad, 'x.npz')).toThrow(pattern);
    }
  });

  it('a data descriptor (flag bit 3) may leave the local CRC and sizes zero, not different', () => {
    const plain = writeNpy({ dtype: 'float64', shape: [2], data: [5, 6] });
    const zip = buildZip([{ name: 'a.npy', method: 0, data: plain, size: plain.length, crc: crc32(plain) }]);
    const view = new DataView(zip.buffer);
    view.setUint16(6, 8, true);
    const deferred = zip.slice();
    const deferredView = new DataView(deferred.buffer);
    for (const at of [14, 18, 22]) deferredView.setUint32(at, 0, true);
    expect(readNpz(deferred).get('a')!.data).toEqual(Float64Array.from([5, 6]));
    deferredView.setUint32(22, 7, true);
    expect(() => readNpz(deferred)).toThrow(/sizes 7\/0 differ/);
  });

  it('members are checked together before any is inflated', () => {
    const zeros = { dtype: 'float64' as const, shape: [125_000], data: new Float64Array(125_000) }; // 1 MB each
    const bytes = writeNpz({ a: zeros, b: zeros, c: zeros }, { compress: true });
    const memberSize = 128 + 1_000_000;
    // one member alone fits (inflated + float64), three do not: refused up front
    const budget = 2_500_000;
    const error = thrown(() => readNpz(bytes, 'three.npz', { memoryBudget: budget }));
    expect(error).toMatchObject({ what: 'all members as float64', needed: 3_000_000 + memberSize, budget });
    expect(readNpz(bytes, 'three.npz', { memoryBudget: 3_000_000 + memberSize }).size).toBe(3);
  });
});

describe('MATLAB and HDF5 bombs', () => {
  it('a 2 MB .mat compressed element declaring 2 GB: MemoryBudgetError from its inner tag', () => {
    const file = matBomb(2e9);
    expect(file.length).toBeLessThan(2.5 * MiB);
    const error = thrown(() => readMatV5(file, 'bomb.mat', { memoryBudget: 256 * MiB }));
    expect(error).toBeInstanceOf(MemoryBudgetError);
    expect(error).toMatchObject({ file: 'bomb.mat', what: 'element 0 inflated and as float64', budget: 256 * MiB });
    // the inflated element and its values twice (decoded, reordered), from the first 512 inflated bytes
    expect((error as MemoryBudgetError).needed).toBeGreaterThan(3 * 2e9);
  });

  it('.mat variables count together', () => {
    const bytes = fixture('mlp_v5_compressed.mat');
    expect(readMatV5(bytes, 'm.mat', { memoryBudget: 1 << 20 }).size).toBeGreaterThan(0);
    expect(() => readMatV5(bytes, 'm.mat', { memoryBudget: 2000 })).toThrow(MemoryBudgetError);
  });

  it('HDF5 fill-value datasets are counted together from their metadata, before any is read', async () => {
    const elements = 10_000_000;
    const file = await hdf5Bomb(40, elements, true);
    expect(file.length).toBeLessThan(200_000);
    const error = await rejected(() => readHdf5(file, 'fill.h5', { memoryBudget: 256 * MiB }));
    expect(error).toBeInstanceOf(MemoryBudgetError);
    expect((error as MemoryBudgetError).what).toBe('40 datasets as float64');
    // every dataset as float64, the largest read's two buffers and two chunks, the file's copy
    const chunk = (1 << 16) * 8;
    expect((error as MemoryBudgetError).needed).toBe(40 * elements * 8 + 2 * elements * 8 + 2 * chunk + file.length);
  });

  it('an HDF5 gzip dataset is refused before it is inflated, and read when the budget allows', async () => {
    const elements = 2_000_000;
    const file = await hdf5Bomb(1, elements, false);
    expect(file.length).toBeLessThan(elements * 8 / 100);
    await expect(readHdf5(file, 'gzip.h5', { memoryBudget: 16 * MiB })).rejects.toThrow(MemoryBudgetError);
    const tensors = await readHdf5(file, 'gzip.h5', { memoryBudget: 64 * MiB });
    expect(tensors.get('d0')!.data.length).toBe(elements);
  });
});

describe('safetensors duplicate keys', () => {
  function file(header: string, data = new Uint8Array(0)): Uint8Array {
    const json = new TextEncoder().encode(header);
    const out = new Uint8Array(8 + json.length + data.length);
    new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
    out.set(json, 8);
    out.set(data, 8 + json.length);
    return out;
  }

  it('refuses a tensor named twice (JSON.parse would keep the last, with another dtype)', () => {
    const bytes = file('{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"I32","shape":[1],"data_offsets":[0,4]}}', new Uint8Array(4));
    const error = thrown(() => readSafetensors(bytes, 'dup.safetensors'));
    expect(error).toBeInstanceOf(DuplicateKeyError);
    expect(error).toMatchObject({ key: 'w', field: 'header', file: 'dup.safetensors' });
    expect((error as Error).message).toBe('io: safetensors: dup.safetensors: header: duplicate key "w"');
  });

  it('compares keys after unescaping, and looks inside __metadata__ and tensor entries', () => {
    const escaped = file('{"ab":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a\\u0062":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}', new Uint8Array(2));
    expect(thrown(() => readSafetensors(escaped))).toMatchObject({ key: 'ab' });
    const metadata = file('{"__metadata__":{"k":"1","k":"2"}}');
    expect(thrown(() => readSafetensors(metadata))).toMatchObject({ key: 'k', field: '__metadata__' });
    const entry = file('{"w":{"dtype":"F32","dtype":"U8","shape":[1],"data_offsets":[0,1]}}', new Uint8Array(1));
    expect(thrown(() => readSafetensors(entry))).toMatchObject({ key: 'dtype', field: 'w' });
  });

  it('accepts distinct keys that differ only in ways JSON distinguishes', () => {
    const bytes = file('{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}, "A" : {"dtype":"U8","shape":[1],"data_offsets":[1,2]},"a\\"":{"dtype":"U8","shape":[],"data_offsets":[2,3]},"__metadata__":{"x":"{\\"a\\":1,\\"a\\":2}"}}', new Uint8Array(3));
    expect([...readSafetensors(bytes).tensors.keys()]).toEqual(['a', 'A', 'a"']);
  });
});
