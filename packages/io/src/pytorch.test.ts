import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { unzipSync, zipSync } from 'fflate';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DuplicateKeyError, IoError, MalformedHeaderError, MemoryBudgetError, UnsafePickleError } from './errors.js';
import { type PickleScalar, readPytorchCheckpoint } from './pytorch.js';
import { detectFormat, readTensors } from './read-tensors.js';
import type { Tensor } from './tensor.js';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/pytorch-checkpoints/', import.meta.url));
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(FIXTURES + name));

interface Expected {
  readonly tensors: Record<string, { dtype: string; shape: number[]; data: (number | string | boolean)[] }>;
  readonly metadata: Record<string, number | string | boolean | null | { bigint: string }>;
}
const expected = JSON.parse(readFileSync(`${FIXTURES}expected.json`, 'utf8')) as Record<string, Expected>;

const SPECIAL: Record<string, number> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, '-Infinity': Number.NEGATIVE_INFINITY };

/** The reference values as the reader returns them (int64 exact as bigint, the rest as doubles). */
function referenceData(dtype: string, data: readonly (number | string | boolean)[]): (number | bigint)[] {
  if (dtype === 'int64') return data.map((value) => BigInt(value as string));
  return data.map((value) => (typeof value === 'boolean' ? Number(value) : typeof value === 'string' ? SPECIAL[value]! : value));
}

function expectTensorsEqual(tensors: ReadonlyMap<string, Tensor>, reference: Expected['tensors']): void {
  expect([...tensors.keys()].sort()).toEqual(Object.keys(reference).sort());
  for (const [name, want] of Object.entries(reference)) {
    const tensor = tensors.get(name)!;
    expect({ name, dtype: tensor.dtype, shape: tensor.shape }).toEqual({ name, dtype: want.dtype, shape: want.shape });
    // Object.is: bitwise-equal doubles (NaN equals NaN, -0 differs from 0)
    const got: (number | bigint)[] = Array.from(tensor.data as ArrayLike<number | bigint>);
    const ref = referenceData(want.dtype, want.data);
    expect(got.length).toBe(ref.length);
    got.forEach((value, i) => {
      if (!Object.is(value, ref[i])) expect.fail(`${name}[${i}]: ${String(value)} != ${String(ref[i])}`);
    });
  }
}

function referenceMetadata(metadata: Expected['metadata']): Map<string, PickleScalar> {
  return new Map(Object.entries(metadata).map(([key, value]) => [key, typeof value === 'object' && value !== null ? BigInt(value.bigint) : value]));
}

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

/** Pickle bytes from strings (one byte per character) and byte lists. */
const pickle = (...parts: (string | number[])[]): Uint8Array =>
  new Uint8Array(parts.flatMap((part) => (typeof part === 'string' ? [...part].map((c) => c.charCodeAt(0)) : part)));
/** A zip archive as torch.save lays it out, holding only `data`. */
const inZip = (data: Uint8Array): Uint8Array => zipSync({ 'archive/data.pkl': data }, { level: 0 });

const READABLE = [
  'mlp_float32.pt',
  'mlp_float64.pt',
  'half_bfloat16.pt',
  'cnn_batchnorm.pt',
  'noncontiguous.pt',
  'tied_weights.pt',
  'scalars_empty_ints.pt',
  'nested_checkpoint.pt',
  'mlp_protocol4.pt',
  'bare_tensor.pt',
  'mlp_legacy.pt',
  'legacy_views.pt',
];

describe('readPytorchCheckpoint against torch.load', () => {
  for (const file of READABLE) {
    it(`${file}: every tensor and metadata value equals PyTorch's`, () => {
      const checkpoint = readPytorchCheckpoint(fixture(file), file);
      expectTensorsEqual(checkpoint.tensors, expected[file]!.tensors);
      expect(checkpoint.metadata).toEqual(referenceMetadata(expected[file]!.metadata));
      expect(checkpoint.container).toBe(file.includes('legacy') ? 'legacy' : 'zip');
    });
  }

  it('keeps a state_dict in pickle order and reads int64 num_batches_tracked exactly', () => {
    const { tensors } = readPytorchCheckpoint(fixture('cnn_batchnorm.pt'));
    expect([...tensors.keys()]).toEqual(['conv.weight', 'conv.bias', 'bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var', 'bn.num_batches_tracked']);
    expect(tensors.get('bn.num_batches_tracked')).toEqual({ dtype: 'int64', shape: [], data: new BigInt64Array([3n]) });
  });

  it('gives tensors that share a storage (tied weights) equal values in separate arrays', () => {
    const { tensors } = readPytorchCheckpoint(fixture('tied_weights.pt'));
    const embed = tensors.get('model.embed.weight')!;
    const head = tensors.get('model.head.weight')!;
    expect(head.data).toEqual(embed.data);
    expect(head.data).not.toBe(embed.data);
    expect([...tensors.get('window')!.data]).toEqual([...tensors.get('whole')!.data].slice(2, 7));
  });

  it('does not modify its input', () => {
    const bytes = fixture('noncontiguous.pt');
    const copy = bytes.slice();
    readPytorchCheckpoint(bytes);
    expect(bytes).toEqual(copy);
  });
});

