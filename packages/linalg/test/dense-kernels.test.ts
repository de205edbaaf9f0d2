import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import {
  addTransposedKernel,
  cayley,
  cholesky,
  choleskyKernel,
  choleskySolve,
  choleskySolveKernel,
  createRng,
  distanceToIdentityKernel,
  expmSkew,
  expmSkewKernel,
  householderQrFlat,
  InvalidArgumentError,
  invertPositiveRealKernel,
  jacobiEigenKernel,
  luDeterminantSign,
  luFactor,
  luFactorKernel,
  luSolve,
  luSolveKernel,
  polarDecomposition,
  polarFactorKernel,
  randomOrthogonal,
  SingularMatrixError,
  symmetricEigenvalues,
  toFloat64Array,
} from '../src/index.js';
import { EPS } from './helpers.js';

// Written by tooling/fixtures/linalg/dense_kernels.py (scipy); committed so tests need no Python.
interface Reference {
  lu: { a: number[][]; permutation: number[]; l: number[][]; u: number[][]; determinantSign: number }[];
  cholesky: { a: number[][]; l: number[][] }[];
  qr: { a: number[][]; q: number[][]; r: number[][] }[];
  polar: { a: number[][]; u: number[][]; h: number[][] }[];
  expm: { s: number[][]; expm: number[][] }[];
  eigh: { a: number[][]; values: number[] }[];
}
const reference = JSON.parse(
  readFileSync(new URL('./fixtures/dense-kernels.json', import.meta.url), 'utf8'),
) as Reference;

const flat = (rows: number[][]): Float64Array => Float64Array.from(rows.flat());

function gaussian(length: number, seed: number): Float64Array {
  return createRng(seed).normalArray(length);
}

/** Naive row-major product (m x k)(k x n), independent of gemm. */
function product(a: Float64Array, b: Float64Array, m: number, k: number, n: number, transA = false): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let l = 0; l < k; l++) s += (transA ? a[l * m + i]! : a[i * k + l]!) * b[l * n + j]!;
      out[i * n + j] = s;
    }
  }
  return out;
}

function norm(a: Float64Array): number {
  let s = 0;
  for (const x of a) s += x * x;
  return Math.sqrt(s);
}

function difference(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s);
}

/** ||Q^T Q - I||_F for Q m x n. */
function orthonormality(q: Float64Array, m: number, n: number): number {
  return distanceToIdentityKernel(n, product(q, q, n, m, n, true));
}

function skew(n: number, seed: number, scale: number): Float64Array {
  const s = new Float64Array(n * n);
  addTransposedKernel(n, gaussian(n * n, seed), scale / 2, -scale / 2, s);
  return s;
}

const size = fc.integer({ min: 1, max: 40 });
const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 });

