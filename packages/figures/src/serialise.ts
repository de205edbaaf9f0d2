import type { Figure, LineSeries } from './figure.js';
import { toDenseGrid } from './validate.js';

/**
 * A copy of a description that survives `JSON.stringify` / `structuredClone` unchanged in
 * meaning: typed arrays become plain arrays, matrix objects become `{ rows, columns, data }`.
 */
export function toSerialisable(figure: Figure, path = 'figure'): Figure {
  switch (figure.kind) {
    case 'heatmap': {
      const grid = toDenseGrid(figure.values, `${path}.values`);
      return { ...figure, values: { rows: grid.rows, columns: grid.columns, data: Array.from(grid.data) } };
    }
    case 'lines':
      return {
        ...figure,
        series: figure.series.map((s): LineSeries => ({ ...s, x: Array.from(s.x), y: Array.from(s.y) })),
      };
    case 'grid':
      return { ...figure, panels: figure.panels.map((panel, k) => toSerialisable(panel, `${path}.panels[${k}]`)) };
  }
}
