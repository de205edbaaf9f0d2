/**
 * safetensors: `u64` little-endian header length N, N bytes of JSON header, then the data
 * region. The reader enforces the reference implementation's rules (see `readSafetensors`);
 * the writer produces what the reference writes (header padded with spaces to a multiple of
 * 8, tensors sorted by decreasing element size then name, so every tensor is aligned).
 */
import { MemoryBudget, type MemoryBudgetOptions } from './budget.js';
import { type BytesInput, ReadContext, UNNAMED, asBytes, utf8Strict } from './context.js';
import { DuplicateKeyError, InvalidTensorError } from './errors.js';
import { findDuplicateKey } from './json-keys.js';
import {
  type DType,
  ELEMENT_SIZE,
  type Tensor,
  type TensorsInput,
  checkedElementCount,
  decodeElements,
  encodeElements,
  makeTensor,
  tensorEntries,
} from './tensor.js';

/** The reference implementation's limit on the header length. */
export const SAFETENSORS_MAX_HEADER_LENGTH = 100_000_000;

const DTYPE_FROM_SAFETENSORS: Readonly<Record<string, DType>> = {
  F64: 'float64',
  F32: 'float32',
  F16: 'float16',
  BF16: 'bfloat16',
  I8: 'int8',
  I16: 'int16',
  I32: 'int32',
  I64: 'int64',
  U8: 'uint8',
  U16: 'uint16',
  U32: 'uint32',
  U64: 'uint64',
  BOOL: 'bool',
};

const SAFETENSORS_FROM_DTYPE: Readonly<Record<DType, string>> = Object.fromEntries(
  Object.entries(DTYPE_FROM_SAFETENSORS).map(([key, value]) => [value, key]),
) as Record<DType, string>;

/** A safetensors file: tensors in data order and the `__metadata__` string map. */
export interface SafetensorsFile {
  readonly tensors: Map<string, Tensor>;
  readonly metadata: Record<string, string>;
}

interface Entry {
  name: string;
  dtype: DType;
  shape: number[];
  begin: number;
  end: number;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads a safetensors file. Enforced, as the reference implementation does: at least 8 bytes;
 * header length at most 100,000,000 and within the file; header valid UTF-8 JSON object
 * starting with `{`; `__metadata__` (optional) a map of strings to strings; every tensor a
 * known dtype, a shape of non-negative integers, `data_offsets` `[begin, end]`; sorted by
 * offset the tensors are contiguous from 0, non-overlapping, each `end - begin` equal to
 * element count times element size, and the last one ends exactly at the end of the file.
 * F64/F32/F16/BF16 and integers up to 32 bits are widened to `Float64Array`; I64/U64 are exact
 * `BigInt64Array`/`BigUint64Array`. Unaligned tensors are copied, never viewed in place.
 * A key repeated in the header (at any level) is refused, as the reference does (`JSON.parse`
 * alone would keep the last). The decoded tensors (8 bytes per element) are checked against
 * `options.memoryBudget` before any is decoded.
 *
 * @throws TruncatedFileError, OversizedError, MalformedHeaderError, UnsupportedDtypeError,
 * DuplicateKeyError, MemoryBudgetError.
 */
export function readSafetensors(input: BytesInput, name: string = UNNAMED, options: MemoryBudgetOptions = {}): SafetensorsFile {
  const bytes = asBytes(input);
  const context = new ReadContext('safetensors', name);
  const budget = MemoryBudget.of(options, 'safetensors', name);
  context.need('header length', 8, bytes.length);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength64 = view.getBigUint64(0, true);
  if (headerLength64 > BigInt(SAFETENSORS_MAX_HEADER_LENGTH)) {
    throw context.oversized('header length', SAFETENSORS_MAX_HEADER_LENGTH, Number(headerLength64));
  }
  const headerLength = Number(headerLength64);
  context.need('header', 8 + headerLength, bytes.length);
  let text: string;
  try {
    text = utf8Strict.decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    throw context.malformed('header', 'header is not valid UTF-8');
  }
  if (!text.startsWith('{')) throw context.malformed('header', 'header does not start with "{"');
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (error) {
    throw context.malformed('header', `header is not valid JSON (${(error as Error).message})`);
  }
  if (!isPlainObject(header)) throw context.malformed('header', 'header is not a JSON object');
  const duplicate = findDuplicateKey(text);
  if (duplicate !== undefined) {
    throw new DuplicateKeyError({ format: 'safetensors', file: name, field: duplicate.path === '' ? 'header' : duplicate.path, key: duplicate.key });
  }

  const metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const [key, value] of Object.entries(header)) {
    if (key === '__metadata__') {
      if (!isPlainObject(value)) throw context.malformed('__metadata__', 'must be a map of strings to strings');
      for (const [metaKey, metaValue] of Object.entries(value)) {
        if (typeof metaValue !== 'string') {
          throw context.malformed(`__metadata__.${metaKey}`, 'must be a map of strings to strings');
        }
        Object.defineProperty(metadata, metaKey, { value: metaValue, enumerable: true, writable: true, configurable: true });
      }
      continue;
    }
    if (!isPlainObject(value)) throw context.malformed(key, 'tensor entry is not an object');
    const { dtype, shape, data_offsets: offsets } = value;
    if (typeof dtype !== 'string') throw context.malformed(`${key}.dtype`, 'missing or not a string');
    const ours = Object.hasOwn(DTYPE_FROM_SAFETENSORS, dtype) ? DTYPE_FROM_SAFETENSORS[dtype] : undefined;
    if (ours === undefined) throw context.dtype(`${key}.dtype`, dtype);
    if (!Array.isArray(shape) || checkedElementCount(shape) === undefined) {
      throw context.malformed(`${key}.shape`, 'must be a list of non-negative integers with a representable product');
    }
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((offset) => typeof offset === 'number' && Number.isSafeInteger(offset) && offset >= 0)
    ) {
      throw context.malformed(`${key}.data_offsets`, 'must be [begin, end] with non-negative integers');
    }
    entries.push({ name: key, dtype: ours, shape: shape as number[], begin: offsets[0] as number, end: offsets[1] as number });
  }

  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  let cursor = 0;
  for (const entry of entries) {
    if (entry.begin !== cursor || entry.end < entry.begin) {
      throw context.malformed(`${entry.name}.data_offsets`, `[${entry.begin}, ${entry.end}] is not contiguous: expected to begin at ${cursor}`);
    }
    const count = checkedElementCount(entry.shape)!;
    const expected = count * ELEMENT_SIZE[entry.dtype];
    if (entry.end - entry.begin !== expected) {
      throw context.malformed(`${entry.name}.data_offsets`, `holds ${entry.end - entry.begin} bytes, shape [${entry.shape.join(', ')}] of ${SAFETENSORS_FROM_DTYPE[entry.dtype]} needs ${expected}`);
    }
    cursor = entry.end;
  }
  if (cursor > dataLength) throw context.truncated('data', dataStart + cursor, bytes.length);
  if (cursor < dataLength) {
    throw context.malformed('data', `tensors cover ${cursor} bytes but the data region has ${dataLength}`);
  }
  let decoded = 0;
  for (const entry of entries) decoded += checkedElementCount(entry.shape)! * 8;
  budget.reserve('tensors as float64', decoded);
  const tensors = new Map<string, Tensor>();
  for (const entry of entries) {
    const count = checkedElementCount(entry.shape)!;
    tensors.set(entry.name, makeTensor(entry.dtype, entry.shape, decodeElements(bytes, dataStart + entry.begin, count, entry.dtype)));
  }
  return { tensors, metadata };
}

