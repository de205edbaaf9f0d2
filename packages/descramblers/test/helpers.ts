import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { createRng, multiplyTransposeB, randomOrthogonal, type Rng } from '@descramble/linalg';

export { createRng, randomOrthogonal, type Rng };

/** An r x c matrix of independent standard normals. */
export function gaussianMatrix(rng: Rng, rows: number, columns: number): Matrix {
  const m = new Matrix(rows, columns);
  for (let i = 0; i < rows; i++) for (let j = 0; j < columns; j++) m.set(i, j, rng.normal());
  return m;
}

/** `Q diag(values) Q^T` with a random orthogonal Q (exactly symmetric). */
export function symmetricWithSpectrum(rng: Rng, values: readonly number[]): Matrix {
  const d = values.length;
  const q = randomOrthogonal(d, rng);
  const scaled = q.clone();
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) scaled.set(i, j, q.get(i, j) * values[j]!);
  const m = multiplyTransposeB(scaled, q);
  for (let i = 0; i < d; i++) {
    for (let j = i + 1; j < d; j++) {
      const s = 0.5 * (m.get(i, j) + m.get(j, i));
      m.set(i, j, s);
      m.set(j, i, s);
    }
  }
  return m;
}

/** Values with multiplicities: `[[3, 2], [5, 1]]` -> `[3, 3, 5]`. */
export function withMultiplicities(groups: readonly (readonly [number, number])[]): number[] {
  return groups.flatMap(([value, count]) => Array.from({ length: count }, () => value));
}

/** `|x - y| <= tolerance * max(|x|, |y|)`. */
export function relativeError(x: number, y: number): number {
  const scale = Math.max(Math.abs(x), Math.abs(y));
  return scale === 0 ? 0 : Math.abs(x - y) / scale;
}

/** `||X - Y||_F / max(||X||_F, ||Y||_F)` (0 for two zero matrices). */
export function relativeMatrixError(x: Matrix, y: Matrix): number {
  const scale = Math.max(x.norm('frobenius'), y.norm('frobenius'));
  return scale === 0 ? 0 : x.clone().sub(y).norm('frobenius') / scale;
}

/**
 * Nullity of the Riemannian Hessian of `f(P) = tr(A P B P^T)` at P on O(d), in the chart
 * `P exp(X)`: `H(X, Y) = tr(A P ([X, [Y, B]] + [Y, [X, B]]) P^T) / 2`, eigenvalues counted
 * below `relativeTolerance * ||A||_F ||B||_F`. Independent of any tie bookkeeping.
 */
export function hessianNullity(p: Matrix, a: Matrix, b: Matrix, relativeTolerance: number): number {
  const d = p.rows;
  const basis: Matrix[] = [];
  for (let i = 0; i < d; i++) {
    for (let j = i + 1; j < d; j++) {
      const x = new Matrix(d, d);
      x.set(i, j, 1);
      x.set(j, i, -1);
      basis.push(x);
    }
  }
  const commutator = (x: Matrix, y: Matrix) => x.mmul(y).sub(y.mmul(x));
  const pta = p.transpose().mmul(a).mmul(p);
  const n = basis.length;
  const h = new Matrix(n, n);
  const inner = basis.map((y) => commutator(y, b));
  for (let r = 0; r < n; r++) {
    for (let c = r; c < n; c++) {
      const m = commutator(basis[r]!, inner[c]!).add(commutator(basis[c]!, inner[r]!));
      let trace = 0;
      for (let i = 0; i < d; i++) for (let k = 0; k < d; k++) trace += pta.get(i, k) * m.get(k, i);
      h.set(r, c, trace / 2);
      h.set(c, r, trace / 2);
    }
  }
  if (n === 0) return 0;
  const values = new EigenvalueDecomposition(h, { assumeSymmetric: true }).realEigenvalues;
  const scale = a.norm('frobenius') * b.norm('frobenius');
  return values.filter((v) => Math.abs(v) <= relativeTolerance * scale).length;
}


