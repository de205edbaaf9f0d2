import { assertFiniteArray, assertLength } from '@descramble/core';
import { colourMapNames } from './colour-map.js';
import { figuresScope, InvalidFigureError, NonFiniteInputError } from './errors.js';
import type {
  Annotation,
  Figure,
  HeatmapFigure,
  LinePlotFigure,
  MatrixGrid,
  MatrixLike,
  NumberArray,
  SmallMultiplesFigure,
} from './figure.js';

/** A matrix copied into row-major `Float64Array` storage. */
export interface DenseGrid {
  readonly rows: number;
  readonly columns: number;
  readonly data: Float64Array;
}

const safeColour = /^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{1,30}|rgba?\([0-9.,\s%]{1,40}\))$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isNumberArray(value: unknown): value is NumberArray {
  return Array.isArray(value) || value instanceof Float64Array || value instanceof Float32Array;
}

function isMatrixLike(value: unknown): value is MatrixLike {
  return isObject(value) && typeof value.get === 'function';
}

function checkPositiveInteger(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new InvalidFigureError({ path, reason: `expected a positive integer, got ${String(value)}` });
  }
  return value;
}

function checkFiniteNumber(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidFigureError({ path, reason: `expected a finite number, got ${String(value)}` });
  }
  return value;
}

function checkOptionalString(value: unknown, path: string): void {
  if (value !== undefined && typeof value !== 'string') {
    throw new InvalidFigureError({ path, reason: 'expected a string' });
  }
}

function checkOptionalColour(value: unknown, path: string): void {
  if (value !== undefined && (typeof value !== 'string' || !safeColour.test(value))) {
    throw new InvalidFigureError({ path, reason: 'expected a CSS colour (#rgb, #rrggbb, a name, or rgb(...))' });
  }
}

function checkPair(value: unknown, path: string): readonly [number, number] {
  if (!Array.isArray(value) || value.length !== 2) {
    throw new InvalidFigureError({ path, reason: 'expected a pair [first, second]' });
  }
  return [checkFiniteNumber(value[0], `${path}[0]`), checkFiniteNumber(value[1], `${path}[1]`)];
}

function checkIncreasingPair(value: unknown, path: string): readonly [number, number] {
  const pair = checkPair(value, path);
  if (!(pair[1] > pair[0])) throw new InvalidFigureError({ path, reason: 'expected [low, high] with low < high' });
  return pair;
}

function checkFiniteArray(values: NumberArray, path: string): void {
  assertFiniteArray(values, { ...figuresScope, operation: 'validateFigure', name: path });
}

/** Copy heatmap values (a `MatrixGrid` or an ml-matrix-like object) into dense storage, checked. */
export function toDenseGrid(values: MatrixGrid | MatrixLike, path: string): DenseGrid {
  if (!isObject(values)) throw new InvalidFigureError({ path, reason: 'expected { rows, columns, data } or a matrix' });
  const rows = checkPositiveInteger(values.rows, `${path}.rows`);
  const columns = checkPositiveInteger(values.columns, `${path}.columns`);
  const data = new Float64Array(rows * columns);
  if (isMatrixLike(values)) {
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < columns; j++) {
        const v = values.get(i, j);
        if (!Number.isFinite(v)) throw new NonFiniteInputError({ operation: 'validateFigure', location: `${path}[${i * columns + j}]`, value: v, ...figuresScope });
        data[i * columns + j] = v;
      }
    }
    return { rows, columns, data };
  }
  const source = (values as MatrixGrid).data;
  if (!isNumberArray(source)) throw new InvalidFigureError({ path: `${path}.data`, reason: 'expected a number array' });
  assertLength(source.length, rows * columns, { ...figuresScope, operation: 'validateFigure', what: `${path}.data` });
  checkFiniteArray(source, `${path}.data`);
  data.set(source);
  return { rows, columns, data };
}

