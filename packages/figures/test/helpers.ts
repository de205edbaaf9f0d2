import type { Figure } from '../src/figure.js';

/** Every URL-ish reference in a document: attribute values of src/href/xlink:href and CSS url(). */
export function references(html: string): string[] {
  const attributes = [...html.matchAll(/\b(?:src|href|xlink:href|action|poster|srcset)\s*=\s*["']([^"']*)["']/gi)].map((m) => m[1]!);
  const css = [...html.matchAll(/url\(\s*['"]?([^'")]*)/gi)].map((m) => m[1]!);
  return [...attributes, ...css];
}

export const sampleFigures: Figure[] = [
  {
    kind: 'heatmap',
    title: 'Descrambled W',
    values: { rows: 3, columns: 4, data: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] },
    colourMap: 'viridis',
  },
  { kind: 'lines', title: 'Spectrum', series: [{ label: 'v1', x: [1, 2, 3], y: [3, 1, 2] }] },
  {
    kind: 'grid',
    columns: 2,
    panels: [
      { kind: 'heatmap', values: { rows: 2, columns: 2, data: [-1, 1, 1, -1] }, colourMap: 'diverging' },
      { kind: 'lines', series: [{ label: 'v2', x: [0, 1], y: [0, 1] }] },
    ],
  },
];
