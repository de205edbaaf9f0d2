import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DimensionMismatchError, InvalidFigureError, NonFiniteInputError } from './errors.js';
import type { Figure } from './figure.js';
import { toSerialisable } from './serialise.js';
import { renderFigureToSvg } from './svg.js';
import { validateFigure } from './validate.js';

const heatmap = (data: number[], rows = 2, columns = 2): Figure => ({ kind: 'heatmap', values: { rows, columns, data } });

describe('validateFigure', () => {
  it('names the offending cell of a non-finite matrix entry', () => {
    const error = (() => {
      try {
        renderFigureToSvg({ kind: 'grid', columns: 2, panels: [heatmap([1, 2, 3, 4]), heatmap([1, Number.NaN, 3, 4])] });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(NonFiniteInputError);
    // core's NonFiniteInputError (figures' twin is gone): the cell is in `location`.
    expect(error).toMatchObject({ scope: 'figures', location: 'figure.panels[1].values.data[1]' });
  });

  it('reports a data length that does not match rows x columns', () => {
    expect(() => validateFigure(heatmap([1, 2, 3]))).toThrow(DimensionMismatchError);
    expect(() => renderFigureToSvg(heatmap([1, 2, 3]))).toThrow(
      // core's DimensionMismatchError (figures' twin is gone): sizes as text, the field in `what`.
      expect.objectContaining({ expected: '4', actual: '3', what: 'figure.values.data' }),
    );
  });

  it('rejects x/y of different lengths, infinite values and non-positive data on log axes', () => {
    const lines = (y: number[], logY = false): Figure => ({ kind: 'lines', series: [{ label: 's', x: [1, 2, 3], y }], logY });
    expect(() => validateFigure(lines([1, 2]))).toThrow(DimensionMismatchError);
    expect(() => validateFigure(lines([1, Number.POSITIVE_INFINITY, 2]))).toThrow(NonFiniteInputError);
    expect(() => validateFigure(lines([1, 0, 2], true))).toThrow(InvalidFigureError);
    expect(() => validateFigure(lines([1, 0, 2]))).not.toThrow();
  });

  it('rejects unknown kinds, colour maps, unsafe colours and reversed domains', () => {
    expect(() => validateFigure({ kind: 'pie' })).toThrow(/figure\.kind/);
    expect(() => validateFigure({ ...heatmap([1, 2, 3, 4]), colourMap: 'jet' })).toThrow(/colourMap/);
    expect(() => validateFigure({ ...heatmap([1, 2, 3, 4]), domain: [1, 0] })).toThrow(/domain/);
    expect(() =>
      validateFigure({ kind: 'lines', series: [{ label: 's', x: [1], y: [1], colour: 'red" onload="x' }] }),
    ).toThrow(InvalidFigureError);
    expect(() => validateFigure(null)).toThrow(InvalidFigureError);
  });

  it('does not mutate the description', () => {
    const data = [3, 1, 2, 0];
    const figure = heatmap(data);
    const copy = structuredClone(figure);
    renderFigureToSvg(figure);
    expect(figure).toEqual(copy);
  });
});

describe('toSerialisable', () => {
  it('survives JSON and renders to the same SVG as the typed-array original', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 36, maxLength: 36 }),
        (rows, columns, values) => {
          const original: Figure = {
            kind: 'grid',
            columns: 2,
            panels: [
              { kind: 'heatmap', values: { rows, columns, data: Float64Array.from(values.slice(0, rows * columns)) } },
              { kind: 'lines', series: [{ label: 'v', x: Float64Array.from(values.map((_, k) => k)), y: Float64Array.from(values) }] },
            ],
          };
          const parsed = JSON.parse(JSON.stringify(toSerialisable(original))) as Figure;
          expect(renderFigureToSvg(parsed)).toBe(renderFigureToSvg(original));
        },
      ),
      { numRuns: 25 },
    );
  });
});
