// @descramble/figures/node: PNG output through pngjs (raw heatmap pixels) and @resvg/resvg-js
// (any figure: SVG -> PNG). Everything else is re-exported from the browser-safe entry.
import { deflateSync } from 'node:zlib';
import { Resvg } from '@resvg/resvg-js';
import { PNG } from 'pngjs';
import { InvalidFigureError } from '../errors.js';
import type { Figure, HeatmapFigure } from '../figure.js';
import { heatmapColourDomain } from '../layout.js';
import { base64 } from '../png.js';
import { heatmapCells, type Raster, scaleNearest } from '../raster.js';
import { type Report, type ReportOptions, renderReport } from '../report.js';
import { renderFigureToSvg } from '../svg.js';
import { toDenseGrid, validateFigure } from '../validate.js';

export * from '../index.js';

/** zlib compression from Node, for `SvgOptions.deflate` / `ReportOptions.deflate`. */
export function zlibDeflate(bytes: Uint8Array): Uint8Array {
  return deflateSync(bytes, { level: 6 });
}

/** Encode an RGBA raster as PNG with pngjs. */
export function rasterToPng(raster: Raster): Uint8Array {
  const png = new PNG({ width: raster.width, height: raster.height });
  png.data = Buffer.from(raster.data.buffer, raster.data.byteOffset, raster.data.byteLength);
  return new Uint8Array(PNG.sync.write(png));
}

export interface HeatmapPngOptions {
  /** Output size in pixels; default one pixel per cell. Each cell becomes a nearest-neighbour
   * block: pixel (x, y) shows cell (floor(y * rows / height), floor(x * columns / width)). */
  readonly width?: number;
  readonly height?: number;
}

/**
 * The bare heatmap raster as PNG bytes (pngjs): no axes or text, just one block per cell in
 * the figure's colour map and colour limits. Good for thumbnails and pixel-exact checks.
 */
export function renderHeatmapPng(figure: HeatmapFigure, options: HeatmapPngOptions = {}): Uint8Array {
  validateFigure(figure);
  if (figure.kind !== 'heatmap') throw new InvalidFigureError('figure.kind', "expected 'heatmap'", 'renderHeatmapPng');
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
      throw new InvalidFigureError(`options.${key}`, `expected an integer in [1, 20000], got ${value}`, 'renderHeatmapPng');
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

/** Rasterise an SVG string with resvg. */
export function svgToPng(svg: string, options: PngOptions = {}): Uint8Array {
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
 * samples them 1:1) -> resvg. Text uses system fonts (DejaVu Sans first).
 */
export function renderFigureToPng(figure: Figure, options: PngOptions = {}): Uint8Array {
  const scale = options.scale ?? 1;
  if (!(scale > 0 && scale <= 8)) throw new InvalidFigureError('options.scale', `expected a number in (0, 8], got ${scale}`, 'renderFigureToPng');
  const svg = renderFigureToSvg(figure, { rasterDensity: scale, deflate: zlibDeflate });
  return svgToPng(svg, options);
}

/** `ReportOptions.renderFigure` that inlines each figure as a PNG `<img>` (data: URI). */
export function pngFigureHtml(options: PngOptions = {}): (figure: Figure) => string {
  return (figure) => {
    const png = renderFigureToPng(figure, options);
    const alt = 'title' in figure && figure.title ? figure.title : figure.kind;
    const { width, height } = PNG.sync.read(Buffer.from(png));
    const scale = options.scale ?? 1;
    return `<img alt="${alt.replace(/[&<>"']/g, '')}" width="${Math.round(width / scale)}" height="${Math.round(height / scale)}" src="data:image/png;base64,${base64(png)}">`;
  };
}

/** `renderReport` with Node's zlib compressing the embedded rasters. */
export function renderReportNode(report: Report, options: ReportOptions = {}): string {
  return renderReport(report, { deflate: zlibDeflate, ...options });
}