/** A checkpoint `{'t': view}` of a float64 storage holding 0, 1, 2, ..., built by hand. */
function viewCheckpoint(numel: number, offset: number, size: readonly number[], stride: readonly number[]): Uint8Array {
  const int = (value: number): number[] => [0x4a, ...new Uint8Array(new Int32Array([value]).buffer)]; // BININT
  const text = (value: string): number[] => [0x58, ...new Uint8Array(new Uint32Array([value.length]).buffer), ...pickle(value)];
  const data = pickle(
    [0x80, 2, 0x7d],
    text('t'),
    'ctorch._utils\n_rebuild_tensor_v2\n((',
    text('storage'),
    'ctorch\nDoubleStorage\n',
    text('0'),
    text('cpu'),
    int(numel),
    'tQ',
    int(offset),
    '(',
    size.flatMap(int),
    't(',
    stride.flatMap(int),
    't',
    [0x89],
    '}tRs.',
  );
  const storage = new Uint8Array(Float64Array.from({ length: numel }, (_, i) => i).buffer);
  return zipSync({ 'archive/data.pkl': data, 'archive/data/0': storage }, { level: 0 });
}

describe('views of a storage', () => {
  it('materialises any view (offset, sizes, strides incl. 0) as element offset + sum(index * stride) in row-major order', () => {
    const view = fc.integer({ min: 0, max: 4 }).chain((rank) =>
      fc.record({
        size: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: rank, maxLength: rank }),
        stride: fc.array(fc.integer({ min: 0, max: 7 }), { minLength: rank, maxLength: rank }),
        offset: fc.integer({ min: 0, max: 5 }),
        spare: fc.integer({ min: 0, max: 3 }),
      }),
    );
    fc.assert(
      fc.property(view, ({ size, stride, offset, spare }) => {
        const count = size.reduce((a, b) => a * b, 1);
        const span = count === 0 ? 0 : 1 + size.reduce((sum, n, axis) => sum + (n - 1) * stride[axis]!, 0);
        const numel = offset + span + spare;
        const want: number[] = [];
        for (let flat = 0; flat < count; flat++) {
          let rest = flat;
          let at = offset;
          for (let axis = size.length - 1; axis >= 0; axis--) {
            at += (rest % size[axis]!) * stride[axis]!;
            rest = Math.floor(rest / size[axis]!);
          }
          want.push(at);
        }
        const tensor = readPytorchCheckpoint(viewCheckpoint(numel, offset, size, stride)).tensors.get('t')!;
        expect(tensor.shape).toEqual(size);
        expect(Array.from(tensor.data as Float64Array)).toEqual(want);
        if (count > 0) expect(() => readPytorchCheckpoint(viewCheckpoint(offset + span - 1, offset, size, stride))).toThrow(MalformedHeaderError);
      }),
      { numRuns: 300 },
    );
  });
});

describe('readTensors and detectFormat on checkpoints', () => {
  it('detects the zip format by its data.pkl member and the legacy format by its magic number, whatever the name', async () => {
    expect(detectFormat(fixture('mlp_float32.pt'), 'weights.bin')).toBe('pytorch');
    expect(detectFormat(fixture('mlp_legacy.pt'), 'weights.bin')).toBe('pytorch');
    const tensors = await readTensors({ bytes: fixture('nested_checkpoint.pt'), name: 'nested_checkpoint.pt' });
    expectTensorsEqual(tensors, expected['nested_checkpoint.pt']!.tensors);
  });

  it('still reads a zip of .npy members as npz', () => {
    expect(detectFormat(zipSync({ 'a.npy': new Uint8Array(4) }), 'a.npz')).toBe('npz');
  });
});

