import type { ColourMapName } from './figure.js';

/** An sRGB colour with 8-bit channels. */
export type Rgb = readonly [number, number, number];

export const colourMapNames: readonly ColourMapName[] = ['viridis', 'magma', 'diverging', 'greys'];

// Degree-6 least-squares polynomial fits per sRGB channel to matplotlib's viridis and magma
// tables (published coefficients by Matt Zucker, CC0): channel(t) = sum_k c_k t^k, t in [0, 1].
// Rows are c0..c6, columns r, g, b. Maximum deviation from the tables is below 1/255 per channel
// in most of the range and a few units at worst; luminance stays monotone (tested).
const viridisCoefficients: readonly Rgb[] = [
  [0.2777273272234177, 0.005407344544966578, 0.3340998053353061],
  [0.1050930431085774, 1.404613529898575, 1.384590162594685],
  [-0.3308618287255563, 0.214847559468213, 0.09509516302823659],
  [-4.634230498983486, -5.799100973351585, -19.33244095627987],
  [6.228269936347081, 14.17993336680509, 56.69055260068105],
  [4.776384997670288, -13.74514537774601, -65.35303263337234],
  [-5.435455855934631, 4.645852612178535, 26.3124352495832],
];

const magmaCoefficients: readonly Rgb[] = [
  [-0.002136485053939582, -0.000749655052795221, -0.005386127855323933],
  [0.2516605407371642, 0.6775232436837668, 2.494026599312351],
  [8.353717279216625, -3.577719514958484, 0.3144679030132573],
  [-27.66873308576866, 14.26473078096533, -13.64921318813922],
  [52.17613981234068, -27.94360607168351, 12.94416944238394],
  [-50.76852536473588, 29.04658282127291, 4.23415299384598],
  [18.65570506591883, -11.48977351997711, -5.601961508734096],
];

// ColorBrewer RdBu (11 classes), reversed so that low values are blue and high values red;
// the centre control point #f7f7f7 sits exactly at t = 0.5.
const divergingControlPoints: readonly Rgb[] = [
  [5, 48, 97],
  [33, 102, 172],
  [67, 147, 195],
  [146, 197, 222],
  [209, 229, 240],
  [247, 247, 247],
  [253, 219, 199],
  [244, 165, 130],
  [214, 96, 77],
  [178, 24, 43],
  [103, 0, 31],
];

function clampUnit(channel: number): number {
  return Math.min(1, Math.max(0, channel));
}

function polynomial(coefficients: readonly Rgb[], t: number): Rgb {
  let r = 0;
  let g = 0;
  let b = 0;
  for (let k = coefficients.length - 1; k >= 0; k--) {
    const c = coefficients[k]!;
    r = r * t + c[0];
    g = g * t + c[1];
    b = b * t + c[2];
  }
  return [clampUnit(r), clampUnit(g), clampUnit(b)];
}

function piecewiseLinear(points: readonly Rgb[], t: number): Rgb {
  const position = t * (points.length - 1);
  const lower = Math.min(points.length - 2, Math.floor(position));
  const fraction = position - lower;
  const a = points[lower]!;
  const b = points[lower + 1]!;
  return [
    (a[0] + (b[0] - a[0]) * fraction) / 255,
    (a[1] + (b[1] - a[1]) * fraction) / 255,
    (a[2] + (b[2] - a[2]) * fraction) / 255,
  ];
}

/**
 * The exact (unquantised) colour of `t` in [0, 1] (clamped) under a colour map: sRGB channels
 * in [0, 1].
 */
export function colourAtExact(name: ColourMapName, t: number): Rgb {
  if (Number.isNaN(t)) throw new RangeError('figures: colour map position is NaN');
  const s = Math.min(1, Math.max(0, t));
  switch (name) {
    case 'viridis':
      return polynomial(viridisCoefficients, s);
    case 'magma':
      return polynomial(magmaCoefficients, s);
    case 'diverging':
      return piecewiseLinear(divergingControlPoints, s);
    case 'greys':
      return [1 - s, 1 - s, 1 - s];
  }
}

/**
 * Write the 8-bit colour of `t` (clamped to [0, 1]; NaN is rejected) into
 * `target[offset..offset + 2]` without allocating: the kernel behind `colourAt` and every raster.
 */
export function writeColour(name: ColourMapName, t: number, target: Uint8ClampedArray | Uint8Array, offset: number): void {
  if (Number.isNaN(t)) throw new RangeError('figures: colour map position is NaN');
  const s = Math.min(1, Math.max(0, t));
  let r: number;
  let g: number;
  let b: number;
  if (name === 'viridis' || name === 'magma') {
    const coefficients = name === 'viridis' ? viridisCoefficients : magmaCoefficients;
    r = 0;
    g = 0;
    b = 0;
    for (let k = coefficients.length - 1; k >= 0; k--) {
      const c = coefficients[k]!;
      r = r * s + c[0];
      g = g * s + c[1];
      b = b * s + c[2];
    }
    r = clampUnit(r);
    g = clampUnit(g);
    b = clampUnit(b);
  } else if (name === 'diverging') {
    const points = divergingControlPoints;
    const position = s * (points.length - 1);
    const lower = Math.min(points.length - 2, Math.floor(position));
    const fraction = position - lower;
    const p = points[lower]!;
    const q = points[lower + 1]!;
    r = (p[0] + (q[0] - p[0]) * fraction) / 255;
    g = (p[1] + (q[1] - p[1]) * fraction) / 255;
    b = (p[2] + (q[2] - p[2]) * fraction) / 255;
  } else {
    r = 1 - s;
    g = r;
    b = r;
  }
  target[offset] = Math.round(r * 255);
  target[offset + 1] = Math.round(g * 255);
  target[offset + 2] = Math.round(b * 255);
}

/**
 * The colour of `t` in [0, 1] (clamped; NaN is rejected) under a colour map, as 8-bit sRGB
 * (`round(255 * colourAtExact(t))`). This is the single definition every renderer uses, so a
 * test can predict any pixel.
 */
export function colourAt(name: ColourMapName, t: number): Rgb {
  const out = new Uint8Array(3);
  writeColour(name, t, out, 0);
  return [out[0]!, out[1]!, out[2]!];
}

/** The colour of `value` with colour limits `[low, high]` (low < high). */
export function colourOfValue(name: ColourMapName, value: number, low: number, high: number): Rgb {
  return colourAt(name, (value - low) / (high - low));
}

/** `#rrggbb` of a colour. */
export function toHex(colour: Rgb): string {
  return `#${colour.map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}

/** Relative luminance (WCAG / CIE Y) of an sRGB colour with channels in [0, `scale`]. */
export function relativeLuminance(colour: Rgb, scale = 255): number {
  const linear = (c: number) => {
    const s = c / scale;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(colour[0]) + 0.7152 * linear(colour[1]) + 0.0722 * linear(colour[2]);
}

/** A lookup table of `size` colours spanning the map, RGBA interleaved (alpha 255). */
export function colourMapTable(name: ColourMapName, size = 256): Uint8ClampedArray {
  const table = new Uint8ClampedArray(size * 4);
  for (let k = 0; k < size; k++) {
    const c = colourAt(name, size === 1 ? 0.5 : k / (size - 1));
    table[4 * k] = c[0];
    table[4 * k + 1] = c[1];
    table[4 * k + 2] = c[2];
    table[4 * k + 3] = 255;
  }
  return table;
}
