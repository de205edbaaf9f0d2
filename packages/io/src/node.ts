/**
 * `@descramble/io/node`: the readers on file paths (Node's fs), ONNX external data resolved
 * from the model's folder, and a streaming `.npy` reader that walks a large file in blocks of
 * rows without loading it whole. Everything of the main entry is re-exported.
 */
import { readFileSync } from 'node:fs';
import { type FileHandle, open, readFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { ReadContext } from './context.js';
import { ExternalDataError, FileAccessError, type FileFormat, IoError } from './errors.js';
import { type NpyHeader, NPY_MAX_HEADER_LENGTH, parseNpyHeader } from './npy.js';
import { type OnnxModel, readOnnx } from './onnx.js';
import { type BytesSource, type ReadTensorsOptions, readTensors as readTensorsFromBytes } from './read-tensors.js';
import { ELEMENT_SIZE, type Tensor, decodeElements } from './tensor.js';

export * from './index.js';

/** Reads a whole file; Node's errors become FileAccessError. */
async function readWholeFile(path: string, format: FileFormat): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new FileAccessError(format, path, (error as NodeJS.ErrnoException).code ?? String(error));
  }
}

/** A file on disk. */
export interface PathSource {
  readonly path: string;
}

/**
 * External data of an ONNX model in `folder`, read from disk on demand. Locations must stay
 * inside the folder (no absolute paths, no `..` escapes).
 */
