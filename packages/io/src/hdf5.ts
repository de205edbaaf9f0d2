/**
 * HDF5 files (Keras `.h5`, MATLAB v7.3 `.mat`) through h5wasm, the HDF5 C library compiled to
 * WebAssembly and shipped inside the npm package (no download, works in Node and browsers).
 * h5wasm is an optional peer dependency (14.5 MB), loaded lazily, on the first HDF5 read.
 */
import { MemoryBudget, type MemoryBudgetOptions } from './budget.js';
import { type BytesInput, ReadContext, UNNAMED, asBytes } from './context.js';
import { type FileFormat, MissingDependencyError } from './errors.js';
import { type DType, ELEMENT_SIZE, type Tensor, checkedElementCount, columnMajorToRowMajor, makeTensor } from './tensor.js';

type H5Module = typeof import('h5wasm');
type H5Group = InstanceType<H5Module['Group']>;
type H5Dataset = InstanceType<H5Module['Dataset']>;

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** Offset of the HDF5 superblock signature (0, 512, 1024, 2048, ...), or -1. */
export function findHdf5Superblock(bytes: Uint8Array): number {
  for (let offset = 0; offset + 8 <= bytes.length; offset = offset === 0 ? 512 : offset * 2) {
    if (HDF5_SIGNATURE.every((byte, i) => bytes[offset + i] === byte)) return offset;
  }
  return -1;
}

let h5wasmPromise: Promise<H5Module> | undefined;
let fileCounter = 0;

/** h5wasm, ready; a failed import (not installed) is a MissingDependencyError naming the file. */
async function loadH5wasm(context: ReadContext): Promise<H5Module> {
  h5wasmPromise ??= import('h5wasm').then(async (module) => {
    await module.ready;
    return module;
  });
  try {
    return await h5wasmPromise;
  } catch (cause) {
    h5wasmPromise = undefined; // installed later in this process: try again
    throw new MissingDependencyError({ format: context.format, file: context.file, dependency: 'h5wasm', purpose: 'reading HDF5 files (Keras .h5, MATLAB v7.3 .mat)', cause });
  }
}

/** A numeric dataset found while walking an HDF5 file. */
interface Hdf5Dataset {
  readonly path: string;
  readonly dataset: H5Dataset;
}

const MAX_OBJECTS = 100_000;
const MAX_DEPTH = 64;

/**
 * Opens the bytes with h5wasm (in its in-memory file system), hands the root group to `use`,
 * closes and removes the file. Errors of the HDF5 library become MalformedHeaderError.
 */
async function withHdf5<T>(bytes: Uint8Array, context: ReadContext, budget: MemoryBudget, use: (root: H5Group, h5: H5Module) => T): Promise<T> {
  if (findHdf5Superblock(bytes) < 0) throw context.malformed('superblock', 'no HDF5 signature at 0, 512, 1024, ...');
  const h5 = await loadH5wasm(context);
  const FS = h5.FS!;
  const path = `/descramble-io-${uniqueTag()}-${fileCounter++}.h5`;
  budget.reserve('in-memory copy of the file', bytes.length);
  FS.writeFile(path, bytes);
  let file: InstanceType<H5Module['File']> | undefined;
  try {
    try {
      file = new h5.File(path, 'r');
    } catch (error) {
      throw context.malformed('superblock', `HDF5 library cannot open the file (${String((error as Error)?.message ?? error).split('\n')[0]})`);
    }
    return use(file, h5);
  } catch (error) {
    throw context.wrap('file', error);
  } finally {
    try {
      file?.close();
    } catch {
      // a corrupt file may fail to close; the in-memory copy is removed below
    }
    FS.unlink(path);
    budget.release(bytes.length);
  }
}

function uniqueTag(): string {
  return Math.random().toString(36).slice(2, 8);
}

