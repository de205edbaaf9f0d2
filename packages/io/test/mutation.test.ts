/**
 * Hostile input: thousands of random byte mutations of valid files per reader (truncations,
 * bit flips, overwritten words, splices, rewritten header text). Every one must end in a
 * typed IoError or a well-formed result, never another exception. To catch reads past the
 * buffer, each mutant is also read from inside a larger buffer filled with poison bytes: the
 * outcome must be identical.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IoError, type Tensor, readHdf5, readMat, readMatV5, readNpy, readNpz, readOnnx, readSafetensors, readTensors } from '../src/index.js';
import { fixture } from './helpers.js';

// h5wasm binds console.error when its module loads (on the first HDF5 read) and the HDF5 C
// library prints a diagnostic stack for every corrupt file: route it through a switch.
const originalError = console.error;
let quiet = false;
console.error = (...args: unknown[]) => {
  if (!quiet) originalError(...args);
};

type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'flip'; flips: [number, number][] }
  | { kind: 'overwrite'; at: number; bytes: Uint8Array }
  | { kind: 'word'; at: number; width: 2 | 4 | 8; value: number }
  | { kind: 'splice'; at: number; remove: number; insert: Uint8Array }
  | { kind: 'text'; at: number; char: string };

const HEADER_CHARS = '{}[](),:\'" 0123456789-.eEFLTUfinu<>|';

function mutationArbitrary(length: number, headerLength: number): fc.Arbitrary<Mutation> {
  const anywhere = fc.nat(length - 1);
  const inHeader = fc.nat(Math.max(0, Math.min(length, headerLength) - 1));
  return fc.oneof(
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(length - 1) }),
    fc.record({ kind: fc.constant('flip' as const), flips: fc.array(fc.tuple(anywhere, fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 6 }) }),
    fc.record({ kind: fc.constant('flip' as const), flips: fc.array(fc.tuple(inHeader, fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 3 }) }),
    fc.record({ kind: fc.constant('overwrite' as const), at: inHeader, bytes: fc.uint8Array({ minLength: 1, maxLength: 12 }) }),
    fc.record({
      kind: fc.constant('word' as const),
      at: fc.oneof(inHeader, anywhere),
      width: fc.constantFrom(2 as const, 4 as const, 8 as const),
      value: fc.constantFrom(0, 1, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0xffffffff, 100_000_001),
    }),
    fc.record({ kind: fc.constant('splice' as const), at: anywhere, remove: fc.nat(16), insert: fc.uint8Array({ maxLength: 16 }) }),
    fc.record({ kind: fc.constant('text' as const), at: inHeader, char: fc.constantFrom(...HEADER_CHARS.split('')) }),
  );
}

function mutate(valid: Uint8Array, mutation: Mutation): Uint8Array {
  switch (mutation.kind) {
    case 'truncate':
      return valid.slice(0, mutation.at);
    case 'flip': {
      const out = valid.slice();
      for (const [at, bit] of mutation.flips) out[at] = out[at]! ^ (1 << bit);
      return out;
    }
    case 'overwrite': {
      const out = valid.slice();
      out.set(mutation.bytes.subarray(0, out.length - mutation.at), mutation.at);
      return out;
    }
    case 'word': {
      const out = valid.slice();
      const view = new DataView(out.buffer);
      if (mutation.at + mutation.width > out.length) return out;
      if (mutation.width === 2) view.setUint16(mutation.at, mutation.value & 0xffff, true);
      else if (mutation.width === 4) view.setUint32(mutation.at, mutation.value >>> 0, true);
      else view.setBigUint64(mutation.at, BigInt(mutation.value), true);
      return out;
    }
    case 'splice': {
      const out = new Uint8Array(valid.length - Math.min(mutation.remove, valid.length - mutation.at) + mutation.insert.length);
      out.set(valid.subarray(0, mutation.at));
      out.set(mutation.insert, mutation.at);
      out.set(valid.subarray(mutation.at + mutation.remove), mutation.at + mutation.insert.length);
      return out;
    }
    case 'text': {
      const out = valid.slice();
      out[mutation.at] = mutation.char.charCodeAt(0);
      return out;
    }
  }
}

/** FNV-1a over the bytes of the data, so outcomes compare cheaply. */
function checksum(data: Float64Array | BigInt64Array | BigUint64Array): number {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  let hash = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193);
  return hash >>> 0;
}

function describeTensors(tensors: Iterable<[string, Tensor]>): string {
  const parts: string[] = [];
  for (const [name, tensor] of tensors) {
    const count = tensor.shape.reduce((a, b) => a * b, 1);
    // a well-formed result: data length matches the shape, data type matches the dtype
    expect(tensor.data.length).toBe(count);
    expect(tensor.data instanceof BigInt64Array).toBe(tensor.dtype === 'int64');
    expect(tensor.data instanceof BigUint64Array).toBe(tensor.dtype === 'uint64');
    parts.push(`${name}:${tensor.dtype}:[${tensor.shape.join(',')}]:${checksum(tensor.data)}`);
  }
  return parts.join(';');
}

