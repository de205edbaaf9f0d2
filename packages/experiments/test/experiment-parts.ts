import { renderFigureToSvg, toSerialisable } from '@descramble/figures';
import { expect } from 'vitest';
import type { ExperimentCheck, ExperimentFigure, MatrixData } from '../src/index.js';

/** A rows x columns matrix with entries f(i, j), as experiments' data hold it. */
export function grid(rows: number, columns: number, f: (i: number, j: number) => number = (i, j) => Math.sin(1 + i + 2 * j)): MatrixData {
  return { rows, columns, data: Float64Array.from({ length: rows * columns }, (_, k) => f(Math.floor(k / columns), k % columns)) };
}

/** Each figure validates and renders to SVG (renderFigureToSvg throws on a malformed description). */
export function expectFiguresRender(figures: readonly ExperimentFigure[]): void {
  for (const { figure, caption } of figures) {
    expect(caption.length).toBeGreaterThan(0);
    expect(renderFigureToSvg(figure)).toContain('<svg');
  }
}

/** Which checks hold, in order. */
export function holding(checks: readonly ExperimentCheck[]): boolean[] {
  return checks.map((c) => c.holds);
}

/**
 * Figures and checks drawn from a structured clone of the data equal those drawn from the data:
 * they need nothing but the data, and the data survive the trip to another thread.
 */
export function expectPartsFromClone<Data>(data: Data, figures: (data: Data) => ExperimentFigure[], checks: (data: Data) => ExperimentCheck[]): void {
  const clone = structuredClone(data);
  const serialise = (list: readonly ExperimentFigure[]) => list.map((f) => ({ ...f, figure: toSerialisable(f.figure) }));
  expect(serialise(figures(clone))).toEqual(serialise(figures(data)));
  expect(checks(clone)).toEqual(checks(data));
}
