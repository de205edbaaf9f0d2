/**
 * Typed errors. Every message reads `figures: <what> at <path>: <detail>`, where `path`
 * locates the offending field inside the description (e.g. `panels[1].series[0].y[7]`).
 */

export class InvalidFigureError extends Error {
  override readonly name = 'InvalidFigureError';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`figures: invalid description at ${path}: ${reason}`);
  }
}

export class DimensionMismatchError extends Error {
  override readonly name = 'DimensionMismatchError';
  constructor(
    readonly path: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`figures: dimension mismatch at ${path}: expected ${expected}, got ${actual}`);
  }
}

export class NonFiniteInputError extends Error {
  override readonly name = 'NonFiniteInputError';
  constructor(
    readonly path: string,
    readonly index: number,
    readonly value: number,
  ) {
    super(`figures: non-finite value at ${path}[${index}]: ${value}`);
  }
}

export class CanvasContextError extends Error {
  override readonly name = 'CanvasContextError';
  constructor(readonly contextKind: string) {
    super(`figures: no ${contextKind} context at canvas: getContext returned null`);
  }
}