function checkTicks(value: unknown, path: string): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) throw new InvalidFigureError({ path, reason: 'expected an array of ticks' });
  value.forEach((tick: unknown, k) => {
    if (typeof tick === 'number') {
      checkFiniteNumber(tick, `${path}[${k}]`);
    } else if (isObject(tick) && typeof tick.label === 'string') {
      checkFiniteNumber(tick.value, `${path}[${k}].value`);
    } else {
      throw new InvalidFigureError({ path: `${path}[${k}]`, reason: 'expected a number or { value, label }' });
    }
  });
}

function checkAnnotations(value: unknown, path: string): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) throw new InvalidFigureError({ path, reason: 'expected an array of annotations' });
  value.forEach((item: unknown, k) => {
    const at = `${path}[${k}]`;
    if (!isObject(item)) throw new InvalidFigureError({ path: at, reason: 'expected an annotation object' });
    const annotation = item as unknown as Annotation;
    checkOptionalString(annotation.label, `${at}.label`);
    checkOptionalColour(annotation.colour, `${at}.colour`);
    switch (annotation.kind) {
      case 'band':
        if (annotation.axis !== 'x' && annotation.axis !== 'y') throw new InvalidFigureError({ path: `${at}.axis`, reason: "expected 'x' or 'y'" });
        checkFiniteNumber(annotation.from, `${at}.from`);
        checkFiniteNumber(annotation.to, `${at}.to`);
        return;
      case 'line':
        if (annotation.axis !== 'x' && annotation.axis !== 'y') throw new InvalidFigureError({ path: `${at}.axis`, reason: "expected 'x' or 'y'" });
        checkFiniteNumber(annotation.at, `${at}.at`);
        return;
      case 'rect':
        checkPair(annotation.x, `${at}.x`);
        checkPair(annotation.y, `${at}.y`);
        return;
      default:
        throw new InvalidFigureError({ path: `${at}.kind`, reason: "expected 'band', 'line' or 'rect'" });
    }
  });
}

function checkSize(figure: Record<string, unknown>, path: string): void {
  for (const key of ['width', 'height'] as const) {
    const v = figure[key];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 40 || v > 20000)) {
      throw new InvalidFigureError({ path: `${path}.${key}`, reason: 'expected a number of CSS pixels in [40, 20000]' });
    }
  }
}

function validateHeatmap(figure: HeatmapFigure, path: string): void {
  checkHeatmapValues(figure.values, `${path}.values`);
  if (figure.colourMap !== undefined && !colourMapNames.includes(figure.colourMap)) {
    throw new InvalidFigureError({ path: `${path}.colourMap`, reason: `expected one of ${colourMapNames.join(', ')}` });
  }
  if (figure.domain !== undefined && figure.domain !== 'symmetric') {
    checkIncreasingPair(figure.domain, `${path}.domain`);
  }
  if (figure.xRange !== undefined) checkPair(figure.xRange, `${path}.xRange`);
  if (figure.yRange !== undefined) checkPair(figure.yRange, `${path}.yRange`);
  checkTicks(figure.xTicks, `${path}.xTicks`);
  checkTicks(figure.yTicks, `${path}.yTicks`);
  checkAnnotations(figure.annotations, `${path}.annotations`);
  for (const key of ['title', 'xLabel', 'yLabel', 'colourBarLabel'] as const) {
    checkOptionalString(figure[key], `${path}.${key}`);
  }
}

function checkHeatmapValues(values: unknown, path: string): void {
  if (!isObject(values)) throw new InvalidFigureError({ path, reason: 'expected { rows, columns, data } or a matrix' });
  checkPositiveInteger(values.rows, `${path}.rows`);
  checkPositiveInteger(values.columns, `${path}.columns`);
  if (isMatrixLike(values)) return; // entries are checked when copied (toDenseGrid)
  const data = values.data;
  if (!isNumberArray(data)) throw new InvalidFigureError({ path: `${path}.data`, reason: 'expected a number array' });
  const expected = (values.rows as number) * (values.columns as number);
  assertLength(data.length, expected, { ...figuresScope, operation: 'validateFigure', what: `${path}.data` });
  checkFiniteArray(data, `${path}.data`);
}

