/**
 * MATLAB `.mat` files. Level 5 (v5, v6, v7: `save -v7`, `scipy.io.savemat`) with a small
 * reader of our own: a 128-byte header, then tagged data elements; each variable a miMATRIX
 * (array flags, dimensions, name, real part), possibly wrapped in a zlib-compressed
 * miCOMPRESSED element. v7.3 files are HDF5 and go through h5wasm (`readMat73`).
 */
import { MemoryBudget, type MemoryBudgetOptions } from './budget.js';
import { type BytesInput, ReadContext, UNNAMED, asBytes, latin1 } from './context.js';
import { readMat73Within } from './hdf5.js';
import { inflatePrefix } from './inflate.js';
import { type DType, type Tensor, checkedElementCount, columnMajorToRowMajor, decodeElements, makeTensor } from './tensor.js';

const MI = { INT8: 1, UINT8: 2, INT16: 3, UINT16: 4, INT32: 5, UINT32: 6, SINGLE: 7, DOUBLE: 9, INT64: 12, UINT64: 13, MATRIX: 14, COMPRESSED: 15, UTF8: 16 } as const;
const MI_DTYPE: Readonly<Record<number, DType>> = {
  1: 'int8',
  2: 'uint8',
  3: 'int16',
  4: 'uint16',
  5: 'int32',
  6: 'uint32',
  7: 'float32',
  9: 'float64',
  12: 'int64',
  13: 'uint64',
};
const MX_DTYPE: Readonly<Record<number, DType>> = {
  6: 'float64',
  7: 'float32',
  8: 'int8',
  9: 'uint8',
  10: 'int16',
  11: 'uint16',
  12: 'int32',
  13: 'uint32',
  14: 'int64',
  15: 'uint64',
};
const MX_NAMES = ['', 'mxCELL_CLASS', 'mxSTRUCT_CLASS', 'mxOBJECT_CLASS', 'mxCHAR_CLASS', 'mxSPARSE_CLASS', 'mxDOUBLE_CLASS', 'mxSINGLE_CLASS', 'mxINT8_CLASS', 'mxUINT8_CLASS', 'mxINT16_CLASS', 'mxUINT16_CLASS', 'mxINT32_CLASS', 'mxUINT32_CLASS', 'mxINT64_CLASS', 'mxUINT64_CLASS', 'mxFUNCTION_CLASS', 'mxOPAQUE_CLASS', 'mxOBJECT_CLASS'];
/** Classes that are not numeric arrays: left out of the result. */
const NON_NUMERIC_CLASSES = new Set([1, 2, 3, 4, 16, 17, 18]);

const INTEGER_LIMITS: Partial<Record<DType, readonly [number, number]>> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-(2 ** 31), 2 ** 31 - 1],
  uint8: [0, 255],
  uint16: [0, 65535],
  uint32: [0, 2 ** 32 - 1],
};

function representable(value: number, dtype: DType): boolean {
  if (dtype === 'float64') return true;
  if (dtype === 'float32') return Number.isNaN(value) || Math.fround(value) === value;
  const limits = INTEGER_LIMITS[dtype];
  return limits !== undefined && Number.isInteger(value) && value >= limits[0] && value <= limits[1];
}

/** zlib output may not exceed this multiple of its input (DEFLATE's 1032:1, plus slack). */
const MAX_INFLATE_RATIO = 1032;

interface Element {
  readonly type: number;
  /** Start of the element's data. */
  readonly start: number;
  /** End of the element's data (exclusive). */
  readonly end: number;
  /** Where the next element starts. */
  readonly next: number;
}

class ElementReader {
  readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    readonly littleEndian: boolean,
    readonly context: ReadContext,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** The element whose tag starts at `offset`, within `[offset, limit)`. */
  element(offset: number, limit: number, field: string): Element {
    this.context.need(`${field}.tag`, offset + 8, limit);
    const first = this.view.getUint32(offset, this.littleEndian);
    if (first >>> 16 !== 0) {
      // small data element: size in the upper 16 bits, data in the next 4 bytes
      const size = first >>> 16;
      if (size > 4) throw this.context.malformed(`${field}.tag`, `small element of ${size} bytes`);
      return { type: first & 0xffff, start: offset + 4, end: offset + 4 + size, next: offset + 8 };
    }
    const size = this.view.getUint32(offset + 4, this.littleEndian);
    const end = offset + 8 + size;
    this.context.need(`${field}.data`, end, limit);
    const next = first === MI.COMPRESSED ? end : Math.min(offset + 8 + Math.ceil(size / 8) * 8, limit);
    return { type: first, start: offset + 8, end, next };
  }
}