describe('LU with partial pivoting', () => {
  it('P A = L U, and A X = B is solved to a backward-stable residual (sizes 1..40)', () => {
    fc.assert(
      fc.property(size, seed, fc.integer({ min: 1, max: 5 }), (n, s, nrhs) => {
        const a = gaussian(n * n, s);
        const lu = Float64Array.from(a);
        const pivots = new Int32Array(n);
        expect(luFactorKernel(n, lu, pivots)).toBe(-1);
        // Rebuild P A from the recorded swaps and L U from the factors.
        const pa = Float64Array.from(a);
        for (let k = 0; k < n; k++) {
          const p = pivots[k]!;
          for (let j = 0; j < n; j++) [pa[k * n + j], pa[p * n + j]] = [pa[p * n + j]!, pa[k * n + j]!];
        }
        const l = new Float64Array(n * n);
        const u = new Float64Array(n * n);
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) (j < i ? l : u)[i * n + j] = lu[i * n + j]!;
          l[i * n + i] = 1;
        }
        // |L| <= 1 under partial pivoting, so ||L U - P A|| <= c n eps ||L|| ||U||.
        expect(difference(product(l, u, n, n, n), pa)).toBeLessThanOrEqual(4 * n * EPS * norm(l) * norm(u));
        const b = gaussian(n * nrhs, s + 1);
        const x = Float64Array.from(b);
        luSolveKernel(n, lu, pivots, x, nrhs);
        const residual = difference(product(a, x, n, n, nrhs), b);
        expect(residual).toBeLessThanOrEqual(8 * n * EPS * norm(l) * norm(u) * norm(x));
      }),
      { numRuns: 60 },
    );
  });

  it('the determinant sign is the sign of the product of the pivots times the swap parity', () => {
    for (const n of [1, 2, 5, 12]) {
      const q = toFloat64Array(randomOrthogonal(n, createRng(n)));
      const lu = Float64Array.from(q);
      const pivots = new Int32Array(n);
      luFactorKernel(n, lu, pivots);
      const sign = luDeterminantSign(n, lu, pivots);
      // Negating one row flips det exactly.
      const flipped = Float64Array.from(q);
      for (let j = 0; j < n; j++) flipped[j] = -flipped[j]!;
      const lu2 = Float64Array.from(flipped);
      luFactorKernel(n, lu2, pivots);
      expect(luDeterminantSign(n, lu2, pivots)).toBe(-sign);
      expect(Math.abs(sign)).toBe(1);
    }
  });

  it('a zero column is reported at its pivot, gives sign 0, and the validating solve throws', () => {
    const n = 4;
    const a = gaussian(n * n, 3);
    for (let i = 0; i < n; i++) a[i * n + 2] = 0;
    const lu = Float64Array.from(a);
    const pivots = new Int32Array(n);
    expect(luFactorKernel(n, lu, pivots)).toBe(2);
    expect(luDeterminantSign(n, lu, pivots)).toBe(0);
    const m = new Matrix(n, n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) m.set(i, j, a[i * n + j]!);
    expect(() => luSolve(m, Matrix.ones(n, 1))).toThrow(SingularMatrixError);
  });

  it('matches scipy.linalg.lu (permutation, L, U) and the sign of numpy det', () => {
    for (const ref of reference.lu) {
      const n = ref.a.length;
      const result = luFactor(new Matrix(ref.a));
      expect(Array.from(result.permutation)).toEqual(ref.permutation);
      const scale = norm(flat(ref.a));
      expect(difference(toFloat64Array(result.l), flat(ref.l))).toBeLessThanOrEqual(100 * n * EPS * scale);
      expect(difference(toFloat64Array(result.u), flat(ref.u))).toBeLessThanOrEqual(100 * n * EPS * scale);
      expect(result.determinantSign).toBe(ref.determinantSign);
    }
  });
});

describe('Cholesky', () => {
  it('L L^T = A with L lower triangular and positive diagonal, and the solve has a small residual', () => {
    fc.assert(
      fc.property(size, seed, (n, s) => {
        const g = gaussian(n * 2 * n, s);
        const a = product(g, transposeOf(g, n, 2 * n), n, 2 * n, n);
        const l = Float64Array.from(a);
        expect(choleskyKernel(n, l)).toBe(-1);
        for (let i = 0; i < n; i++) {
          expect(l[i * n + i]!).toBeGreaterThan(0);
          for (let j = i + 1; j < n; j++) l[i * n + j] = 0;
        }
        expect(difference(product(l, transposeOf(l, n, n), n, n, n), a)).toBeLessThanOrEqual(4 * n * EPS * norm(a));
        const b = gaussian(n, s + 7);
        const x = Float64Array.from(b);
        choleskySolveKernel(n, l, x, 1);
        expect(difference(product(a, x, n, n, 1), b)).toBeLessThanOrEqual(8 * n * EPS * norm(a) * norm(x));
      }),
      { numRuns: 60 },
    );
  });

  it('stops at the first non-positive pivot and leaves it in place; the wrapper throws', () => {
    const a = Float64Array.from([4, 2, 0, 2, 1, 0, 0, 0, 1]); // rank-deficient leading 2 x 2 block
    expect(choleskyKernel(3, a)).toBe(1);
    expect(a[4]!).toBeLessThanOrEqual(0);
    expect(() => cholesky(new Matrix([[1, 2], [2, 1]]))).toThrow(InvalidArgumentError);
  });

  it('matches scipy.linalg.cholesky and solves against it', () => {
    for (const ref of reference.cholesky) {
      const n = ref.a.length;
      const l = toFloat64Array(cholesky(new Matrix(ref.a)));
      expect(difference(l, flat(ref.l))).toBeLessThanOrEqual(100 * n * EPS * norm(flat(ref.a)));
      const x = toFloat64Array(choleskySolve(new Matrix(ref.a), Matrix.ones(n, 1)));
      expect(difference(product(flat(ref.a), x, n, n, 1), new Float64Array(n).fill(1))).toBeLessThanOrEqual(
        100 * n * EPS * norm(flat(ref.a)) * norm(x),
      );
    }
  });
});

