// @descramble/figures/node: PNG output through the package's own encoder with Node's zlib (raw
// heatmap pixels) and @resvg/resvg-js, an optional peer dependency loaded on first use (any
// figure: SVG -> PNG). Everything else is re-exported from the browser-safe entry.
import { deflateSync } from 'node:zlib';
import { InvalidFigureError } from '../errors.js';
import type { Figure, HeatmapFigure } from '../figure.js';
import { heatmapColourDomain } from '../layout.js';
import { base64, encodePng } from '../png.js';
import { heatmapCells, type Raster, scaleNearest } from '../raster.js';
import { type Report, type ReportOptions, renderReport } from '../report.js';
import { renderFigureToSvg } from '../svg.js';
import { toDenseGrid, validateFigure } from '../validate.js';
import { loadResvg } from './resvg.js';

export * from '../index.js';

/** zlib compression from Node, for `SvgOptions.deflate` / `ReportOptions.deflate`. */
export function zlibDeflate(bytes: Uint8Array): Uint8Array {
  return deflateSync(bytes, { level: 6 });
}

/** Encode an RGBA raster as PNG (RGB when fully opaque), compressed with Node's zlib. */
export function rasterToPng(raster: Raster): Uint8Array {
  return encodePng(raster, zlibDeflate);
}

export interface HeatmapPngOptions {
  /** Output size in pixels; default one pixel per cell. Each cell becomes a nearest-neighbour
   * block: pixel (x, y) shows cell (floor(y * rows / height), floor(x * columns / width)). */
  readonly width?: number;
  readonly height?: number;
}

/**
 * The bare heatmap raster as PNG bytes (no resvg needed): no axes or text, just one block per cell in
 * the figure's colour map and colour limits. Good for thumbnails and pixel-exact checks.
 */
export function renderHeatmapPng(figure: HeatmapFigure, options: HeatmapPngOptions = {}): Uint8Array {
  validateFigure(figure);
  if (figure.kind !== 'heatmap') throw new InvalidFigureError({ path: 'figure.kind', reason: "expected 'heatmap'", operation: 'renderHeatmapPng' });
  const grid = toDenseGrid(figure.values, 'figure.values');
  const [low, high] = heatmapColourDomain(figure, grid);
  const cells = heatmapCells(grid, figure.colourMap ?? 'viridis', low, high);
  const width = options.width ?? grid.columns;
  const height = options.height ?? grid.rows;
  for (const [key, value] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (!Number.isInteger(value) || value < 1 || value > 20000) {
      throw new InvalidFigureError({ path: `options.${key}`, reason: `expected an integer in [1, 20000], got ${value}`, operation: 'renderHeatmapPng' });
    }
  }
  return rasterToPng(scaleNearest(cells, width, height));
}

export interface PngOptions {
  /** Device pixels per CSS pixel; the PNG is `round(width * scale)` by `round(height * scale)`.
   * Default 1. */
  readonly scale?: number;
  /** Font files to load (e.g. a .ttf shipped with your app) in addition to system fonts. */
  readonly fontFiles?: readonly string[];
  /** Load the system fonts (default `true`). Without any font, text is not drawn; shapes and
   * rasters still are. */
  readonly loadSystemFonts?: boolean;
}

/**
 * Rasterise an SVG string with resvg. Throws {@link MissingDependencyError} when the optional
 * peer dependency @resvg/resvg-js is not installed.
 */
export function svgToPng(svg: string, options: PngOptions = {}): Uint8Array {
  return rasterise(svg, options, 'svgToPng');
}

function rasterise(svg: string, options: PngOptions, operation: string): Uint8Array {
  const { Resvg } = loadResvg(operation);
  const scale = options.scale ?? 1;
  const resvg = new Resvg(svg, {
    fitTo: scale === 1 ? { mode: 'original' } : { mode: 'zoom', value: scale },
    font: {
      loadSystemFonts: options.loadSystemFonts ?? true,
      fontFiles: [...(options.fontFiles ?? [])],
      defaultFontFamily: 'DejaVu Sans',
      sansSerifFamily: 'DejaVu Sans',
    },
    background: '#ffffff',
  });
  return new Uint8Array(resvg.render().asPng());
}

/**
 * Render any figure to PNG: layout -> SVG (rasters embedded at device resolution, so resvg
 * samples them 1:1) -> resvg. Text uses system fonts (DejaVu Sans first). Throws
 * {@link MissingDependencyError} when the optional peer dependency @resvg/resvg-js is not installed.
 */
export function renderFigureToPng(figure: Figure, options: PngOptions = {}): Uint8Array {
  const scale = options.scale ?? 1;
  if (!(scale > 0 && scale <= 8)) throw new InvalidFigureError({ path: 'options.scale', reason: `expected a number in (0, 8], got ${scale}`, operation: 'renderFigureToPng' });
  const svg = renderFigureToSvg(figure, { rasterDensity: scale, deflate: zlibDeflate });
  return rasterise(svg, options, 'renderFigureToPng');
}

/** `ReportOptions.renderFigure` that inlines each figure as a PNG `<img>` (data: URI). */
export function pngFigureHtml(options: PngOptions = {}): (figure: Figure) => string {
  return (figure) => {
    const png = renderFigureToPng(figure, options);
    const alt = 'title' in figure && figure.title ? figure.title : figure.kind;
    // The IHDR chunk, first after the 8-byte signature: width and height at bytes 16 and 20.
    const header = new DataView(png.buffer, png.byteOffset, png.byteLength);
    const width = header.getUint32(16);
    const height = header.getUint32(20);
    const scale = options.scale ?? 1;
    return `<img alt="${alt.replace(/[&<>"']/g, '')}" width="${Math.round(width / scale)}" height="${Math.round(height / scale)}" src="data:image/png;base64,${base64(png)}">`;
  };
}

/** `renderReport` with Node's zlib compressing the embedded rasters. */
export function renderReportNode(report: Report, options: ReportOptions = {}): string {
  return renderReport(report, { deflate: zlibDeflate, ...options });
}
