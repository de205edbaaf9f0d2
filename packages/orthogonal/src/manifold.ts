/**
 * The orthogonal group as a Riemannian submanifold of R^{d x d} (Frobenius metric).
 *
 * Tangent vectors at P are `P Omega` with Omega skew; the solvers work with Omega
 * ("right-trivialised" coordinates), in which the norm is ||Omega||_F and vector
 * transport between points is the identity on Omega (an isometry).
 *
 *   Riemannian gradient       grad f(P) = P skew(P^T G)
 *   Riemannian Hessian        Hess f(P)[P Omega] = P skew(P^T H[P Omega] - Omega sym(P^T G))
 *   retraction                R_P(P Omega) = P r(Omega), r one of
 *     cayley       (I - Omega/2)^{-1} (I + Omega/2)       inverse 2 (C - I)(C + I)^{-1}
 *     qr           Q factor of I + Omega (positive diag R) inverse by a triangular recursion
 *     polar        (I + Omega)(I - Omega^2)^{-1/2}       inverse (C - C^T)(C + C^T)^{-1}
 *                                                         (C + C^T must be positive definite)
 *     exponential  exp(Omega)                            inverse principal log C by inverse
 *                                                         scaling and squaring (square roots
 *                                                         polar(I + C), then 2 artanh of the
 *                                                         Cayley parameter); no eigenvalue -1
 *   Outside an inverse's domain inverseRetract throws InverseRetractionDomainError.
 */

import { addTransposedKernel, choleskyKernel, choleskySolveKernel, distanceToIdentityKernel, luFactorKernel, luSolveKernel } from '@descramble/linalg';
import type { Matrix } from 'ml-matrix';
import {
  expmSkew,
  invert,
  invertPositiveReal,
  multiply,
  multiplyTransposeLeft,
  newtonSchulzStep,
  orthogonalityDrift,
  polarFactor,
  qrDecomposition,
  setIdentity,
  skewPart,
  symmetricPart,
} from './dense.js';
import {
  InvalidOptionError,
  InverseRetractionDomainError,
  orthogonalScope,
  SingularMatrixError,
} from './errors.js';
import { assertOrthogonal, flatToMatrix, squareToFlat } from './matrix-io.js';

export type RetractionName = 'cayley' | 'qr' | 'polar' | 'exponential';

export const retractionNames: readonly RetractionName[] = ['cayley', 'qr', 'polar', 'exponential'];

/** Reusable n x n buffers. */
export class Workspace {
  readonly n: number;
  private readonly pool: Float64Array[] = [];
  constructor(n: number) {
    this.n = n;
  }
  /** The i-th scratch buffer (allocated on first use). Callers document which indices they use. */
  buffer(i: number): Float64Array {
    while (this.pool.length <= i) this.pool.push(new Float64Array(this.n * this.n));
    return this.pool[i]!;
  }
}

/**
 * Flat retraction: `factor` writes r(t Omega) into `out`; buffers 0..3 of the
 * workspace are reserved for retractions.
 */
export interface FlatRetraction {
  readonly name: RetractionName;
  factor(omega: Float64Array, t: number, out: Float64Array, ws: Workspace): void;
  /** Omega (skew) with r(Omega) = c; throws InverseRetractionDomainError outside the image. */
  inverseFactor: (c: Float64Array, out: Float64Array, ws: Workspace) => void;
}

const cayleyRetraction: FlatRetraction = {
  name: 'cayley',
  factor(omega, t, out, ws) {
    const n = ws.n;
    const m = ws.buffer(0);
    for (let i = 0; i < n * n; i++) m[i] = -0.5 * t * omega[i]!;
    for (let i = 0; i < n; i++) m[i * n + i]! += 1;
    invertPositiveReal(m, out, n);
    // (I - X)^{-1}(I + X) = 2 (I - X)^{-1} - I
    for (let i = 0; i < n * n; i++) out[i]! *= 2;
    for (let i = 0; i < n; i++) out[i * n + i]! -= 1;
  },
  inverseFactor(c, out, ws) {
    const n = ws.n;
    const plus = ws.buffer(0);
    const inv = ws.buffer(1);
    const minus = ws.buffer(2);
    for (let i = 0; i < n * n; i++) {
      plus[i] = c[i]!;
      minus[i] = 2 * c[i]!;
    }
    for (let i = 0; i < n; i++) {
      plus[i * n + i]! += 1;
      minus[i * n + i]! -= 2;
    }
    invert(plus, inv, n, ws.buffer(3), 'inverseCayley');
    multiply(minus, inv, plus, n);
    skewPart(plus, out, n);
  },
};

