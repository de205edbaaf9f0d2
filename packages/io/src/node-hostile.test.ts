/**
 * Hostile files on disk: ONNX external data that escapes the model folder (symlinks, hard
 * links, FIFOs, devices), large legitimate external files read by range, files that change
 * while they are streamed, and the peak memory of the worst bombs, measured in a child process.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, closeSync, ftruncateSync, linkSync, mkdirSync, mkdtempSync, openSync, renameSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema, StringStringEntryProtoSchema } from './generated/onnx_pb.js';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES } from '../test/helpers.js';
import { defaultMemoryBudget } from './budget.js';
import { ExternalDataError, FileChangedError, MemoryBudgetError } from './errors.js';
import { assertFileUnchanged, fileIdentity, nodeDefaultMemoryBudget, openNpyStream, readOnnxFile, readTensors } from './node.js';
import { writeNpy } from './npy.js';
import { writeOnnx } from './onnx.js';

const folder = mkdtempSync(join(tmpdir(), 'descramble-io-hostile-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const VALUES = [1.5, -2.25, 3, 0.125];
const TENSOR_BYTES = new Uint8Array(Float32Array.from(VALUES).buffer);

/** A model in `dir` whose one initializer (float32 [4]) lives in external data at `location`. */
function modelWithExternal(dir: string, location: string, offset?: number): string {
  const bytes = writeOnnx({
    graph: {
      nodes: [{ opType: 'Identity', inputs: ['w'], outputs: ['y'] }],
      initializers: { w: { dtype: 'float32', shape: [4], data: VALUES } },
      inputs: [],
      outputs: [{ name: 'y', dtype: 'float32', shape: [4] }],
    },
  });
  const proto = fromBinary(ModelProtoSchema, bytes);
  const tensor = proto.graph!.initializer[0]!;
  tensor.rawData = new Uint8Array(0);
  tensor.dataLocation = 1;
  tensor.externalData = [create(StringStringEntryProtoSchema, { key: 'location', value: location })];
  if (offset !== undefined) {
    tensor.externalData.push(create(StringStringEntryProtoSchema, { key: 'offset', value: String(offset) }));
    tensor.externalData.push(create(StringStringEntryProtoSchema, { key: 'length', value: '16' }));
  }
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `model-${Math.random().toString(36).slice(2, 8)}.onnx`);
  writeFileSync(path, toBinary(ModelProtoSchema, proto));
  return path;
}

async function externalError(path: string): Promise<ExternalDataError> {
  const error = await readOnnxFile(path).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ExternalDataError);
  return error as ExternalDataError;
}

