// @descramble/figures: browser-safe entry (no Node APIs). PNG through zlib and resvg lives in
// `@descramble/figures/node`.
export type {
  Annotation,
  ColourMapName,
  Figure,
  FigureSize,
  HeatmapFigure,
  LinePlotFigure,
  LineSeries,
  MatrixGrid,
  MatrixLike,
  NumberArray,
  SmallMultiplesFigure,
  Tick,
} from './figure.js';
export {
  CanvasContextError,
  DimensionMismatchError,
  FiguresError,
  type FiguresFailure,
  figuresScope,
  InvalidFigureError,
  MissingDependencyError,
  type MissingDependencyErrorOptions,
  NonFiniteInputError,
} from './errors.js';
export {
  colourAt,
  colourAtExact,
  colourMapNames,
  colourMapTable,
  colourOfValue,
  type Rgb,
  relativeLuminance,
  toHex,
} from './colour-map.js';
export { type DenseGrid, toDenseGrid, validateFigure } from './validate.js';
export { toSerialisable } from './serialise.js';
export { createScale, formatTick, linearTicks, logTicks, niceDomain, niceStep, type Scale } from './scale.js';
export { colourBarRaster, heatmapCells, type Raster, scaleNearest } from './raster.js';
export { base64, type Deflate, encodePng, pngDataUri, storedDeflate } from './png.js';
export type { PanelGeometry, Primitive, Scene } from './scene.js';
export { defaultSizes, figureSize, heatmapColourDomain, layoutFigure, seriesColours } from './layout.js';
export { escapeXml, renderFigureToSvg, sceneToSvg, type SvgOptions } from './svg.js';
export {
  type Canvas2DContextLike,
  type CanvasLike,
  type CanvasOptions,
  paintScene,
  renderFigureToCanvas,
} from './canvas.js';
export { markdownLite } from './markdown-lite.js';
export { formatCell, type Report, type ReportOptions, type ReportSection, type ReportTable, renderReport } from './report.js';