/** Walks groups depth-first (sorted keys), yielding datasets; stops at cycles and absurd sizes. */
function walk(root: H5Group, h5: H5Module, context: ReadContext, skipGroup: (name: string) => boolean = () => false): Hdf5Dataset[] {
  const found: Hdf5Dataset[] = [];
  let visited = 0;
  const visit = (group: H5Group, prefix: string, depth: number): void => {
    if (depth > MAX_DEPTH) throw context.malformed(prefix, 'groups nested too deeply (a cycle?)');
    for (const key of group.keys()) {
      if (++visited > MAX_OBJECTS) throw context.oversized('objects', MAX_OBJECTS, visited);
      const path = prefix === '' ? key : `${prefix}/${key}`;
      const entity = group.get(key);
      if (entity instanceof h5.Dataset) found.push({ path, dataset: entity });
      else if (entity instanceof h5.Group && !skipGroup(key)) visit(entity, path, depth + 1);
    }
  };
  visit(root, '', 0);
  return found;
}

/** The dtype of an HDF5 dataset's type, `null` when it is not numeric (strings, compounds, references...). */
function datasetDtype(dataset: H5Dataset, path: string, context: ReadContext): DType | null {
  const meta = dataset.metadata;
  if (meta.type !== 0 && meta.type !== 1) return null; // H5T_INTEGER, H5T_FLOAT
  if (meta.vlen || meta.array_type !== undefined || meta.enum_type !== undefined) return null;
  const name = `${meta.type === 1 ? 'float' : meta.signed ? 'int' : 'uint'}${meta.size * 8}`;
  const dtype = ({ float64: 'float64', float32: 'float32', int8: 'int8', int16: 'int16', int32: 'int32', int64: 'int64', uint8: 'uint8', uint16: 'uint16', uint32: 'uint32', uint64: 'uint64' } as Record<string, DType>)[name];
  if (dtype === undefined) throw context.dtype(`${path}.dtype`, name);
  if (!meta.littleEndian && meta.size > 1) throw context.unsupported(`${path}.dtype`, `big-endian ${name} dataset`);
  return dtype;
}

/**
 * Memory a dataset read takes, from its metadata alone: `kept`, the float64 (or 64-bit integer)
 * values; `temporary`, the library's buffer in the WebAssembly heap and its copy out (each the
 * stored size), two chunks for the decompression of a chunked dataset, and `extra` bytes the
 * caller needs for one more copy (MATLAB's reordering).
 */
function datasetNeeds(dataset: H5Dataset, path: string, dtype: DType, context: ReadContext, fileLength: number, extraPerElement = 0): { count: number; kept: number; temporary: number } {
  const shape = dataset.shape ?? [];
  const count = checkedElementCount(shape);
  if (count === undefined) throw context.malformed(`${path}.shape`, 'shape not representable');
  const stored = count * ELEMENT_SIZE[dtype];
  // HDF5 allows huge never-written datasets (fill values); bound each by the file size too
  const limit = Math.max(fileLength * 1032, 1 << 24);
  if (stored > limit) throw context.oversized(`${path}.shape`, limit, stored);
  const chunks = dataset.metadata.chunks;
  const chunk = chunks === null || chunks === undefined ? 0 : (checkedElementCount(chunks) ?? Number.POSITIVE_INFINITY) * ELEMENT_SIZE[dtype];
  return { count, kept: count * 8, temporary: 2 * stored + 2 * chunk + count * extraPerElement };
}

/** Checks that every dataset of `found` fits in the budget together, before any is read. */
function checkAll(found: readonly { kept: number; temporary: number }[], budget: MemoryBudget): void {
  let kept = 0;
  let temporary = 0;
  for (const needs of found) {
    kept += needs.kept;
    temporary = Math.max(temporary, needs.temporary);
  }
  budget.check(`${found.length} datasets as float64`, kept + temporary);
}

