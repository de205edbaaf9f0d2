import type {
  Annotation,
  ColourMapName,
  Figure,
  HeatmapFigure,
  LinePlotFigure,
  SmallMultiplesFigure,
} from './figure.js';
import { colourBarRaster, heatmapCells } from './raster.js';
import { createScale, linearTicks, niceDomain, resolveTicks, type Scale } from './scale.js';
import type { PanelGeometry, Primitive, Scene } from './scene.js';
import { type DenseGrid, toDenseGrid, validateFigure } from './validate.js';

interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

interface Sink {
  readonly primitives: Primitive[];
  readonly panels: PanelGeometry[];
}

const ink = '#222222';
const mutedInk = '#555555';
const gridInk = '#e3e3e3';
const tickSize = 11;
const labelSize = 12;
const titleSize = 14;
/** Distinct colours in a colour bar ramp. */
const colourBarLevels = 256;
/** Okabe-Ito palette: distinguishable with the common colour-vision deficiencies. */
export const seriesColours = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];

/** Default sizes in CSS pixels. */
export const defaultSizes = {
  heatmap: { width: 560, height: 460 },
  lines: { width: 560, height: 360 },
  panel: { width: 320, height: 280 },
} as const;

/** Width estimate of a label: layout must not need a text-measuring API. */
function textWidth(text: string, size: number): number {
  return text.length * size * 0.6;
}

/** The colour limits a heatmap uses (explicit, symmetric, or the data range; never empty). */
export function heatmapColourDomain(figure: HeatmapFigure, grid?: DenseGrid): [number, number] {
  const name: ColourMapName = figure.colourMap ?? 'viridis';
  const domain = figure.domain ?? (name === 'diverging' ? 'symmetric' : undefined);
  if (Array.isArray(domain)) return [domain[0]!, domain[1]!];
  const data = (grid ?? toDenseGrid(figure.values, 'figure.values')).data;
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < data.length; k++) {
    const v = data[k]!;
    if (v < low) low = v;
    if (v > high) high = v;
  }
  if (domain === 'symmetric') {
    const m = Math.max(Math.abs(low), Math.abs(high));
    return m > 0 ? [-m, m] : [-1, 1];
  }
  if (high > low) return [low, high];
  const pad = Math.abs(low) > 0 ? Math.abs(low) : 1;
  return [low - pad, high + pad];
}

function title(sink: Sink, box: Box, text: string | undefined): number {
  if (!text) return 10;
  sink.primitives.push({
    type: 'text',
    x: box.x + box.width / 2,
    y: box.y + 8,
    text,
    size: titleSize,
    anchor: 'middle',
    baseline: 'hanging',
    bold: true,
    fill: ink,
  });
  return 32;
}

function xAxis(sink: Sink, plot: Box, scale: Scale, ticks: Array<{ value: number; label: string }>, label: string | undefined, grid: boolean): void {
  const bottom = plot.y + plot.height;
  const [a, b] = scale.range;
  for (const tick of ticks) {
    const x = scale(tick.value);
    if (!(x >= Math.min(a, b) - 0.5 && x <= Math.max(a, b) + 0.5)) continue;
    if (grid) sink.primitives.push({ type: 'line', x1: x, y1: plot.y, x2: x, y2: bottom, stroke: gridInk, strokeWidth: 1 });
    sink.primitives.push({ type: 'line', x1: x, y1: bottom, x2: x, y2: bottom + 5, stroke: ink, strokeWidth: 1 });
    sink.primitives.push({ type: 'text', x, y: bottom + 7, text: tick.label, size: tickSize, anchor: 'middle', baseline: 'hanging', fill: ink });
  }
  if (label) {
    sink.primitives.push({
      type: 'text',
      x: plot.x + plot.width / 2,
      y: bottom + 24,
      text: label,
      size: labelSize,
      anchor: 'middle',
      baseline: 'hanging',
      fill: ink,
    });
  }
}

function yAxis(
  sink: Sink,
  plot: Box,
  scale: Scale,
  ticks: Array<{ value: number; label: string }>,
  label: string | undefined,
  labelX: number,
  grid: boolean,
): void {
  const [a, b] = scale.range;
  for (const tick of ticks) {
    const y = scale(tick.value);
    if (!(y >= Math.min(a, b) - 0.5 && y <= Math.max(a, b) + 0.5)) continue;
    if (grid) sink.primitives.push({ type: 'line', x1: plot.x, y1: y, x2: plot.x + plot.width, y2: y, stroke: gridInk, strokeWidth: 1 });
    sink.primitives.push({ type: 'line', x1: plot.x - 5, y1: y, x2: plot.x, y2: y, stroke: ink, strokeWidth: 1 });
    sink.primitives.push({ type: 'text', x: plot.x - 7, y, text: tick.label, size: tickSize, anchor: 'end', baseline: 'middle', fill: ink });
  }
  if (label) {
    sink.primitives.push({
      type: 'text',
      x: labelX,
      y: plot.y + plot.height / 2,
      text: label,
      size: labelSize,
      anchor: 'middle',
      baseline: 'hanging',
      rotate: -90,
      fill: ink,
    });
  }
}

