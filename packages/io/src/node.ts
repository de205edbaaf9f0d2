/**
 * `@descramble/io/node`: the readers on file paths (Node's fs), ONNX external data resolved
 * from the model's folder, and a streaming `.npy` reader that walks a large file in blocks of
 * rows without loading it whole. Everything of the main entry is re-exported.
 */
import { closeSync, constants, fstatSync, openSync, readSync, readlinkSync, realpathSync } from 'node:fs';
import { type FileHandle, open, stat } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { MemoryBudget, type MemoryBudgetOptions, setPlatformMemoryBudget, sharedBudget } from './budget.js';
import { ReadContext } from './context.js';
import { ExternalDataError, FileAccessError, FileChangedError, type FileFormat, IoError, ReaderUsageError } from './errors.js';
import { type NpyHeader, npyHeaderEnd, parseNpyHeader } from './npy.js';
import { type ExternalDataReader, type OnnxModel, readOnnx } from './onnx.js';
import { type PytorchCheckpoint, readPytorchCheckpoint } from './pytorch.js';
import { type BytesSource, type ReadTensorsOptions, readTensors as readTensorsFromBytes } from './read-tensors.js';
import { ELEMENT_SIZE, type Tensor, decodeElements } from './tensor.js';

export * from './index.js';

/** Share of the machine's memory (or of the process's cgroup limit, when lower) one read may hold by default. */
export const NODE_MEMORY_BUDGET_FRACTION = 0.25;

/**
 * Most a read holds by default, however large the machine (4 GiB): a file that needs more is
 * either huge or a bomb, and a caller who trusts it raises `memoryBudget`.
 */
export const NODE_MEMORY_BUDGET_CAP = 4 * 1024 * 1024 * 1024;

/**
 * The default memory budget in Node: `NODE_MEMORY_BUDGET_FRACTION` of the machine's (or the
 * cgroup's) memory, at most `NODE_MEMORY_BUDGET_CAP`.
 */
export function nodeDefaultMemoryBudget(): number {
  const constrained = typeof process.constrainedMemory === 'function' ? process.constrainedMemory() : 0;
  const memory = constrained > 0 && constrained < totalmem() ? constrained : totalmem();
  return Math.max(1, Math.min(NODE_MEMORY_BUDGET_CAP, Math.floor(memory * NODE_MEMORY_BUDGET_FRACTION)));
}

setPlatformMemoryBudget(nodeDefaultMemoryBudget());

/**
 * Reads a whole regular file (never blocking on a FIFO, never reading a device), its size
 * counted in `budget` before it is read; Node's errors become FileAccessError.
 */
async function readWholeFile(path: string, format: FileFormat, budget: MemoryBudget): Promise<Uint8Array> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new FileAccessError({ format, file: path, code: errnoCode(error) });
  }
  try {
    const info = await handle.stat();
    if (info.isDirectory()) throw new FileAccessError({ format, file: path, code: 'EISDIR' });
    if (!info.isFile()) throw new FileAccessError({ format, file: path, code: 'not a regular file' });
    budget.reserve('file contents', info.size);
    const bytes = new Uint8Array(info.size);
    await readExactly(handle, bytes, 0, new ReadContext(format, path), 'file', info.size);
    return bytes;
  } catch (error) {
    if (IoError.isInstance(error)) throw error;
    throw new FileAccessError({ format, file: path, code: errnoCode(error) });
  } finally {
    await handle.close();
  }
}

/** A file on disk. */
export interface PathSource {
  readonly path: string;
}

function errnoCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? String(error);
}

/** Why a location is refused before touching the file system (the onnx project's rules), or undefined. */
function lexicalEscape(location: string): string | undefined {
  if (location === '') return 'is empty';
  if (location.includes('\0')) return 'contains a NUL character';
  if (isAbsolute(location) || /^[\\/]/.test(location) || /^[A-Za-z]:/.test(location)) return 'escapes the model folder (an absolute path)';
  // components, not substrings: a file named "..w.bin" is fine
  if (location.split(/[\\/]/).includes('..')) return 'escapes the model folder (a ".." component)';
  return undefined;
}