const qrRetraction: FlatRetraction = {
  name: 'qr',
  factor(omega, t, out, ws) {
    const n = ws.n;
    const m = ws.buffer(0);
    for (let i = 0; i < n * n; i++) m[i] = t * omega[i]!;
    for (let i = 0; i < n; i++) m[i * n + i]! += 1;
    qrDecomposition(m, out, n, ws.buffer(1));
  },
  inverseFactor(c, out, ws) {
    // Find upper-triangular R with sym(C R) = I; then Omega = C R - I.
    const n = ws.n;
    const r = ws.buffer(0);
    r.fill(0);
    const system = new Float64Array(n * n);
    const rhs = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      const size = j + 1;
      // unknowns r_{0..j, j}; equations i = 0..j:
      //   sum_k C_{ik} R_{kj} + [i<j] sum_{k<=i} C_{jk} R_{ki} = 2 [i = j] ... (i = j: 2 sum_k C_{jk} R_{kj} = 2)
      for (let i = 0; i < size; i++) {
        const factor = i === j ? 2 : 1;
        for (let k = 0; k < size; k++) system[i * size + k] = factor * c[i * n + k]!;
        let known = 0;
        if (i < j) {
          for (let k = 0; k <= i; k++) known += c[j * n + k]! * r[k * n + i]!;
        }
        rhs[i] = (i === j ? 2 : 0) - known;
      }
      solveSmall(system, rhs, size, 'inverseQr');
      for (let k = 0; k < size; k++) r[k * n + j] = rhs[k]!;
    }
    multiply(c, r, ws.buffer(1), n);
    const cr = ws.buffer(1);
    for (let i = 0; i < n; i++) cr[i * n + i]! -= 1;
    skewPart(cr, out, n);
  },
};

const polarRetraction: FlatRetraction = {
  name: 'polar',
  factor(omega, t, out, ws) {
    const n = ws.n;
    const m = ws.buffer(0);
    for (let i = 0; i < n * n; i++) m[i] = t * omega[i]!;
    for (let i = 0; i < n; i++) m[i * n + i]! += 1;
    polarFactor(m, out, n, ws.buffer(1), ws.buffer(2), ws.buffer(3));
  },
  inverseFactor(c, out, ws) {
    // C = (I + Omega) S^{-1} with S = (I - Omega^2)^{1/2} requires sym(C S) = I, i.e.
    // C S + S C^T = 2I. Orthogonal C is normal, so C commutes with C + C^T
    // (C (C + C^T) = C^2 + I = (C + C^T) C); hence S = 2 (C + C^T)^{-1} solves the equation
    // (C S + S C^T = 2 (C + C^T)(C + C^T)^{-1} = 2I) and is the SPD solution exactly when
    // C + C^T is positive definite (every eigenvalue e^{i theta} of C has cos theta > 0; the
    // retraction maps the eigenvalue i w of Omega to the angle atan w in (-pi/2, pi/2), so this
    // is also exactly its image). Then Omega = C S - I = (C - C^T)(C + C^T)^{-1}: one Cholesky
    // factorisation and n triangular solves, O(n^3) and backward stable, with no Lyapunov or
    // Krylov iteration to tune. A non-positive Cholesky pivot is the typed domain error.
    const n = ws.n;
    const sum = ws.buffer(0);
    const difference = ws.buffer(1);
    addTransposedKernel(n, c, 1, 1, sum);
    addTransposedKernel(n, c, 1, -1, difference);
    choleskyInPlace(sum, n, 'inverseRetract', 'polar');
    // (C + C^T)^{-1} (C - C^T) equals (C - C^T)(C + C^T)^{-1}: the two commute.
    choleskySolveRows(sum, difference, n);
    skewPart(difference, out, n);
  },
};