function transposeOf(a: Float64Array, rows: number, columns: number): Float64Array {
  const out = new Float64Array(rows * columns);
  for (let i = 0; i < rows; i++) for (let j = 0; j < columns; j++) out[j * rows + i] = a[i * columns + j]!;
  return out;
}

describe('Householder QR on row-major storage', () => {
  it('Q^T Q = I, Q R = A, R upper triangular with diagonal >= 0 (m >= n, sizes 1..40)', () => {
    fc.assert(
      fc.property(size, fc.integer({ min: 0, max: 10 }), seed, (n, extra, s) => {
        const m = n + extra;
        const a = gaussian(m * n, s);
        const q = new Float64Array(m * n);
        const r = new Float64Array(n * n);
        householderQrFlat(m, n, a, q, r, new Float64Array(m * n), new Float64Array(m * n), new Float64Array(n));
        expect(orthonormality(q, m, n)).toBeLessThanOrEqual(8 * m * EPS * Math.sqrt(n));
        expect(difference(product(q, r, m, n, n), a)).toBeLessThanOrEqual(8 * m * EPS * norm(a));
        for (let i = 0; i < n; i++) {
          expect(r[i * n + i]!).toBeGreaterThanOrEqual(0);
          for (let j = 0; j < i; j++) expect(Math.abs(r[i * n + j]!)).toBeLessThanOrEqual(0); // exactly zero
        }
      }),
      { numRuns: 60 },
    );
  });

  it('matches scipy.linalg.qr (economic, signs fixed to diag(R) >= 0)', () => {
    for (const ref of reference.qr) {
      const m = ref.a.length;
      const n = ref.a[0]!.length;
      const q = new Float64Array(m * n);
      const r = new Float64Array(n * n);
      householderQrFlat(m, n, flat(ref.a), q, r, new Float64Array(m * n), new Float64Array(m * n), new Float64Array(n));
      // Q is unique for full column rank; its perturbation is bounded by cond(A) m eps.
      expect(difference(q, flat(ref.q))).toBeLessThanOrEqual(1e3 * m * EPS);
      expect(difference(r, flat(ref.r))).toBeLessThanOrEqual(1e3 * m * EPS * norm(flat(ref.a)));
    }
  });
});

describe('polar factor (Newton)', () => {
  it('U^T U = I and A = U H with H symmetric positive definite (well-conditioned A, sizes 1..40)', () => {
    fc.assert(
      fc.property(size, seed, (n, s) => {
        // I + Omega + small noise: the solvers' use (cond <= ~3).
        const a = skew(n, s, 1 / Math.sqrt(n));
        const noise = gaussian(n * n, s + 1);
        for (let i = 0; i < n * n; i++) a[i]! += 0.1 * noise[i]! / Math.sqrt(n);
        for (let i = 0; i < n; i++) a[i * n + i]! += 1;
        const u = new Float64Array(n * n);
        const iterations = polarFactorKernel(n, a, u, new Float64Array(n * n), new Float64Array(n * n), new Int32Array(n));
        expect(iterations).toBeGreaterThan(0);
        expect(iterations).toBeLessThan(20);
        expect(orthonormality(u, n, n)).toBeLessThanOrEqual(16 * n * EPS);
        const h = product(u, a, n, n, n, true);
        const asymmetry = new Float64Array(n * n);
        addTransposedKernel(n, h, 0.5, -0.5, asymmetry);
        expect(norm(asymmetry)).toBeLessThanOrEqual(64 * n * EPS * norm(a));
        const m = new Matrix(n, n);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) m.set(i, j, 0.5 * (h[i * n + j]! + h[j * n + i]!));
        expect(symmetricEigenvalues(m)[0]!).toBeGreaterThan(0);
      }),
      { numRuns: 40 },
    );
  });

  it('matches scipy.linalg.polar, and the wrapper returns U H = A', () => {
    for (const ref of reference.polar) {
      const n = ref.a.length;
      const { u, h } = polarDecomposition(new Matrix(ref.a));
      expect(difference(toFloat64Array(u), flat(ref.u))).toBeLessThanOrEqual(1e3 * n * EPS);
      expect(difference(toFloat64Array(h), flat(ref.h))).toBeLessThanOrEqual(1e3 * n * EPS * norm(flat(ref.a)));
      const uh = product(toFloat64Array(u), toFloat64Array(h), n, n, n);
      expect(difference(uh, flat(ref.a))).toBeLessThanOrEqual(100 * n * EPS * norm(flat(ref.a)));
    }
  });

  it('a singular matrix is reported, not iterated into NaN', () => {
    expect(() => polarDecomposition(new Matrix([[1, 2], [2, 4]]))).toThrow(SingularMatrixError);
  });
});

