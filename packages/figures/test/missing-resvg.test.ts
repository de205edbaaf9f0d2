import Module from 'node:module';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FiguresError, type HeatmapFigure, MissingDependencyError, pngFigureHtml, renderFigureToPng, renderHeatmapPng, svgToPng } from '../src/node/index.js';
import { loadResvg } from '../src/node/resvg.js';

// @resvg/resvg-js is an optional peer dependency. Simulate an install without it by making
// Node's module loader refuse it, as it does when the package is absent.
type Load = (request: string, parent: unknown, isMain: boolean) => unknown;
const loader = Module as unknown as { _load: Load };
const originalLoad = loader._load;

beforeEach(() => {
  loader._load = function (request, parent, isMain) {
    if (request === '@resvg/resvg-js') throw Object.assign(new Error(`Cannot find module '${request}'`), { code: 'MODULE_NOT_FOUND' });
    return originalLoad.call(this, request, parent, isMain);
  };
});
afterEach(() => {
  loader._load = originalLoad;
});

const heatmap: HeatmapFigure = { kind: 'heatmap', title: 'Small', values: { rows: 2, columns: 3, data: [0, 1, 2, 3, 4, 5] } };

function missing(render: () => unknown): MissingDependencyError {
  try {
    render();
  } catch (error) {
    expect(MissingDependencyError.isInstance(error)).toBe(true);
    expect(FiguresError.isInstance(error)).toBe(true);
    return error as MissingDependencyError;
  }
  throw new Error('expected a MissingDependencyError');
}

describe('PNG output without @resvg/resvg-js installed', () => {
  it('renderFigureToPng, svgToPng and pngFigureHtml throw MissingDependencyError with the install command', () => {
    for (const [operation, render] of [
      ['renderFigureToPng', () => renderFigureToPng(heatmap)],
      ['svgToPng', () => svgToPng('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>')],
      ['renderFigureToPng', () => pngFigureHtml()(heatmap)],
    ] as const) {
      const error = missing(render);
      expect(error.kind).toBe('MissingDependency');
      expect(error.dependency).toBe('@resvg/resvg-js');
      expect(error.operation).toBe(operation);
      expect(error.message).toMatch(new RegExp(`^figures: ${operation}: .*@resvg/resvg-js.*\`npm install @resvg/resvg-js\`$`));
      expect((error.cause as { code?: string }).code).toBe('MODULE_NOT_FOUND');
    }
  });

  it('renderHeatmapPng needs no resvg: a valid PNG of the requested size', () => {
    const png = renderHeatmapPng(heatmap, { width: 6, height: 4 });
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const header = new DataView(png.buffer, png.byteOffset);
    expect([header.getUint32(16), header.getUint32(20)]).toEqual([6, 4]);
  });

  it('loadResvg turns any loader failure into the typed error, and returns what the loader gives', () => {
    const error = missing(() =>
      loadResvg('svgToPng', () => {
        throw new Error('Failed to load native binding');
      }),
    );
    expect((error.cause as Error).message).toBe('Failed to load native binding');
    const module = {} as ReturnType<typeof loadResvg>;
    expect(loadResvg('svgToPng', () => module)).toBe(module);
  });
});