const exponentialRetraction: FlatRetraction = {
  name: 'exponential',
  factor(omega, t, out, ws) {
    const n = ws.n;
    const m = ws.buffer(0);
    for (let i = 0; i < n * n; i++) m[i] = t * omega[i]!;
    expmSkew(m, out, n, ws.buffer(1), ws.buffer(2), ws.buffer(3));
  },
  inverseFactor(c, out, ws) {
    // Principal logarithm by inverse scaling and squaring. For orthogonal C without eigenvalue
    // -1 the principal square root is the polar factor of I + C:
    //   I + C = C^{1/2} (C^{-1/2} + C^{1/2}), the second factor symmetric with eigenvalues
    //   2 cos(theta/2) > 0,
    // so every root is orthogonal by construction (no drift to repair). After k roots with
    // ||C_k - I||_F <= 1/4 (angles |theta| / 2^k < 0.26) the Cayley parameter
    // K = (C_k - I)(C_k + I)^{-1} is skew with ||K||_2 = max tan(theta / 2^{k+1}) < 0.13, and
    // log C_k = 2 artanh K = 2 sum_j K^{2j+1} / (2j + 1) converges to rounding in <= 9 terms.
    // log C = 2^k log C_k. Domain: 2I + C + C^T = (I + C)^T (I + C) must be positive
    // definite (no eigenvalue -1; det C = -1 always has one), checked by Cholesky.
    const n = ws.n;
    const root = ws.buffer(0);
    const shifted = ws.buffer(1);
    const w1 = ws.buffer(2);
    const w2 = ws.buffer(3);
    addTransposedKernel(n, c, 1, 1, shifted);
    for (let i = 0; i < n; i++) shifted[i * n + i]! += 2;
    choleskyInPlace(shifted, n, 'inverseRetract', 'exponential');
    root.set(c.subarray(0, n * n));
    let roots = 0;
    const w3 = new Float64Array(n * n);
    while (distanceToIdentity(root, n) > 0.25) {
      if (roots >= 64) throw new InverseRetractionDomainError({ location: 'inverseRetract', retraction: 'exponential', pivot: 0 });
      shifted.set(root);
      for (let i = 0; i < n; i++) shifted[i * n + i]! += 1;
      polarFactor(shifted, root, n, w1, w2, w3);
      roots += 1;
    }
    // K = (C_k - I)(C_k + I)^{-1}
    const minus = shifted;
    const plus = w3;
    for (let i = 0; i < n * n; i++) {
      minus[i] = root[i]!;
      plus[i] = root[i]!;
    }
    for (let i = 0; i < n; i++) {
      minus[i * n + i]! -= 1;
      plus[i * n + i]! += 1;
    }
    invert(plus, w1, n, w2, 'inverseRetract');
    const k = multiply(minus, w1, w2, n);
    const k2 = multiply(k, k, w1, n);
    // log = 2 sum_j K^{2j+1} / (2j + 1); `power` holds K^{2j+1}.
    const power = root;
    power.set(k);
    const sum = new Float64Array(n * n);
    const next = minus;
    const kNorm = Math.sqrt(k.reduce((acc, v) => acc + v * v, 0));
    for (let j = 0; j < 40; j++) {
      const weight = 2 / (2 * j + 1);
      let termNorm = 0;
      for (let i = 0; i < n * n; i++) {
        const term = weight * power[i]!;
        sum[i]! += term;
        termNorm += term * term;
      }
      if (Math.sqrt(termNorm) <= 1e-18 * kNorm) break;
      multiply(power, k2, next, n);
      power.set(next);
    }
    const scale = 2 ** roots;
    for (let i = 0; i < n * n; i++) sum[i]! *= scale;
    skewPart(sum, out, n);
  },
};

const retractions: Record<RetractionName, FlatRetraction> = {
  cayley: cayleyRetraction,
  qr: qrRetraction,
  polar: polarRetraction,
  exponential: exponentialRetraction,
};

export function flatRetraction(name: RetractionName, location: string): FlatRetraction {
  const r = retractions[name];
  if (r === undefined) throw new InvalidOptionError({ location, option: 'retraction', value: name });
  return r;
}

/** ||M - I||_F. */
function distanceToIdentity(m: Float64Array, n: number): number {
  return distanceToIdentityKernel(n, m);
}

