/**
 * Benchmark inputs (also used by the moderate-d test): Brockett costs tr(A P B P^T).
 *
 * - 'descrambling': A = D^T D for linalg's Fourier second derivative D (eigenvalues k^4,
 *   tied in cos/sin pairs), B = S S^T a random Gram matrix (S d x 2d Gaussian), as when
 *   descrambling a layer;
 * - 'generic': A and B random Wishart (X X^T, X d x 2d Gaussian), well-spread spectra.
 *
 * Both are scaled to ||A||_2 = ||B||_2 = 1 so that a gradient norm of 1e-6 is a
 * meaningful relative accuracy (the 2021 code's scaling d A / ||A||_2 multiplies the
 * cost, and so the gradient, by d^2).
 */
import { createRng, multiplyTransposeB, secondDerivative, symmetricEigenvalues } from '@descramble/linalg';
import { Matrix } from 'ml-matrix';

export type BenchmarkKind = 'descrambling' | 'generic';

function gaussian(rows: number, columns: number, seed: number): Matrix {
  const rng = createRng(seed);
  const m = new Matrix(rows, columns);
  for (let i = 0; i < rows; i++) for (let j = 0; j < columns; j++) m.set(i, j, rng.normal());
  return m;
}

function unitSpectralNorm(a: Matrix): Matrix {
  const values = symmetricEigenvalues(a);
  let max = 0;
  for (const v of values) max = Math.max(max, Math.abs(v));
  const out = a.clone().div(max);
  // exact symmetry after scaling
  for (let i = 0; i < out.rows; i++) for (let j = 0; j < i; j++) out.set(i, j, out.get(j, i));
  return out;
}

export function benchmarkBrockett(kind: BenchmarkKind, d: number, seed: number): { A: Matrix; B: Matrix } {
  let A: Matrix;
  if (kind === 'descrambling') {
    const D = secondDerivative(d, 'fourier');
    A = D.transpose().mmul(D);
  } else {
    const X = gaussian(d, 2 * d, seed + 1000);
    A = multiplyTransposeB(X, X);
  }
  const S = gaussian(d, 2 * d, seed);
  const B = multiplyTransposeB(S, S);
  return { A: unitSpectralNorm(A), B: unitSpectralNorm(B) };
}
