import { CanvasContextError } from './errors.js';
import type { Figure } from './figure.js';
import { layoutFigure } from './layout.js';
import { scaleNearest } from './raster.js';
import { baselineShift, fontFamily, type Primitive, type Scene } from './scene.js';

/** The part of `CanvasRenderingContext2D` the painter uses (so any compatible context works). */
export interface Canvas2DContextLike {
  fillStyle: string | CanvasGradient | CanvasPattern;
  strokeStyle: string | CanvasGradient | CanvasPattern;
  lineWidth: number;
  globalAlpha: number;
  font: string;
  textAlign: CanvasTextAlign;
  textBaseline: CanvasTextBaseline;
  lineJoin: CanvasLineJoin;
  lineCap: CanvasLineCap;
  save(): void;
  restore(): void;
  setTransform(a: number, b: number, c: number, d: number, e: number, f: number): void;
  translate(x: number, y: number): void;
  rotate(angle: number): void;
  beginPath(): void;
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  stroke(): void;
  fillRect(x: number, y: number, width: number, height: number): void;
  strokeRect(x: number, y: number, width: number, height: number): void;
  setLineDash(segments: number[]): void;
  fillText(text: string, x: number, y: number): void;
  strokeText(text: string, x: number, y: number): void;
  createImageData(width: number, height: number): ImageData;
  putImageData(data: ImageData, dx: number, dy: number): void;
}

/** An `HTMLCanvasElement`, an `OffscreenCanvas`, or anything with the same surface. */
export interface CanvasLike {
  width: number;
  height: number;
  getContext(kind: '2d'): Canvas2DContextLike | null;
}

export interface CanvasOptions {
  /** Device pixels per CSS pixel (`window.devicePixelRatio` for a crisp picture). Default 1. */
  readonly pixelRatio?: number;
}

function paint(context: Canvas2DContextLike, p: Primitive, ratio: number): void {
  context.setLineDash([]);
  context.globalAlpha = 1;
  switch (p.type) {
    case 'rect':
      if (p.fill) {
        context.fillStyle = p.fill;
        context.globalAlpha = p.fillOpacity ?? 1;
        context.fillRect(p.x, p.y, p.width, p.height);
        context.globalAlpha = 1;
      }
      if (p.stroke) {
        context.strokeStyle = p.stroke;
        context.lineWidth = p.strokeWidth ?? 1;
        if (p.dashed) context.setLineDash([5, 4]);
        context.strokeRect(p.x, p.y, p.width, p.height);
      }
      return;
    case 'line':
      context.strokeStyle = p.stroke;
      context.lineWidth = p.strokeWidth;
      if (p.dashed) context.setLineDash([5, 4]);
      context.beginPath();
      context.moveTo(p.x1, p.y1);
      context.lineTo(p.x2, p.y2);
      context.stroke();
      return;
    case 'path':
      context.strokeStyle = p.stroke;
      context.lineWidth = p.strokeWidth;
      context.lineJoin = 'round';
      context.lineCap = 'round';
      if (p.dashed) context.setLineDash([5, 4]);
      context.beginPath();
      for (const run of p.runs) {
        context.moveTo(run[0]!, run[1]!);
        for (let k = 2; k < run.length; k += 2) context.lineTo(run[k]!, run[k + 1]!);
      }
      context.stroke();
      return;
    case 'text':
      context.save();
      context.font = `${p.bold ? 'bold ' : ''}${p.size}px ${fontFamily}`;
      context.fillStyle = p.fill;
      context.textAlign = p.anchor === 'middle' ? 'center' : p.anchor;
      context.textBaseline = 'alphabetic';
      context.translate(p.x, p.y);
      if (p.rotate) context.rotate((p.rotate * Math.PI) / 180);
      if (p.halo) {
        context.strokeStyle = p.halo;
        context.lineWidth = 2.5;
        context.lineJoin = 'round';
        context.globalAlpha = 0.6;
        context.strokeText(p.text, 0, baselineShift[p.baseline] * p.size);
        context.globalAlpha = 1;
      }
      context.fillText(p.text, 0, baselineShift[p.baseline] * p.size);
      context.restore();
      return;
    case 'image': {
      // putImageData ignores the transform: place the raster in device pixels, resampled
      // (nearest neighbour) to exactly the device rectangle.
      const x = Math.round(p.x * ratio);
      const y = Math.round(p.y * ratio);
      const width = Math.round((p.x + p.width) * ratio) - x;
      const height = Math.round((p.y + p.height) * ratio) - y;
      if (width <= 0 || height <= 0) return;
      const raster = scaleNearest(p.raster, width, height);
      const image = context.createImageData(width, height);
      image.data.set(raster.data);
      context.putImageData(image, x, y);
      return;
    }
  }
}

/** Paint a laid-out scene; resizes the canvas to `scene.width * pixelRatio` by height. */
export function paintScene(scene: Scene, canvas: CanvasLike, options: CanvasOptions = {}): void {
  const ratio = options.pixelRatio ?? 1;
  canvas.width = Math.round(scene.width * ratio);
  canvas.height = Math.round(scene.height * ratio);
  const context = canvas.getContext('2d');
  if (!context) throw new CanvasContextError({ contextKind: '2d' });
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, scene.width, scene.height);
  for (const p of scene.primitives) paint(context, p, ratio);
}

/**
 * Draw a figure description on a canvas (browser, OffscreenCanvas, or a compatible object).
 * Heatmaps go through `ImageData`; axes, labels and lines through the 2D path API.
 * Returns the scene for hit-testing (`scene.panels[k].plot`).
 */
export function renderFigureToCanvas(figure: Figure, canvas: CanvasLike, options: CanvasOptions = {}): Scene {
  const scene = layoutFigure(figure);
  paintScene(scene, canvas, options);
  return scene;
}