function frame(sink: Sink, plot: Box): void {
  sink.primitives.push({ type: 'rect', ...plot, stroke: ink, strokeWidth: 1 });
}

function maxLabelWidth(ticks: Array<{ label: string }>, size: number): number {
  return ticks.reduce((w, t) => Math.max(w, textWidth(t.label, size)), 0);
}

function intersect(a: Box, b: Box): Box | undefined {
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  const right = Math.min(a.x + a.width, b.x + b.width);
  const bottom = Math.min(a.y + a.height, b.y + b.height);
  return right > x && bottom > y ? { x, y, width: right - x, height: bottom - y } : undefined;
}

/** A halo that contrasts with the label colour: dark under light text, white under dark. */
function haloFor(colour: string): string {
  const hex = /^#([0-9a-f]{6})$/i.exec(colour)?.[1];
  if (!hex) return '#ffffff';
  const value = Number.parseInt(hex, 16);
  const luminance = 0.2126 * (value >> 16) + 0.7152 * ((value >> 8) & 255) + 0.0722 * (value & 255);
  return luminance > 140 ? '#000000' : '#ffffff';
}

function annotations(sink: Sink, plot: Box, xScale: Scale, yScale: Scale, items: readonly Annotation[] | undefined, defaultColour: string): void {
  if (!items) return;
  const span = (scale: Scale, from: number, to: number) => {
    const p = scale(from);
    const q = scale(to);
    return [Math.min(p, q), Math.abs(q - p)] as const;
  };
  for (const item of items) {
    const colour = item.colour ?? defaultColour;
    let region: Box | undefined;
    if (item.kind === 'line') {
      if (item.axis === 'x') {
        const x = xScale(item.at);
        if (x < plot.x - 0.5 || x > plot.x + plot.width + 0.5) continue;
        sink.primitives.push({ type: 'line', x1: x, y1: plot.y, x2: x, y2: plot.y + plot.height, stroke: colour, strokeWidth: 1.5, dashed: true });
        region = { x, y: plot.y, width: 0, height: plot.height };
      } else {
        const y = yScale(item.at);
        if (y < plot.y - 0.5 || y > plot.y + plot.height + 0.5) continue;
        sink.primitives.push({ type: 'line', x1: plot.x, y1: y, x2: plot.x + plot.width, y2: y, stroke: colour, strokeWidth: 1.5, dashed: true });
        region = { x: plot.x, y, width: plot.width, height: 0 };
      }
    } else {
      let box: Box;
      if (item.kind === 'band') {
        if (item.axis === 'x') {
          const [x, width] = span(xScale, item.from, item.to);
          box = { x, y: plot.y, width, height: plot.height };
        } else {
          const [y, height] = span(yScale, item.from, item.to);
          box = { x: plot.x, y, width: plot.width, height };
        }
      } else {
        const [x, width] = span(xScale, item.x[0], item.x[1]);
        const [y, height] = span(yScale, item.y[0], item.y[1]);
        box = { x, y, width, height };
      }
      const visible = intersect(box, plot);
      if (!visible) continue;
      if (item.kind === 'band') {
        sink.primitives.push({ type: 'rect', ...visible, fill: colour, fillOpacity: 0.14, stroke: colour, strokeWidth: 1, dashed: true });
      } else {
        sink.primitives.push({ type: 'rect', ...visible, stroke: colour, strokeWidth: 1.5 });
      }
      region = visible;
    }
    if (item.label && item.kind === 'line') {
      // Reference-line labels sit at the far end (bottom / right) so they do not collide with
      // band labels, which sit at the top-left of their region.
      const vertical = item.axis === 'x';
      const nearRight = region.x + 3 + textWidth(item.label, 10) > plot.x + plot.width;
      sink.primitives.push({
        type: 'text',
        x: vertical ? (nearRight ? region.x - 3 : region.x + 3) : plot.x + plot.width - 3,
        y: vertical ? plot.y + plot.height - 4 : region.y - 3,
        text: item.label,
        size: 10,
        anchor: vertical ? (nearRight ? 'end' : 'start') : 'end',
        baseline: 'alphabetic',
        fill: colour,
        halo: haloFor(colour),
      });
    } else if (item.label) {
      sink.primitives.push({
        type: 'text',
        x: Math.min(region.x + 3, plot.x + plot.width - 3),
        y: region.y + 3,
        text: item.label,
        size: 10,
        anchor: region.x + 3 + textWidth(item.label, 10) > plot.x + plot.width ? 'end' : 'start',
        baseline: 'hanging',
        fill: colour,
        halo: haloFor(colour),
      });
    }
  }
}