function isInside(root: string, target: string): boolean {
  const inside = relative(root, target);
  return inside !== '' && inside !== '..' && !inside.startsWith(`..${sep}`) && !isAbsolute(inside);
}

/** External data read from the files of a model's folder: whole files or byte ranges. */
export type FolderExternalData = ((location: string) => Uint8Array) & ExternalDataReader;

/**
 * External data of an ONNX model in `folder`, read from disk on demand. A location must be
 * relative with no `..` component (checked on components: `..w.bin` is a fine name); its real
 * path (symlinks resolved) must be inside the folder's real path (or inside the real folder of
 * `modelPath`, when given and itself a symlink, as in the Hugging Face cache); it must be a
 * regular file (no FIFO, device or directory) with a single hard link (a second link could
 * point at any file of the same file system, which no path check can see). Ranges are read
 * with a file handle, checked against the size from `fstat` first: a small tensor at an
 * offset of a large file reads only its bytes.
 */
export function externalDataFromFolder(folder: string, modelName: string, modelPath?: string): FolderExternalData {
  const roots: string[] = [];
  const realRoots = (): string[] => {
    if (roots.length === 0) {
      for (const candidate of [folder, modelPath === undefined ? undefined : dirname(realpathOrSelf(modelPath))]) {
        if (candidate === undefined) continue;
        const real = realpathOrSelf(candidate);
        if (!roots.includes(real)) roots.push(real);
      }
    }
    return roots;
  };
  const fail = (location: string, field: string, reason: string): ExternalDataError => new ExternalDataError({ file: modelName, field: `external_data.${field}`, location, reason });

  /** Opens `location` after every check; returns the descriptor and the file's size. */
  const openChecked = (location: string): { fd: number; size: number } => {
    const lexical = lexicalEscape(location);
    if (lexical !== undefined) throw fail(location, 'location', lexical);
    let real: string;
    try {
      real = realpathSync(resolve(folder, location));
    } catch (error) {
      throw fail(location, 'location', `cannot be read (${errnoCode(error)})`);
    }
    if (!realRoots().some((root) => isInside(root, real))) {
      throw fail(location, 'location', `escapes the model folder (its real path ${real} is outside ${realRoots().join(' and ')})`);
    }
    let fd: number;
    try {
      // never blocks on a FIFO; O_NOFOLLOW: the real path has no symlink left to follow
      fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
    } catch (error) {
      throw fail(location, 'location', `cannot be read (${errnoCode(error)})`);
    }
    try {
      const info = fstatSync(fd);
      // a folder on the way swapped for a symlink between realpath and open would be followed:
      // where the kernel has it (Linux), the opened file's own path is checked again
      const opened = openedPath(fd);
      if (opened !== undefined && !realRoots().some((root) => isInside(root, opened))) {
        throw fail(location, 'location', `escapes the model folder (the opened file is ${opened})`);
      }
      if (!info.isFile()) throw fail(location, 'location', 'is not a regular file (a FIFO, device or directory)');
      if (info.nlink > 1) throw fail(location, 'location', `has ${info.nlink} hard links (refused: a hard link can reach any file of the file system)`);
      return { fd, size: info.size };
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  };

  const readRange = (location: string, offset: number, length: number): Uint8Array => {
    const { fd, size } = openChecked(location);
    try {
      if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
        throw fail(location, 'offset', `range [${offset}, ${offset + length}) beyond its ${size} bytes`);
      }
      const out = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const read = readSync(fd, out, done, Math.min(length - done, 1 << 30), offset + done);
        if (read === 0) throw fail(location, 'offset', `file ended at ${offset + done} bytes, before ${offset + length}`);
        done += read;
      }
      return out;
    } finally {
      closeSync(fd);
    }
  };
  const whole = (location: string): Uint8Array => {
    const { fd, size } = openChecked(location);
    closeSync(fd);
    return readRange(location, 0, size);
  };
  return Object.assign(whole, { readRange });
}