/**
 * Writes tensors as safetensors, as the reference implementation lays them out: tensors
 * sorted by decreasing element size then by name (so every tensor is aligned to its element
 * size), header JSON padded with spaces to a multiple of 8. Values are converted to each
 * tensor's dtype (see `TensorInput`).
 *
 * @throws InvalidTensorError for a bad shape/data pair, an out-of-range integer, a name
 * `__metadata__`, or non-string metadata.
 */
export function writeSafetensors(tensors: TensorsInput, metadata?: Readonly<Record<string, string>>): Uint8Array {
  const context = { format: 'safetensors' as const, file: UNNAMED };
  // a list, not an object: a tensor named "__proto__" must stay an ordinary key
  const header: [string, unknown][] = [];
  if (metadata !== undefined) {
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== 'string') {
        throw new InvalidTensorError({ format: 'safetensors', file: UNNAMED, field: `__metadata__.${key}`, reason: 'metadata values must be strings' });
      }
    }
    header.push(['__metadata__', { ...metadata }]);
  }
  const entries = tensorEntries(tensors)
    .map(([name, tensor], index) => ({ name, tensor, index }))
    .sort(
      (a, b) =>
        ELEMENT_SIZE[b.tensor.dtype] - ELEMENT_SIZE[a.tensor.dtype] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
    );
  const blobs: Uint8Array[] = [];
  let offset = 0;
  for (const { name, tensor } of entries) {
    if (name === '__metadata__') {
      throw new InvalidTensorError({ format: 'safetensors', file: UNNAMED, field: name, reason: 'the name __metadata__ is reserved' });
    }
    const blob = encodeElements(name, tensor, context);
    header.push([
      name,
      { dtype: SAFETENSORS_FROM_DTYPE[tensor.dtype], shape: [...tensor.shape], data_offsets: [offset, offset + blob.length] },
    ]);
    offset += blob.length;
    blobs.push(blob);
  }
  const text = `{${header.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`).join(',')}}`;
  let json = new TextEncoder().encode(text);
  const padding = (8 - (json.length % 8)) % 8;
  if (padding > 0) {
    const padded = new Uint8Array(json.length + padding).fill(0x20);
    padded.set(json);
    json = padded;
  }
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let cursor = 8 + json.length;
  for (const blob of blobs) {
    out.set(blob, cursor);
    cursor += blob.length;
  }
  return out;
}
