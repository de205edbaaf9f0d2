/**
 * Hostile files built in memory for the safety tests: DEFLATE bombs (a small stream that
 * inflates to gigabytes), zip archives with lying or overlapping headers, a MATLAB element
 * that inflates to gigabytes. Nothing large is written or committed: a 3.9 GB member costs
 * 3.8 MB, made by lengthening the constant run in the middle of a deflated block of zeros.
 */
import { deflateRawSync, deflateSync, inflateRawSync } from 'node:zlib';
import { encodeNpyHeader } from '../src/npy.js';

/**
 * A DEFLATE stream of `prefix` then `zeros + slack` zero bytes (slack < the expansion of one
 * byte, returned in `size`). Deflating zeros at level 9 gives a block whose matches cost two
 * bits each: a run of one constant byte, each byte of it 4 matches of 258 zeros. Inserting
 * more copies of that byte into the run lengthens the output by that much per byte, whatever
 * the total; the expansion is measured on a small probe rather than assumed.
 */
export function deflateBomb(prefix: Uint8Array, zeros: number, zlib = false): { stream: Uint8Array; size: number; perByte: number } {
  const base = 1 << 20;
  const plain = new Uint8Array(prefix.length + base);
  plain.set(prefix);
  const raw = new Uint8Array(deflateRawSync(plain, { level: 9 }));
  let bestStart = 0;
  let bestLength = 0;
  for (let i = 0; i < raw.length; ) {
    let j = i;
    while (j < raw.length && raw[j] === raw[i]) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const middle = bestStart + (bestLength >> 1);
  const splice = (extra: number): Uint8Array => {
    const out = new Uint8Array(raw.length + extra);
    out.set(raw.subarray(0, middle));
    out.fill(raw[bestStart]!, middle, middle + extra);
    out.set(raw.subarray(middle), middle + extra);
    return out;
  };
  const probe = 1000;
  const perByte = (inflateRawSync(splice(probe)).length - plain.length) / probe;
  if (!Number.isInteger(perByte) || perByte < 1000) throw new Error(`deflateBomb: unexpected expansion ${perByte} per byte`);
  const extra = Math.max(0, Math.ceil((zeros - base) / perByte));
  const body = splice(extra);
  const size = plain.length + extra * perByte;
  if (!zlib) return { stream: body, size, perByte };
  // zlib wrapper: header of a level-9 stream, the body, an Adler-32 nobody will reach
  const header = new Uint8Array(deflateSync(new Uint8Array(0), { level: 9 })).subarray(0, 2);
  const out = new Uint8Array(2 + body.length + 4);
  out.set(header);
  out.set(body, 2);
  return { stream: out, size, perByte };
}

/** A member of `buildZip`: its stored bytes and the sizes and CRC its headers declare. */
export interface ZipSpec {
  readonly name: string;
  readonly method: 0 | 8;
  readonly data: Uint8Array;
  readonly size: number;
  readonly crc: number;
}

/**
 * A ZIP archive of the members (local header and data each), then a central directory of
 * `central` entries: by default one per member; pass entries (member index and the name and
 * size they declare) to make the directory lie.
 */
export function buildZip(members: readonly ZipSpec[], central?: readonly { member: number; name?: string; size?: number }[]): Uint8Array {
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  const offsets: number[] = [];
  let offset = 0;
  for (const member of members) {
    const name = encoder.encode(member.name);
    const local = new Uint8Array(30 + name.length);
    const view = new DataView(local.buffer);
    view.setUint32(0, 0x04034b50, true);
    view.setUint16(4, 20, true);
    view.setUint16(8, member.method, true);
    view.setUint32(14, member.crc, true);
    view.setUint32(18, member.data.length, true);
    view.setUint32(22, member.size, true);
    view.setUint16(26, name.length, true);
    local.set(name, 30);
    offsets.push(offset);
    parts.push(local, member.data);
    offset += local.length + member.data.length;
  }
  const directoryOffset = offset;
  const entries: readonly { member: number; name?: string; size?: number }[] = central ?? members.map((_, member) => ({ member }));
  for (const entry of entries) {
    const member = members[entry.member]!;
    const name = encoder.encode(entry.name ?? member.name);
    const record = new Uint8Array(46 + name.length);
    const view = new DataView(record.buffer);
    view.setUint32(0, 0x02014b50, true);
    view.setUint16(4, 20, true);
    view.setUint16(6, 20, true);
    view.setUint16(10, member.method, true);
    view.setUint32(16, member.crc, true);
    view.setUint32(20, member.data.length, true);
    view.setUint32(24, entry.size ?? member.size, true);
    view.setUint16(28, name.length, true);
    view.setUint32(42, offsets[entry.member]!, true);
    record.set(name, 46);
    parts.push(record);
    offset += record.length;
  }
  const eocd = new Uint8Array(22);
  const view = new DataView(eocd.buffer);
  view.setUint32(0, 0x06054b50, true);
  view.setUint16(8, entries.length, true);
  view.setUint16(10, entries.length, true);
  view.setUint32(12, offset - directoryOffset, true);
  view.setUint32(16, directoryOffset, true);
  parts.push(eocd);
  const out = new Uint8Array(offset + 22);
  let cursor = 0;
  for (const part of parts) {
    out.set(part, cursor);
    cursor += part.length;
  }
  return out;
}

/** An `.npz` of one deflated float64 member of about `bytes` zeros, its headers honest (CRC aside). */
export function npzBomb(bytes: number): { file: Uint8Array; memberSize: number } {
  // the expansion per byte is a multiple of 8 (4 x 258 = 1032): the element count comes out whole
  const probe = deflateBomb(encodeNpyHeader('float64', [1]), 0);
  const extra = Math.ceil((bytes - (1 << 20)) / probe.perByte);
  const count = ((1 << 20) + extra * probe.perByte) / 8;
  const header = encodeNpyHeader('float64', [count]);
  const { stream, size } = deflateBomb(header, count * 8);
  return { file: buildZip([{ name: 'w.npy', method: 8, data: stream, size, crc: 0 }]), memberSize: size };
}

/** An `.npz` whose headers declare a 1,000-byte member whose stream inflates to about `bytes`. */
export function npzUnderstated(bytes: number): Uint8Array {
  const header = encodeNpyHeader('float64', [109]); // 128 + 872 = 1000 bytes
  const { stream } = deflateBomb(header, bytes);
  return buildZip([{ name: 'w.npy', method: 8, data: stream, size: 1000, crc: 0 }]);
}

/** An `.npz` of one small member and `entries` central directory entries all pointing at it. */
export function npzManyEntries(entries: number, sameName: boolean): Uint8Array {
  const member = encodeNpyHeader('float64', [1000]);
  const data = new Uint8Array(member.length + 8000);
  data.set(member);
  const raw = new Uint8Array(deflateRawSync(data));
  const spec: ZipSpec = { name: 'm.npy', method: 8, data: raw, size: data.length, crc: zipCrc32(data) };
  return buildZip(
    [spec],
    Array.from({ length: entries }, (_, i) => ({ member: 0, name: sameName ? 'm.npy' : `m${i}.npy` })),
  );
}

function zipCrc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) {
    crc ^= bytes[i]!;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * A MATLAB v5 file of one miCOMPRESSED element whose zlib stream inflates to a double matrix of
 * about `bytes` (its inner tag declaring exactly that).
 */
export function matBomb(bytes: number): Uint8Array {
  const probe = deflateBomb(matrixPrefix(1), 0, true);
  const extra = Math.ceil((bytes - (1 << 20)) / probe.perByte);
  const zeros = (1 << 20) + extra * probe.perByte;
  const prefix = matrixPrefix(zeros / 8);
  const { stream } = deflateBomb(prefix, zeros, true);
  const out = new Uint8Array(128 + 8 + stream.length);
  const text = new TextEncoder().encode('MATLAB 5.0 MAT-file, hostile test file');
  out.fill(0x20, 0, 116);
  out.set(text);
  const view = new DataView(out.buffer);
  view.setUint16(124, 0x0100, true);
  out[126] = 'I'.charCodeAt(0);
  out[127] = 'M'.charCodeAt(0);
  view.setUint32(128, 15, true); // miCOMPRESSED
  view.setUint32(132, stream.length, true);
  out.set(stream, 136);
  return out;
}

/** miMATRIX tag, array flags, dimensions [count, 1], name "w", real part tag; the zeros follow. */
function matrixPrefix(count: number): Uint8Array {
  const out = new Uint8Array(8 + 16 + 16 + 16 + 8);
  const view = new DataView(out.buffer);
  const realBytes = count * 8;
  view.setUint32(0, 14, true);
  view.setUint32(4, out.length - 8 + realBytes, true);
  view.setUint32(8, 6, true); // miUINT32 array flags
  view.setUint32(12, 8, true);
  view.setUint32(16, 6, true); // mxDOUBLE_CLASS
  view.setUint32(24, 5, true); // miINT32 dimensions
  view.setUint32(28, 8, true);
  view.setInt32(32, count, true);
  view.setInt32(36, 1, true);
  view.setUint32(40, 1, true); // miINT8 name
  view.setUint32(44, 1, true);
  out[48] = 'w'.charCodeAt(0);
  view.setUint32(56, 9, true); // miDOUBLE
  view.setUint32(60, realBytes, true);
  return out;
}

/**
 * An HDF5 file written with h5wasm: `datasets` float64 datasets of `elements` values each,
 * chunked and gzip-compressed. With `fillValue` the datasets are created with one element and
 * resized, so no chunk is ever written and the file stays tiny: reading them returns fill
 * values, all allocated by the HDF5 library (the "fill-value bomb"); without, zeros are written
 * (a gzip bomb of `elements` zeros per dataset, compressed about 1000:1).
 */
export async function hdf5Bomb(datasets: number, elements: number, fillValue: boolean): Promise<Uint8Array> {
  const h5 = await import('h5wasm');
  await h5.ready;
  const path = `/hostile-${datasets}-${elements}-${fillValue}.h5`;
  const file = new h5.File(path, 'w');
  const chunk = Math.min(elements, 1 << 16);
  for (let i = 0; i < datasets; i++) {
    if (fillValue) {
      const dataset = file.create_dataset({ name: `d${i}`, data: new Float64Array(1), shape: [1], maxshape: [null], chunks: [chunk], compression: 9 });
      dataset.resize([elements]);
    } else {
      file.create_dataset({ name: `d${i}`, data: new Float64Array(elements), shape: [elements], chunks: [chunk], compression: 9 });
    }
  }
  file.close();
  const bytes = h5.FS!.readFile(path);
  h5.FS!.unlink(path);
  return bytes;
}