describe('exponential of a skew-symmetric matrix', () => {
  it('exp(S) is orthogonal to ~d eps per squaring and exp(S) exp(-S) = I (sizes 1..40, ||S|| up to 20)', () => {
    fc.assert(
      fc.property(size, seed, fc.double({ min: 0, max: 20, noNaN: true }), (n, s, scale) => {
        const x = skew(n, s, scale / Math.sqrt(n));
        const e = new Float64Array(n * n);
        const w = [new Float64Array(n * n), new Float64Array(n * n), new Float64Array(n * n)] as const;
        expmSkewKernel(n, x, e, ...w);
        const squarings = Math.max(0, Math.ceil(Math.log2(norm(x) / 0.5)));
        expect(orthonormality(e, n, n)).toBeLessThanOrEqual(8 * n * EPS * (1 + squarings));
        const minus = Float64Array.from(x, (v) => -v);
        const einv = new Float64Array(n * n);
        expmSkewKernel(n, minus, einv, ...w);
        expect(distanceToIdentityKernel(n, product(e, einv, n, n, n))).toBeLessThanOrEqual(8 * n * EPS * (1 + squarings));
        // exp(-S) = exp(S)^T for skew S.
        expect(difference(einv, transposeOf(e, n, n))).toBeLessThanOrEqual(8 * n * EPS * (1 + squarings));
      }),
      { numRuns: 60 },
    );
  });

  it('agrees with the power series on small norms', () => {
    const n = 7;
    const x = skew(n, 11, 0.05);
    const e = new Float64Array(n * n);
    expmSkewKernel(n, x, e, new Float64Array(n * n), new Float64Array(n * n), new Float64Array(n * n));
    const series = new Float64Array(n * n);
    let term = new Float64Array(n * n);
    for (let i = 0; i < n; i++) term[i * n + i] = 1;
    for (let k = 1; k <= 30; k++) {
      for (let i = 0; i < n * n; i++) series[i]! += term[i]!;
      term = product(term, x, n, n, n).map((v) => v / k);
    }
    expect(difference(e, series)).toBeLessThanOrEqual(4 * n * EPS);
  });

  it('equals the Cayley transform of -tan(S/2) for S = V (block rotations) V^T (commuting case)', () => {
    // exp(theta J) is the rotation by theta, and so is cayley(q J) with q = -tan(theta / 2)
    // (cayley(Q) = (I + Q)^{-1}(I - Q)); conjugating both by one orthogonal V keeps the identity.
    const n = 8;
    const v = toFloat64Array(randomOrthogonal(n, createRng(5)));
    const thetas = [0.3, -1.2, 2.5, 3.0];
    const block = new Float64Array(n * n);
    const cayleyBlock = new Float64Array(n * n);
    thetas.forEach((theta, k) => {
      block[2 * k * n + 2 * k + 1] = theta;
      block[(2 * k + 1) * n + 2 * k] = -theta;
      const q = -Math.tan(theta / 2);
      cayleyBlock[2 * k * n + 2 * k + 1] = q;
      cayleyBlock[(2 * k + 1) * n + 2 * k] = -q;
    });
    const conjugate = (m: Float64Array): Float64Array => {
      const c = product(product(v, m, n, n, n), transposeOf(v, n, n), n, n, n);
      const out = new Float64Array(n * n);
      addTransposedKernel(n, c, 0.5, -0.5, out);
      return out;
    };
    const s = conjugate(block);
    const q = conjugate(cayleyBlock);
    const viaExp = toFloat64Array(expmSkew(new Matrix(Array.from({ length: n }, (_, i) => Array.from(s.subarray(i * n, i * n + n))))));
    const viaCayley = toFloat64Array(cayley(new Matrix(Array.from({ length: n }, (_, i) => Array.from(q.subarray(i * n, i * n + n))))));
    // cond(I + Q) <= 1 + tan(1.5) ~ 15 enters the Cayley side.
    expect(difference(viaExp, viaCayley)).toBeLessThanOrEqual(1e3 * n * EPS);
  });

  it('matches scipy.linalg.expm at norms 0.1, 1 and 10', () => {
    for (const ref of reference.expm) {
      const n = ref.s.length;
      const e = toFloat64Array(expmSkew(new Matrix(ref.s)));
      const squarings = Math.max(0, Math.ceil(Math.log2(norm(flat(ref.s)) / 0.5)));
      expect(difference(e, flat(ref.expm))).toBeLessThanOrEqual(16 * n * EPS * (1 + squarings) * (1 + norm(flat(ref.s))));
    }
  });

  it('rejects a matrix that is not skew-symmetric', () => {
    expect(() => expmSkew(new Matrix([[0, 1], [0.5, 0]]))).toThrow(InvalidArgumentError);
  });
});

