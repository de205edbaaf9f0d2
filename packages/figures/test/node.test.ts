import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseHTML } from 'linkedom';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  colourAt,
  type Figure,
  type HeatmapFigure,
  layoutFigure,
  pngFigureHtml,
  renderFigureToPng,
  renderHeatmapPng,
  renderReport,
  renderReportNode,
} from '../src/node/index.js';
import { references, sampleFigures } from './helpers.js';

const directory = mkdtempSync(join(tmpdir(), 'descramble-figures-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** Write bytes to disk and read them back as a decoded PNG: the file a user would open. */
function roundTrip(name: string, bytes: Uint8Array): PNG {
  const path = join(directory, name);
  writeFileSync(path, bytes);
  return PNG.sync.read(readFileSync(path));
}

function pixel(png: PNG, x: number, y: number): [number, number, number, number] {
  const o = (Math.floor(y) * png.width + Math.floor(x)) * 4;
  return [png.data[o]!, png.data[o + 1]!, png.data[o + 2]!, png.data[o + 3]!];
}

function distinctColours(png: PNG): number {
  const seen = new Set<number>();
  for (let o = 0; o < png.data.length; o += 4) seen.add((png.data[o]! << 16) | (png.data[o + 1]! << 8) | png.data[o + 2]!);
  return seen.size;
}

// A 5 x 7 matrix with distinct entries 0..34: the colour of cell (i, j) is colourAt(map, (7i + j) / 34).
const rows = 5;
const columns = 7;
const heatmap: HeatmapFigure = {
  kind: 'heatmap',
  title: 'Planted gradient',
  values: { rows, columns, data: Array.from({ length: rows * columns }, (_, k) => k) },
  colourMap: 'viridis',
  xLabel: 'input unit',
  yLabel: 'output unit',
  colourBarLabel: 'weight',
  width: 420,
  height: 330,
};
const expectedColour = (i: number, j: number) => [...colourAt('viridis', (i * columns + j) / (rows * columns - 1)), 255];

describe('renderHeatmapPng (pngjs, raw pixels)', () => {
  it('has the requested size, one nearest-neighbour block per cell in the colour map', () => {
    const png = roundTrip('raw.png', renderHeatmapPng(heatmap, { width: 333, height: 222 }));
    expect([png.width, png.height]).toEqual([333, 222]);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < columns; j++) {
        expect(pixel(png, ((j + 0.5) * 333) / columns, ((i + 0.5) * 222) / rows)).toEqual(expectedColour(i, j));
      }
    }
    expect(distinctColours(png)).toBe(rows * columns);
  });

  it('defaults to one pixel per cell', () => {
    const png = roundTrip('cells.png', renderHeatmapPng(heatmap));
    expect([png.width, png.height]).toEqual([columns, rows]);
    expect(pixel(png, 6, 4)).toEqual(expectedColour(4, 6));
  });
});

describe('renderFigureToPng (SVG -> resvg)', () => {
  it.each([1, 2])('renders a heatmap with axes at scale %i: size, colours at known cells, text', (scale) => {
    const png = roundTrip(`heatmap-${scale}.png`, renderFigureToPng(heatmap, { scale }));
    expect([png.width, png.height]).toEqual([420 * scale, 330 * scale]);
    expect(distinctColours(png)).toBeGreaterThan(rows * columns);
    const plot = layoutFigure(heatmap).panels[0]!.plot;
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < columns; j++) {
        const x = (plot.x + ((j + 0.5) * plot.width) / columns) * scale;
        const y = (plot.y + ((i + 0.5) * plot.height) / rows) * scale;
        expect(pixel(png, x, y)).toEqual(expectedColour(i, j));
      }
    }
    // The title band above the plot contains dark glyph pixels (fonts found by resvg).
    let dark = 0;
    for (let y = 0; y < plot.y * scale; y++) for (let x = 0; x < png.width; x++) if (pixel(png, x, y)[0] < 100) dark++;
    expect(dark).toBeGreaterThan(20 * scale * scale);
  });

  it('degrades gracefully without fonts: no text, same pixels elsewhere', () => {
    const png = roundTrip('no-fonts.png', renderFigureToPng(heatmap, { loadSystemFonts: false }));
    const plot = layoutFigure(heatmap).panels[0]!.plot;
    for (let y = 0; y < plot.y - 2; y++) for (let x = 0; x < png.width; x++) expect(pixel(png, x, y)).toEqual([255, 255, 255, 255]);
    expect(pixel(png, plot.x + plot.width / (2 * columns), plot.y + plot.height / (2 * rows))).toEqual(expectedColour(0, 0));
  });

  it('renders line plots and small multiples to non-constant PNGs of the requested size', () => {
    for (const [k, figure] of sampleFigures.entries()) {
      const png = roundTrip(`figure-${k}.png`, renderFigureToPng(figure));
      const expected = layoutFigure(figure);
      expect([png.width, png.height]).toEqual([expected.width, expected.height]);
      expect(distinctColours(png)).toBeGreaterThan(10);
    }
  });
});

describe('HTML reports written to disk', () => {
  const report = {
    title: 'Descrambling report',
    sections: [
      { heading: 'Heatmap', text: 'Planted gradient, **5 x 7**.', figures: [heatmap as Figure] },
      { heading: 'Others', figures: sampleFigures, table: { columns: ['metric', 'value'], rows: [['notch depth (dB)', -30.5]] } },
    ],
  };
  const figureCount = 1 + sampleFigures.length;

  function checkSelfContained(html: string): void {
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/<script|<link|@import|<iframe|<object|<embed/i);
    const refs = references(html);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(ref.startsWith('data:') || ref.startsWith('#'), ref.slice(0, 40)).toBe(true);
  }

  function decodeDataUri(uri: string): PNG {
    expect(uri.startsWith('data:image/png;base64,')).toBe(true);
    return PNG.sync.read(Buffer.from(uri.slice('data:image/png;base64,'.length), 'base64'));
  }

  it('inline SVG (zlib-compressed rasters): every figure inline, no external URL, parses', () => {
    const path = join(directory, 'report-svg.html');
    writeFileSync(path, renderReportNode(report));
    const html = readFileSync(path, 'utf8');
    checkSelfContained(html);
    const { document } = parseHTML(html);
    expect(document.querySelectorAll('figure').length).toBe(figureCount);
    expect(document.querySelectorAll('figure > svg').length).toBe(figureCount);
    const images = [...document.querySelectorAll('svg image')];
    expect(images.length).toBe(6); // 3 heatmaps, each with a colour bar
    const first = decodeDataUri(images[0]!.getAttribute('href')!);
    expect([first.width, first.height]).toEqual([columns, rows]);
    expect(pixel(first, 2, 3)).toEqual(expectedColour(3, 2));
    // Compressed rasters make the report smaller than the browser-safe stored encoding.
    expect(html.length).toBeLessThan(renderReport(report).length);
  });

  it('PNG images (pngFigureHtml): every figure an <img> with a decodable data URI', () => {
    const path = join(directory, 'report-png.html');
    writeFileSync(path, renderReport(report, { renderFigure: pngFigureHtml({ scale: 2 }) }));
    const html = readFileSync(path, 'utf8');
    checkSelfContained(html);
    const { document } = parseHTML(html);
    const images = [...document.querySelectorAll('figure > img')];
    expect(images.length).toBe(figureCount);
    const first = decodeDataUri(images[0]!.getAttribute('src')!);
    expect([first.width, first.height]).toEqual([840, 660]);
    expect(images[0]!.getAttribute('width')).toBe('420');
    expect(images[0]!.getAttribute('alt')).toBe('Planted gradient');
  });
});