function layoutHeatmap(sink: Sink, figure: HeatmapFigure, box: Box, path: string): void {
  const grid = toDenseGrid(figure.values, `${path}.values`);
  const name: ColourMapName = figure.colourMap ?? 'viridis';
  const [low, high] = heatmapColourDomain(figure, grid);
  const { rows, columns } = grid;
  const xRange = figure.xRange ?? [0, columns - 1];
  const yRange = figure.yRange ?? [0, rows - 1];
  const xStep = columns > 1 ? (xRange[1] - xRange[0]) / (columns - 1) : 1;
  const yStep = rows > 1 ? (yRange[1] - yRange[0]) / (rows - 1) : 1;
  const xEdges: [number, number] = [xRange[0] - xStep / 2, xRange[1] + xStep / 2];
  const yEdges: [number, number] = [yRange[0] - yStep / 2, yRange[1] + yStep / 2];
  const centreTicks = (range: readonly [number, number], count: number) =>
    linearTicks(Math.min(range[0], range[1]), Math.max(range[0], range[1]), count);
  const xTicks = resolveTicks(figure.xTicks ?? centreTicks(xRange, Math.max(2, Math.floor(box.width / 90))), xEdges, false, 5);
  const yTicks = resolveTicks(figure.yTicks ?? centreTicks(yRange, Math.max(2, Math.floor(box.height / 70))), yEdges, false, 5);
  const barTicks = resolveTicks(undefined, [low, high], false, 5);
  const showBar = figure.colourBar ?? true;

  const top = box.y + title(sink, box, figure.title);
  const left = box.x + 8 + (figure.yLabel ? 20 : 0) + maxLabelWidth(yTicks, tickSize) + 8;
  const bottom = 8 + 20 + (figure.xLabel ? 20 : 0) + 4;
  const right = showBar ? 14 + 14 + 8 + maxLabelWidth(barTicks, tickSize) + (figure.colourBarLabel ? 22 : 0) + 8 : 14;
  const plot: Box = {
    x: Math.round(left),
    y: Math.round(top),
    width: Math.max(10, Math.round(box.x + box.width - right - left)),
    height: Math.max(10, Math.round(box.y + box.height - bottom - top)),
  };
  const xScale = createScale(xEdges, [plot.x, plot.x + plot.width]);
  const yScale = createScale(yEdges, [plot.y, plot.y + plot.height]);

  sink.primitives.push({ type: 'image', ...plot, raster: heatmapCells(grid, name, low, high) });
  const annotationColour = name === 'viridis' || name === 'magma' ? '#ffffff' : ink;
  annotations(sink, plot, xScale, yScale, figure.annotations, annotationColour);
  frame(sink, plot);
  xAxis(sink, plot, xScale, xTicks, figure.xLabel, false);
  yAxis(sink, plot, yScale, yTicks, figure.yLabel, box.x + 8, false);

  if (showBar) {
    const bar: Box = { x: plot.x + plot.width + 14, y: plot.y, width: 14, height: plot.height };
    sink.primitives.push({ type: 'image', ...bar, raster: colourBarRaster(name, colourBarLevels) });
    frame(sink, bar);
    const barScale = createScale([low, high], [bar.y + bar.height, bar.y]);
    for (const tick of barTicks) {
      const y = barScale(tick.value);
      sink.primitives.push({ type: 'line', x1: bar.x + bar.width, y1: y, x2: bar.x + bar.width + 4, y2: y, stroke: ink, strokeWidth: 1 });
      sink.primitives.push({ type: 'text', x: bar.x + bar.width + 6, y, text: tick.label, size: tickSize, anchor: 'start', baseline: 'middle', fill: ink });
    }
    if (figure.colourBarLabel) {
      sink.primitives.push({
        type: 'text',
        x: bar.x + bar.width + 8 + maxLabelWidth(barTicks, tickSize) + 4,
        y: bar.y + bar.height / 2,
        text: figure.colourBarLabel,
        size: labelSize,
        anchor: 'middle',
        baseline: 'hanging',
        rotate: 90,
        fill: ink,
      });
    }
  }
  sink.panels.push({ kind: 'heatmap', plot, colourDomain: [low, high], rows, columns });
}