/** Reads a numeric dataset's values (row-major, as HDF5 stores them), counted in `budget`. */
function readDataset(dataset: H5Dataset, path: string, dtype: DType, context: ReadContext, fileLength: number, budget: MemoryBudget): Tensor {
  const shape = dataset.shape ?? [];
  const { count, kept, temporary } = datasetNeeds(dataset, path, dtype, context, fileLength);
  budget.reserve(`${path} as float64`, kept);
  budget.reserve(`${path} read buffers`, temporary);
  const value = dataset.value;
  let data: Float64Array | BigInt64Array | BigUint64Array;
  if (dtype === 'int64' || dtype === 'uint64') {
    const source = typeof value === 'bigint' ? [value] : value;
    if (!(source instanceof BigInt64Array || source instanceof BigUint64Array || Array.isArray(source))) {
      throw context.malformed(`${path}.value`, 'unexpected value type from the HDF5 library');
    }
    data = dtype === 'int64' ? BigInt64Array.from(source as ArrayLike<bigint>, BigInt) : BigUint64Array.from(source as ArrayLike<bigint>, BigInt);
  } else {
    const source = typeof value === 'number' ? [value] : value;
    if (!(ArrayBuffer.isView(source) || Array.isArray(source))) {
      throw context.malformed(`${path}.value`, 'unexpected value type from the HDF5 library');
    }
    data = new Float64Array((source as ArrayLike<number>).length);
    data.set(source as ArrayLike<number>);
  }
  budget.release(temporary);
  if (data.length !== count) throw context.malformed(`${path}.value`, `${data.length} values for shape [${shape.join(', ')}]`);
  return makeTensor(dtype, shape, data);
}

/**
 * Reads every numeric dataset of an HDF5 file (Keras `.h5` weights, say) into tensors named
 * by their path without the leading slash (`model_weights/dense/dense/kernel:0`), row-major
 * as HDF5 stores them. Datasets of non-numeric types (strings, compounds, references) are
 * not tensors and are left out. Async: h5wasm's WebAssembly module loads on first use.
 *
 * Memory: the in-memory copy of the file, every dataset as float64 and the largest read's
 * buffers are counted together against `options.memoryBudget`, from the datasets' metadata,
 * before any data is read.
 *
 * @throws MalformedHeaderError (not HDF5, or the HDF5 library rejects it), UnsupportedDtypeError
 * (float16, big-endian), OversizedError, MemoryBudgetError, MissingDependencyError (the optional
 * peer dependency h5wasm is not installed).
 */
export async function readHdf5(input: BytesInput, name: string = UNNAMED, options: MemoryBudgetOptions = {}): Promise<Map<string, Tensor>> {
  const bytes = asBytes(input);
  const context = new ReadContext('hdf5', name);
  const budget = MemoryBudget.of(options, 'hdf5', name);
  return withHdf5(bytes, context, budget, (root, h5) => {
    const numeric: { path: string; dataset: H5Dataset; dtype: DType }[] = [];
    for (const { path, dataset } of walk(root, h5, context)) {
      const dtype = datasetDtype(dataset, path, context);
      if (dtype !== null) numeric.push({ path, dataset, dtype });
    }
    checkAll(numeric.map(({ path, dataset, dtype }) => datasetNeeds(dataset, path, dtype, context, bytes.length)), budget);
    const tensors = new Map<string, Tensor>();
    for (const { path, dataset, dtype } of numeric) tensors.set(path, readDataset(dataset, path, dtype, context, bytes.length, budget));
    return tensors;
  });
}

const MATLAB_CLASS_DTYPE: Readonly<Record<string, DType>> = {
  double: 'float64',
  single: 'float32',
  int8: 'int8',
  int16: 'int16',
  int32: 'int32',
  int64: 'int64',
  uint8: 'uint8',
  uint16: 'uint16',
  uint32: 'uint32',
  uint64: 'uint64',
  logical: 'bool',
};

