import type { Raster } from './raster.js';

/**
 * A laid-out figure: drawing primitives in absolute CSS-pixel coordinates (origin top-left).
 * Layout happens once (`layoutFigure`); the SVG and canvas backends only paint primitives, which
 * is what makes the two renderings of one description agree.
 */
export type Primitive =
  | {
      readonly type: 'rect';
      readonly x: number;
      readonly y: number;
      readonly width: number;
      readonly height: number;
      readonly fill?: string;
      readonly fillOpacity?: number;
      readonly stroke?: string;
      readonly strokeWidth?: number;
      readonly dashed?: boolean;
    }
  | {
      readonly type: 'line';
      readonly x1: number;
      readonly y1: number;
      readonly x2: number;
      readonly y2: number;
      readonly stroke: string;
      readonly strokeWidth: number;
      readonly dashed?: boolean;
    }
  | {
      /** One data series: polylines given as flat `[x0, y0, x1, y1, ...]` runs. */
      readonly type: 'path';
      readonly runs: readonly (readonly number[])[];
      readonly stroke: string;
      readonly strokeWidth: number;
      readonly dashed?: boolean;
      readonly label: string;
    }
  | {
      readonly type: 'text';
      readonly x: number;
      readonly y: number;
      readonly text: string;
      readonly size: number;
      readonly anchor: 'start' | 'middle' | 'end';
      /** Vertical placement relative to `y`. */
      readonly baseline: 'alphabetic' | 'middle' | 'hanging';
      /** Rotation in degrees about (x, y), e.g. -90 for a y-axis label. */
      readonly rotate?: number;
      readonly bold?: boolean;
      readonly fill: string;
      /** Outline drawn under the glyphs (legibility over data), e.g. '#000000'. */
      readonly halo?: string;
    }
  | {
      /** A raster stretched onto the rectangle with nearest-neighbour sampling. */
      readonly type: 'image';
      readonly x: number;
      readonly y: number;
      readonly width: number;
      readonly height: number;
      readonly raster: Raster;
    };

/** Where a heatmap or line plot ended up, for tests and interactive overlays. */
export interface PanelGeometry {
  readonly kind: 'heatmap' | 'lines';
  /** The data rectangle in CSS pixels. */
  readonly plot: { readonly x: number; readonly y: number; readonly width: number; readonly height: number };
  /** Heatmaps: the colour limits used. */
  readonly colourDomain?: readonly [number, number];
  /** Heatmaps: matrix shape. */
  readonly rows?: number;
  readonly columns?: number;
}

export interface Scene {
  readonly width: number;
  readonly height: number;
  readonly title: string;
  readonly primitives: readonly Primitive[];
  readonly panels: readonly PanelGeometry[];
}

/** Font stack used by every backend; DejaVu Sans first because resvg finds it on Linux. */
export const fontFamily = "'DejaVu Sans', 'Liberation Sans', Helvetica, Arial, sans-serif";

/** Offset (in ems) from `y` to the alphabetic baseline for each vertical placement. */
export const baselineShift: Readonly<Record<'alphabetic' | 'middle' | 'hanging', number>> = {
  alphabetic: 0,
  middle: 0.35,
  hanging: 0.75,
};