type Reader = (bytes: Uint8Array) => Iterable<[string, Tensor]> | Promise<Iterable<[string, Tensor]>>;

async function outcome(read: Reader, bytes: Uint8Array): Promise<string> {
  try {
    return `ok ${describeTensors(await read(bytes))}`;
  } catch (error) {
    if (error instanceof IoError) return `${error.name} ${error.message}`;
    throw new Error(`not an IoError: ${String(error)}`, { cause: error });
  }
}

/** The same bytes inside a larger buffer of poison: a reader that reads past its view sees different bytes. */
function embedded(bytes: Uint8Array): Uint8Array {
  const big = new Uint8Array(bytes.length + 96).fill(0x5a);
  big.set(bytes, 40);
  return big.subarray(40, 40 + bytes.length);
}

interface Case {
  readonly file: string;
  readonly read: Reader;
  readonly headerLength: number;
  readonly runs: number;
}

const cases: Case[] = [
  { file: 'dtypes.safetensors', read: (b) => readSafetensors(b, 'f').tensors, headerLength: 1200, runs: 1500 },
  { file: 'cnn.safetensors', read: (b) => readSafetensors(b, 'f').tensors, headerLength: 700, runs: 1500 },
  { file: 'npy_fortran_3d_f4.npy', read: (b) => [['a', readNpy(b, 'f')]], headerLength: 128, runs: 2000 },
  { file: 'npy_v3_f4.npy', read: (b) => [['a', readNpy(b, 'f')]], headerLength: 128, runs: 1000 },
  { file: 'npy_int16_be.npy', read: (b) => [['a', readNpy(b, 'f')]], headerLength: 128, runs: 1000 },
  { file: 'mlp_float64_compressed.npz', read: (b) => readNpz(b, 'f'), headerLength: 4000, runs: 1000 },
  { file: 'npz_mixed_methods.npz', read: (b) => readNpz(b, 'f'), headerLength: 4000, runs: 1000 },
  { file: 'cnn.onnx', read: (b) => readOnnx(b, { name: 'f' }).graph.initializers, headerLength: 2500, runs: 800 },
  { file: 'typed_fields.onnx', read: (b) => readOnnx(b, { name: 'f' }).graph.initializers, headerLength: 1000, runs: 800 },
  { file: 'mlp_v5_compressed.mat', read: (b) => readMatV5(b, 'f'), headerLength: 4000, runs: 1200 },
  { file: 'mlp_v5.mat', read: (b) => readMatV5(b, 'f'), headerLength: 8000, runs: 800 },
  { file: 'mlp_fc1_weight_float32.npy', read: (b) => readTensors({ bytes: b, name: 'f' }), headerLength: 128, runs: 500 },
];

const slowCases: Case[] = [
  { file: 'mlp_keras.h5', read: (b) => readHdf5(b, 'f'), headerLength: 4096, runs: 100 },
  { file: 'mlp_v73.mat', read: (b) => readMat(b, 'f'), headerLength: 4096, runs: 100 },
];

// IO_FUZZ_SCALE=10 multiplies every run count, for a longer hunt outside the normal test run
const scale = Math.max(1, Number(process.env.IO_FUZZ_SCALE ?? 1) || 1);

describe('random mutations end in a typed error or a well-formed result', () => {
  it.each([...cases, ...slowCases].map((entry) => ({ ...entry, runs: entry.runs * scale })))('$file ($runs mutants)', async ({ file, read, headerLength, runs }) => {
    const valid = fixture(file);
    // the valid file itself reads, in place and embedded
    expect(await outcome(read, valid)).toMatch(/^ok /);
    const outcomes = new Map<string, number>();
    quiet = true;
    try {
      await fc.assert(
        fc.asyncProperty(mutationArbitrary(valid.length, headerLength), async (mutation) => {
          const bytes = mutate(valid, mutation);
          const direct = await outcome(read, bytes);
          expect(await outcome(read, embedded(bytes))).toBe(direct);
          const kind = direct.startsWith('ok') ? 'ok' : direct.split(' ')[0]!;
          outcomes.set(kind, (outcomes.get(kind) ?? 0) + 1);
        }),
        { seed: 20261126, numRuns: runs },
      );
    } finally {
      quiet = false;
    }
    // the mutants exercise the error paths, not only the happy one
    expect([...outcomes.keys()].filter((kind) => kind !== 'ok').length).toBeGreaterThan(0);
  });
});