describe('refusals: nothing is executed', () => {
  it('refuses a whole pickled model, naming the class and saying how to export', () => {
    const error = thrown(() => readPytorchCheckpoint(fixture('whole_model.pt'), 'whole_model.pt'));
    expect(error).toBeInstanceOf(UnsafePickleError);
    expect(error).toMatchObject({ kind: 'UnsafePickle', format: 'pytorch', file: 'whole_model.pt', found: 'global __main__.Mlp' });
    const message = (error as Error).message;
    expect(message).toMatch(/^io: pytorch: whole_model\.pt: whole_model\/data\.pkl: refused global __main__\.Mlp \(a class or function/);
    expect(message).toContain('torch.save(model.state_dict(), path)');
    expect(message).toMatch(/safetensors.*ONNX/);
  });

  it('refuses os.system in a __reduce__ payload without running it', () => {
    const marker = '/tmp/descramble-exploit-marker';
    const before = existsSync(marker);
    const error = thrown(() => readPytorchCheckpoint(fixture('malicious.pt'), 'malicious.pt'));
    expect(error).toBeInstanceOf(UnsafePickleError);
    expect((error as UnsafePickleError).found).toBe('global posix.system');
    expect((error as Error).message).toContain('a function that can run code or commands');
    expect(existsSync(marker)).toBe(before);
  });

  it.each([
    ['builtins.eval by GLOBAL', pickle([0x80, 2], 'cbuiltins\neval\n', 'X', [2, 0, 0, 0], '42', [0x85], 'R.'), 'global builtins.eval'],
    ['torch.storage._load_from_bytes', pickle([0x80, 2], 'ctorch.storage\n_load_from_bytes\n', 'C', [1, 0], [0x85], 'R.'), 'global torch.storage._load_from_bytes'],
    ['numpy reconstruct by STACK_GLOBAL', pickle([0x80, 4, 0x8c, 21], 'numpy.core.multiarray', [0x8c, 12], '_reconstruct', [0x93], ').'), 'global numpy.core.multiarray._reconstruct'],
    ['an extension code', pickle([0x80, 2, 0x82, 7], '.'), 'extension code 7'],
    ['a complex storage', pickle([0x80, 2], 'ctorch\nComplexFloatStorage\n.'), 'global torch.ComplexFloatStorage'],
    ['a call of a storage class', pickle([0x80, 2], 'ctorch\nFloatStorage\n', ')R.'), 'a call of torch.FloatStorage'],
  ])('refuses %s', (_, data, found) => {
    const error = thrown(() => readPytorchCheckpoint(inZip(data), 'hand.pt'));
    expect(error).toBeInstanceOf(UnsafePickleError);
    expect((error as UnsafePickleError).found).toBe(found);
  });

  it('refuses a list that contains itself instead of walking it forever', () => {
    // EMPTY_LIST, BINPUT 0, BINGET 0, APPEND, STOP
    const error = thrown(() => readPytorchCheckpoint(inZip(pickle([0x80, 2], ']q', [0], 'h', [0], 'a.'))));
    expect(error).toBeInstanceOf(MalformedHeaderError);
    expect((error as Error).message).toContain('contains itself');
  });

  it('stops a pickle whose shared lists would flatten to exponentially many paths', () => {
    // [x, x] nested 40 times: 2^40 paths from a few hundred bytes
    const levels: number[] = [0x80, 2, 0x4b, 1];
    for (let i = 0; i < 40; i++) levels.push(0x32, 0x86); // DUP, TUPLE2
    levels.push(0x2e);
    const error = thrown(() => readPytorchCheckpoint(inZip(new Uint8Array(levels))));
    expect(IoError.isInstance(error)).toBe(true);
    expect((error as IoError).kind).toBe('Oversized');
  });

  it('refuses nesting deeper than 1000 containers (no stack overflow)', () => {
    const depth = 100_000;
    const data = new Uint8Array(2 + 2 * depth);
    data.set([0x80, 2]);
    data.fill(0x5d, 2, 2 + depth); // EMPTY_LIST
    data.fill(0x61, 2 + depth); // APPEND: each list into the one below it
    data[data.length - 1] = 0x2e; // STOP
    const error = thrown(() => readPytorchCheckpoint(inZip(data)));
    expect((error as IoError).kind).toBe('Oversized');
    expect((error as Error).message).toContain('nesting depth');
  });

  it('refuses two objects that flatten to one path', () => {
    // {'a.b': 1, 'a': {'b': 2}}
    const data = pickle([0x80, 2], '}(X', [3, 0, 0, 0], 'a.bK', [1], 'X', [1, 0, 0, 0], 'a}X', [1, 0, 0, 0], 'bK', [2], 'su.');
    expect(thrown(() => readPytorchCheckpoint(inZip(data)))).toBeInstanceOf(DuplicateKeyError);
  });
});

describe('hostile and broken checkpoints', () => {
  it('checks the decoded tensors against the memory budget before decoding', () => {
    const bytes = fixture('mlp_float32.pt');
    const count = 5 * 6 + 5 + 3 * 5 + 3;
    expect(readPytorchCheckpoint(bytes, 'm.pt', { memoryBudget: 8 * count }).tensors.size).toBe(4);
    const error = thrown(() => readPytorchCheckpoint(bytes, 'm.pt', { memoryBudget: 8 * count - 1 }));
    expect(error).toBeInstanceOf(MemoryBudgetError);
    expect(error).toMatchObject({ needed: 8 * count, format: 'pytorch', file: 'm.pt' });
  });

  it('names the tensor whose view reaches beyond its storage', () => {
    const bytes = fixture('mlp_float32.pt').slice();
    // fc1.weight's size (5, 6), stride (6, 1) becomes size (5, 7): 1 + 4 * 6 + 6 = 31 elements
    const text = String.fromCharCode(...bytes);
    const at = text.indexOf('K\x05K\x06\x86', text.indexOf('fc1.weight'));
    expect(at).toBeGreaterThan(0);
    bytes[at + 3] = 7;
    // the zip's CRC now fails first; rebuild the archive around the edited pickle
    const members = readMembers(bytes);
    const error = thrown(() => readPytorchCheckpoint(zipSync(members, { level: 0 }), 'edited.pt'));
    expect(error).toBeInstanceOf(MalformedHeaderError);
    expect((error as Error).message).toMatch(/^io: pytorch: edited\.pt: fc1\.weight: view .* needs 31 elements of storage 0, which has 30/);
  });

  it('ends random bytes, truncations and mutations in io typed errors only', () => {
    const files = READABLE.map(fixture);
    const typedOnly = (bytes: Uint8Array): void => {
      try {
        readPytorchCheckpoint(bytes, 'fuzz.pt', { memoryBudget: 1 << 24 });
      } catch (error) {
        if (!IoError.isInstance(error)) throw error;
      }
    };
    fc.assert(
      fc.property(fc.integer({ min: 0, max: files.length - 1 }), fc.nat(), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), (which, cut, edits) => {
        const file = files[which]!;
        typedOnly(file.subarray(0, cut % (file.length + 1)));
        const mutated = file.slice();
        for (const [at, value] of edits) mutated[at % mutated.length] = value;
        typedOnly(mutated);
      }),
      { numRuns: 400 },
    );
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => typedOnly(new Uint8Array([0x80, ...bytes]))), { numRuns: 300 });
  });

  it('ends random opcode streams inside a valid zip in typed errors only', () => {
    // opcodes of every protocol, with short arguments, so that streams reach deep into the VM
    const opcodes = [...'()0125GIJKLMNPQRTUXabcdeghijlopqrstu}].'].map((c) => c.charCodeAt(0)).concat([0x80, 0x81, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8c, 0x8f, 0x90, 0x91, 0x93, 0x94, 0x95]);
    const token = fc.oneof(fc.constantFrom(...opcodes).map((op) => [op]), fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 4 }));
    fc.assert(
      fc.property(fc.array(token, { maxLength: 80 }), (tokens) => {
        const data = new Uint8Array([0x80, 2, ...tokens.flat(), 0x2e]);
        try {
          readPytorchCheckpoint(inZip(data), 'fuzz.pt', { memoryBudget: 1 << 24 });
        } catch (error) {
          if (!IoError.isInstance(error)) throw error;
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('ends mutated pickles inside a valid zip in typed errors only', () => {
    const pickles = READABLE.filter((file) => !file.includes('legacy')).map((file) => readMembers(fixture(file)));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: pickles.length - 1 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (which, edits) => {
        const members = { ...pickles[which]! };
        const name = Object.keys(members).find((key) => key.endsWith('/data.pkl'))!;
        const data = members[name]!.slice();
        for (const [at, value] of edits) data[at % data.length] = value;
        members[name] = data;
        try {
          readPytorchCheckpoint(zipSync(members, { level: 0 }), 'fuzz.pt', { memoryBudget: 1 << 24 });
        } catch (error) {
          if (!IoError.isInstance(error)) throw error;
        }
      }),
      { numRuns: 500 },
    );
  });
});

/** The members of a zip archive, read back with fflate. */
function readMembers(bytes: Uint8Array): Record<string, Uint8Array> {
  return unzipSync(bytes);
}