describe('ONNX external data: real paths, regular files, ranges', () => {
  const models = join(folder, 'models');
  const outside = join(folder, 'outside');
  mkdirSync(models, { recursive: true });
  mkdirSync(outside, { recursive: true });
  writeFileSync(join(outside, 'secret.bin'), TENSOR_BYTES);

  it('a file NAMED "..w.bin" is fine (components are checked, not substrings); a ".." component is not', async () => {
    writeFileSync(join(models, '..w.bin'), TENSOR_BYTES);
    const model = await readOnnxFile(modelWithExternal(models, '..w.bin'));
    expect(Array.from(model.graph.initializers.get('w')!.data as Float64Array)).toEqual(VALUES);
    mkdirSync(join(models, 'sub'), { recursive: true });
    // stays inside, but the onnx project refuses any ".." component
    expect((await externalError(modelWithExternal(models, 'sub/../..w.bin'))).message).toMatch(/escapes the model folder \(a "\.\." component\)/);
    expect((await externalError(modelWithExternal(models, '/etc/passwd'))).message).toMatch(/an absolute path/);
    expect((await externalError(modelWithExternal(models, ''))).message).toMatch(/is empty/);
  });

  it('a symlinked file or folder pointing out is refused; symlinks that stay inside are fine', async () => {
    symlinkSync(join(outside, 'secret.bin'), join(models, 'link-out.bin'));
    symlinkSync(outside, join(models, 'folder-out'));
    writeFileSync(join(models, 'real.bin'), TENSOR_BYTES);
    symlinkSync('real.bin', join(models, 'link-in.bin'));
    mkdirSync(join(models, 'data'), { recursive: true });
    writeFileSync(join(models, 'data', 'w.bin'), TENSOR_BYTES);
    symlinkSync('data', join(models, 'folder-in'));
    for (const location of ['link-out.bin', 'folder-out/secret.bin']) {
      const error = await externalError(modelWithExternal(models, location));
      expect(error.location).toBe(location);
      expect(error.message).toMatch(/escapes the model folder \(its real path .*outside\/secret\.bin is outside/);
    }
    for (const location of ['link-in.bin', 'folder-in/w.bin']) {
      const model = await readOnnxFile(modelWithExternal(models, location));
      expect(Array.from(model.graph.initializers.get('w')!.data as Float64Array)).toEqual(VALUES);
    }
  });

  it('/dev/zero behind a symlink, a FIFO, a directory and a hard link are refused without reading', async () => {
    symlinkSync('/dev/zero', join(models, 'zero.bin'));
    expect((await externalError(modelWithExternal(models, 'zero.bin'))).message).toMatch(/escapes the model folder/);
    const fifo = spawnSync('mkfifo', [join(models, 'fifo.bin')]);
    expect(fifo.status).toBe(0);
    // a blocking open would hang here: the FIFO has no writer
    expect((await externalError(modelWithExternal(models, 'fifo.bin'))).message).toMatch(/is not a regular file/);
    mkdirSync(join(models, 'dir.bin'), { recursive: true });
    expect((await externalError(modelWithExternal(models, 'dir.bin'))).message).toMatch(/is not a regular file/);
    writeFileSync(join(outside, 'linked.bin'), TENSOR_BYTES);
    linkSync(join(outside, 'linked.bin'), join(models, 'hard.bin'));
    expect((await externalError(modelWithExternal(models, 'hard.bin'))).message).toMatch(/has 2 hard links/);
  });

  it('a small tensor at an offset of a 3 GiB (sparse) file is read by range', async () => {
    const size = 3 * 1024 ** 3;
    const offset = size - 4096;
    const big = join(models, 'big.bin');
    const fd = openSync(big, 'w');
    try {
      ftruncateSync(fd, size);
      writeSync(fd, TENSOR_BYTES, 0, TENSOR_BYTES.length, offset);
    } finally {
      closeSync(fd);
    }
    // reading the whole file would fail in Node (above 2 GiB) and take 3 GB: the budget is 1 MiB
    const path = modelWithExternal(models, 'big.bin', offset);
    const model = await readOnnxFile(path, { memoryBudget: 1 << 20 });
    expect(Array.from(model.graph.initializers.get('w')!.data as Float64Array)).toEqual(VALUES);
    // a range past the end is refused from fstat's size, before reading
    const error = await externalError(modelWithExternal(models, 'big.bin', size - 8));
    expect(error.message).toMatch(new RegExp(`range \\[${size - 8}, ${size + 8}\\) beyond its ${size} bytes`));
    rmSync(big);
  });

  it('a model that is itself a symlink (as in the Hugging Face cache) finds data next to its real file', async () => {
    const blobs = join(folder, 'hub', 'blobs');
    const snapshot = join(folder, 'hub', 'snapshots', 'rev');
    mkdirSync(blobs, { recursive: true });
    mkdirSync(snapshot, { recursive: true });
    const modelBlob = modelWithExternal(blobs, 'model.onnx_data');
    writeFileSync(join(blobs, 'data-blob'), TENSOR_BYTES);
    symlinkSync(modelBlob, join(snapshot, 'model.onnx'));
    symlinkSync(join(blobs, 'data-blob'), join(snapshot, 'model.onnx_data'));
    const tensors = await readTensors({ path: join(snapshot, 'model.onnx') });
    expect(Array.from(tensors.get('w')!.data as Float64Array)).toEqual(VALUES);
  });
});

describe('files that change while they are read', () => {
  const rows = 64;
  const columns = 8;
  const npy = writeNpy({ dtype: 'float64', shape: [rows, columns], data: Float64Array.from({ length: rows * columns }, (_, i) => i) });

  function fresh(name: string): string {
    const path = join(folder, name);
    writeFileSync(path, npy);
    return path;
  }

  it('fileIdentity / assertFileUnchanged see replacement, resizing and removal', async () => {
    const path = fresh('identity.npy');
    const identity = await fileIdentity(path);
    expect(identity.size).toBe(npy.length);
    await assertFileUnchanged(path, identity);
    appendFileSync(path, new Uint8Array(8));
    const error = await assertFileUnchanged(path, identity).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FileChangedError);
    expect(error).toMatchObject({ file: path, change: `size ${npy.length} -> ${npy.length + 8} bytes` });
    const replaced = fresh('identity-2.npy');
    const before = await fileIdentity(replaced);
    writeFileSync(`${replaced}.tmp`, npy);
    renameSync(`${replaced}.tmp`, replaced);
    await expect(assertFileUnchanged(replaced, before)).rejects.toMatchObject({ change: 'replaced by another file' });
    rmSync(replaced);
    await expect(assertFileUnchanged(replaced, before)).rejects.toThrow(/no longer readable \(ENOENT\)/);
  });

  async function changeMidStream(path: string, change: () => void): Promise<unknown> {
    const stream = await openNpyStream(path);
    expect(stream.identity.size).toBe(npy.length);
    let blocks = 0;
    try {
      for await (const _ of stream.blocks(8)) {
        if (++blocks === 2) change();
      }
    } catch (error) {
      return error;
    } finally {
      await stream.close();
    }
    throw new Error('the change went unnoticed');
  }

  it.each([
    ['replaced by rename', (path: string) => () => {
      writeFileSync(`${path}.tmp`, npy);
      renameSync(`${path}.tmp`, path);
    }, /replaced by another file/],
    ['truncated', (path: string) => () => truncateSync(path, 200), /size \d+ -> 200 bytes/],
    ['appended to', (path: string) => () => appendFileSync(path, new Uint8Array(64)), /size \d+ -> \d+ bytes/],
  ] as const)('openNpyStream: a file %s mid-stream ends in FileChangedError', async (name, change, pattern) => {
    const path = fresh(`stream-${name.replaceAll(' ', '-')}.npy`);
    const error = await changeMidStream(path, change(path));
    expect(error).toBeInstanceOf(FileChangedError);
    expect((error as FileChangedError).file).toBe(path);
    expect((error as Error).message).toMatch(pattern);
  });

  it('a change during the last block is seen when the iteration ends', async () => {
    const path = fresh('stream-last.npy');
    const stream = await openNpyStream(path);
    const error = await (async () => {
      for await (const block of stream.blocks(rows)) {
        expect(block.rows).toBe(rows);
        appendFileSync(path, new Uint8Array(8));
      }
    })().catch((e: unknown) => e);
    await stream.close();
    expect(error).toBeInstanceOf(FileChangedError);
  });
});

