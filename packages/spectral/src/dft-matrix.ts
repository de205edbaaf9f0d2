/**
 * Explicit DFT matrices (for small n, reasoning and tests; use `fft`/`fft2` to transform).
 *
 * - `dftMatrix(n)`: `F[p, j] = exp(-2 pi i p j / n) / sqrt(n)` (unitary by default;
 *   `{ unitary: false }` drops the 1/sqrt(n), giving MATLAB's `dftmtx(n)`).
 * - `centredDftMatrix(n)`: F with its rows in fftshift order,
 *   `C[r, j] = exp(-2 pi i (r - floor(n/2)) j / n) / sqrt(n)`. Row r is frequency
 *   `r - floor(n/2)`, so `C x = fftshift(fft(x)) / sqrt(n)` for every n, C is unitary, and
 *   for a weight matrix `C_rows W C_columns^T = fftshift(fft2(W)) / sqrt(rows * columns)`.
 * - `recentredDftMatrix(n)`: the matrix of the 2021 descrambling code,
 *   `M = diag(exp(i pi k)) * dftmtx(n)`, i.e. `M[k, j] = (-1)^k exp(-2 pi i k j / n)`
 *   (divided by sqrt(n) unless `{ unitary: false }`). That code displays
 *   `abs(M_rows' * W * M_columns)`. For even n, `M^T = C` (multiplying the input by
 *   (-1)^j shifts the spectrum by n/2), so `W M_columns` is the column-centred DFT; and
 *   `|M_rows^H W M_columns|[j, k] = |fftshift(fft2 W)|[(rows - j) mod rows, k] / sqrt(rows columns)`
 *   for real W and even sizes: the hidden-frequency axis comes out mirrored (circularly),
 *   which the symmetrised display `|A| + |circshift(fliplr(A), 1, 2)|` makes immaterial.
 *   For odd n, M evaluates the DFT at the half-integer frequencies `k - n/2` and is not a
 *   reordering of F; prefer `centredDftMatrix` there.
 */
import { assertPositiveInteger } from '@descramble/core';
import type { ComplexMatrix } from './complex.js';
import { rowMajorToMatrix } from './matrix-data.js';
import { spectralScope } from './errors.js';

export interface DftMatrixOptions {
  /** Divide by sqrt(n) so the matrix is unitary (default true). */
  readonly unitary?: boolean;
}

/** Builds `scale * exp(-2 pi i (p(r)) j / n) * sign(r)` from integer frequencies per row. */
function build(n: number, frequencyOfRow: (r: number) => number, rowSign: (r: number) => number, unitary: boolean): ComplexMatrix {
  const re = new Float64Array(n * n);
  const im = new Float64Array(n * n);
  const scale = unitary ? 1 / Math.sqrt(n) : 1;
  for (let r = 0; r < n; r++) {
    const p = ((frequencyOfRow(r) % n) + n) % n;
    const s = rowSign(r) * scale;
    for (let j = 0; j < n; j++) {
      // (p j) mod n is exact: the angle stays in [0, 2 pi).
      const angle = (2 * Math.PI * ((p * j) % n)) / n;
      re[r * n + j] = s * Math.cos(angle);
      im[r * n + j] = -s * Math.sin(angle);
    }
  }
  return { re: rowMajorToMatrix(re, n, n), im: rowMajorToMatrix(im, n, n) };
}

/** The DFT matrix `F[p, j] = exp(-2 pi i p j / n)`, divided by sqrt(n) unless `unitary: false`. */
export function dftMatrix(n: number, options: DftMatrixOptions = {}): ComplexMatrix {
  assertPositiveInteger(n, { ...spectralScope, operation: 'dftMatrix', argument: 'n' });
  return build(n, (r) => r, () => 1, options.unitary ?? true);
}

/** The unitary DFT matrix with rows in fftshift order: `C x = fftshift(fft(x)) / sqrt(n)`. */
export function centredDftMatrix(n: number, options: DftMatrixOptions = {}): ComplexMatrix {
  assertPositiveInteger(n, { ...spectralScope, operation: 'centredDftMatrix', argument: 'n' });
  const low = Math.floor(n / 2);
  return build(n, (r) => r - low, () => 1, options.unitary ?? true);
}

/** The 2021 code's `diag(exp(i pi k)) * dftmtx(n)`, divided by sqrt(n) unless `unitary: false` (see the module note). */
export function recentredDftMatrix(n: number, options: DftMatrixOptions = {}): ComplexMatrix {
  assertPositiveInteger(n, { ...spectralScope, operation: 'recentredDftMatrix', argument: 'n' });
  return build(n, (r) => r, (r) => (r % 2 === 0 ? 1 : -1), options.unitary ?? true);
}
