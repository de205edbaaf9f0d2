import type { Raster } from './raster.js';

/** A zlib (RFC 1950) compressor, e.g. `zlib.deflateSync` in Node. */
export type Deflate = (bytes: Uint8Array) => Uint8Array;

let crcTable: Uint32Array | undefined;

function crc32(bytes: Uint8Array, start: number, end: number): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let k = start; k < end; k++) c = crcTable[(c ^ bytes[k]!) & 255]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  const chunk = 5552; // largest n with 255 n (n + 1) / 2 + (n + 1)(65520) < 2^32
  for (let start = 0; start < bytes.length; start += chunk) {
    const end = Math.min(bytes.length, start + chunk);
    for (let k = start; k < end; k++) {
      a += bytes[k]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** zlib stream made of stored (uncompressed) deflate blocks: valid everywhere, no compression. */
export function storedDeflate(bytes: Uint8Array): Uint8Array {
  const blockSize = 65535;
  const blocks = Math.max(1, Math.ceil(bytes.length / blockSize));
  const out = new Uint8Array(2 + blocks * 5 + bytes.length + 4);
  out[0] = 0x78;
  out[1] = 0x01;
  let p = 2;
  for (let k = 0; k < blocks; k++) {
    const start = k * blockSize;
    const length = Math.min(blockSize, bytes.length - start);
    out[p++] = k === blocks - 1 ? 1 : 0;
    out[p++] = length & 255;
    out[p++] = length >>> 8;
    out[p++] = ~length & 255;
    out[p++] = (~length >>> 8) & 255;
    out.set(bytes.subarray(start, start + length), p);
    p += length;
  }
  const check = adler32(bytes);
  out[p++] = check >>> 24;
  out[p++] = (check >>> 16) & 255;
  out[p++] = (check >>> 8) & 255;
  out[p++] = check & 255;
  return out;
}

function chunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, body.length);
  for (let k = 0; k < 4; k++) out[4 + k] = type.charCodeAt(k);
  out.set(body, 8);
  view.setUint32(8 + body.length, crc32(out, 4, 8 + body.length));
  return out;
}

/**
 * Encode an RGBA raster as an 8-bit truecolour PNG (RGB when fully opaque). Browser-safe: no
 * Node APIs. Pass a real `deflate` (zlib) to compress; the default writes stored blocks.
 */
export function encodePng(raster: Raster, deflate: Deflate = storedDeflate): Uint8Array {
  const { width, height, data } = raster;
  let opaque = true;
  for (let k = 3; k < data.length; k += 4) {
    if (data[k] !== 255) {
      opaque = false;
      break;
    }
  }
  const channels = opaque ? 3 : 4;
  const stride = width * channels + 1;
  const scanlines = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    let p = y * stride + 1; // filter byte 0 (None)
    let q = y * width * 4;
    for (let x = 0; x < width; x++, q += 4) {
      scanlines[p++] = data[q]!;
      scanlines[p++] = data[q + 1]!;
      scanlines[p++] = data[q + 2]!;
      if (!opaque) scanlines[p++] = data[q + 3]!;
    }
  }
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header[8] = 8;
  header[9] = opaque ? 2 : 6;
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflate(scanlines)),
    chunk('IEND', new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
let alphabetCodes: Uint8Array | undefined;
let latin1: TextDecoder | undefined;

/** Standard base64 (RFC 4648, with padding), with no platform API (no btoa, no Node buffers). */
export function base64(bytes: Uint8Array): string {
  alphabetCodes ??= Uint8Array.from(alphabet, (c) => c.charCodeAt(0));
  latin1 ??= new TextDecoder('latin1');
  const codes = alphabetCodes;
  const n = bytes.length;
  const out = new Uint8Array(Math.ceil(n / 3) * 4);
  let p = 0;
  let k = 0;
  for (; k + 2 < n; k += 3) {
    const v = (bytes[k]! << 16) | (bytes[k + 1]! << 8) | bytes[k + 2]!;
    out[p++] = codes[v >>> 18]!;
    out[p++] = codes[(v >>> 12) & 63]!;
    out[p++] = codes[(v >>> 6) & 63]!;
    out[p++] = codes[v & 63]!;
  }
  if (k < n) {
    const v = (bytes[k]! << 16) | ((k + 1 < n ? bytes[k + 1]! : 0) << 8);
    out[p++] = codes[v >>> 18]!;
    out[p++] = codes[(v >>> 12) & 63]!;
    out[p++] = k + 1 < n ? codes[(v >>> 6) & 63]! : 61; // '='
    out[p++] = 61;
  }
  return latin1.decode(out);
}

/** `data:image/png;base64,...` of a raster. */
export function pngDataUri(raster: Raster, deflate?: Deflate): string {
  return `data:image/png;base64,${base64(encodePng(raster, deflate))}`;
}