describe('cyclic Jacobi symmetric eigen (small matrices)', () => {
  it('A V = V diag(values), V^T V = I, values ascending and equal to symmetricEigenvalues (sizes 1..32)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 32 }), seed, (n, s) => {
        const g = gaussian(n * n, s);
        const a = new Float64Array(n * n);
        addTransposedKernel(n, g, 0.5, 0.5, a);
        const values = new Float64Array(n);
        const vectors = new Float64Array(n * n);
        const sweeps = jacobiEigenKernel(n, Float64Array.from(a), values, vectors);
        expect(sweeps).toBeLessThan(20);
        expect(orthonormality(vectors, n, n)).toBeLessThanOrEqual(16 * n * EPS);
        const av = product(a, vectors, n, n, n);
        const vl = Float64Array.from(vectors, (x, k) => x * values[k % n]!);
        expect(difference(av, vl)).toBeLessThanOrEqual(16 * n * EPS * norm(a));
        for (let i = 1; i < n; i++) expect(values[i]!).toBeGreaterThanOrEqual(values[i - 1]!);
        const m = new Matrix(n, n);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) m.set(i, j, a[i * n + j]!);
        const reference = symmetricEigenvalues(m);
        expect(difference(values, reference)).toBeLessThanOrEqual(16 * n * EPS * norm(a));
      }),
      { numRuns: 40 },
    );
  });

  it('matches scipy.linalg.eigh', () => {
    for (const ref of reference.eigh) {
      const n = ref.a.length;
      const values = new Float64Array(n);
      jacobiEigenKernel(n, flat(ref.a), values, new Float64Array(n * n));
      expect(difference(values, Float64Array.from(ref.values))).toBeLessThanOrEqual(16 * n * EPS * norm(flat(ref.a)));
    }
  });
});

describe('block inverse of a matrix with positive-definite symmetric part', () => {
  it('M M^{-1} = I for I + skew across the base case (n = 7, 33, 70)', () => {
    for (const n of [7, 33, 70]) {
      const m = skew(n, n, 4);
      for (let i = 0; i < n; i++) m[i * n + i]! += 1;
      const inv = new Float64Array(n * n);
      expect(invertPositiveRealKernel(n, m, inv)).toBe(-1);
      // cond(I + S) = sqrt(1 + ||S||_2^2) <= 1 + ||S||_F.
      expect(distanceToIdentityKernel(n, product(m, inv, n, n, n))).toBeLessThanOrEqual(16 * n * EPS * (1 + norm(m)));
    }
  });
});

describe('elementwise kernels', () => {
  it('alpha A + beta A^T is exactly skew for alpha = -beta and exactly symmetric for alpha = beta', () => {
    fc.assert(
      fc.property(size, seed, (n, s) => {
        const a = gaussian(n * n, s);
        const k = new Float64Array(n * n);
        const h = new Float64Array(n * n);
        addTransposedKernel(n, a, 0.5, -0.5, k);
        addTransposedKernel(n, a, 0.5, 0.5, h);
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) {
            // Exactly: a bound of 0 on the defect.
            expect(Math.abs(k[i * n + j]! + k[j * n + i]!)).toBeLessThanOrEqual(0);
            expect(Math.abs(h[i * n + j]! - h[j * n + i]!)).toBeLessThanOrEqual(0);
            const size = Math.abs(a[i * n + j]!) + Math.abs(a[j * n + i]!);
            expect(Math.abs(k[i * n + j]! + h[i * n + j]! - a[i * n + j]!)).toBeLessThanOrEqual(2 * EPS * size);
          }
        }
      }),
      { numRuns: 30 },
    );
  });
});
