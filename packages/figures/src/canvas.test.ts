import { describe, expect, expectTypeOf, it } from 'vitest';
import { type Canvas2DContextLike, type CanvasLike, renderFigureToCanvas } from './canvas.js';
import { colourAt } from './colour-map.js';
import { CanvasContextError } from './errors.js';
import type { Figure, HeatmapFigure } from './figure.js';
import { renderFigureToSvg } from './svg.js';

interface Call {
  readonly method: string;
  readonly args: readonly unknown[];
}

/** A recording stand-in for CanvasRenderingContext2D: enough to check what was drawn. */
function recordingCanvas(): CanvasLike & { calls: Call[]; images: Array<{ x: number; y: number; width: number; height: number; data: Uint8ClampedArray }> } {
  const calls: Call[] = [];
  const images: Array<{ x: number; y: number; width: number; height: number; data: Uint8ClampedArray }> = [];
  const state = { fillStyle: '', strokeStyle: '', lineWidth: 1, globalAlpha: 1, font: '', textAlign: 'start', textBaseline: 'alphabetic', lineJoin: 'miter', lineCap: 'butt' };
  const record = (method: string) => (...args: unknown[]) => {
    // Strokes also record the colour in force, so tests can tell series from axes.
    calls.push({ method, args: method === 'stroke' ? [context.strokeStyle] : args });
  };
  const context: Canvas2DContextLike = {
    ...state,
    save: record('save'),
    restore: record('restore'),
    setTransform: record('setTransform'),
    translate: record('translate'),
    rotate: record('rotate'),
    beginPath: record('beginPath'),
    moveTo: record('moveTo'),
    lineTo: record('lineTo'),
    stroke: record('stroke'),
    fillRect: record('fillRect'),
    strokeRect: record('strokeRect'),
    setLineDash: record('setLineDash'),
    fillText: record('fillText'),
    strokeText: record('strokeText'),
    createImageData: (width: number, height: number) => ({ width, height, data: new Uint8ClampedArray(width * height * 4), colorSpace: 'srgb' }) as ImageData,
    putImageData: (image: ImageData, x: number, y: number) => {
      images.push({ x, y, width: image.width, height: image.height, data: image.data });
    },
  } as unknown as Canvas2DContextLike;
  return { width: 0, height: 0, getContext: () => context, calls, images };
}

describe('renderFigureToCanvas', () => {
  const figure: HeatmapFigure = {
    kind: 'heatmap',
    title: 'Three by two',
    values: { rows: 2, columns: 3, data: [0, 1, 2, 3, 4, 5] },
    colourMap: 'magma',
    width: 400,
    height: 300,
  };

  it('sizes the canvas in device pixels and paints the heatmap through ImageData', () => {
    const canvas = recordingCanvas();
    const scene = renderFigureToCanvas(figure, canvas, { pixelRatio: 2 });
    expect([canvas.width, canvas.height]).toEqual([800, 600]);
    const plot = scene.panels[0]!.plot;
    const heat = canvas.images[0]!;
    expect([heat.x, heat.y, heat.width, heat.height]).toEqual([plot.x * 2, plot.y * 2, plot.width * 2, plot.height * 2]);
    // Centre of cell (i, j) has colourAt(magma, value / 5).
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 3; j++) {
        const x = Math.floor(((j + 0.5) * heat.width) / 3);
        const y = Math.floor(((i + 0.5) * heat.height) / 2);
        const o = (y * heat.width + x) * 4;
        expect([heat.data[o], heat.data[o + 1], heat.data[o + 2]]).toEqual([...colourAt('magma', (i * 3 + j) / 5)]);
      }
    }
    expect(canvas.images.length).toBe(2); // heatmap + colour bar
  });

  it('draws the title and tick labels as text', () => {
    const canvas = recordingCanvas();
    renderFigureToCanvas(figure, canvas);
    const texts = canvas.calls.filter((c) => c.method === 'fillText').map((c) => c.args[0]);
    expect(texts).toContain('Three by two');
    expect(texts).toContain('0'); // a tick label on each axis and the colour bar
  });

  it('strokes one path per series for a line plot, in the series colours', () => {
    const canvas = recordingCanvas();
    const colours = ['#aa0000', '#00aa00', '#0000aa'];
    renderFigureToCanvas(
      {
        kind: 'lines',
        series: colours.map((colour, s) => ({ label: `s${s}`, x: [0, 1, 2], y: [0, s + 1, 2 * s], colour })),
        legend: false,
      },
      canvas,
    );
    const seriesStrokes = canvas.calls.filter((c) => c.method === 'stroke' && colours.includes(c.args[0] as string));
    expect(seriesStrokes.map((c) => c.args[0])).toEqual(colours);
  });

  it('paints the same scene as the SVG backend: as many texts, images and series', () => {
    const figure: Figure = {
      kind: 'grid',
      columns: 2,
      title: 'Both backends',
      panels: [
        { kind: 'heatmap', values: { rows: 3, columns: 3, data: [1, 2, 3, 4, 5, 6, 7, 8, 9] }, annotations: [{ kind: 'line', axis: 'x', at: 1, label: 'mark' }] },
        { kind: 'lines', series: [0, 1].map((s) => ({ label: `s${s}`, x: [1, 2, 3], y: [s, 2, 1] })) },
      ],
    };
    const canvas = recordingCanvas();
    renderFigureToCanvas(figure, canvas);
    const svg = renderFigureToSvg(figure);
    const svgCount = (pattern: RegExp) => (svg.match(pattern) ?? []).length;
    expect(canvas.calls.filter((c) => c.method === 'fillText').length).toBe(svgCount(/<text\b/g));
    expect(canvas.images.length).toBe(svgCount(/<image\b/g));
    const seriesColours = new Set([...svg.matchAll(/<path class="series"[^>]*stroke="([^"]+)"/g)].map((m) => m[1]));
    expect(seriesColours.size).toBe(2);
  });

  it('accepts HTMLCanvasElement and OffscreenCanvas (checked by tsc)', () => {
    expectTypeOf<HTMLCanvasElement>().toExtend<CanvasLike>();
    expectTypeOf<OffscreenCanvas>().toExtend<CanvasLike>();
  });

  it('throws a typed error when the canvas has no 2d context', () => {
    const canvas: CanvasLike = { width: 0, height: 0, getContext: () => null };
    expect(() => renderFigureToCanvas(figure, canvas)).toThrow(CanvasContextError);
  });
});