function extent(values: ArrayLike<number>, current: [number, number]): [number, number] {
  let [low, high] = current;
  for (let k = 0; k < values.length; k++) {
    const v = values[k]!;
    if (v < low) low = v;
    if (v > high) high = v;
  }
  return [low, high];
}

function dataDomain(figure: LinePlotFigure, axis: 'x' | 'y'): [number, number] {
  const given = axis === 'x' ? figure.xDomain : figure.yDomain;
  if (given) return [given[0], given[1]];
  const log = axis === 'x' ? figure.logX : figure.logY;
  let range: [number, number] = [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
  for (const series of figure.series) range = extent(series[axis], range);
  if (!Number.isFinite(range[0])) range = log ? [1, 10] : [0, 1];
  if (log) {
    if (!(range[1] > range[0])) return [range[0] / 2, range[0] * 2];
    if (axis === 'y') {
      const lo = 10 ** Math.floor(Math.log10(range[0]) + 1e-9);
      const hi = 10 ** Math.ceil(Math.log10(range[1]) - 1e-9);
      return [lo, hi];
    }
    return range;
  }
  if (axis === 'x' && range[1] > range[0]) return range;
  return niceDomain(range[0], range[1]);
}

/** Liang-Barsky: the part of segment p->q inside the box, as [t0, t1], or undefined. */
function clipSegment(x0: number, y0: number, x1: number, y1: number, box: Box): [number, number] | undefined {
  let t0 = 0;
  let t1 = 1;
  const dx = x1 - x0;
  const dy = y1 - y0;
  const edges: Array<[number, number]> = [
    [-dx, x0 - box.x],
    [dx, box.x + box.width - x0],
    [-dy, y0 - box.y],
    [dy, box.y + box.height - y0],
  ];
  for (const [p, q] of edges) {
    if (p === 0) {
      if (q < 0) return undefined;
    } else {
      const r = q / p;
      if (p < 0) {
        if (r > t1) return undefined;
        if (r > t0) t0 = r;
      } else {
        if (r < t0) return undefined;
        if (r < t1) t1 = r;
      }
    }
  }
  return [t0, t1];
}

/** Map a series to pixel polylines clipped to the plot box. */
function clippedRuns(xs: ArrayLike<number>, ys: ArrayLike<number>, xScale: Scale, yScale: Scale, plot: Box): number[][] {
  const runs: number[][] = [];
  const n = xs.length;
  if (n === 1) {
    const x = xScale(xs[0]!);
    const y = yScale(ys[0]!);
    if (x >= plot.x && x <= plot.x + plot.width && y >= plot.y && y <= plot.y + plot.height) runs.push([x, y, x, y]);
    return runs;
  }
  let current: number[] | undefined;
  let px = xScale(xs[0]!);
  let py = yScale(ys[0]!);
  for (let k = 1; k < n; k++) {
    const qx = xScale(xs[k]!);
    const qy = yScale(ys[k]!);
    const clip = clipSegment(px, py, qx, qy, plot);
    if (clip) {
      const [t0, t1] = clip;
      const ax = px + t0 * (qx - px);
      const ay = py + t0 * (qy - py);
      if (!current || t0 > 0) {
        current = [ax, ay];
        runs.push(current);
      }
      current.push(px + t1 * (qx - px), py + t1 * (qy - py));
      if (t1 < 1) current = undefined;
    } else {
      current = undefined;
    }
    px = qx;
    py = qy;
  }
  return runs;
}

function layoutLines(sink: Sink, figure: LinePlotFigure, box: Box): void {
  const xDomain = dataDomain(figure, 'x');
  const yDomain = dataDomain(figure, 'y');
  const logX = figure.logX ?? false;
  const logY = figure.logY ?? false;
  const xTicks = resolveTicks(figure.xTicks, xDomain, logX, Math.max(2, Math.floor(box.width / 90)));
  const yTicks = resolveTicks(figure.yTicks, yDomain, logY, Math.max(2, Math.floor(box.height / 60)));
  const top = box.y + title(sink, box, figure.title);
  const left = box.x + 8 + (figure.yLabel ? 20 : 0) + maxLabelWidth(yTicks, tickSize) + 8;
  const bottom = 8 + 20 + (figure.xLabel ? 20 : 0) + 4;
  const right = 16 + textWidth(xTicks[xTicks.length - 1]?.label ?? '', tickSize) / 2;
  const plot: Box = {
    x: Math.round(left),
    y: Math.round(top),
    width: Math.max(10, Math.round(box.x + box.width - right - left)),
    height: Math.max(10, Math.round(box.y + box.height - bottom - top)),
  };
  const xScale = createScale(xDomain, [plot.x, plot.x + plot.width], logX);
  const yScale = createScale(yDomain, [plot.y + plot.height, plot.y], logY);
  xAxis(sink, plot, xScale, xTicks, figure.xLabel, true);
  yAxis(sink, plot, yScale, yTicks, figure.yLabel, box.x + 8, true);
  annotations(sink, plot, xScale, yScale, figure.annotations, mutedInk);
  figure.series.forEach((series, k) => {
    sink.primitives.push({
      type: 'path',
      runs: clippedRuns(series.x, series.y, xScale, yScale, plot),
      stroke: series.colour ?? seriesColours[k % seriesColours.length]!,
      strokeWidth: 1.75,
      ...(series.dashed ? { dashed: true } : {}),
      label: series.label,
    });
  });
  frame(sink, plot);
  const showLegend = figure.legend ?? figure.series.length > 1;
  if (showLegend) {
    const entryHeight = 16;
    const width = 34 + figure.series.reduce((w, s) => Math.max(w, textWidth(s.label, tickSize)), 0);
    const legend: Box = {
      x: plot.x + plot.width - width - 6,
      y: plot.y + 6,
      width,
      height: figure.series.length * entryHeight + 6,
    };
    sink.primitives.push({ type: 'rect', ...legend, fill: '#ffffff', fillOpacity: 0.85, stroke: gridInk, strokeWidth: 1 });
    figure.series.forEach((series, k) => {
      const y = legend.y + 3 + entryHeight * k + entryHeight / 2;
      const colour = series.colour ?? seriesColours[k % seriesColours.length]!;
      sink.primitives.push({
        type: 'line',
        x1: legend.x + 6,
        y1: y,
        x2: legend.x + 24,
        y2: y,
        stroke: colour,
        strokeWidth: 2,
        ...(series.dashed ? { dashed: true } : {}),
      });
      sink.primitives.push({ type: 'text', x: legend.x + 28, y, text: series.label, size: tickSize, anchor: 'start', baseline: 'middle', fill: ink });
    });
  }
  sink.panels.push({ kind: 'lines', plot });
}

function layoutGrid(sink: Sink, figure: SmallMultiplesFigure, box: Box, path: string): void {
  const top = box.y + (figure.title ? title(sink, box, figure.title) - 6 : 0);
  const columns = Math.min(figure.columns, figure.panels.length);
  const rows = Math.ceil(figure.panels.length / columns);
  const cellWidth = box.width / columns;
  const cellHeight = (box.y + box.height - top) / rows;
  figure.panels.forEach((panel, k) => {
    const cell: Box = {
      x: box.x + (k % columns) * cellWidth,
      y: top + Math.floor(k / columns) * cellHeight,
      width: cellWidth,
      height: cellHeight,
    };
    layoutInto(sink, panel, cell, `${path}.panels[${k}]`);
  });
}

function layoutInto(sink: Sink, figure: Figure, box: Box, path: string): void {
  switch (figure.kind) {
    case 'heatmap':
      layoutHeatmap(sink, figure, box, path);
      return;
    case 'lines':
      layoutLines(sink, figure, box);
      return;
    case 'grid':
      layoutGrid(sink, figure, box, path);
      return;
  }
}

/** The size a figure renders at when the description gives none. */
export function figureSize(figure: Figure): { width: number; height: number } {
  if (figure.kind === 'grid') {
    const columns = Math.min(figure.columns, figure.panels.length);
    const rows = Math.ceil(figure.panels.length / columns);
    return {
      width: figure.width ?? columns * defaultSizes.panel.width,
      height: figure.height ?? rows * defaultSizes.panel.height + (figure.title ? 26 : 0),
    };
  }
  const defaults = defaultSizes[figure.kind === 'heatmap' ? 'heatmap' : 'lines'];
  return { width: figure.width ?? defaults.width, height: figure.height ?? defaults.height };
}

/**
 * Validate a description and lay it out: every mark as an absolute-coordinate primitive.
 * Both backends (SVG string, canvas) paint the returned scene.
 */
export function layoutFigure(figure: Figure): Scene {
  validateFigure(figure);
  const { width, height } = figureSize(figure);
  const sink: Sink = { primitives: [], panels: [] };
  layoutInto(sink, figure, { x: 0, y: 0, width, height }, 'figure');
  return { width, height, title: figure.title ?? '', primitives: sink.primitives, panels: sink.panels };
}
