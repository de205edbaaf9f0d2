import { assertPositiveSize } from '@descramble/core';
import type { Matrix } from 'ml-matrix';
import { wrapRowMajor } from './convert.js';
import { InvalidArgumentError, linalgScope } from './errors.js';

/** Which second-derivative operator `secondDerivative` builds. */
export type SecondDerivativeKind = 'fourier' | 'periodic' | 'dirichlet';

/**
 * d x d second-derivative matrices:
 * - `'fourier'`: Fourier spectral differentiation on the periodic grid x_j = 2 pi j / d,
 *   j = 0..d-1 (Weideman-Reddy `fourdif(d, 2)`, closed-form Toeplitz entries, odd and even d).
 *   Its eigenvalues are -k^2 on the real Fourier modes of frequency k (the Nyquist mode of even d
 *   gets -(d/2)^2).
 * - `'periodic'`: the circulant stencil [1 -2 1] (unit spacing), eigenvalues -4 sin^2(pi k / d).
 * - `'dirichlet'`: the tridiagonal stencil [1 -2 1] with zero boundary values (unit spacing),
 *   eigenvalues -4 sin^2(pi k / (2 (d + 1))), k = 1..d.
 * All three are symmetric.
 */
export function secondDerivative(d: number, kind: SecondDerivativeKind): Matrix {
  const operation = 'secondDerivative';
  assertPositiveSize(d, { ...linalgScope, operation, what: 'd' });
  const out = new Float64Array(d * d);
  switch (kind) {
    case 'fourier': {
      const column = fourierSecondDerivativeColumn(d);
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < d; j++) out[i * d + j] = column[(i - j + d) % d]!;
      }
      break;
    }
    case 'periodic':
      for (let i = 0; i < d; i++) {
        out[i * d + i] = out[i * d + i]! + (-2);
        out[i * d + ((i + 1) % d)] = out[i * d + ((i + 1) % d)]! + 1;
        out[i * d + ((i - 1 + d) % d)] = out[i * d + ((i - 1 + d) % d)]! + 1;
      }
      break;
    case 'dirichlet':
      for (let i = 0; i < d; i++) {
        out[i * d + i] = -2;
        if (i > 0) out[i * d + i - 1] = 1;
        if (i < d - 1) out[i * d + i + 1] = 1;
      }
      break;
    default:
      throw new InvalidArgumentError({ operation, argument: 'kind', what: `expected 'fourier' | 'periodic' | 'dirichlet', got ${String(kind)}`, scope: 'linalg' });
  }
  return wrapRowMajor(out, d, d);
}

/**
 * First column c_k = D2[k, 0] of the Fourier second-derivative matrix (depends on k mod d only;
 * c_{d-k} = c_k, set by mirroring so the matrix is exactly symmetric).
 */
function fourierSecondDerivativeColumn(d: number): Float64Array {
  const column = new Float64Array(d);
  const h = (2 * Math.PI) / d;
  if (d % 2 === 0) {
    column[0] = -(Math.PI * Math.PI) / (3 * h * h) - 1 / 6;
    for (let k = 1; 2 * k <= d; k++) {
      const sinHalf = Math.sin((k * h) / 2);
      column[k] = (k % 2 === 0 ? -0.5 : 0.5) / (sinHalf * sinHalf);
      column[d - k] = column[k]!;
    }
  } else {
    column[0] = -(Math.PI * Math.PI) / (3 * h * h) + 1 / 12;
    for (let k = 1; 2 * k < d; k++) {
      const x = (k * h) / 2;
      column[k] = ((k % 2 === 0 ? -0.5 : 0.5) * Math.cos(x)) / (Math.sin(x) * Math.sin(x));
      column[d - k] = column[k]!;
    }
  }
  return column;
}

/**
 * Orthonormal real Fourier basis on d equispaced points x_j = 2 pi j / d, as columns ordered by
 * frequency: the constant 1/sqrt(d), then cos(k x), sin(k x) (scaled by sqrt(2/d)) for
 * k = 1, 2, ... < d/2, then for even d the Nyquist mode (-1)^j / sqrt(d).
 */
export function realFourierBasis(d: number): Matrix {
  assertPositiveSize(d, { ...linalgScope, operation: 'realFourierBasis', what: 'd' });
  const out = new Float64Array(d * d);
  const c0 = 1 / Math.sqrt(d);
  const c1 = Math.sqrt(2 / d);
  for (let j = 0; j < d; j++) out[j * d] = c0;
  let column = 1;
  for (let k = 1; 2 * k < d; k++) {
    for (let j = 0; j < d; j++) {
      // Reduce k*j mod d first so the angle stays small and exact.
      const angle = (2 * Math.PI * ((k * j) % d)) / d;
      out[j * d + column] = c1 * Math.cos(angle);
      out[j * d + column + 1] = c1 * Math.sin(angle);
    }
    column += 2;
  }
  if (d % 2 === 0) {
    for (let j = 0; j < d; j++) out[j * d + column] = j % 2 === 0 ? c0 : -c0;
  }
  return wrapRowMajor(out, d, d);
}
