/**
 * A small, strict ZIP reader for `.npz` (stored and deflated members, ZIP64), with every
 * offset and size checked against the buffer, CRC-32 verified, and decompressed sizes
 * bounded by DEFLATE's maximum ratio so that hostile headers cannot force huge allocations.
 * Inflation is fflate's.
 */
import { inflateSync } from 'fflate';
import type { ReadContext } from './context.js';

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

/**
 * Reads every member of a ZIP archive.
 *
 * @throws TruncatedFileError, MalformedHeaderError, UnsupportedFeatureError (encryption,
 * compression methods other than stored and deflate, multi-disk archives).
 */
export function readZip(bytes: Uint8Array, context: ReadContext): ZipMember[] {
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
  const members: ZipMember[] = [];
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
    let compressedSize = view.getUint32(cursor + 20, true);
    let size = view.getUint32(cursor + 24, true);
    const nameLength = view.getUint16(cursor + 28, true);
    const extraLength = view.getUint16(cursor + 30, true);
    const commentLength = view.getUint16(cursor + 32, true);
    let localOffset = view.getUint32(cursor + 42, true);
    const next = cursor + 46 + nameLength + extraLength + commentLength;
    context.need(field, next, directoryEnd);
    const name = decoder.decode(bytes.subarray(cursor + 46, cursor + 46 + nameLength));
    // ZIP64 extended information: the 64-bit values of the fields that hold 0xffffffff
    let extra = cursor + 46 + nameLength;
    const extraEnd = extra + extraLength;
    while (extra + 4 <= extraEnd) {
      const id = view.getUint16(extra, true);
      const dataSize = view.getUint16(extra + 2, true);
      if (extra + 4 + dataSize > extraEnd) throw context.malformed(`${name}.extra`, 'extra field overruns its entry');
      if (id === 0x0001) {
        let position = extra + 4;
        const take = (): number => {
          if (position + 8 > extra + 4 + dataSize) throw context.malformed(`${name}.zip64`, 'ZIP64 field too short');
          const value = u64(view, position, context, `${name}.zip64`);
          position += 8;
          return value;
        };
        if (size === 0xffffffff) size = take();
        if (compressedSize === 0xffffffff) compressedSize = take();
        if (localOffset === 0xffffffff) localOffset = take();
      }
      extra += 4 + dataSize;
    }
    if (flags & 1) throw context.unsupported(name, 'encrypted member');
    if (method !== 0 && method !== 8) throw context.unsupported(`${name}.method`, `compression method ${method}`);
    context.need(`${name}.local header`, localOffset + 30, length);
    if (view.getUint32(localOffset, true) !== 0x04034b50) throw context.malformed(`${name}.local header`, 'bad signature');
    const dataStart = localOffset + 30 + view.getUint16(localOffset + 26, true) + view.getUint16(localOffset + 28, true);
    context.need(`${name}.data`, dataStart + compressedSize, length);
    const compressed = bytes.subarray(dataStart, dataStart + compressedSize);
    let data: Uint8Array;
    if (method === 0) {
      if (size !== compressedSize) throw context.malformed(`${name}.size`, `stored member with size ${size} != compressed size ${compressedSize}`);
      data = compressed;
    } else {
      if (size > compressedSize * MAX_DEFLATE_RATIO + 1024) {
        throw context.malformed(`${name}.size`, `declared size ${size} impossible for ${compressedSize} deflated bytes`);
      }
      const out = new Uint8Array(size);
      try {
        data = inflateSync(compressed, { out });
      } catch (error) {
        throw context.malformed(`${name}.data`, `deflate stream is corrupt (${(error as Error).message})`);
      }
      if (data.length !== size) throw context.malformed(`${name}.data`, `inflated to ${data.length} bytes, header says ${size}`);
    }
    if (crc32(data) !== crc) throw context.malformed(`${name}.crc32`, 'CRC-32 mismatch');
    members.push({ name, data, method });
    cursor = next;
  }
  return members;
}
