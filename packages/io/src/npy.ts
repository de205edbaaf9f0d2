/**
 * NumPy `.npy`: magic `\x93NUMPY`, version (1.0, 2.0, 3.0), header length (u16 for 1.0,
 * u32 after), a Python dict literal `{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }`
 * padded to a multiple of 64, then the raw elements.
 */
import { MemoryBudget, type MemoryBudgetOptions } from './budget.js';
import { type BytesInput, ReadContext, UNNAMED, asBytes, latin1, utf8Strict } from './context.js';
import { InvalidTensorError, UnsupportedDtypeError } from './errors.js';
import {
  type DType,
  ELEMENT_SIZE,
  type Tensor,
  type TensorInput,
  checkedElementCount,
  columnMajorToRowMajor,
  decodeElements,
  encodeElements,
  makeTensor,
} from './tensor.js';

/** Longest header this reader accepts (numpy's own loader stops at 10,000 by default). */
export const NPY_MAX_HEADER_LENGTH = 1_000_000;

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** What the header of a `.npy` file says. */
export interface NpyHeader {
  /** Format version, `[major, minor]`: `[1, 0]`, `[2, 0]` or `[3, 0]`. */
  readonly version: readonly [number, number];
  readonly dtype: DType;
  /** The descr as written, e.g. `"<f8"`, `">i2"`, `"|b1"`. */
  readonly descr: string;
  readonly littleEndian: boolean;
  readonly fortranOrder: boolean;
  readonly shape: readonly number[];
  /** Element count (product of `shape`). */
  readonly count: number;
  /** Byte offset of the data (magic + version + length + header). */
  readonly dataOffset: number;
  /** Byte length of the data (`count` times element size). */
  readonly dataLength: number;
}

const KIND_TO_DTYPE: Readonly<Record<string, DType>> = {
  f8: 'float64',
  f4: 'float32',
  f2: 'float16',
  i1: 'int8',
  i2: 'int16',
  i4: 'int32',
  i8: 'int64',
  u1: 'uint8',
  u2: 'uint16',
  u4: 'uint32',
  u8: 'uint64',
  b1: 'bool',
};

// ---- a small parser for the Python literal in the header (dict, tuple, list, str, int, bool) ----

type PyValue = string | number | boolean | null | PyValue[] | { tuple: PyValue[] } | Map<string, PyValue>;

class PyLiteralParser {
  private position = 0;
  constructor(
    private readonly text: string,
    private readonly context: ReadContext,
  ) {}

  private fail(reason: string): never {
    throw this.context.malformed('header', `${reason} at character ${this.position}`);
  }

  private skipSpace(): void {
    while (this.position < this.text.length && /\s/.test(this.text[this.position]!)) this.position++;
  }

  parseTop(): PyValue {
    const value = this.parseValue(0);
    this.skipSpace();
    if (this.position !== this.text.length) this.fail('unexpected text after the header literal');
    return value;
  }

  private parseValue(depth: number): PyValue {
    if (depth > 32) this.fail('header literal nested too deeply');
    this.skipSpace();
    const char = this.text[this.position];
    if (char === undefined) this.fail('unexpected end of header');
    if (char === '{') return this.parseDict(depth);
    if (char === '(' || char === '[') return this.parseSequence(depth, char);
    if (char === "'" || char === '"') return this.parseString(char);
    const match = /^(-?\d+)L?|^(True|False|None)/.exec(this.text.slice(this.position, this.position + 32));
    if (match === null) this.fail('unexpected token');
    this.position += match[0].length;
    if (match[2] === 'True') return true;
    if (match[2] === 'False') return false;
    if (match[2] === 'None') return null;
    const digits = match[1]!;
    const value = Number(digits);
    if (!Number.isSafeInteger(value)) this.fail(`integer ${digits} out of range`);
    return value;
  }

  private parseString(quote: string): string {
    this.position++;
    let out = '';
    while (true) {
      const char = this.text[this.position];
      if (char === undefined) this.fail('unterminated string');
      this.position++;
      if (char === quote) return out;
      if (char === '\\') {
        const escaped = this.text[this.position];
        if (escaped === undefined) this.fail('unterminated string');
        this.position++;
        out += escaped === 'n' ? '\n' : escaped === 't' ? '\t' : escaped;
      } else {
        out += char;
      }
    }
  }

  private parseSequence(depth: number, open: string): PyValue {
    const close = open === '(' ? ')' : ']';
    this.position++;
    const items: PyValue[] = [];
    let sawComma = false;
    while (true) {
      this.skipSpace();
      if (this.text[this.position] === close) {
        this.position++;
        break;
      }
      items.push(this.parseValue(depth + 1));
      this.skipSpace();
      if (this.text[this.position] === ',') {
        sawComma = true;
        this.position++;
      } else if (this.text[this.position] !== close) {
        this.fail(`expected "," or "${close}"`);
      }
    }
    // `(x)` is just x in Python; `(x,)` is a 1-tuple
    if (open === '(' && items.length === 1 && !sawComma) return items[0]!;
    return open === '(' ? { tuple: items } : items;
  }

