import { inflateSync } from 'node:zlib';
import fc from 'fast-check';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { base64, encodePng, storedDeflate } from './png.js';
import { scaleNearest } from './raster.js';

// These tests use Node (zlib, pngjs, Buffer) only as independent decoders of the
// browser-safe encoder.
describe('browser-safe PNG encoder', () => {
  it('round-trips random rasters through pngjs exactly (opaque and translucent)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.boolean(), fc.integer(), (width, height, opaque, seed) => {
        const data = new Uint8ClampedArray(width * height * 4);
        let state = seed >>> 0;
        for (let k = 0; k < data.length; k++) {
          state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
          data[k] = k % 4 === 3 && opaque ? 255 : state >>> 24;
        }
        const decoded = PNG.sync.read(Buffer.from(encodePng({ width, height, data })));
        expect(decoded.width).toBe(width);
        expect(decoded.height).toBe(height);
        expect(Array.from(decoded.data)).toEqual(Array.from(data));
      }),
      { numRuns: 60 },
    );
  });

  it('writes stored deflate blocks that zlib inflates, across the 65535-byte block limit', () => {
    const bytes = new Uint8Array(200_003).map((_, k) => (k * 7919) & 255);
    expect(Buffer.from(inflateSync(storedDeflate(bytes))).equals(Buffer.from(bytes))).toBe(true);
    expect(inflateSync(storedDeflate(new Uint8Array(0))).length).toBe(0);
  });

  it('base64 agrees with Buffer for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40_000 }), (bytes) => {
        expect(base64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
      }),
      { numRuns: 80 },
    );
  });
});

describe('nearest-neighbour scaling', () => {
  it('turns each source pixel into a block: pixel (x, y) comes from (floor(x w / W), floor(y h / H))', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        (w, h, W, H) => {
          const data = new Uint8ClampedArray(w * h * 4).map((_, k) => (k * 37) & 255);
          const scaled = scaleNearest({ width: w, height: h, data }, W, H);
          expect(scaled.width).toBe(W);
          expect(scaled.height).toBe(H);
          const expected = new Uint8ClampedArray(W * H * 4);
          for (let y = 0; y < H; y++) {
            for (let x = 0; x < W; x++) {
              const source = (Math.floor((y * h) / H) * w + Math.floor((x * w) / W)) * 4;
              expected.set(data.subarray(source, source + 4), (y * W + x) * 4);
            }
          }
          expect(Buffer.from(scaled.data).equals(Buffer.from(expected))).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });
});
