import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES } from '../test/helpers.js';
import { ExternalDataError, FileAccessError, TruncatedFileError, UnsupportedDtypeError } from './errors.js';
import { openNpyStream, readNpyBlocks, readOnnxFile, readTensors } from './node.js';
import { readNpy, writeNpy } from './npy.js';
import { readOnnx, writeOnnx } from './onnx.js';

const folder = mkdtempSync(join(tmpdir(), 'descramble-io-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('openNpyStream / readNpyBlocks', () => {
  const rows = 1000;
  const columns = 37;
  const data = Float64Array.from({ length: rows * columns }, (_, i) => Math.sin(i) * 1e3);
  const path = join(folder, 'rows.npy');
  writeFileSync(path, writeNpy({ dtype: 'float32', shape: [rows, columns], data }));
  const whole = readNpy(writeNpy({ dtype: 'float32', shape: [rows, columns], data }));

  it.each([1, 64, 999, 1000, 5000])('walks the rows in blocks of %i, equal to reading it whole', async (rowsPerBlock) => {
    const parts: Float64Array[] = [];
    let expectedStart = 0;
    for await (const block of readNpyBlocks(path, rowsPerBlock)) {
      expect(block.startRow).toBe(expectedStart);
      expect(block.rows).toBe(Math.min(rowsPerBlock, rows - expectedStart));
      expect(block.data.length).toBe(block.rows * columns);
      expectedStart += block.rows;
      parts.push(block.data);
    }
    expect(expectedStart).toBe(rows);
    const joined = new Float64Array(rows * columns);
    let offset = 0;
    for (const part of parts) {
      joined.set(part, offset);
      offset += part.length;
    }
    expect(joined).toEqual(whole.data);
  });

  it('walks only the rows of a range, equal to the same rows read whole', async () => {
    const stream = await openNpyStream(path);
    for (const [start, end, rowsPerBlock] of [
      [0, 0, 7],
      [13, 14, 7],
      [250, 751, 64],
      [999, 1000, 3],
      [0, 1000, 400],
    ] as const) {
      const parts: number[] = [];
      let expectedStart = start;
      for await (const block of stream.blocks(rowsPerBlock, { start, end })) {
        expect(block.startRow).toBe(expectedStart);
        expectedStart += block.rows;
        parts.push(...block.data);
      }
      expect(expectedStart).toBe(end);
      expect(Float64Array.from(parts)).toEqual(whole.data.subarray(start * columns, end * columns));
    }
    await expect(async () => {
      for await (const _ of stream.blocks(10, { start: 5, end: 1001 })) break;
    }).rejects.toThrow(/range/);
    await stream.close();
  });

  it('reports the header and shape; big-endian files stream too', async () => {
    const stream = await openNpyStream(`${FIXTURES}npy_big_endian_f8.npy`);
    expect(stream.rows).toBe(12);
    expect(stream.rowLength).toBe(16);
    expect(stream.header.littleEndian).toBe(false);
    const blocks = [];
    for await (const block of stream.blocks(5)) blocks.push(block.rows);
    await stream.close();
    expect(blocks).toEqual([5, 5, 2]);
  });

  it('streams Fortran order as the same rows readNpy gives, for every block size', async () => {
    for (const name of ['npy_fortran_f8.npy', 'npy_fortran_3d_f4.npy']) {
      const whole = readNpy(readFileSync(`${FIXTURES}${name}`));
      const stream = await openNpyStream(`${FIXTURES}${name}`);
      expect(stream.header.fortranOrder).toBe(true);
      for (const rowsPerBlock of [1, 2, 3, stream.rows]) {
        const values: number[] = [];
        for await (const block of stream.blocks(rowsPerBlock)) values.push(...block.data);
        expect(values).toEqual([...whole.data]);
      }
      const middle: number[] = [];
      for await (const block of stream.blocks(2, { start: 1, end: stream.rows })) middle.push(...block.data);
      expect(middle).toEqual([...whole.data.subarray(stream.rowLength)]);
      await stream.close();
    }
  });

  it('streams int64 values exactly (token ids) and refuses one beyond 2^53', async () => {
    const whole = readNpy(readFileSync(`${FIXTURES}npy_int64.npy`));
    const values: number[] = [];
    for await (const block of readNpyBlocks(`${FIXTURES}npy_int64.npy`, 2)) values.push(...block.data);
    expect(values).toEqual(Array.from(whole.data as BigInt64Array, Number));
    const huge = join(folder, 'huge.npy');
    writeFileSync(huge, writeNpy({ dtype: 'int64', shape: [2, 2], data: BigInt64Array.from([1n, 2n, 2n ** 60n, 3n]) }));
    const error = await (async () => {
      for await (const _ of readNpyBlocks(huge)) void _;
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedDtypeError);
    expect((error as Error).message).toMatch(/row 1\) is beyond 2\^53/);
  });

  it('rejects truncated files with typed errors', async () => {
    const truncated = join(folder, 'truncated.npy');
    writeFileSync(truncated, writeNpy({ dtype: 'float64', shape: [4, 4], data: new Float64Array(16) }).subarray(0, 150));
    await expect(openNpyStream(truncated)).rejects.toThrow(TruncatedFileError);
    const tiny = join(folder, 'tiny.npy');
    writeFileSync(tiny, new Uint8Array([0x93, 0x4e]));
    await expect(openNpyStream(tiny)).rejects.toThrow(TruncatedFileError);
  });
});