export function externalDataFromFolder(folder: string, modelName: string): (location: string) => Uint8Array {
  const cache = new Map<string, Uint8Array>();
  const root = resolve(folder);
  return (location) => {
    const cached = cache.get(location);
    if (cached !== undefined) return cached;
    const target = resolve(root, location);
    const inside = relative(root, target);
    if (location === '' || isAbsolute(location) || inside.startsWith('..') || isAbsolute(inside)) {
      throw new ExternalDataError(modelName, 'external_data.location', location, 'escapes the model folder');
    }
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(target);
    } catch (error) {
      throw new ExternalDataError(modelName, 'external_data.location', location, `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
    cache.set(location, bytes);
    return bytes;
  };
}

/** Reads an ONNX model file, with external data files from the model's folder. */
export async function readOnnxFile(path: string): Promise<OnnxModel> {
  const bytes = await readWholeFile(path, 'onnx');
  return readOnnx(bytes, { name: path, externalData: externalDataFromFolder(dirname(path), path) });
}

/**
 * `readTensors` on a path (ONNX external data resolved from the model's folder) or on bytes.
 *
 * @throws UnknownFormatError, FileAccessError, the format reader's typed errors.
 */
export async function readTensors(source: PathSource | BytesSource, options: ReadTensorsOptions = {}): Promise<Map<string, Tensor>> {
  if ('path' in source) {
    const bytes = await readWholeFile(source.path, 'unknown');
    const externalData = options.externalData ?? externalDataFromFolder(dirname(source.path), source.path);
    return readTensorsFromBytes({ bytes, name: source.path }, { externalData });
  }
  return readTensorsFromBytes(source, options);
}

/** A block of consecutive rows of a `.npy` array. */
export interface NpyBlock {
  /** Index of the block's first row. */
  readonly startRow: number;
  /** Rows in this block (the last block may be shorter). */
  readonly rows: number;
  /** `rows x rowLength` values, row-major, widened to float64. */
  readonly data: Float64Array;
}

/** An open `.npy` file read in blocks of rows. */
export interface NpyStream {
  readonly header: NpyHeader;
  /** `shape[0]` (1 for a 0-d array). */
  readonly rows: number;
  /** Product of `shape[1:]` (1 for 0-d and 1-d arrays). */
  readonly rowLength: number;
  /**
   * Blocks of `rowsPerBlock` rows (default: about 8 MB of float64 per block), in order, of the
   * rows `range.start <= row < range.end` (default: all); rows outside the range are not read.
   */
  blocks(rowsPerBlock?: number, range?: NpyRowRange): AsyncGenerator<NpyBlock>;
  close(): Promise<void>;
}

/** Rows `start <= row < end` of a `.npy` array. */
export interface NpyRowRange {
  readonly start: number;
  readonly end: number;
}

/** Options of `openNpyStream`. */
export interface NpyStreamOptions {
  /** Default rows per block (default: about 8 MB of float64 per block). */
  readonly rowsPerBlock?: number;
}

const DEFAULT_BLOCK_BYTES = 8 * 1024 * 1024;

async function readExactly(handle: FileHandle, buffer: Uint8Array, position: number, context: ReadContext, field: string, fileSize: number): Promise<void> {
  let done = 0;
  while (done < buffer.length) {
    const { bytesRead } = await handle.read(buffer, done, buffer.length - done, position + done);
    if (bytesRead === 0) throw context.truncated(field, position + buffer.length, fileSize);
    done += bytesRead;
  }
}

/**
 * Opens a `.npy` file for reading in blocks of rows with a file handle: memory stays at one
 * block, whatever the file size. C order only; float and integer dtypes up to 32 bits.
 *
 * @throws as `parseNpyHeader`; TruncatedFileError when the file is shorter than the header
 * says (or MalformedHeaderError when longer); UnsupportedFeatureError for Fortran order;
 * UnsupportedDtypeError for int64/uint64 (not exact in float64).
 */
export async function openNpyStream(path: string, options: NpyStreamOptions = {}): Promise<NpyStream> {
  const context = new ReadContext('npy', path);
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new FileAccessError('npy', path, (error as NodeJS.ErrnoException).code ?? String(error));
  }
  try {
    const fileSize = (await handle.stat()).size;
    const prefix = new Uint8Array(Math.min(12, fileSize));
    await readExactly(handle, prefix, 0, context, 'header length', fileSize);
    let headerEnd = 12;
    if (prefix.length >= 10) {
      const view = new DataView(prefix.buffer);
      const length = prefix[6] === 1 ? view.getUint16(8, true) : prefix.length >= 12 ? view.getUint32(8, true) : 0;
      headerEnd = (prefix[6] === 1 ? 10 : 12) + Math.min(length, NPY_MAX_HEADER_LENGTH + 1);
    }
    const headerBytes = new Uint8Array(Math.min(headerEnd, fileSize));
    await readExactly(handle, headerBytes, 0, context, 'header', fileSize);
    const header = parseNpyHeader(headerBytes, path);
    if (header.fortranOrder) throw context.unsupported('fortran_order', 'Fortran order when streaming rows');
    if (header.dtype === 'int64' || header.dtype === 'uint64') throw context.dtype('descr', `${header.descr} (streaming yields float64)`);
    const end = header.dataOffset + header.dataLength;
    if (fileSize < end) throw context.truncated('data', end, fileSize);
    if (fileSize > end) throw context.malformed('data', `${fileSize - end} bytes after the data`);
    const rows = header.shape.length === 0 ? 1 : header.shape[0]!;
    const rowLength = header.shape.length === 0 ? 1 : header.shape.slice(1).reduce((a, b) => a * b, 1);
    const rowBytes = rowLength * ELEMENT_SIZE[header.dtype];
    const defaultRows = options.rowsPerBlock ?? Math.max(1, Math.floor(DEFAULT_BLOCK_BYTES / Math.max(1, rowLength * 8)));
    let closed = false;
    return {
      header,
      rows,
      rowLength,
      async *blocks(rowsPerBlock = defaultRows, range = { start: 0, end: rows }) {
        if (!Number.isSafeInteger(rowsPerBlock) || rowsPerBlock < 1) {
          throw new IoError('npy', path, 'rowsPerBlock', `must be a positive integer, got ${rowsPerBlock}`);
        }
        const { start, end } = range;
        if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start || end > rows) {
          throw new IoError('npy', path, 'range', `must satisfy 0 <= start <= end <= ${rows}, got [${start}, ${end})`);
        }
        const buffer = new Uint8Array(Math.min(end - start, rowsPerBlock) * rowBytes);
        for (let startRow = start; startRow < end; startRow += rowsPerBlock) {
          if (closed) throw new IoError('npy', path, 'stream', 'read after close');
          const count = Math.min(rowsPerBlock, end - startRow);
          const chunk = buffer.subarray(0, count * rowBytes);
          await readExactly(handle, chunk, header.dataOffset + startRow * rowBytes, context, 'data', fileSize);
          const data = decodeElements(chunk, 0, count * rowLength, header.dtype, header.littleEndian) as Float64Array;
          yield { startRow, rows: count, data };
        }
      },
      async close() {
        if (!closed) {
          closed = true;
          await handle.close();
        }
      },
    };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/**
 * The blocks of rows of a `.npy` file, opening and closing it around the iteration:
 * `for await (const { rows, data } of readNpyBlocks(path, 4096)) ...`.
 */
export async function* readNpyBlocks(path: string, rowsPerBlock?: number): AsyncGenerator<NpyBlock> {
  const stream = await openNpyStream(path, rowsPerBlock === undefined ? {} : { rowsPerBlock });
  try {
    yield* stream.blocks();
  } finally {
    await stream.close();
  }
}
