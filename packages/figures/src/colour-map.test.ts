import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  colourAt,
  colourAtExact,
  colourMapNames,
  colourMapTable,
  colourOfValue,
  type Rgb,
  relativeLuminance,
  toHex,
} from './colour-map.js';

function hex(value: string): Rgb {
  return [1, 3, 5].map((k) => Number.parseInt(value.slice(k, k + 2), 16)) as unknown as Rgb;
}

/** Largest channel difference between two 8-bit colours. */
function distance(a: Rgb, b: Rgb): number {
  return Math.max(Math.abs(a[0] - b[0]), Math.abs(a[1] - b[1]), Math.abs(a[2] - b[2]));
}

const samples = Array.from({ length: 1001 }, (_, k) => k / 1000);

describe('perceptual colour maps', () => {
  // Reference values are matplotlib's published viridis/magma table entries. The degree-6
  // polynomial fits stay within 6/255 per channel of them (the fit's documented accuracy).
  const tolerance = 6;
  it.each([
    ['viridis', 0, '#440154'],
    ['viridis', 0.5, '#21918c'],
    ['viridis', 1, '#fde725'],
    ['magma', 0, '#000004'],
    ['magma', 0.5, '#b73779'],
    ['magma', 1, '#fcfdbf'],
  ] as const)('%s(%f) is within 6/255 of matplotlib %s', (name, t, reference) => {
    expect(distance(colourAt(name, t), hex(reference))).toBeLessThanOrEqual(tolerance);
  });

  it.each(['viridis', 'magma'] as const)('%s has non-decreasing luminance, strictly rising after t = 0.01', (name) => {
    const luminance = samples.map((t) => relativeLuminance(colourAtExact(name, t), 1));
    for (let k = 1; k < luminance.length; k++) {
      expect(luminance[k]!).toBeGreaterThanOrEqual(luminance[k - 1]!);
      if (samples[k - 1]! >= 0.01) expect(luminance[k]!).toBeGreaterThan(luminance[k - 1]!);
    }
    // And across the whole map the 8-bit colours span a wide luminance range.
    expect(relativeLuminance(colourAt(name, 1)) - relativeLuminance(colourAt(name, 0))).toBeGreaterThan(0.6);
  });

  it('8-bit viridis never loses more luminance than one rounding step between neighbours', () => {
    // One 8-bit step in green changes Y by at most 0.7152 * d(lin)/ds / 255 < 3e-3.
    for (let k = 1; k < samples.length; k++) {
      const drop = relativeLuminance(colourAt('viridis', samples[k - 1]!)) - relativeLuminance(colourAt('viridis', samples[k]!));
      expect(drop).toBeLessThan(3e-3);
    }
  });
});

describe('greys', () => {
  it('runs from white (low) to black (high) with strictly falling luminance', () => {
    expect(toHex(colourAt('greys', 0))).toBe('#ffffff');
    expect(toHex(colourAt('greys', 1))).toBe('#000000');
    const luminance = samples.map((t) => relativeLuminance(colourAtExact('greys', t), 1));
    for (let k = 1; k < luminance.length; k++) expect(luminance[k]!).toBeLessThan(luminance[k - 1]!);
  });
});

describe('diverging', () => {
  it('is white-ish at the centre, blue at the low end and red at the high end', () => {
    const centre = colourAt('diverging', 0.5);
    expect(toHex(centre)).toBe('#f7f7f7');
    expect(relativeLuminance(centre)).toBeGreaterThan(0.9);
    const low = colourAt('diverging', 0);
    const high = colourAt('diverging', 1);
    expect(low[2]).toBeGreaterThan(low[0] + 40);
    expect(high[0]).toBeGreaterThan(high[2] + 40);
  });

  it('maps value 0 to the centre colour under a symmetric domain', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-6, max: 1e6, noNaN: true }), (m) => {
        expect(toHex(colourOfValue('diverging', 0, -m, m))).toBe('#f7f7f7');
      }),
    );
  });

  it('luminance rises to the centre and falls after it', () => {
    const luminance = samples.map((t) => relativeLuminance(colourAtExact('diverging', t), 1));
    for (let k = 1; k < luminance.length; k++) {
      if (samples[k]! <= 0.5) expect(luminance[k]!).toBeGreaterThan(luminance[k - 1]!);
      else expect(luminance[k]!).toBeLessThan(luminance[k - 1]!);
    }
  });
});

describe('every map', () => {
  it('gives 8-bit integer channels for any position, clamping outside [0, 1]', () => {
    fc.assert(
      fc.property(fc.constantFrom(...colourMapNames), fc.double({ min: -10, max: 10, noNaN: true }), (name, t) => {
        const c = colourAt(name, t);
        for (const channel of c) {
          expect(Number.isInteger(channel)).toBe(true);
          expect(channel).toBeGreaterThanOrEqual(0);
          expect(channel).toBeLessThanOrEqual(255);
        }
        expect(c).toEqual(colourAt(name, Math.min(1, Math.max(0, t))));
      }),
    );
  });

  it('8-bit colours are round(255 x exact colour), for every map and position', () => {
    fc.assert(
      fc.property(fc.constantFrom(...colourMapNames), fc.double({ min: 0, max: 1, noNaN: true }), (name, t) => {
        expect(colourAt(name, t)).toEqual(colourAtExact(name, t).map((c) => Math.round(255 * c)));
      }),
    );
  });

  it('rejects NaN instead of painting a silent colour', () => {
    expect(() => colourAt('viridis', Number.NaN)).toThrow(RangeError);
  });

  it('lookup tables hold colourAt at evenly spaced positions', () => {
    for (const name of colourMapNames) {
      const table = colourMapTable(name, 11);
      for (let k = 0; k < 11; k++) {
        expect([table[4 * k], table[4 * k + 1], table[4 * k + 2], table[4 * k + 3]]).toEqual([...colourAt(name, k / 10), 255]);
      }
    }
  });
});