/**
 * Cholesky factorisation in place (linalg's kernel) of a symmetric matrix with diagonal
 * entries at most 4 (C + C^T or 2I + C + C^T for orthogonal C): the lower triangle receives
 * L with A = L L^T. A pivot at or below 256 eps (the rounding level of those entries) means
 * the matrix is not (numerically) positive definite: InverseRetractionDomainError.
 */
function choleskyInPlace(a: Float64Array, n: number, location: string, retraction: RetractionName): void {
  const j = choleskyKernel(n, a, 256 * Number.EPSILON);
  if (j >= 0) throw new InverseRetractionDomainError({ location, retraction, pivot: a[j * n + j]! });
}

/** b <- (L L^T)^{-1} b for the lower-triangular L of {@link choleskyInPlace}. */
function choleskySolveRows(l: Float64Array, b: Float64Array, n: number): void {
  choleskySolveKernel(n, l, b, n);
}

/** Pivot indices of {@link solveSmall}, grown on demand. */
let smallPivots = new Int32Array(0);

/** Solves a small dense system in place (rhs receives the solution) by linalg's LU. */
function solveSmall(a: Float64Array, b: Float64Array, n: number, location: string): void {
  if (smallPivots.length < n) smallPivots = new Int32Array(n);
  const zero = luFactorKernel(n, a, smallPivots);
  if (zero >= 0) throw new SingularMatrixError({ operation: location, what: 'matrix', pivot: zero, ...orthogonalScope });
  luSolveKernel(n, a, smallPivots, b, 1);
}

/** Riemannian gradient in trivialised form: omega = skew(P^T G); `ptg` receives P^T G. */
export function trivialisedGradient(
  p: Float64Array,
  g: Float64Array,
  ptg: Float64Array,
  omega: Float64Array,
  n: number,
): void {
  multiplyTransposeLeft(p, g, ptg, n);
  skewPart(ptg, omega, n);
}

/**
 * Riemannian Hessian in trivialised form from a Euclidean Hessian-vector product
 * `ehess` = H[P Omega]: out = skew(P^T ehess - Omega sym(P^T G)).
 * Buffers: s1, s2, s3 scratch.
 */
export function trivialisedHessian(
  p: Float64Array,
  ptg: Float64Array,
  omega: Float64Array,
  ehess: Float64Array,
  out: Float64Array,
  n: number,
  s1: Float64Array,
  s2: Float64Array,
  s3: Float64Array,
): void {
  multiplyTransposeLeft(p, ehess, s1, n); // s1 = P^T H
  symmetricPart(ptg, s2, n); // s2 = sym(P^T G)
  multiply(omega, s2, s3, n); // s3 = Omega sym(P^T G)
  for (let i = 0; i < n * n; i++) s1[i]! -= s3[i]!;
  skewPart(s1, out, n);
}

// ---------------------------------------------------------------------------
// Public Matrix-level API
// ---------------------------------------------------------------------------

function dimensionOf(P: Matrix): number {
  return P.rows;
}

/** Riemannian gradient `P skew(P^T G)` of a cost with Euclidean gradient G at P. */
export function riemannianGradient(P: Matrix, euclideanGradient: Matrix): Matrix {
  const n = dimensionOf(P);
  const p = squareToFlat(P, n, 'riemannianGradient(P)');
  const g = squareToFlat(euclideanGradient, n, 'riemannianGradient(G)');
  const ptg = new Float64Array(n * n);
  const omega = new Float64Array(n * n);
  trivialisedGradient(p, g, ptg, omega, n);
  return flatToMatrix(multiply(p, omega, new Float64Array(n * n), n), n);
}

/**
 * Riemannian Hessian applied to a tangent vector V = P Omega, from the Euclidean
 * gradient G and the Euclidean Hessian-vector product H[V]:
 * `P skew(P^T H[V] - Omega sym(P^T G))` with Omega = P^T V (skew part taken).
 */