/** The path of an open file descriptor, where the system tells it (`/proc/self/fd` on Linux). */
function openedPath(fd: number): string | undefined {
  try {
    const path = readlinkSync(`/proc/self/fd/${fd}`);
    return isAbsolute(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

function realpathOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/** Options of `readOnnxFile`. */
export type ReadOnnxFileOptions = MemoryBudgetOptions;

/** Reads an ONNX model file, with external data files from the model's folder (see `externalDataFromFolder`). */
export async function readOnnxFile(path: string, options: ReadOnnxFileOptions = {}): Promise<OnnxModel> {
  const budget = MemoryBudget.of(options, 'onnx', path);
  const bytes = await readWholeFile(path, 'onnx', budget);
  return readOnnx(bytes, { ...sharedBudget(budget), name: path, externalData: externalDataFromFolder(dirname(path), path, path) });
}

/** Options of `readPytorchFile`. */
export type ReadPytorchFileOptions = MemoryBudgetOptions;

/**
 * Reads a PyTorch checkpoint file (see `readPytorchCheckpoint`); the file's bytes count against
 * the memory budget with the tensors decoded from them.
 *
 * @throws FileAccessError, MemoryBudgetError, UnsafePickleError, `readPytorchCheckpoint`'s errors.
 */
export async function readPytorchFile(path: string, options: ReadPytorchFileOptions = {}): Promise<PytorchCheckpoint> {
  const budget = MemoryBudget.of(options, 'pytorch', path);
  const bytes = await readWholeFile(path, 'pytorch', budget);
  return readPytorchCheckpoint(bytes, path, sharedBudget(budget));
}

/** What identifies the contents of a file on disk: device and inode (replacement), size and modification time. */
export interface FileIdentity {
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
}

function identityOf(info: { dev: number; ino: number; size: number; mtimeMs: number }): FileIdentity {
  return { dev: info.dev, ino: info.ino, size: info.size, mtimeMs: info.mtimeMs };
}

/** How `now` differs from `before`, or undefined. */
function identityChange(before: FileIdentity, now: FileIdentity): string | undefined {
  if (now.dev !== before.dev || now.ino !== before.ino) return 'replaced by another file';
  if (now.size !== before.size) return `size ${before.size} -> ${now.size} bytes`;
  if (now.mtimeMs !== before.mtimeMs) return 'modified';
  return undefined;
}

/**
 * The identity of the file at `path` now, to check later with `assertFileUnchanged`.
 *
 * @throws FileAccessError.
 */
export async function fileIdentity(path: string, format: FileFormat = 'unknown'): Promise<FileIdentity> {
  try {
    return identityOf(await stat(path));
  } catch (error) {
    throw new FileAccessError({ format, file: path, code: errnoCode(error) });
  }
}

/**
 * Throws FileChangedError when the file at `path` is no longer the one of `identity`: removed,
 * replaced (another inode, as a rename over it makes), resized, or with another modification
 * time. A rewrite within the file system's time resolution that keeps the size goes unseen.
 *
 * @throws FileChangedError.
 */
export async function assertFileUnchanged(path: string, identity: FileIdentity, format: FileFormat = 'unknown'): Promise<void> {
  let now: FileIdentity;
  try {
    now = identityOf(await stat(path));
  } catch (error) {
    throw new FileChangedError({ format, file: path, change: `no longer readable (${errnoCode(error)})` });
  }
  const change = identityChange(identity, now);
  if (change !== undefined) throw new FileChangedError({ format, file: path, change });
}

/**
 * `readTensors` on a path (ONNX external data resolved from the model's folder) or on bytes.
 * On a path, the file's bytes count against the memory budget with everything the reader
 * decodes; the path must be a regular file (a FIFO or device is refused without reading).
 *
 * @throws UnknownFormatError, FileAccessError, MemoryBudgetError, the format reader's typed errors.
 */
export async function readTensors(source: PathSource | BytesSource, options: ReadTensorsOptions = {}): Promise<Map<string, Tensor>> {
  if ('path' in source) {
    const budget = MemoryBudget.of(options, 'unknown', source.path);
    const bytes = await readWholeFile(source.path, 'unknown', budget);
    const externalData = options.externalData ?? externalDataFromFolder(dirname(source.path), source.path, source.path);
    return readTensorsFromBytes({ bytes, name: source.path }, { ...sharedBudget(budget), externalData });
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
  /** The file's identity when it was opened; every block checks that it still holds (else FileChangedError). */
  readonly identity: FileIdentity;
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

/** Options of `openNpyStream`. `memoryBudget` bounds one block: its bytes plus its float64 values. */
export interface NpyStreamOptions extends MemoryBudgetOptions {
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
 * block, whatever the file size. C or Fortran order (a Fortran-order block is read as one run
 * of rows per trailing element and reordered); every float and integer dtype (64-bit integers
 * within 2^53). The
 * file's identity is recorded when it is opened and checked before every block and after the
 * last (`fstat` of the open handle for truncation, appending or rewriting; `stat` of the path
 * for a replacement by rename).
 *
 * @throws as `parseNpyHeader`; TruncatedFileError when the file is shorter than the header
 * says (or MalformedHeaderError when longer); UnsupportedDtypeError for an
 * int64/uint64 value beyond 2^53 (not exact in float64; smaller ones, token ids say, stream as float64); from `blocks`: MemoryBudgetError when one block does
 * not fit the budget, FileChangedError when the file changed.
 */
export async function openNpyStream(path: string, options: NpyStreamOptions = {}): Promise<NpyStream> {
  const context = new ReadContext('npy', path);
  const budget = MemoryBudget.of(options, 'npy', path);
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new FileAccessError({ format: 'npy', file: path, code: errnoCode(error) });
  }
  try {
    const opened = await handle.stat();
    if (!opened.isFile()) throw new FileAccessError({ format: 'npy', file: path, code: opened.isDirectory() ? 'EISDIR' : 'not a regular file' });
    const identity = identityOf(opened);
    const fileSize = identity.size;
    // the path must still name the file we opened (no rename between open and stat)
    await assertFileUnchanged(path, identity, 'npy');
    const unchanged = async (): Promise<void> => {
      const change = identityChange(identity, identityOf(await handle.stat()));
      if (change !== undefined) throw new FileChangedError({ format: 'npy', file: path, change });
      await assertFileUnchanged(path, identity, 'npy');
    };
    const prefix = new Uint8Array(Math.min(12, fileSize));
    await readExactly(handle, prefix, 0, context, 'header length', fileSize);
    const headerBytes = new Uint8Array(Math.min(npyHeaderEnd(prefix), fileSize));
    await readExactly(handle, headerBytes, 0, context, 'header', fileSize);
    const header = parseNpyHeader(headerBytes, path);
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
      identity,
      rows,
      rowLength,
      async *blocks(rowsPerBlock = defaultRows, range = { start: 0, end: rows }) {
        if (!Number.isSafeInteger(rowsPerBlock) || rowsPerBlock < 1) {
          throw new ReaderUsageError({ format: 'npy', file: path, field: 'rowsPerBlock', reason: `must be a positive integer, got ${rowsPerBlock}` });
        }
        const { start, end } = range;
        if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start || end > rows) {
          throw new ReaderUsageError({ format: 'npy', file: path, field: 'range', reason: `must satisfy 0 <= start <= end <= ${rows}, got [${start}, ${end})` });
        }
        const blockRows = Math.min(end - start, rowsPerBlock);
        // the block's bytes and its float64 values (twice for Fortran order: runs, then rows;
        // once more for 64-bit integers, decoded exactly before the conversion)
        const wide = header.dtype === 'int64' || header.dtype === 'uint64';
        budget.check(`block of ${blockRows} rows`, blockRows * (rowBytes + rowLength * 8 * ((header.fortranOrder ? 2 : 1) + (wide ? 1 : 0))));
        const buffer = new Uint8Array(blockRows * rowBytes);
        const elementSize = ELEMENT_SIZE[header.dtype];
        const cPosition = header.fortranOrder ? fortranToCPositions(header.shape.slice(1)) : undefined;
        for (let startRow = start; startRow < end; startRow += rowsPerBlock) {
          if (closed) throw new ReaderUsageError({ format: 'npy', file: path, field: 'stream', reason: 'read after close' });
          await unchanged();
          const count = Math.min(rowsPerBlock, end - startRow);
          const chunk = buffer.subarray(0, count * rowBytes);
          if (cPosition === undefined) {
            await readExactly(handle, chunk, header.dataOffset + startRow * rowBytes, context, 'data', fileSize);
            const data = asFloat64(decodeElements(chunk, 0, count * rowLength, header.dtype, header.littleEndian), startRow, rowLength, context);
            yield { startRow, rows: count, data };
            continue;
          }
          // Fortran order: trailing element j of every row is one run of `rows` values at
          // offset j * rows; the block's rows of element j are the run's [startRow, startRow + count)
          const runBytes = count * elementSize;
          for (let j = 0; j < rowLength; j++) {
            const position = header.dataOffset + (j * rows + startRow) * elementSize;
            await readExactly(handle, chunk.subarray(j * runBytes, (j + 1) * runBytes), position, context, 'data', fileSize);
          }
          const runs = asFloat64(decodeElements(chunk, 0, count * rowLength, header.dtype, header.littleEndian), startRow, rowLength, context);
          yield { startRow, rows: count, data: runsToRows(runs, count, cPosition) };
        }
        if (!closed) await unchanged();
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
 * Block values as float64: 64-bit integers (token ids, indices) are exact there up to 2^53, and
 * one beyond that is refused rather than rounded.
 */
function asFloat64(values: Float64Array | BigInt64Array | BigUint64Array, startRow: number, rowLength: number, context: ReadContext): Float64Array {
  if (values instanceof Float64Array) return values;
  const out = new Float64Array(values.length);
  const limit = BigInt(Number.MAX_SAFE_INTEGER);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as bigint;
    if (v > limit || v < -limit) throw context.dtype('data', `value ${v} (row ${startRow + Math.floor(i / rowLength)}) is beyond 2^53, not exact in float64`);
    out[i] = Number(v);
  }
  return out;
}

/** For each trailing element in Fortran order (first index fastest), its position in C order. */
function fortranToCPositions(dims: readonly number[]): Int32Array {
  const length = dims.reduce((a, b) => a * b, 1);
  const positions = new Int32Array(length);
  const index = new Array<number>(dims.length).fill(0);
  for (let j = 0; j < length; j++) {
    let c = 0;
    for (let axis = 0; axis < dims.length; axis++) c = c * dims[axis]! + index[axis]!;
    positions[j] = c;
    for (let axis = 0; axis < dims.length; axis++) {
      index[axis]!++;
      if (index[axis]! < dims[axis]!) break;
      index[axis] = 0;
    }
  }
  return positions;
}

/** Runs of `count` values per trailing element (Fortran order) into rows in C order. */
function runsToRows(runs: Float64Array, count: number, cPosition: Int32Array): Float64Array {
  const rowLength = cPosition.length;
  const rows = new Float64Array(count * rowLength);
  for (let j = 0; j < rowLength; j++) {
    const run = runs.subarray(j * count, (j + 1) * count);
    const target = cPosition[j]!;
    for (let r = 0; r < count; r++) rows[r * rowLength + target] = run[r]!;
  }
  return rows;
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