function inflateElement(bytes: Uint8Array, littleEndian: boolean, context: ReadContext, field: string, budget: MemoryBudget): Uint8Array {
  // a first pass inflates only the inner tag; the second inflates exactly the size that tag
  // declares (bounded by DEFLATE's ratio and by the memory budget, checked before allocating)
  // and stops there, so a hostile stream can neither allocate without bound nor run on
  // the inner tag, and enough after it for the array's dimensions (the values it will decode to)
  const head = inflatePrefix(bytes, 512, true, context, field);
  if (head.length < 8) throw context.malformed(field, `compressed element inflates to ${head.length} bytes, less than a tag`);
  const view = new DataView(head.buffer, head.byteOffset, 8);
  const first = view.getUint32(0, littleEndian);
  const declared = first >>> 16 !== 0 ? 8 : 8 + view.getUint32(4, littleEndian);
  const ceiling = bytes.length * MAX_INFLATE_RATIO + 1024;
  if (declared > ceiling) throw context.malformed(field, `inner tag declares ${declared} bytes, impossible for ${bytes.length} compressed bytes`);
  budget.check(`${field} inflated and as float64`, declared + matrixValueBytes(head, littleEndian, context));
  budget.reserve(`${field} inflated`, declared);
  const out = inflatePrefix(bytes, declared, true, context, field);
  if (out.length < declared) throw context.truncated(field, declared, out.length);
  return out;
}

/**
 * What `readMatrix` will reserve for a numeric matrix whose element starts `head` (16 bytes per
 * element: the values and one reordered copy); 0 when `head` is too short to tell or is not a
 * numeric matrix (the full parse reports any error).
 */
function matrixValueBytes(head: Uint8Array, littleEndian: boolean, context: ReadContext): number {
  try {
    const reader = new ElementReader(head, littleEndian, context);
    const matrix = reader.element(0, Number.MAX_SAFE_INTEGER, 'head');
    if (matrix.type !== MI.MATRIX) return 0;
    const flags = reader.element(matrix.start, head.length, 'head');
    if (flags.type !== MI.UINT32 || NON_NUMERIC_CLASSES.has(reader.view.getUint32(flags.start, littleEndian) & 0xff)) return 0;
    const dims = reader.element(flags.next, head.length, 'head');
    if (dims.type !== MI.INT32) return 0;
    const shape: number[] = [];
    for (let p = dims.start; p + 4 <= dims.end; p += 4) shape.push(reader.view.getInt32(p, littleEndian));
    return (checkedElementCount(shape) ?? 0) * 16;
  } catch {
    return 0;
  }
}

function readMatrix(reader: ElementReader, element: Element, variables: Map<string, Tensor>, field: string, budget: MemoryBudget): void {
  const { context, view, littleEndian, bytes } = reader;
  const flags = reader.element(element.start, element.end, `${field}.array flags`);
  if (flags.type !== MI.UINT32 || flags.end - flags.start !== 8) throw context.malformed(`${field}.array flags`, 'must be 2 x miUINT32');
  const flagWord = view.getUint32(flags.start, littleEndian);
  const matlabClass = flagWord & 0xff;
  const isComplex = (flagWord & 0x800) !== 0;
  const isLogical = (flagWord & 0x200) !== 0;
  const dimsElement = reader.element(flags.next, element.end, `${field}.dimensions`);
  if (dimsElement.type !== MI.INT32 || (dimsElement.end - dimsElement.start) % 4 !== 0 || dimsElement.end - dimsElement.start < 8) {
    throw context.malformed(`${field}.dimensions`, 'must be at least 2 x miINT32');
  }
  const shape: number[] = [];
  for (let p = dimsElement.start; p < dimsElement.end; p += 4) shape.push(view.getInt32(p, littleEndian));
  const nameElement = reader.element(dimsElement.next, element.end, `${field}.name`);
  if (nameElement.type !== MI.INT8 && nameElement.type !== MI.UTF8) throw context.malformed(`${field}.name`, 'must be miINT8');
  const name = latin1(bytes.subarray(nameElement.start, nameElement.end));
  if (NON_NUMERIC_CLASSES.has(matlabClass)) return;
  const variable = name || field;
  if (matlabClass === 5) throw context.unsupported(variable, 'sparse array');
  const dtype = isLogical ? 'bool' : MX_DTYPE[matlabClass];
  if (dtype === undefined) throw context.dtype(`${variable}.class`, MX_NAMES[matlabClass] ?? `class ${matlabClass}`);
  if (isComplex) throw context.unsupported(variable, 'complex array');
  const count = checkedElementCount(shape);
  if (count === undefined) throw context.malformed(`${variable}.dimensions`, `[${shape.join(', ')}] is not a valid size`);
  const real = reader.element(nameElement.next, element.end, `${variable}.real`);
  const stored = MI_DTYPE[real.type];
  if (stored === undefined) throw context.dtype(`${variable}.real`, `mi type ${real.type}`);
  const storedSize = { int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, float32: 4, float64: 8, int64: 8, uint64: 8 }[stored as string]!;
  if (real.end - real.start !== count * storedSize) {
    throw context.malformed(`${variable}.real`, `${real.end - real.start} bytes, ${count} elements of ${stored} need ${count * storedSize}`);
  }
  // the float64 values and one reordered (or converted) copy
  budget.reserve(`${variable} as float64`, count * 16);
  let data = decodeElements(bytes, real.start, count, stored, littleEndian);
  // MATLAB may store a class in a smaller type (a double array of small integers as miUINT8):
  // accepted when every value is representable in the class
  if (stored !== dtype && dtype !== 'bool') {
    const bigTarget = dtype === 'int64' || dtype === 'uint64';
    const bigStored = stored === 'int64' || stored === 'uint64';
    const values = data as Float64Array;
    if (bigStored || (bigTarget && !values.every(Number.isInteger)) || (!bigTarget && !values.every((v) => representable(v, dtype)))) {
      throw context.malformed(`${variable}.real`, `class ${MX_NAMES[matlabClass]} stored as ${stored} with values outside the class`);
    }
    if (bigTarget) {
      const low = dtype === 'uint64' ? 0 : -(2 ** 63);
      if (!values.every((v) => v >= low && v < 2 ** 64)) throw context.malformed(`${variable}.real`, `values outside ${dtype}`);
      data = dtype === 'int64' ? BigInt64Array.from(values, (v) => BigInt(v)) : BigUint64Array.from(values, (v) => BigInt(v));
    }
  }
  if (dtype === 'bool') {
    if (data instanceof BigInt64Array || data instanceof BigUint64Array) throw context.malformed(`${variable}.real`, 'logical stored as 64-bit integers');
    data = Float64Array.from(data, (v) => (v === 0 ? 0 : 1));
  }
  if (variables.has(variable)) throw context.malformed(variable, 'duplicate variable');
  variables.set(variable, makeTensor(dtype, shape, columnMajorToRowMajor(data, shape)));
  budget.release(count * 8);
}

