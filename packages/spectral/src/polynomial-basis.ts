/**
 * Orthogonal polynomials evaluated on a grid in [-1, 1], as columns of an `n x (degree + 1)`
 * matrix (column k is the polynomial of degree k).
 *
 * Which is which:
 * - Raw (default): `T_k(x_i)` (Chebyshev, first kind) or `P_k(x_i)` (Legendre, `P_k(1) = 1`).
 *   These are orthogonal only for the continuous inner product of their weight, which
 *   particular grids reproduce exactly:
 *   * Chebyshev-Gauss points `x_i = -cos(pi (2i + 1) / (2n))` (ascending) with equal
 *     weights: `sum_i T_j(x_i) T_k(x_i) = 0` for j != k (j, k < n), `= n` for j = k = 0 and
 *     `= n / 2` for 0 < j = k < n.
 *   * Gauss-Legendre nodes with their weights w_i: `sum_i w_i P_j(x_i) P_k(x_i) =
 *     2 / (2k + 1) delta_jk` for j + k <= 2n - 1.
 *   On an equispaced grid (`linspace(-1, 1, n)`, the default) neither family is orthogonal.
 * - `orthonormalise: true`: the raw columns orthonormalised on the grid for the plain
 *   Euclidean inner product `sum_i f(x_i) g(x_i)`, in degree order (the Q of a thin
 *   Householder QR, i.e. Gram-Schmidt's result computed stably), with the sign chosen so
 *   that each column keeps a positive leading coefficient. Column k then spans the same polynomials of degree <= k as the raw ones and
 *   `Q^T Q = I`; on a given grid the Chebyshev and Legendre versions coincide (both are the
 *   discrete orthogonal polynomials of that grid, e.g. Gram polynomials when equispaced).
 */
import { assertNonNegativeInteger, assertPositiveInteger } from '@descramble/core';
import { qr } from '@descramble/linalg';
import type { Matrix } from 'ml-matrix';
import { DegenerateInputError, InvalidArgumentError, spectralScope } from './errors.js';
import { matrixToRowMajor, readVector, rowMajorToMatrix } from './matrix-data.js';

/** Where the polynomials are evaluated. Arrays must have exactly `n` entries. */
export type PolynomialGrid = 'equispaced' | 'chebyshev-gauss' | 'legendre-gauss' | ArrayLike<number>;

export interface PolynomialBasisOptions {
  /** Grid (default `'equispaced'`, i.e. `linspace(-1, 1, n)`). */
  readonly grid?: PolynomialGrid;
  /** Orthonormalise the columns on the grid (default false: raw evaluations). */
  readonly orthonormalise?: boolean;
}

/** `linspace(-1, 1, n)` as numpy computes it: the index axis of a length-n vector mapped to [-1, 1]. */
export function unitIntervalGrid(n: number): Float64Array {
  assertPositiveInteger(n, { ...spectralScope, operation: 'unitIntervalGrid', argument: 'n' });
  const out = new Float64Array(n);
  if (n === 1) {
    out[0] = -1;
    return out;
  }
  const step = 2 / (n - 1);
  for (let i = 0; i < n; i++) out[i] = i * step - 1;
  out[n - 1] = 1;
  return out;
}

/** Chebyshev-Gauss nodes (roots of T_n), ascending: `x_i = -cos(pi (2i + 1) / (2n))`. */
export function chebyshevGaussNodes(n: number): Float64Array {
  assertPositiveInteger(n, { ...spectralScope, operation: 'chebyshevGaussNodes', argument: 'n' });
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = -Math.cos((Math.PI * (2 * i + 1)) / (2 * n));
  // Exact symmetry and an exact 0 at the centre for odd n.
  for (let i = 0; i < Math.floor(n / 2); i++) out[n - 1 - i] = -out[i]!;
  if (n % 2 === 1) out[(n - 1) / 2] = 0;
  return out;
}

/** Gauss-Legendre nodes (ascending) and weights on [-1, 1]: `sum_i w_i p(x_i)` is exact for degree <= 2n - 1. */
export function gaussLegendre(n: number): { readonly nodes: Float64Array; readonly weights: Float64Array } {
  assertPositiveInteger(n, { ...spectralScope, operation: 'gaussLegendre', argument: 'n' });
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  const half = Math.ceil(n / 2);
  for (let i = 0; i < half; i++) {
    // Newton's method on P_n from the Tricomi-type initial guess; converges quadratically.
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let derivative = 0;
    for (let iteration = 0; iteration < 100; iteration++) {
      let p0 = 1;
      let p1 = x;
      for (let k = 1; k < n; k++) {
        const p2 = ((2 * k + 1) * x * p1 - k * p0) / (k + 1);
        p0 = p1;
        p1 = p2;
      }
      derivative = (n * (x * p1 - p0)) / (x * x - 1);
      const dx = p1 / derivative;
      x -= dx;
      if (Math.abs(dx) <= 1e-16 * Math.max(1, Math.abs(x))) break;
    }
    // Recompute the derivative at the converged node for the weight.
    let p0 = 1;
    let p1 = x;
    for (let k = 1; k < n; k++) {
      const p2 = ((2 * k + 1) * x * p1 - k * p0) / (k + 1);
      p0 = p1;
      p1 = p2;
    }
    derivative = (n * (x * p1 - p0)) / (x * x - 1);
    const weight = 2 / ((1 - x * x) * derivative * derivative);
    nodes[i] = -x;
    nodes[n - 1 - i] = x;
    weights[i] = weight;
    weights[n - 1 - i] = weight;
  }
  if (n % 2 === 1) nodes[(n - 1) / 2] = 0;
  return { nodes, weights };
}