describe('ONNX external data from the model folder', () => {
  it('refuses locations that escape the folder', async () => {
    const bytes = writeOnnx({
      graph: {
        nodes: [{ opType: 'Identity', inputs: ['w'], outputs: ['y'] }],
        initializers: { w: { dtype: 'float32', shape: [1], data: [1] } },
        inputs: [],
        outputs: [{ name: 'y', dtype: 'float32', shape: [1] }],
      },
    });
    // rewrite the initializer to point at ../secret.bin via a model built by reading and editing
    const model = readOnnx(bytes);
    expect(model.graph.initializers.size).toBe(1);
    const { create, toBinary, fromBinary } = await import('@bufbuild/protobuf');
    const { ModelProtoSchema, StringStringEntryProtoSchema } = await import('./generated/onnx_pb.js');
    const proto = fromBinary(ModelProtoSchema, bytes);
    const tensor = proto.graph!.initializer[0]!;
    tensor.rawData = new Uint8Array(0);
    tensor.dataLocation = 1;
    for (const location of ['../secret.bin', '/etc/passwd', 'missing.bin']) {
      tensor.externalData = [create(StringStringEntryProtoSchema, { key: 'location', value: location })];
      const path = join(folder, 'escape.onnx');
      writeFileSync(path, toBinary(ModelProtoSchema, proto));
      const error = await readOnnxFile(path).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ExternalDataError);
      expect((error as ExternalDataError).location).toBe(location);
      expect((error as Error).message).toMatch(location === 'missing.bin' ? /cannot be read \(ENOENT\)/ : /escapes the model folder/);
    }
  });

  it('missing files are FileAccessErrors naming the path', async () => {
    await expect(readTensors({ path: join(folder, 'none.safetensors') })).rejects.toThrow(FileAccessError);
    await expect(openNpyStream(join(folder, 'none.npy'))).rejects.toThrow(/io: npy: .*none\.npy: file: cannot be read \(ENOENT\)/);
    await expect(readOnnxFile(folder)).rejects.toThrow(/EISDIR/);
  });

  it('readTensors on a path resolves external data', async () => {
    const tensors = await readTensors({ path: `${FIXTURES}mlp_external.onnx` });
    expect([...tensors.keys()]).toEqual(['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias', 'fc3.weight', 'fc3.bias']);
  });
});
