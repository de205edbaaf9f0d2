/**
 * Figure descriptions: plain, serialisable data handed to the renderers.
 *
 * A description says *what* to draw (values, labels, colour map, annotations), never *how*
 * (pixels, fonts, DOM). The same description renders to SVG, to a canvas, to PNG (Node) and
 * into an HTML report. Numbers may be `number[]` (JSON) or `Float64Array` (in process);
 * `toSerialisable` turns any description into one that survives `JSON.stringify`.
 */

/** Colour maps. `viridis`, `magma`: perceptual, luminance rises with value. `diverging`:
 * blue (low) - white (centre) - red (high), RdBu-like. `greys`: white (low) to black (high). */
export type ColourMapName = 'viridis' | 'magma' | 'diverging' | 'greys';

/** Numbers in a description: a plain array (serialisable) or a typed array (in process). */
export type NumberArray = readonly number[] | Float64Array | Float32Array;

/** A dense matrix in row-major order: `data[row * columns + column]`. */
export interface MatrixGrid {
  readonly rows: number;
  readonly columns: number;
  readonly data: NumberArray;
}

/** Anything with `rows`, `columns` and `get(row, column)`, e.g. an ml-matrix `Matrix`.
 * Accepted in process; not serialisable (use `toSerialisable`). */
export interface MatrixLike {
  readonly rows: number;
  readonly columns: number;
  get(row: number, column: number): number;
}

/** A tick: a position in axis coordinates, optionally with its own label. */
export type Tick = number | { readonly value: number; readonly label: string };

/** A region or mark drawn over the data, in axis coordinates. */
export type Annotation =
  /** A shaded stripe `from <= axis <= to` spanning the other axis (a pass band). */
  | {
      readonly kind: 'band';
      readonly axis: 'x' | 'y';
      readonly from: number;
      readonly to: number;
      readonly label?: string;
      readonly colour?: string;
    }
  /** A dashed reference line at `axis = at` (a notch at zero frequency). */
  | {
      readonly kind: 'line';
      readonly axis: 'x' | 'y';
      readonly at: number;
      readonly label?: string;
      readonly colour?: string;
    }
  /** An outlined rectangle `x[0]..x[1]` by `y[0]..y[1]`. */
  | {
      readonly kind: 'rect';
      readonly x: readonly [number, number];
      readonly y: readonly [number, number];
      readonly label?: string;
      readonly colour?: string;
    };

/** Size in CSS pixels; renderers pick defaults when absent. */
export interface FigureSize {
  readonly width?: number;
  readonly height?: number;
}

/**
 * A matrix as an image: cell (i, j) is a block coloured by `colourMap(values[i][j])`.
 * Row 0 is at the top (matrix convention). Axis coordinates: the centre of column j is
 * `xRange[0] + j * (xRange[1] - xRange[0]) / (columns - 1)` (default `xRange = [0, columns - 1]`,
 * i.e. the column index); likewise rows with `yRange`, first row at the top.
 */
export interface HeatmapFigure extends FigureSize {
  readonly kind: 'heatmap';
  readonly title?: string;
  readonly values: MatrixGrid | MatrixLike;
  /** Default `viridis`. */
  readonly colourMap?: ColourMapName;
  /** Colour limits; values outside are clamped. `'symmetric'`: `[-m, m]` with `m = max |v|`.
   * Default: `'symmetric'` for `diverging`, data `[min, max]` otherwise. */
  readonly domain?: readonly [number, number] | 'symmetric';
  readonly xLabel?: string;
  readonly yLabel?: string;
  /** Coordinates of the first and last column centres (e.g. `[-40, 39]` for a centred DFT). */
  readonly xRange?: readonly [number, number];
  /** Coordinates of the first (top) and last (bottom) row centres. */
  readonly yRange?: readonly [number, number];
  readonly xTicks?: readonly Tick[];
  readonly yTicks?: readonly Tick[];
  readonly annotations?: readonly Annotation[];
  /** Default `true`. */
  readonly colourBar?: boolean;
  /** Caption of the colour bar, e.g. `|DFT| (dB)`. */
  readonly colourBarLabel?: string;
}

export interface LineSeries {
  readonly label: string;
  readonly x: NumberArray;
  readonly y: NumberArray;
  /** CSS colour (`#rgb`, `#rrggbb`, or a name); default from a colour-blind-safe cycle. */
  readonly colour?: string;
  readonly dashed?: boolean;
}

/** Curves `y(x)`, one `<path>` per series, with axes, ticks and a legend. */
export interface LinePlotFigure extends FigureSize {
  readonly kind: 'lines';
  readonly title?: string;
  readonly series: readonly LineSeries[];
  readonly xLabel?: string;
  readonly yLabel?: string;
  /** Logarithmic axes need strictly positive data (and domain). */
  readonly logX?: boolean;
  readonly logY?: boolean;
  /** Axis limits; default: the data extent (linear axes padded to nice numbers). */
  readonly xDomain?: readonly [number, number];
  readonly yDomain?: readonly [number, number];
  readonly xTicks?: readonly Tick[];
  readonly yTicks?: readonly Tick[];
  readonly annotations?: readonly Annotation[];
  /** Default: `true` when there is more than one series. */
  readonly legend?: boolean;
}

/** Panels laid out row by row, `columns` per row. `width`/`height` are of the whole grid. */
export interface SmallMultiplesFigure extends FigureSize {
  readonly kind: 'grid';
  readonly title?: string;
  readonly columns: number;
  readonly panels: readonly Figure[];
}

export type Figure = HeatmapFigure | LinePlotFigure | SmallMultiplesFigure;
