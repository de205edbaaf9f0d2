import { writeColour } from './colour-map.js';
import type { ColourMapName } from './figure.js';
import type { DenseGrid } from './validate.js';

/** An RGBA image, row-major from the top-left pixel, 4 bytes per pixel. */
export interface Raster {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8ClampedArray;
}

/**
 * One pixel per matrix cell: pixel (j, i) has the colour of `grid[i][j]` with colour limits
 * `[low, high]`. Uses `colourAt(name, (v - low) / (high - low))`, exactly, for every cell.
 */
export function heatmapCells(grid: DenseGrid, name: ColourMapName, low: number, high: number): Raster {
  const { rows, columns, data: values } = grid;
  const data = new Uint8ClampedArray(rows * columns * 4);
  const span = high - low;
  for (let k = 0; k < values.length; k++) {
    writeColour(name, (values[k]! - low) / span, data, 4 * k);
    data[4 * k + 3] = 255;
  }
  return { width: columns, height: rows, data };
}

/**
 * Nearest-neighbour resampling: destination pixel (x, y) takes source pixel
 * (floor(x * w / width), floor(y * h / height)). Upscaling turns each source pixel into a block.
 */
export function scaleNearest(raster: Raster, width: number, height: number): Raster {
  if (width === raster.width && height === raster.height) return raster;
  const source = new Uint32Array(raster.data.buffer, raster.data.byteOffset, raster.width * raster.height);
  const out = new Uint8ClampedArray(width * height * 4);
  const target = new Uint32Array(out.buffer);
  const columnOf = new Int32Array(width);
  for (let x = 0; x < width; x++) columnOf[x] = Math.floor((x * raster.width) / width);
  for (let y = 0; y < height; y++) {
    const row = Math.floor((y * raster.height) / height) * raster.width;
    const offset = y * width;
    for (let x = 0; x < width; x++) target[offset + x] = source[row + columnOf[x]!]!;
  }
  return { width, height, data: out };
}

/** A vertical colour ramp, `height` pixels tall and 1 wide, high values at the top. */
export function colourBarRaster(name: ColourMapName, height: number): Raster {
  const data = new Uint8ClampedArray(height * 4);
  for (let y = 0; y < height; y++) {
    writeColour(name, height === 1 ? 0.5 : 1 - y / (height - 1), data, 4 * y);
    data[4 * y + 3] = 255;
  }
  return { width: 1, height, data };
}
