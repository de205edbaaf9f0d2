/**
 * A small, strict ZIP reader for `.npz` (stored and deflated members, ZIP64). The central
 * directory is read first and checked against every local header (name, method, sizes, CRC-32
 * unless deferred to a data descriptor); member byte ranges may not overlap each other or the
 * directory (one member referenced by many entries is a classic zip bomb). Members are
 * inflated only when asked for, with a bounded streaming inflate that stops at the declared
 * size, never trusting it further; CRC-32 is verified.
 */
import type { MemoryBudget } from './budget.js';
import type { ReadContext } from './context.js';
import { inflateExactly, inflatePrefix } from './inflate.js';
/** DEFLATE cannot expand data by more than 1032:1; a larger declared size is a lie. */
const MAX_DEFLATE_RATIO = 1032;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (ISO 3309, as ZIP uses it). */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = CRC_TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** One member of a ZIP archive, checked but not yet inflated. */
export interface ZipEntry {
  readonly name: string;
  /** 0 stored, 8 deflated. */
  readonly method: number;
  /** Declared uncompressed size. */
  readonly size: number;
  readonly compressedSize: number;
  readonly crc: number;
  /**
   * The member's bytes (stored: a view, no copy; deflated: inflated to exactly `size`, counted
   * in `budget` as `"<name> inflated"` before the allocation), CRC-32 checked.
   */
  read(budget?: MemoryBudget): Uint8Array;
  /** The first `length` bytes of the member (fewer if it is shorter), inflating no further. */
  peek(length: number): Uint8Array;
}

/** One member of a ZIP archive, with its data decompressed and CRC-checked. */
export interface ZipMember {
  readonly name: string;
  readonly data: Uint8Array;
  /** 0 stored, 8 deflated. */
  readonly method: number;
}

function u64(view: DataView, offset: number, context: ReadContext, field: string): number {
  const value = view.getBigUint64(offset, true);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw context.malformed(field, `value ${value} too large`);
  return Number(value);
}

interface Zip64Fields {
  size: number;
  compressedSize: number;
  localOffset?: number;
}

/** Applies the ZIP64 extended information field (id 1) of `[extra, extraEnd)` to the fields that hold 0xffffffff. */
function applyZip64(view: DataView, extra: number, extraEnd: number, fields: Zip64Fields, context: ReadContext, name: string): void {
  while (extra + 4 <= extraEnd) {
    const id = view.getUint16(extra, true);
    const dataSize = view.getUint16(extra + 2, true);
    if (extra + 4 + dataSize > extraEnd) throw context.malformed(`${name}.extra`, 'extra field overruns its header');
    if (id === 0x0001) {
      let position = extra + 4;
      const take = (): number => {
        if (position + 8 > extra + 4 + dataSize) throw context.malformed(`${name}.zip64`, 'ZIP64 field too short');
        const value = u64(view, position, context, `${name}.zip64`);
        position += 8;
        return value;
      };
      if (fields.size === 0xffffffff) fields.size = take();
      if (fields.compressedSize === 0xffffffff) fields.compressedSize = take();
      if (fields.localOffset === 0xffffffff) fields.localOffset = take();
    }
    extra += 4 + dataSize;
  }
}

function sameBytes(bytes: Uint8Array, a: number, b: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (bytes[a + i] !== bytes[b + i]) return false;
  return true;
}

/**
 * Reads and checks the directory of a ZIP archive; members are inflated later, one by one,
 * through `ZipEntry.read`.
 *
 * @throws TruncatedFileError, MalformedHeaderError (bad signatures, central and local headers
 * that disagree, overlapping members, impossible sizes), UnsupportedFeatureError (encryption,
 * compression methods other than stored and deflate, multi-disk archives).
 */
