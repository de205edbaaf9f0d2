import type { Figure } from './figure.js';
import { layoutFigure } from './layout.js';
import { scaleNearest } from './raster.js';
import { InvalidFigureError } from './errors.js';
import { type Deflate, pngDataUri } from './png.js';
import { baselineShift, fontFamily, type Primitive, type Scene } from './scene.js';

export interface SvgOptions {
  /** Resample rasters (nearest neighbour) to this many device pixels per CSS pixel before
   * embedding, so that a rasteriser samples them 1:1 (the Node PNG route does this). Default:
   * embed one pixel per matrix cell and ask the viewer for pixelated scaling, the smallest output. */
  readonly rasterDensity?: number;
  /** Include `xmlns` (needed for a standalone .svg file or resvg). Set `false` to inline the
   * SVG in HTML, where the namespace is implied. Default `true`. */
  readonly standalone?: boolean;
  /** zlib compressor for embedded rasters (Node: `zlib.deflateSync`); default stores them
   * uncompressed, which works everywhere. */
  readonly deflate?: Deflate;
}

/** Escape text for XML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`);
}

function n(value: number): string {
  return String(Math.round(value * 100) / 100);
}

const dash = ' stroke-dasharray="5 4"';

function imageToSvg(p: Extract<Primitive, { type: 'image' }>, options: SvgOptions): string {
  let raster = p.raster;
  let rendering = ' image-rendering="optimizeSpeed" style="image-rendering:pixelated"';
  if (options.rasterDensity !== undefined) {
    const width = Math.round(p.width * options.rasterDensity);
    const height = Math.round(p.height * options.rasterDensity);
    raster = scaleNearest(raster, Math.max(raster.width, width), Math.max(raster.height, height));
    rendering = ' image-rendering="optimizeSpeed"';
  }
  return `<image x="${n(p.x)}" y="${n(p.y)}" width="${n(p.width)}" height="${n(p.height)}" preserveAspectRatio="none"${rendering} href="${pngDataUri(raster, options.deflate)}"/>`;
}

function primitiveToSvg(p: Primitive, options: SvgOptions): string {
  switch (p.type) {
    case 'rect': {
      const fill = p.fill ? ` fill="${p.fill}"${p.fillOpacity !== undefined ? ` fill-opacity="${p.fillOpacity}"` : ''}` : ' fill="none"';
      const stroke = p.stroke ? ` stroke="${p.stroke}" stroke-width="${p.strokeWidth ?? 1}"${p.dashed ? dash : ''}` : '';
      return `<rect x="${n(p.x)}" y="${n(p.y)}" width="${n(p.width)}" height="${n(p.height)}"${fill}${stroke}/>`;
    }
    case 'line':
      return `<line x1="${n(p.x1)}" y1="${n(p.y1)}" x2="${n(p.x2)}" y2="${n(p.y2)}" stroke="${p.stroke}" stroke-width="${p.strokeWidth}"${p.dashed ? dash : ''}/>`;
    case 'path': {
      const d = p.runs
        .map((run) => {
          let s = `M${n(run[0]!)},${n(run[1]!)}`;
          for (let k = 2; k < run.length; k += 2) s += `L${n(run[k]!)},${n(run[k + 1]!)}`;
          return s;
        })
        .join('');
      return `<path class="series" d="${d}" fill="none" stroke="${p.stroke}" stroke-width="${p.strokeWidth}" stroke-linejoin="round" stroke-linecap="round"${p.dashed ? dash : ''}><title>${escapeXml(p.label)}</title></path>`;
    }
    case 'text': {
      const shift = baselineShift[p.baseline];
      const rotate = p.rotate ? ` transform="rotate(${p.rotate} ${n(p.x)} ${n(p.y)})"` : '';
      const halo = p.halo ? ` stroke="${p.halo}" stroke-width="2.5" stroke-opacity="0.6" stroke-linejoin="round" paint-order="stroke"` : '';
      return `<text x="${n(p.x)}" y="${n(p.y)}"${shift ? ` dy="${shift}em"` : ''} font-size="${p.size}" text-anchor="${p.anchor}" fill="${p.fill}"${halo}${p.bold ? ' font-weight="bold"' : ''}${rotate}>${escapeXml(p.text)}</text>`;
    }
    case 'image':
      return imageToSvg(p, options);
  }
}

/** Serialise a laid-out scene as an SVG document (or an inline `<svg>` element). */
export function sceneToSvg(scene: Scene, options: SvgOptions = {}): string {
  const namespace = options.standalone === false ? '' : ' xmlns="http://www.w3.org/2000/svg"';
  const label = scene.title ? ` aria-label="${escapeXml(scene.title)}"` : '';
  const parts = [
    `<svg${namespace} width="${scene.width}" height="${scene.height}" viewBox="0 0 ${scene.width} ${scene.height}" role="img"${label} font-family="${escapeXml(fontFamily)}">`,
    scene.title ? `<title>${escapeXml(scene.title)}</title>` : '',
    `<rect x="0" y="0" width="${scene.width}" height="${scene.height}" fill="#ffffff"/>`,
  ];
  const density = options.rasterDensity;
  if (density !== undefined && !(density > 0 && density <= 8)) {
    throw new InvalidFigureError({ path: 'options.rasterDensity', reason: `expected a number in (0, 8], got ${density}`, operation: 'sceneToSvg' });
  }
  for (const p of scene.primitives) parts.push(primitiveToSvg(p, options));
  parts.push('</svg>');
  return parts.join('');
}

/**
 * Render a figure description as an SVG string. Browser-safe (no DOM, no Node APIs).
 * Heatmaps embed one raster `<image>` (a PNG data URI), never one node per cell.
 */
export function renderFigureToSvg(figure: Figure, options: SvgOptions = {}): string {
  return sceneToSvg(layoutFigure(figure), options);
}
