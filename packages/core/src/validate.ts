/**
 * The validation kit: the input checks every package's public functions run before their kernels,
 * throwing the shared error kinds with the caller's `scope` and `operation`, so one check words
 * the same failure the same way in every package. Each check reads its input and never modifies
 * it; none allocates beyond its message. Matrices are read through `{ rows, columns, get }` (any
 * ml-matrix `AbstractMatrix` is one), so this module needs no matrix library.
 */

import { DimensionMismatchError, InvalidArgumentError, NonFiniteInputError, NotSymmetricError } from './errors.js';
import type { MatrixLike } from './tensor.js';

/** Who checks: the package (`scope`) and the public function (`operation`) that reject the input. */
export interface CheckContext {
  readonly scope: string;
  readonly operation: string;
}

/** A check of a named input: `name` starts the message's location or `what`, e.g. `"a"`. */
export interface NamedCheck extends CheckContext {
  readonly name: string;
}

/** A check of one argument: `argument` is its name in the message (`InvalidArgumentError.argument`). */
export interface ArgumentCheck extends CheckContext {
  readonly argument: string;
}

/** A check of a size: `what` names it in the message (`DimensionMismatchError.what`), e.g. `"a rows"`. */
export interface SizeCheck extends CheckContext {
  readonly what: string;
}

/** A matrix's extents, as every matrix type and `{ rows, columns }` literal has them. */
export interface MatrixShape {
  readonly rows: number;
  readonly columns: number;
}

function formatMatrixShape(shape: MatrixShape): string {
  return `${shape.rows} x ${shape.columns}`;
}

/**
 * Throws `NonFiniteInputError` at the first NaN or infinity of `values`. The location reads
 * `name[k]`, or `name[i, j]` when `columns` gives the row length of row-major data.
 */
export function assertFiniteArray(values: ArrayLike<number>, options: NamedCheck & { readonly columns?: number }): void {
  const { columns } = options;
  for (let k = 0; k < values.length; k++) {
    const value = values[k]!;
    // `x - x` is 0 for every finite x and NaN for NaN and +-Infinity.
    if (value - value !== 0) {
      const i = columns !== undefined && columns > 0 ? Math.floor(k / columns) : -1;
      const location = i < 0 ? `${options.name}[${k}]` : `${options.name}[${i}, ${k - i * columns!}]`;
      throw new NonFiniteInputError({ scope: options.scope, operation: options.operation, location, value });
    }
  }
}

/** Throws `NonFiniteInputError` at the first NaN or infinity of a matrix, located `name[i, j]`. */
export function assertFiniteMatrix(a: MatrixLike, options: NamedCheck): void {
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < a.columns; j++) {
      const value = a.get(i, j);
      if (value - value !== 0) {
        throw new NonFiniteInputError({ scope: options.scope, operation: options.operation, location: `${options.name}[${i}, ${j}]`, value });
      }
    }
  }
}

/** Throws `DimensionMismatchError` (`<name> shape: expected non-empty matrix`) for zero rows or columns. */
export function assertNonEmpty(shape: MatrixShape, options: NamedCheck): void {
  if (shape.rows === 0 || shape.columns === 0) {
    throw new DimensionMismatchError({ ...context(options), what: `${options.name} shape`, expected: 'non-empty matrix', actual: formatMatrixShape(shape) });
  }
}

/**
 * Throws `DimensionMismatchError` (`<name> shape`) unless the matrix is square and, when `size`
 * is given, `size x size`.
 */
export function assertSquare(shape: MatrixShape, options: NamedCheck & { readonly size?: number }): void {
  const { size } = options;
  if (shape.rows !== shape.columns) {
    throw new DimensionMismatchError({ ...context(options), what: `${options.name} shape`, expected: 'square matrix', actual: formatMatrixShape(shape) });
  }
  if (size !== undefined && shape.rows !== size) {
    throw new DimensionMismatchError({ ...context(options), what: `${options.name} shape`, expected: `${size} x ${size}`, actual: formatMatrixShape(shape) });
  }
}

/**
 * Throws unless `a` is a matrix of finite numbers: `DimensionMismatchError` for zero rows or
 * columns (unless `allowEmpty`), then `NonFiniteInputError` at the first NaN or infinity.
 */
export function assertMatrix(a: MatrixLike, options: NamedCheck & { readonly allowEmpty?: boolean }): void {
  if (options.allowEmpty !== true) assertNonEmpty(a, options);
  assertFiniteMatrix(a, options);
}

/** Throws unless `a` is a non-empty square matrix of finite numbers, `size x size` when `size` is given. */
export function assertSquareMatrix(a: MatrixLike, options: NamedCheck & { readonly size?: number }): void {
  assertSquare(a, options);
  assertMatrix(a, options);
}

/** The default relative tolerance of {@link assertSymmetric}. */
export const SYMMETRY_TOLERANCE = 1e-10;