describe('openNpyStream limits', () => {
  it('bounds a block by the memory budget', async () => {
    const path = join(folder, 'wide.npy');
    writeFileSync(path, writeNpy({ dtype: 'float32', shape: [4, 1000], data: new Float64Array(4000) }));
    const stream = await openNpyStream(path, { memoryBudget: 2 * 12_000 });
    // one row: 4000 bytes read + 8000 as float64; two rows fit exactly, three do not
    for await (const block of stream.blocks(2)) expect(block.rows).toBe(2);
    const error = await (async () => {
      for await (const _ of stream.blocks(3)) break;
    })().catch((e: unknown) => e);
    await stream.close();
    expect(error).toBeInstanceOf(MemoryBudgetError);
    expect(error).toMatchObject({ what: 'block of 3 rows', needed: 36_000, budget: 24_000 });
  });
});

describe('readTensors on a path', () => {
  it('refuses a FIFO without blocking on it', async () => {
    const fifo = join(folder, 'weights.npz');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    await expect(readTensors({ path: fifo })).rejects.toMatchObject({ name: 'FileAccessError', code: 'not a regular file' });
    await expect(readOnnxFile(fifo)).rejects.toMatchObject({ name: 'FileAccessError' });
  });

  it('counts the file bytes and the decoded tensors in one budget', async () => {
    const path = `${FIXTURES}mlp_float32.npz`;
    const size = statSync(path).size;
    const tensors = await readTensors({ path });
    let decoded = 0;
    for (const tensor of tensors.values()) decoded += tensor.data.length * 8;
    // stored members: the file's bytes plus every value as float64, exactly
    expect((await readTensors({ path }, { memoryBudget: size + decoded })).size).toBe(tensors.size);
    const error = await readTensors({ path }, { memoryBudget: size + decoded - 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MemoryBudgetError);
    expect(error).toMatchObject({ format: 'npz', needed: size + decoded, budget: size + decoded - 1 });
    await expect(readTensors({ path }, { memoryBudget: size - 1 })).rejects.toMatchObject({ what: 'file contents', needed: size });
  });
});

describe('memory', () => {
  it('the Node default budget is a quarter of the machine (or cgroup) memory, at most 4 GiB', () => {
    expect(defaultMemoryBudget()).toBe(nodeDefaultMemoryBudget());
    expect(nodeDefaultMemoryBudget()).toBe(Math.min(4 * 1024 ** 3, Math.floor(Math.min(totalmem(), process.constrainedMemory() || Number.POSITIVE_INFINITY) / 4)));
  });

  it('the worst bombs end in typed errors with the peak resident memory under 300 MB', () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=@descramble/source', 'test/bomb-child.ts'], { cwd: root, encoding: 'utf8' });
    expect(child.status, child.stderr).toBe(0);
    const { results, maxRssBytes } = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as {
      results: { name: string; error: string; message: string }[];
      maxRssBytes: number;
    };
    const expected: Record<string, string> = {};
    for (const budget of ['256 MiB', 'default']) {
      expected[`npz 3.9 GB member (${budget})`] = 'MemoryBudgetError';
      expected[`npz understated member (${budget})`] = 'MalformedHeaderError';
      expected[`npz 300 entries, one member (${budget})`] = 'MalformedHeaderError';
      expected[`hdf5 100 fill-value datasets (${budget})`] = 'MemoryBudgetError';
      expected[`mat 2 GB compressed element (${budget})`] = 'MemoryBudgetError';
    }
    expect(Object.fromEntries(results.map(({ name, error }) => [name, error]))).toEqual(expected);
    expect(maxRssBytes).toBeLessThan(300 * 1024 * 1024);
  });
});