function gridPoints(operation: string, n: number, grid: PolynomialGrid): Float64Array {
  if (grid === 'equispaced') return unitIntervalGrid(n);
  if (grid === 'chebyshev-gauss') return chebyshevGaussNodes(n);
  if (grid === 'legendre-gauss') return gaussLegendre(n).nodes;
  if (typeof grid === 'string') {
    throw new InvalidArgumentError({ operation, argument: 'grid', what: `unknown grid '${grid}'; expected 'equispaced', 'chebyshev-gauss', 'legendre-gauss' or an array`, ...spectralScope });
  }
  const points = readVector(operation, 'grid', grid);
  if (points.length !== n) throw new InvalidArgumentError({ operation, argument: 'grid', what: `has ${points.length} points, expected n = ${n}`, ...spectralScope });
  return points;
}

type Family = 'chebyshev' | 'legendre';

/** Raw evaluations, row-major n x (degree + 1). */
function evaluate(family: Family, x: Float64Array, degree: number): Float64Array {
  const n = x.length;
  const width = degree + 1;
  const out = new Float64Array(n * width);
  for (let i = 0; i < n; i++) {
    const xi = x[i]!;
    let previous = 1;
    let current = xi;
    out[i * width] = 1;
    if (degree >= 1) out[i * width + 1] = xi;
    for (let k = 1; k < degree; k++) {
      const next = family === 'chebyshev' ? 2 * xi * current - previous : ((2 * k + 1) * xi * current - k * previous) / (k + 1);
      previous = current;
      current = next;
      out[i * width + k + 1] = next;
    }
  }
  return out;
}

/**
 * Orthonormalises the columns of a row-major n x width array (Householder QR from
 * `@descramble/linalg`, whose R has a non-negative diagonal: each column keeps a positive
 * component along its own new direction, i.e. a positive leading coefficient). Throws when
 * a column is numerically in the span of the previous ones.
 */
function orthonormaliseColumns(operation: string, a: Float64Array, n: number, width: number): Float64Array {
  const { q, r } = qr(rowMajorToMatrix(a, n, width));
  for (let k = 0; k < width; k++) {
    let norm = 0;
    for (let i = 0; i < n; i++) norm += a[i * width + k]! ** 2;
    if (!(r.get(k, k) > 1e-10 * Math.sqrt(norm))) {
      throw new DegenerateInputError({
        operation,
        reason: `column ${k} is (numerically) in the span of the previous ones; degree must be < the number of distinct grid points`,
      });
    }
  }
  return matrixToRowMajor(q);
}

function basis(operation: string, family: Family, n: number, degree: number, options: PolynomialBasisOptions): Matrix {
  assertPositiveInteger(n, { ...spectralScope, operation: operation, argument: 'n' });
  assertNonNegativeInteger(degree, { ...spectralScope, operation: operation, argument: 'degree' });
  const x = gridPoints(operation, n, options.grid ?? 'equispaced');
  let values = evaluate(family, x, degree);
  if (options.orthonormalise ?? false) {
    if (degree >= n) {
      throw new InvalidArgumentError({ operation, argument: 'degree', what: `must be < n = ${n} to orthonormalise, got ${degree}`, ...spectralScope });
    }
    values = orthonormaliseColumns(operation, values, n, degree + 1);
  }
  return rowMajorToMatrix(values, n, degree + 1);
}

/** Chebyshev polynomials T_0..T_degree on a grid, as the columns of an n x (degree + 1) matrix (see the module note). */
export function chebyshevBasis(n: number, degree: number, options: PolynomialBasisOptions = {}): Matrix {
  return basis('chebyshevBasis', 'chebyshev', n, degree, options);
}

/** Legendre polynomials P_0..P_degree on a grid, as the columns of an n x (degree + 1) matrix (see the module note). */
export function legendreBasis(n: number, degree: number, options: PolynomialBasisOptions = {}): Matrix {
  return basis('legendreBasis', 'legendre', n, degree, options);
}

/**
 * Shift-and-rescale of a vector's values onto [-1, 1]: `2 (v - min) / (max - min) - 1`,
 * so the minimum maps to -1 and the maximum to 1. A constant vector has no such map and
 * throws `DegenerateInputError`.
 */
export function rescaleToUnitInterval(v: ArrayLike<number>): Float64Array {
  const x = readVector('rescaleToUnitInterval', 'v', v);
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const value of x) {
    if (value < min) min = value;
    if (value > max) max = value;
  }
  if (!(max > min)) throw new DegenerateInputError({ operation: 'rescaleToUnitInterval', reason: 'the vector is constant' });
  const range = max - min;
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] === max ? 1 : (2 * (x[i]! - min)) / range - 1;
  return out;
}