export function riemannianHessian(
  P: Matrix,
  euclideanGradient: Matrix,
  euclideanHessianVector: Matrix,
  V: Matrix,
): Matrix {
  const n = dimensionOf(P);
  const p = squareToFlat(P, n, 'riemannianHessian(P)');
  const g = squareToFlat(euclideanGradient, n, 'riemannianHessian(G)');
  const h = squareToFlat(euclideanHessianVector, n, 'riemannianHessian(H[V])');
  const v = squareToFlat(V, n, 'riemannianHessian(V)');
  const s1 = new Float64Array(n * n);
  const s2 = new Float64Array(n * n);
  const s3 = new Float64Array(n * n);
  const ptg = multiplyTransposeLeft(p, g, new Float64Array(n * n), n);
  const omega = skewPart(multiplyTransposeLeft(p, v, s3, n), new Float64Array(n * n), n);
  const out = new Float64Array(n * n);
  trivialisedHessian(p, ptg, omega, h, out, n, s1, s2, s3);
  return flatToMatrix(multiply(p, out, s1, n), n);
}

/** Projection of an ambient Z onto the tangent space at P: `P skew(P^T Z)`. */
export function projectToTangent(P: Matrix, Z: Matrix): Matrix {
  return riemannianGradient(P, Z);
}

/** Retraction R_P(V) for a tangent vector V at P (V = P Omega, Omega skew). */
export function retract(P: Matrix, V: Matrix, retraction: RetractionName = 'cayley'): Matrix {
  const n = dimensionOf(P);
  const p = squareToFlat(P, n, 'retract(P)');
  assertOrthogonal(p, n, 'retract(P)');
  const v = squareToFlat(V, n, 'retract(V)');
  const ws = new Workspace(n);
  const omega = skewPart(multiplyTransposeLeft(p, v, ws.buffer(4), n), new Float64Array(n * n), n);
  const c = new Float64Array(n * n);
  flatRetraction(retraction, 'retract').factor(omega, 1, c, ws);
  return flatToMatrix(multiply(p, c, ws.buffer(4), n), n);
}

/**
 * Inverse retraction: the tangent vector V at P with R_P(V) = Q, for every retraction:
 * 'cayley' (needs P^T Q without eigenvalue -1), 'qr', 'polar' (needs P^T Q + Q^T P positive
 * definite, else InverseRetractionDomainError) and 'exponential' (the principal logarithm:
 * needs P^T Q without eigenvalue -1, else InverseRetractionDomainError).
 */
export function inverseRetract(P: Matrix, Q: Matrix, retraction: RetractionName = 'cayley'): Matrix {
  const n = dimensionOf(P);
  const p = squareToFlat(P, n, 'inverseRetract(P)');
  const q = squareToFlat(Q, n, 'inverseRetract(Q)');
  assertOrthogonal(p, n, 'inverseRetract(P)');
  assertOrthogonal(q, n, 'inverseRetract(Q)');
  const r = flatRetraction(retraction, 'inverseRetract');
  const ws = new Workspace(n);
  const c = multiplyTransposeLeft(p, q, new Float64Array(n * n), n);
  const omega = new Float64Array(n * n);
  r.inverseFactor(c, omega, ws);
  return flatToMatrix(multiply(p, omega, ws.buffer(4), n), n);
}

/** ||P^T P - I||_F. */
export function orthogonalityError(P: Matrix): number {
  const n = P.rows;
  if (P.columns !== n) return Number.POSITIVE_INFINITY;
  return orthogonalityDrift(squareToFlat(P, n, 'orthogonalityError'), n);
}

/**
 * Re-orthonormalisation in place: Newton-Schulz polar steps while the drift is
 * below 0.5 (quadratic convergence), QR otherwise. Returns the final drift.
 */
export function reorthonormalise(p: Float64Array, n: number, ws: Workspace): number {
  let drift = orthogonalityDrift(p, n, ws.buffer(0));
  if (drift > 0.5) {
    qrDecomposition(p, ws.buffer(0), n, ws.buffer(1));
    p.set(ws.buffer(0));
    drift = orthogonalityDrift(p, n, ws.buffer(0));
  }
  for (let step = 0; step < 4 && drift > 1e-15 * Math.sqrt(n); step++) {
    newtonSchulzStep(p, n, ws.buffer(0), ws.buffer(1));
    drift = orthogonalityDrift(p, n, ws.buffer(0));
  }
  return drift;
}

/** Identity of size n as a flat array (helper for start points). */
export function flatIdentity(n: number): Float64Array {
  return setIdentity(new Float64Array(n * n), n);
}