/**
 * Throws `NotSymmetricError` unless `max |a_ij - a_ji| <= relativeTolerance * max |a_ij|` over the
 * `n x n` matrix read through `a.get` (an ml-matrix matrix, or `{ get }` over flat data); the error's location is the largest gap, `name[i, j]` with
 * `i < j`, and its tolerance the absolute one. The tolerance is relative so that a symmetric matrix
 * scaled by any factor stays symmetric; the default, {@link SYMMETRY_TOLERANCE}, admits the rounding
 * of a computed Gram or Hessian and rejects a matrix that is not meant to be symmetric.
 */
export function assertSymmetric(a: Pick<MatrixLike, 'get'>, n: number, options: NamedCheck & { readonly relativeTolerance?: number }): void {
  let asymmetry = 0;
  let location = `${options.name}[0, 0]`;
  let scale = 0;
  for (let i = 0; i < n; i++) {
    scale = Math.max(scale, Math.abs(a.get(i, i)));
    for (let j = i + 1; j < n; j++) {
      const upper = a.get(i, j);
      const lower = a.get(j, i);
      scale = Math.max(scale, Math.abs(upper), Math.abs(lower));
      const gap = Math.abs(upper - lower);
      if (gap > asymmetry) {
        asymmetry = gap;
        location = `${options.name}[${i}, ${j}]`;
      }
    }
  }
  const tolerance = (options.relativeTolerance ?? SYMMETRY_TOLERANCE) * scale;
  if (asymmetry > tolerance) throw new NotSymmetricError({ ...context(options), asymmetry, tolerance, location });
}

/** Throws `DimensionMismatchError` (`<what>: expected a non-negative integer`) unless `n` is one. */
export function assertSize(n: number, options: SizeCheck): void {
  if (!Number.isInteger(n) || n < 0) {
    throw new DimensionMismatchError({ ...context(options), what: options.what, expected: 'a non-negative integer', actual: n });
  }
}

/** Throws `DimensionMismatchError` (`<what>: expected a positive integer`) unless `n` is one. */
export function assertPositiveSize(n: number, options: SizeCheck): void {
  if (!Number.isInteger(n) || n < 1) {
    throw new DimensionMismatchError({ ...context(options), what: options.what, expected: 'a positive integer', actual: n });
  }
}

/**
 * Throws `DimensionMismatchError` (`<what>: expected <expected>, got <length>`) unless
 * `length === expected`; `formula`, e.g. `"3 * 4"`, is shown before the expected value.
 */
export function assertLength(length: number, expected: number, options: SizeCheck & { readonly formula?: string }): void {
  if (length !== expected) {
    const shown = options.formula === undefined ? expected : `${options.formula} = ${expected}`;
    throw new DimensionMismatchError({ ...context(options), what: options.what, expected: shown, actual: length });
  }
}

/**
 * Throws `DimensionMismatchError` (`<what> shape: expected [2, *], got [2, 3, 4]`) unless `shape`
 * has the rank of `expected` and each extent its entry; a `null` entry accepts any extent.
 */
export function assertShape(shape: readonly number[], expected: readonly (number | null)[], options: SizeCheck): void {
  const matches = shape.length === expected.length && expected.every((extent, k) => extent === null || extent === shape[k]);
  if (!matches) {
    const wanted = `[${expected.map((extent) => (extent === null ? '*' : String(extent))).join(', ')}]`;
    throw new DimensionMismatchError({ ...context(options), what: `${options.what} shape`, expected: wanted, actual: `[${shape.join(', ')}]` });
  }
}

/** Throws `InvalidArgumentError` (`<argument>: expected a positive integer, got <value>`) unless `value` is one. */
export function assertPositiveInteger(value: number, options: ArgumentCheck): void {
  assertIntegerAtLeast(value, 1, options);
}

/** Throws `InvalidArgumentError` (`<argument>: expected a non-negative integer, got <value>`) unless `value` is one. */
export function assertNonNegativeInteger(value: number, options: ArgumentCheck): void {
  assertIntegerAtLeast(value, 0, options);
}

/**
 * Throws `InvalidArgumentError` unless `value` is an integer `>= minimum`; the message reads
 * `expected a positive integer` for minimum 1, `a non-negative integer` for 0, else `an integer >= m`.
 */
export function assertIntegerAtLeast(value: number, minimum: number, options: ArgumentCheck): void {
  if (!Number.isInteger(value) || value < minimum) {
    const wanted = minimum === 1 ? 'a positive integer' : minimum === 0 ? 'a non-negative integer' : `an integer >= ${minimum}`;
    throw new InvalidArgumentError({ ...context(options), argument: options.argument, what: `expected ${wanted}, got ${value}` });
  }
}

/**
 * Throws `InvalidArgumentError` (`<argument>: expected <noun> in [0, 1), got <value>`) unless
 * `0 <= value < 1`: a relative tolerance, a momentum, a dropout rate. NaN fails. `noun` defaults to
 * `"a number"`.
 */
export function assertUnitInterval(value: number, options: ArgumentCheck & { readonly noun?: string }): void {
  if (!(value >= 0 && value < 1)) {
    throw new InvalidArgumentError({ ...context(options), argument: options.argument, what: `expected ${options.noun ?? 'a number'} in [0, 1), got ${value}` });
  }
}

function context(options: CheckContext): CheckContext {
  return { scope: options.scope, operation: options.operation };
}
