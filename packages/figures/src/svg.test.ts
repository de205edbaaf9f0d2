import fc from 'fast-check';
import { parseHTML } from 'linkedom';
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import type { Figure, HeatmapFigure, LinePlotFigure } from './figure.js';
import { layoutFigure } from './layout.js';
import { renderFigureToSvg } from './svg.js';

function count(haystack: string, needle: RegExp): number {
  return (haystack.match(needle) ?? []).length;
}

function linePlot(seriesCount: number, extra: Partial<LinePlotFigure> = {}): LinePlotFigure {
  const x = Array.from({ length: 50 }, (_, k) => k + 1);
  return {
    kind: 'lines',
    title: 'Spectra of singular vectors',
    xLabel: 'frequency index',
    yLabel: 'power',
    series: Array.from({ length: seriesCount }, (_, s) => ({ label: `vector ${s + 1}`, x, y: x.map((v) => Math.exp(-v / (5 + s))) })),
    ...extra,
  };
}

describe('line plots as SVG', () => {
  it('draw one <path> per series, and only series are paths', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.boolean(), fc.boolean(), (n, logX, logY) => {
        const svg = renderFigureToSvg(linePlot(n, { logX, logY }));
        expect(count(svg, /<path\b/g)).toBe(n);
        expect(count(svg, /<path class="series"/g)).toBe(n);
      }),
      { numRuns: 30 },
    );
  });

  it('show the title, axis labels and every series label (legend)', () => {
    const svg = renderFigureToSvg(linePlot(3));
    const { document } = parseHTML(`<html><body>${svg}</body></html>`);
    const texts = [...document.querySelectorAll('text')].map((t) => t.textContent);
    for (const label of ['Spectra of singular vectors', 'frequency index', 'power', 'vector 1', 'vector 2', 'vector 3']) {
      expect(texts).toContain(label);
    }
    expect(document.querySelectorAll('svg').length).toBe(1);
  });

  it('escape markup in labels', () => {
    const svg = renderFigureToSvg(linePlot(1, { title: '<script>alert(1)</script> & "q"' }));
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot;');
  });

  it('clip series to the plot box when the domain is narrower than the data', () => {
    const figure = linePlot(2, { yDomain: [0.2, 0.6], xDomain: [5, 30] });
    const scene = layoutFigure(figure);
    const plot = scene.panels[0]!.plot;
    const paths = scene.primitives.filter((p) => p.type === 'path');
    expect(paths.length).toBe(2);
    for (const path of paths) {
      expect(path.runs.length).toBeGreaterThan(0);
      for (const run of path.runs) {
        for (let k = 0; k < run.length; k += 2) {
          expect(run[k]!).toBeGreaterThanOrEqual(plot.x - 1e-9);
          expect(run[k]!).toBeLessThanOrEqual(plot.x + plot.width + 1e-9);
          expect(run[k + 1]!).toBeGreaterThanOrEqual(plot.y - 1e-9);
          expect(run[k + 1]!).toBeLessThanOrEqual(plot.y + plot.height + 1e-9);
        }
      }
    }
    expect(count(renderFigureToSvg(figure), /<path\b/g)).toBe(2);
  });

  it('put data points where the scales say: first point of y = x on the lower-left corner', () => {
    const scene = layoutFigure({ kind: 'lines', series: [{ label: 'identity', x: [0, 1], y: [0, 1] }], xDomain: [0, 1], yDomain: [0, 1] });
    const plot = scene.panels[0]!.plot;
    const path = scene.primitives.find((p) => p.type === 'path');
    expect(path?.type === 'path' && path.runs[0]).toEqual([plot.x, plot.y + plot.height, plot.x + plot.width, plot.y]);
  });

  it('omit xmlns (and hence any URL) when inlined in HTML', () => {
    expect(renderFigureToSvg(linePlot(1), { standalone: false })).not.toMatch(/https?:\/\//);
    expect(renderFigureToSvg(linePlot(1))).toContain('xmlns="http://www.w3.org/2000/svg"');
  });
});

describe('heatmaps as SVG', () => {
  it('embed a 1000 x 1000 matrix as one raster <image>, not a million nodes', () => {
    const n = 1000;
    const data = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) data[i * n + j] = Math.sin(i / 37) * Math.cos(j / 53);
    const before = process.memoryUsage().rss;
    const svg = renderFigureToSvg({ kind: 'heatmap', title: 'W (1000 x 1000)', values: { rows: n, columns: n, data }, colourBar: false });
    const grown = process.memoryUsage().rss - before;
    // One raster; a handful of rects (frame, background), no cell nodes.
    expect(count(svg, /<image\b/g)).toBe(1);
    expect(count(svg, /<rect\b/g)).toBeLessThan(10);
    expect(count(svg, /<[a-z]+\b/g)).toBeLessThan(200);
    // One uncompressed RGB pixel per cell: 3 MB, 4 MB as base64; a rect per cell would be > 50 MB.
    expect(svg.length).toBeLessThan(4.2e6);
    expect(svg.length).toBeGreaterThan(4e6);
    // Resident memory grows by a few copies of the raster at most (loose: the GC decides).
    expect(grown).toBeLessThan(400e6);
  });

  it('accept an ml-matrix Matrix and render it like the equivalent grid', () => {
    const matrix = new Matrix([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const fromMatrix: HeatmapFigure = { kind: 'heatmap', values: matrix };
    const fromGrid: HeatmapFigure = { kind: 'heatmap', values: { rows: 2, columns: 3, data: [1, 2, 3, 4, 5, 6] } };
    expect(renderFigureToSvg(fromMatrix)).toBe(renderFigureToSvg(fromGrid));
  });

  it('draw annotation labels and the colour bar label', () => {
    const figure: Figure = {
      kind: 'heatmap',
      values: { rows: 4, columns: 8, data: Array.from({ length: 32 }, (_, k) => k - 16) },
      colourMap: 'diverging',
      xRange: [-4, 3],
      colourBarLabel: 'weight',
      annotations: [
        { kind: 'band', axis: 'x', from: -1, to: 1, label: 'pass band' },
        { kind: 'line', axis: 'x', at: 0, label: 'notch' },
        { kind: 'rect', x: [1, 2], y: [0, 1], label: 'block' },
      ],
    };
    const svg = renderFigureToSvg(figure);
    expect(count(svg, /<image\b/g)).toBe(2); // the matrix and the colour bar ramp
    for (const label of ['pass band', 'notch', 'block', 'weight']) expect(svg).toContain(`>${label}</text>`);
    expect(count(svg, /stroke-dasharray/g)).toBe(2);
  });
});