export function readZipDirectory(bytes: Uint8Array, context: ReadContext): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = bytes.length;
  context.need('end of central directory', 22, length);
  let eocd = -1;
  for (let offset = length - 22; offset >= Math.max(0, length - 22 - 0xffff); offset--) {
    if (view.getUint32(offset, true) === 0x06054b50 && offset + 22 + view.getUint16(offset + 20, true) === length) {
      eocd = offset;
      break;
    }
  }
  if (eocd < 0) throw context.malformed('end of central directory', 'not a ZIP archive (no end-of-central-directory record)');
  if (view.getUint16(eocd + 4, true) !== 0 || view.getUint16(eocd + 6, true) !== 0) {
    throw context.unsupported('end of central directory', 'multi-disk archive');
  }
  let entries = view.getUint16(eocd + 10, true);
  let directorySize = view.getUint32(eocd + 12, true);
  let directoryOffset = view.getUint32(eocd + 16, true);
  if (entries === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    const locator = eocd - 20;
    if (locator < 0 || view.getUint32(locator, true) !== 0x07064b50) {
      throw context.malformed('zip64 locator', 'ZIP64 values without a ZIP64 end-of-central-directory locator');
    }
    const record = u64(view, locator + 8, context, 'zip64 locator');
    context.need('zip64 end of central directory', record + 56, locator);
    if (view.getUint32(record, true) !== 0x06064b50) throw context.malformed('zip64 end of central directory', 'bad signature');
    entries = u64(view, record + 32, context, 'zip64 entries');
    directorySize = u64(view, record + 40, context, 'zip64 central directory size');
    directoryOffset = u64(view, record + 48, context, 'zip64 central directory offset');
  }
  context.need('central directory', directoryOffset + directorySize, length);
  if (entries > directorySize / 46) throw context.malformed('central directory', `${entries} entries cannot fit in ${directorySize} bytes`);
  const found: ZipEntry[] = [];
  const ranges: { start: number; end: number; name: string }[] = [];
  const decoder = new TextDecoder('utf-8');
  let cursor = directoryOffset;
  const directoryEnd = directoryOffset + directorySize;
  for (let index = 0; index < entries; index++) {
    const field = `central directory entry ${index}`;
    context.need(field, cursor + 46, directoryEnd);
    if (view.getUint32(cursor, true) !== 0x02014b50) throw context.malformed(field, 'bad signature');
    const flags = view.getUint16(cursor + 8, true);
    const method = view.getUint16(cursor + 10, true);
    const crc = view.getUint32(cursor + 16, true);
    const nameLength = view.getUint16(cursor + 28, true);
    const extraLength = view.getUint16(cursor + 30, true);
    const commentLength = view.getUint16(cursor + 32, true);
    const next = cursor + 46 + nameLength + extraLength + commentLength;
    context.need(field, next, directoryEnd);
    const nameStart = cursor + 46;
    const name = decoder.decode(bytes.subarray(nameStart, nameStart + nameLength));
    const central: Zip64Fields = { compressedSize: view.getUint32(cursor + 20, true), size: view.getUint32(cursor + 24, true), localOffset: view.getUint32(cursor + 42, true) };
    applyZip64(view, nameStart + nameLength, nameStart + nameLength + extraLength, central, context, name);
    const { size, compressedSize } = central;
    const localOffset = central.localOffset!;
    if (flags & 1) throw context.unsupported(name, 'encrypted member');
    if (method !== 0 && method !== 8) throw context.unsupported(`${name}.method`, `compression method ${method}`);
    if (method === 0 && size !== compressedSize) throw context.malformed(`${name}.size`, `stored member with size ${size} != compressed size ${compressedSize}`);
    if (method === 8 && size > compressedSize * MAX_DEFLATE_RATIO + 1024) {
      throw context.malformed(`${name}.size`, `declared size ${size} impossible for ${compressedSize} deflated bytes`);
    }

    // the local header must tell the same story as the central directory
    const local = `${name}.local header`;
    context.need(local, localOffset + 30, length);
    if (view.getUint32(localOffset, true) !== 0x04034b50) throw context.malformed(local, 'bad signature');
    const localFlags = view.getUint16(localOffset + 6, true);
    const localNameLength = view.getUint16(localOffset + 26, true);
    const localExtraLength = view.getUint16(localOffset + 28, true);
    const dataStart = localOffset + 30 + localNameLength + localExtraLength;
    context.need(local, dataStart, length);
    if (localFlags & 1) throw context.unsupported(name, 'encrypted member');
    if (view.getUint16(localOffset + 8, true) !== method) throw context.malformed(local, 'compression method differs from the central directory');
    if (localNameLength !== nameLength || !sameBytes(bytes, localOffset + 30, nameStart, nameLength)) {
      throw context.malformed(local, 'name differs from the central directory');
    }
    const localFields: Zip64Fields = { compressedSize: view.getUint32(localOffset + 18, true), size: view.getUint32(localOffset + 22, true) };
    applyZip64(view, localOffset + 30 + localNameLength, dataStart, localFields, context, name);
    const localCrc = view.getUint32(localOffset + 14, true);
    // with a data descriptor (flag bit 3) the local CRC and sizes may be zero, written after the data
    const deferred = (localFlags & 8) !== 0;
    const agrees = (localValue: number, centralValue: number): boolean => localValue === centralValue || (deferred && localValue === 0);
    if (!agrees(localCrc, crc)) throw context.malformed(`${local}.crc32`, 'CRC-32 differs from the central directory');
    if (!agrees(localFields.size, size) || !agrees(localFields.compressedSize, compressedSize)) {
      throw context.malformed(`${local}.size`, `sizes ${localFields.size}/${localFields.compressedSize} differ from the central directory's ${size}/${compressedSize}`);
    }
    context.need(`${name}.data`, dataStart + compressedSize, length);
    ranges.push({ start: localOffset, end: dataStart + compressedSize, name });
    const compressed = bytes.subarray(dataStart, dataStart + compressedSize);
    found.push({
      name,
      method,
      size,
      compressedSize,
      crc,
      read(budget?: MemoryBudget): Uint8Array {
        let data = compressed;
        if (method === 8) {
          budget?.reserve(`${name} inflated`, size);
          data = inflateExactly(compressed, size, false, context, `${name}.data`);
        }
        if (crc32(data) !== crc) throw context.malformed(`${name}.crc32`, 'CRC-32 mismatch');
        return data;
      },
      peek(count: number): Uint8Array {
        if (method === 0) return compressed.subarray(0, Math.min(count, compressed.length));
        return inflatePrefix(compressed, Math.min(count, size), false, context, `${name}.data`);
      },
    });
    cursor = next;
  }
  ranges.push({ start: directoryOffset, end: directoryEnd, name: 'central directory' });
  ranges.sort((a, b) => a.start - b.start || a.end - b.end);
  for (let i = 1; i < ranges.length; i++) {
    if (ranges[i]!.start < ranges[i - 1]!.end) {
      throw context.malformed(ranges[i]!.name, `bytes [${ranges[i]!.start}, ${ranges[i]!.end}) overlap ${ranges[i - 1]!.name}'s [${ranges[i - 1]!.start}, ${ranges[i - 1]!.end})`);
    }
  }
  return found;
}

/**
 * Reads every member of a ZIP archive (the directory checks of `readZipDirectory`, then each
 * member inflated in turn).
 *
 * @throws as `readZipDirectory`; MalformedHeaderError for corrupt streams and CRC mismatches.
 */
export function readZip(bytes: Uint8Array, context: ReadContext, budget?: MemoryBudget): ZipMember[] {
  return readZipDirectory(bytes, context).map((entry) => ({ name: entry.name, method: entry.method, data: entry.read(budget) }));
}
