/**
 * Bounded streaming inflation (DEFLATE for zip members, zlib for MATLAB's miCOMPRESSED) with
 * fflate's stream classes: the compressed bytes are pushed in small chunks and inflation stops
 * as soon as the output passes the size the container declares, so a stream that lies about
 * its size costs at most that size plus one chunk, in memory and in time.
 */
import { Inflate, Unzlib, inflateSync, unzlibSync } from 'fflate';
import type { ReadContext } from './context.js';

/** Input pushed per step: at DEFLATE's 1032:1 at most ~16 MB of output per step. */
const INPUT_CHUNK = 16 * 1024;

/**
 * Streams up to this size are inflated in one call into a buffer of the wanted size (fflate's
 * streams cost ~0.1 ms each to set up): fflate then decodes the rest of the stream without
 * storing it, at most 1032 x 32 KB = 33 MB of work, a few tens of milliseconds.
 */
const ONE_CALL_INPUT = 32 * 1024;

/** One-call inflation into `out` (output beyond it is decoded and dropped); the bytes written. */
function inflateInto(compressed: Uint8Array, out: Uint8Array, zlib: boolean, context: ReadContext, field: string): Uint8Array {
  try {
    return zlib ? unzlibSync(compressed, { out }) : inflateSync(compressed, { out });
  } catch (error) {
    throw context.malformed(field, `${zlib ? 'zlib' : 'deflate'} stream is corrupt (${(error as Error).message})`);
  }
}

class Enough extends Error {}

/**
 * Pushes `compressed` through a DEFLATE (or zlib) stream, handing each output chunk to `sink`,
 * which returns false to stop early.
 */
function pump(compressed: Uint8Array, zlib: boolean, sink: (chunk: Uint8Array) => boolean, context: ReadContext, field: string): void {
  const onData = (chunk: Uint8Array): void => {
    if (!sink(chunk)) throw new Enough();
  };
  const stream = zlib ? new Unzlib(onData) : new Inflate(onData);
  try {
    if (compressed.length === 0) stream.push(compressed, true);
    // small first steps: a peek at a header stops after little work
    for (let position = 0, step = 1024; position < compressed.length; position += step, step = Math.min(2 * step, INPUT_CHUNK)) {
      const end = Math.min(position + step, compressed.length);
      stream.push(compressed.subarray(position, end), end === compressed.length);
    }
  } catch (error) {
    if (error instanceof Enough) return;
    throw context.malformed(field, `${zlib ? 'zlib' : 'deflate'} stream is corrupt (${(error as Error).message})`);
  }
}

/**
 * Inflates exactly `size` bytes: MalformedHeaderError when the stream produces more (stopping at
 * the first excess chunk) or fewer.
 */
export function inflateExactly(compressed: Uint8Array, size: number, zlib: boolean, context: ReadContext, field: string): Uint8Array {
  if (compressed.length <= ONE_CALL_INPUT) {
    // one byte more than declared shows an excess
    const out = inflateInto(compressed, new Uint8Array(size + 1), zlib, context, field);
    if (out.length > size) throw context.malformed(field, `inflates beyond its declared ${size} bytes`);
    if (out.length < size) throw context.malformed(field, `inflates to ${out.length} bytes, ${size} declared`);
    return out;
  }
  const out = new Uint8Array(size);
  let written = 0;
  let excess = false;
  pump(
    compressed,
    zlib,
    (chunk) => {
      if (written + chunk.length > size) {
        excess = true;
        return false;
      }
      out.set(chunk, written);
      written += chunk.length;
      return true;
    },
    context,
    field,
  );
  if (excess) throw context.malformed(field, `inflates beyond its declared ${size} bytes`);
  if (written < size) throw context.malformed(field, `inflates to ${written} bytes, ${size} declared`);
  return out;
}

/** The first `length` inflated bytes (fewer if the stream is shorter); inflation stops there. */
export function inflatePrefix(compressed: Uint8Array, length: number, zlib: boolean, context: ReadContext, field: string): Uint8Array {
  if (compressed.length <= ONE_CALL_INPUT) return inflateInto(compressed, new Uint8Array(length), zlib, context, field);
  const out = new Uint8Array(length);
  let written = 0;
  pump(
    compressed,
    zlib,
    (chunk) => {
      const take = Math.min(chunk.length, length - written);
      out.set(chunk.subarray(0, take), written);
      written += take;
      return written < length;
    },
    context,
    field,
  );
  return out.subarray(0, written);
}