function attributeText(dataset: H5Dataset, key: string): string | undefined {
  const attributes = dataset.attrs;
  if (!Object.hasOwn(attributes, key)) return undefined;
  const value = attributes[key]!.value;
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  return undefined;
}

/**
 * Reads the numeric variables of a MATLAB v7.3 `.mat` file (HDF5 with a 512-byte user block).
 * MATLAB stores arrays column-major with reversed dimensions; the tensors come back with
 * MATLAB's shape (`W` of size 12x16 in MATLAB has shape [12, 16]) in row-major order. Struct
 * fields are named `struct.field`; char, cell, function-handle and object variables are not
 * tensors and are left out.
 *
 * @throws as `readHdf5`; UnsupportedFeatureError for sparse or complex variables.
 */
export async function readMat73(input: BytesInput, name: string = UNNAMED, format: FileFormat = 'mat', options: MemoryBudgetOptions = {}): Promise<Map<string, Tensor>> {
  return readMat73Within(input, name, format, MemoryBudget.of(options, format, name));
}

/** `readMat73` counting against a budget shared with `readMat`. */
export async function readMat73Within(input: BytesInput, name: string, format: FileFormat, budget: MemoryBudget): Promise<Map<string, Tensor>> {
  const bytes = asBytes(input);
  const context = new ReadContext(format, name);
  return withHdf5(bytes, context, budget, (root, h5) => {
    const tensors = new Map<string, Tensor>();
    const variables = walk(root, h5, context, (key) => key.startsWith('#'));
    const needs = [];
    for (const { path, dataset } of variables) {
      const stored = attributeText(dataset, 'MATLAB_class') === undefined ? null : datasetDtype(dataset, path, context);
      // the reordering into row-major order is one more float64 copy
      if (stored !== null) needs.push(datasetNeeds(dataset, path, stored, context, bytes.length, 8));
    }
    checkAll(needs, budget);
    for (const { path, dataset } of variables) {
      const matlabClass = attributeText(dataset, 'MATLAB_class');
      if (matlabClass === undefined) continue;
      const variable = path.replaceAll('/', '.');
      if (Object.hasOwn(dataset.attrs, 'MATLAB_sparse')) throw context.unsupported(variable, 'sparse array');
      const dtype = Object.hasOwn(MATLAB_CLASS_DTYPE, matlabClass) ? MATLAB_CLASS_DTYPE[matlabClass]! : undefined;
      if (dtype === undefined) continue; // char, cell, function_handle, objects
      const stored = datasetDtype(dataset, path, context);
      if (stored === null) {
        if (dataset.metadata.type === 6) throw context.unsupported(variable, 'complex array');
        throw context.malformed(variable, `MATLAB_class ${matlabClass} with a non-numeric dataset`);
      }
      const raw = readDataset(dataset, path, stored, context, bytes.length, budget);
      if (Object.hasOwn(dataset.attrs, 'MATLAB_empty')) {
        // an empty array stores its dimensions as data
        const dims = Array.from(raw.data as ArrayLike<number | bigint>, Number);
        tensors.set(variable, makeTensor(dtype, dims, dtype === 'int64' ? new BigInt64Array(0) : dtype === 'uint64' ? new BigUint64Array(0) : new Float64Array(0)));
        continue;
      }
      const shape = [...raw.shape].reverse();
      budget.reserve(`${variable} reordered`, raw.data.length * 8);
      let data = columnMajorToRowMajor(raw.data, shape);
      budget.release(raw.data.length * 8);
      if (stored !== dtype) {
        if (dtype === 'int64' || dtype === 'uint64' || stored === 'int64' || stored === 'uint64') {
          throw context.malformed(variable, `MATLAB_class ${matlabClass} stored as ${stored}`);
        }
        if (dtype === 'bool') data = Float64Array.from(data as Float64Array, (v) => (v === 0 ? 0 : 1));
      }
      tensors.set(variable, makeTensor(dtype, shape, data));
    }
    return tensors;
  });
}