  private parseDict(depth: number): Map<string, PyValue> {
    this.position++;
    const out = new Map<string, PyValue>();
    while (true) {
      this.skipSpace();
      if (this.text[this.position] === '}') {
        this.position++;
        return out;
      }
      const key = this.parseValue(depth + 1);
      if (typeof key !== 'string') this.fail('dict key is not a string');
      this.skipSpace();
      if (this.text[this.position] !== ':') this.fail('expected ":"');
      this.position++;
      out.set(key, this.parseValue(depth + 1));
      this.skipSpace();
      if (this.text[this.position] === ',') this.position++;
      else if (this.text[this.position] !== '}') this.fail('expected "," or "}"');
    }
  }
}

function descrToDtype(descr: PyValue, context: ReadContext): { dtype: DType; littleEndian: boolean; descr: string } {
  if (typeof descr !== 'string') {
    throw context.dtype('descr', 'structured dtype');
  }
  const match = /^([<>|=]?)([a-zA-Z])(\d+)$/.exec(descr);
  const dtype = match === null ? undefined : KIND_TO_DTYPE[`${match[2]}${match[3]}`];
  if (match === null || dtype === undefined) throw context.dtype('descr', descr);
  const order = match[1];
  if (order === '|' && ELEMENT_SIZE[dtype] > 1) throw context.malformed('descr', `byte order "|" on multi-byte dtype ${descr}`);
  return { dtype, littleEndian: order !== '>', descr };
}

/**
 * Parses the header of a `.npy` file from its first bytes (as many as the header needs; the
 * data may be absent). Used by `readNpy` and by the streaming reader.
 *
 * @throws TruncatedFileError, MalformedHeaderError, OversizedError, UnsupportedDtypeError
 * (object arrays `|O`, structured dtypes, strings, complex numbers).
 */