function validateLines(figure: LinePlotFigure, path: string): void {
  if (!Array.isArray(figure.series) || figure.series.length === 0) {
    throw new InvalidFigureError({ path: `${path}.series`, reason: 'expected a non-empty array of series' });
  }
  figure.series.forEach((series, k) => {
    const at = `${path}.series[${k}]`;
    if (!isObject(series)) throw new InvalidFigureError({ path: at, reason: 'expected { label, x, y }' });
    if (typeof series.label !== 'string') throw new InvalidFigureError({ path: `${at}.label`, reason: 'expected a string' });
    if (!isNumberArray(series.x)) throw new InvalidFigureError({ path: `${at}.x`, reason: 'expected a number array' });
    if (!isNumberArray(series.y)) throw new InvalidFigureError({ path: `${at}.y`, reason: 'expected a number array' });
    assertLength(series.y.length, series.x.length, { ...figuresScope, operation: 'validateFigure', what: `${at}.y` });
    checkFiniteArray(series.x, `${at}.x`);
    checkFiniteArray(series.y, `${at}.y`);
    checkOptionalColour(series.colour, `${at}.colour`);
    for (const [axis, log] of [
      ['x', figure.logX],
      ['y', figure.logY],
    ] as const) {
      if (!log) continue;
      const values = series[axis] as NumberArray;
      for (let i = 0; i < values.length; i++) {
        if (!(values[i]! > 0)) {
          throw new InvalidFigureError({ path: `${at}.${axis}[${i}]`, reason: `logarithmic axis needs values > 0, got ${values[i]}` });
        }
      }
    }
  });
  if (figure.xDomain !== undefined) checkIncreasingPair(figure.xDomain, `${path}.xDomain`);
  if (figure.yDomain !== undefined) checkIncreasingPair(figure.yDomain, `${path}.yDomain`);
  if (figure.logX && figure.xDomain && !(figure.xDomain[0] > 0)) throw new InvalidFigureError({ path: `${path}.xDomain`, reason: 'logarithmic axis needs a domain > 0' });
  if (figure.logY && figure.yDomain && !(figure.yDomain[0] > 0)) throw new InvalidFigureError({ path: `${path}.yDomain`, reason: 'logarithmic axis needs a domain > 0' });
  checkTicks(figure.xTicks, `${path}.xTicks`);
  checkTicks(figure.yTicks, `${path}.yTicks`);
  checkAnnotations(figure.annotations, `${path}.annotations`);
  for (const key of ['title', 'xLabel', 'yLabel'] as const) checkOptionalString(figure[key], `${path}.${key}`);
}

function validateGrid(figure: SmallMultiplesFigure, path: string): void {
  checkPositiveInteger(figure.columns, `${path}.columns`);
  if (!Array.isArray(figure.panels) || figure.panels.length === 0) {
    throw new InvalidFigureError({ path: `${path}.panels`, reason: 'expected a non-empty array of figures' });
  }
  checkOptionalString(figure.title, `${path}.title`);
  figure.panels.forEach((panel, k) => {
    validateFigure(panel, `${path}.panels[${k}]`);
  });
}

/**
 * Check a description (e.g. parsed from JSON) and narrow its type. Throws
 * `InvalidFigureError`, `DimensionMismatchError` or `NonFiniteInputError` naming the field.
 */
export function validateFigure(figure: unknown, path = 'figure'): asserts figure is Figure {
  if (!isObject(figure)) throw new InvalidFigureError({ path, reason: 'expected a figure object' });
  checkSize(figure, path);
  const candidate = figure as unknown as Figure;
  switch (candidate.kind) {
    case 'heatmap':
      validateHeatmap(candidate, path);
      return;
    case 'lines':
      validateLines(candidate, path);
      return;
    case 'grid':
      validateGrid(candidate, path);
      return;
    default:
      throw new InvalidFigureError({ path: `${path}.kind`, reason: "expected 'heatmap', 'lines' or 'grid'" });
  }
}