/**
 * Reads a MATLAB level-5 `.mat` file (v5/v6/v7, compressed or not, either byte order):
 * numeric real arrays of class double, single, int8..uint64 and logical, with MATLAB's shape
 * (at least 2-D) in row-major order. Char, cell, struct, object and function variables are
 * not tensors and are left out.
 *
 * @throws TruncatedFileError, MalformedHeaderError, UnsupportedDtypeError,
 * UnsupportedFeatureError (sparse, complex), MemoryBudgetError (inflated elements and decoded
 * variables counted together against `options.memoryBudget`).
 */
export function readMatV5(input: BytesInput, name: string = UNNAMED, options: MemoryBudgetOptions = {}): Map<string, Tensor> {
  return readMatV5Within(input, name, MemoryBudget.of(options, 'mat', name));
}

function readMatV5Within(input: BytesInput, name: string, budget: MemoryBudget): Map<string, Tensor> {
  const bytes = asBytes(input);
  const context = new ReadContext('mat', name);
  context.need('header', 128, bytes.length);
  const indicator = String.fromCharCode(bytes[126]!, bytes[127]!);
  if (indicator !== 'IM' && indicator !== 'MI') throw context.malformed('endian indicator', `expected "IM" or "MI", got ${JSON.stringify(indicator)}`);
  const littleEndian = indicator === 'IM';
  const version = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint16(124, littleEndian);
  if (version !== 0x0100) throw context.unsupported('version', `level-5 version 0x${version.toString(16)}`);
  const reader = new ElementReader(bytes, littleEndian, context);
  const variables = new Map<string, Tensor>();
  let offset = 128;
  let index = 0;
  while (offset < bytes.length) {
    const field = `element ${index++}`;
    const element = reader.element(offset, bytes.length, field);
    if (element.type === MI.COMPRESSED) {
      const inflated = inflateElement(bytes.subarray(element.start, element.end), littleEndian, context, field, budget);
      const inner = new ElementReader(inflated, littleEndian, context);
      const matrix = inner.element(0, inflated.length, field);
      if (matrix.type === MI.MATRIX) readMatrix(inner, matrix, variables, field, budget);
      budget.release(inflated.length);
    } else if (element.type === MI.MATRIX) {
      readMatrix(reader, element, variables, field, budget);
    }
    offset = element.next;
  }
  return variables;
}

/** True when the bytes start like a MATLAB .mat file (`MATLAB` text header). */
export function isMatFile(bytes: Uint8Array): boolean {
  return latin1(bytes.subarray(0, 6)) === 'MATLAB';
}

/**
 * Reads the numeric variables of a MATLAB `.mat` file, v5/v6/v7 (`readMatV5`) or v7.3
 * (HDF5, `readMat73`), told apart by the header. Async because v7.3 loads h5wasm.
 *
 * @throws as `readMatV5` / `readMat73`; UnsupportedFeatureError for level-4 files.
 */
export async function readMat(input: BytesInput, name: string = UNNAMED, options: MemoryBudgetOptions = {}): Promise<Map<string, Tensor>> {
  const bytes = asBytes(input);
  const context = new ReadContext('mat', name);
  const budget = MemoryBudget.of(options, 'mat', name);
  context.need('header', 128, bytes.length);
  const text = latin1(bytes.subarray(0, 116));
  if (text.startsWith('MATLAB 7.3')) return readMat73Within(bytes, name, 'mat', budget);
  if (!text.startsWith('MATLAB')) throw context.unsupported('header', 'not a level-5 or v7.3 MAT-file (level 4?)');
  return readMatV5Within(bytes, name, budget);
}