export function parseNpyHeader(input: BytesInput, name: string = UNNAMED): NpyHeader {
  const bytes = asBytes(input);
  const context = new ReadContext('npy', name);
  context.need('magic', 8, bytes.length);
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) throw context.malformed('magic', 'not a .npy file (no \\x93NUMPY magic)');
  }
  const major = bytes[6]!;
  const minor = bytes[7]!;
  if (major < 1 || major > 3 || minor !== 0) throw context.unsupported('version', `format version ${major}.${minor}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthSize = major === 1 ? 2 : 4;
  context.need('header length', 8 + lengthSize, bytes.length);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (headerLength > NPY_MAX_HEADER_LENGTH) throw context.oversized('header length', NPY_MAX_HEADER_LENGTH, headerLength);
  const dataOffset = 8 + lengthSize + headerLength;
  context.need('header', dataOffset, bytes.length);
  const headerBytes = bytes.subarray(8 + lengthSize, dataOffset);
  let text: string;
  if (major === 3) {
    try {
      text = utf8Strict.decode(headerBytes);
    } catch {
      throw context.malformed('header', 'version 3 header is not valid UTF-8');
    }
  } else {
    text = latin1(headerBytes);
  }
  const literal = new PyLiteralParser(text, context).parseTop();
  if (!(literal instanceof Map)) throw context.malformed('header', 'header is not a dict');
  const keys = [...literal.keys()].sort().join(',');
  if (keys !== 'descr,fortran_order,shape') {
    throw context.malformed('header', `keys must be descr, fortran_order, shape; got ${keys}`);
  }
  const { dtype, littleEndian, descr } = descrToDtype(literal.get('descr')!, context);
  const fortranOrder = literal.get('fortran_order');
  if (typeof fortranOrder !== 'boolean') throw context.malformed('fortran_order', 'must be True or False');
  const shapeValue = literal.get('shape');
  if (shapeValue === null || typeof shapeValue !== 'object' || !('tuple' in shapeValue)) {
    throw context.malformed('shape', 'must be a tuple');
  }
  const shape = shapeValue.tuple;
  const count = checkedElementCount(shape);
  if (count === undefined) throw context.malformed('shape', 'must hold non-negative integers with a representable product');
  const dataLength = count * ELEMENT_SIZE[dtype];
  if (!Number.isSafeInteger(dataLength)) throw context.oversized('shape', Number.MAX_SAFE_INTEGER, dataLength);
  return {
    version: [major, minor],
    dtype,
    descr,
    littleEndian,
    fortranOrder,
    shape: shape as number[],
    count,
    dataOffset,
    dataLength,
  };
}

/**
 * How many leading bytes hold the header, given at least the first 12 bytes of a `.npy` file
 * (the header length field; capped just past the longest header accepted, so that
 * `parseNpyHeader` sees an oversized one and says so).
 */
export function npyHeaderEnd(prefix: Uint8Array): number {
  if (prefix.length < 10) return 12;
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  const length = prefix[6] === 1 ? view.getUint16(8, true) : prefix.length >= 12 ? view.getUint32(8, true) : 0;
  return (prefix[6] === 1 ? 10 : 12) + Math.min(length, NPY_MAX_HEADER_LENGTH + 1);
}

/** Bytes `readNpy` allocates for an array of this header: float64 (or 64-bit integer) values, twice for Fortran order. */
export function npyDecodedBytes(header: NpyHeader): number {
  return header.count * 8 * (header.fortranOrder ? 2 : 1);
}

/**
 * Reads a `.npy` file (versions 1.0, 2.0, 3.0; either byte order; C or Fortran order; 0-d).
 * The result is always row-major. The data must end exactly at the end of the bytes. The
 * decoded values (8 bytes each, twice during the reordering of Fortran order) count against
 * `options.memoryBudget`.
 *
 * @throws TruncatedFileError, MalformedHeaderError, OversizedError, UnsupportedDtypeError,
 * MemoryBudgetError.
 */
export function readNpy(input: BytesInput, name: string = UNNAMED, options: MemoryBudgetOptions = {}): Tensor {
  return readNpyWithin(input, name, MemoryBudget.of(options, 'npy', name));
}

/** `readNpy` counting against a budget shared with an enclosing reader (npz). */
export function readNpyWithin(input: BytesInput, name: string, budget: MemoryBudget): Tensor {
  const bytes = asBytes(input);
  const header = parseNpyHeader(bytes, name);
  const context = new ReadContext('npy', name);
  const end = header.dataOffset + header.dataLength;
  context.need('data', end, bytes.length);
  if (end !== bytes.length) throw context.malformed('data', `${bytes.length - end} bytes after the data`);
  budget.reserve(`${name} as float64`, npyDecodedBytes(header));
  let data = decodeElements(bytes, header.dataOffset, header.count, header.dtype, header.littleEndian);
  if (header.fortranOrder) {
    data = columnMajorToRowMajor(data, header.shape);
    budget.release(header.count * 8);
  }
  return makeTensor(header.dtype, header.shape, data);
}

const DTYPE_TO_DESCR: Readonly<Partial<Record<DType, string>>> = {
  float64: '<f8',
  float32: '<f4',
  float16: '<f2',
  int8: '|i1',
  int16: '<i2',
  int32: '<i4',
  int64: '<i8',
  uint8: '|u1',
  uint16: '<u2',
  uint32: '<u4',
  uint64: '<u8',
  bool: '|b1',
};

/**
 * Writes a tensor as `.npy` (version 1.0, or 2.0 when the header needs more than 65,535
 * bytes), little-endian, C order, header padded to a multiple of 64 as numpy does.
 *
 * @throws InvalidTensorError (bad shape/data), UnsupportedDtypeError (bfloat16: numpy has none).
 */
export function writeNpy(tensor: TensorInput, name = 'array'): Uint8Array {
  const header = encodeNpyHeader(tensor.dtype, tensor.shape, name);
  const data = encodeElements(name, tensor, { format: 'npy', file: UNNAMED });
  const out = new Uint8Array(header.length + data.length);
  out.set(header);
  out.set(data, header.length);
  return out;
}

/**
 * The header of a little-endian C-order `.npy` file of `dtype` and `shape` (the data follow
 * it): for writing large arrays block by block without holding them whole.
 *
 * @throws UnsupportedDtypeError (bfloat16), InvalidTensorError (bad shape).
 */
export function encodeNpyHeader(dtype: DType, shape: readonly number[], name = 'array'): Uint8Array {
  const descr = DTYPE_TO_DESCR[dtype];
  if (descr === undefined) throw new UnsupportedDtypeError({ format: 'npy', file: UNNAMED, field: `${name}.dtype`, dtype });
  if (checkedElementCount(shape) === undefined) {
    throw new InvalidTensorError({ format: 'npy', file: UNNAMED, field: `${name}.shape`, reason: `shape [${shape.join(', ')}] is not a list of non-negative integers` });
  }
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  let version = 1;
  let lengthSize = 2;
  let total = Math.ceil((8 + lengthSize + dict.length + 1) / 64) * 64;
  if (total - 8 - lengthSize > 0xffff) {
    version = 2;
    lengthSize = 4;
    total = Math.ceil((8 + lengthSize + dict.length + 1) / 64) * 64;
  }
  const headerLength = total - 8 - lengthSize;
  const out = new Uint8Array(total);
  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, headerLength, true);
  else view.setUint32(8, headerLength, true);
  const header = dict.padEnd(headerLength - 1, ' ') + '\n';
  for (let i = 0; i < header.length; i++) out[8 + lengthSize + i] = header.charCodeAt(i);
  return out;
}
