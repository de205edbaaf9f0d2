/**
 * Channel (and hidden-unit) descrambling by permutations: the smoothness criterion
 * tr(A_c Pi B_c Pi^T) along the channel axis, with A_c = D^T D and B_c the channel Gram
 * matrix of the preactivations, is a quadratic assignment problem solved by
 * `solveQuadraticAssignment`; its Lemma 1 value is a lower bound.
 */
import { assertFiniteArray } from '@descramble/core';
import { fromFloat64Array, gemm, secondDerivative, type SecondDerivativeKind, symmetricEigen, syrk } from '@descramble/linalg';
import { Matrix } from 'ml-matrix';
import { DimensionMismatchError, InvalidArgumentError, permutationScope } from './errors.js';
import {
  eigenvalueBound,
  type QuadraticAssignmentOptions,
  type QuadraticAssignmentResult,
  solveQuadraticAssignment,
  qapGap,
} from './quadratic-assignment.js';
import type { Tensor } from './tensor.js';

/**
 * Channel Gram matrix of preactivations `[N, C, ...spatial]` (e.g. `[N, C, H, W]` or
 * `[N, C, L]`; `[N, C]` for a dense layer's units):
 * (B_c)_ij = sum over samples n and positions t of x[n, i, t] x[n, j, t].
 */
export function channelGram(preactivations: Tensor): Matrix {
  const operation = 'channelGram';
  const shape = preactivations.shape;
  if (shape.length < 2) throw new DimensionMismatchError({ operation, what: 'preactivations rank', expected: '>= 2 ([N, C, ...])', actual: shape.length, ...permutationScope });
  const samples = shape[0]!;
  const channels = shape[1]!;
  const positions = shape.slice(2).reduce((x, y) => x * y, 1);
  if (preactivations.data.length !== samples * channels * positions) {
    throw new DimensionMismatchError({ operation, what: 'data length', expected: samples * channels * positions, actual: preactivations.data.length, ...permutationScope });
  }
  assertFiniteArray(preactivations.data, { ...permutationScope, operation, name: 'preactivations' });
  const gram = new Float64Array(channels * channels);
  for (let n = 0; n < samples; n++) {
    syrk(false, channels, positions, 1, preactivations.data, n * channels * positions, positions, 1, gram, 0, channels);
  }
  return fromFloat64Array(gram, channels, channels);
}

/** Gram matrix B = S S^T of dense preactivations S (d x N: one row per hidden unit, as in docs/theory.md). */
export function unitGram(preactivations: Matrix): Matrix {
  const operation = 'unitGram';
  const d = preactivations.rows;
  const samples = preactivations.columns;
  const flat = new Float64Array(d * samples);
  for (let i = 0; i < d; i++) flat.set(preactivations.getRow(i), i * samples);
  assertFiniteArray(flat, { ...permutationScope, operation, name: 'preactivations' });
  const gram = new Float64Array(d * d);
  syrk(false, d, samples, 1, flat, 0, samples, 0, gram, 0, d);
  return fromFloat64Array(gram, d, d);
}

/** A = D^T D for the second-derivative operator D of `secondDerivative(c, kind)`. */
export function smoothnessMatrix(c: number, operator: SecondDerivativeKind): Matrix {
  const d = secondDerivative(c, operator);
  return d.transpose().mmul(d);
}

/** Options of {@link descrambleChannels}. */
export interface ChannelDescramblingOptions {
  /** Second-derivative operator along the channel axis (default 'fourier', as the 2021 code), or A itself. */
  readonly operator?: SecondDerivativeKind | Matrix;
  /**
   * Also choose a sign per channel (a signed permutation). Only an exact symmetry for odd
   * activations, so it requires `activation: 'odd'`.
   */
  readonly signed?: boolean;
  /** The layer's activation: 'odd' (tanh, identity, ...) or 'other' (ReLU, ...). Default 'other'. */
  readonly activation?: 'odd' | 'other';
  /** Options of the QAP solver (method, seed, budget). */
  readonly solver?: QuadraticAssignmentOptions;
  /**
   * Checked by every QAP solve (see its `signal`) and between the sign rounds: aborting throws
   * the signal's reason. Overrides `solver.signal`.
   */
  readonly signal?: AbortSignal;
}

/** A (signed) channel permutation with its certificate. */
export interface ChannelDescramblingResult {
  /** New channel i is old channel permutation[i] (apply with `permuteConvLayer` & co). */
  readonly permutation: Int32Array;
  /** signs[i] multiplies new channel i (all +1 unless `signed`). */
  readonly signs: Int8Array;
  /** sum_ij A_ij s_i s_j B_{p(i) p(j)}: the smoothness ||D P S||_F^2 of the descrambled data. */
  readonly value: number;
  /** Lower bound over all permutations (best of Lemma 1 and Gilmore-Lawler), or over all signed permutations (Lemma 1). */
  readonly lowerBound: number;
  /** The gap of `value` above `lowerBound` (orthogonal's `relativeGap`, as `solveQuadraticAssignment` reports it). */
  readonly gap: number;
  /** The last QAP solve. */
  readonly assignment: QuadraticAssignmentResult;
}

/**
 * Finds the channel order (and, for odd activations when asked, the signs) that makes
 * the preactivations smoothest along the channel axis: min over permutations p (and signs
 * s) of sum_ij A_ij s_i s_j B_{p(i) p(j)}, A = D^T D, B = the channel Gram matrix.
 *
 * Signs (odd activations, `signed: true`): flipping old channel j multiplies row and
 * column j of B by -1, so for old-order signs sigma the problem is the QAP on
 * diag(sigma) B diag(sigma). Two starts for sigma: all +1, and the signs of B's top
 * eigenvector (Lemma 1 sends it to the smoothest mode of A, which has constant sign for
 * the Fourier, periodic and Dirichlet operators, so these signs make the dominant
 * component smooth). From each start: solve the QAP, then with p fixed improve the signs
 * by single-flip descent on min_s sum_ij M_ij s_i s_j, M_ij = A_ij B_{p(i)p(j)} (flipping
 * s_k changes the value by -4 s_k sum_{j != k} M_kj s_j; take the most negative change
 * until none is negative), re-solve the QAP from the current permutation, and repeat
 * while the value drops (at most 8 rounds). The better start wins. The reported bound is
 * then the eigenvalue (Lemma 1) bound alone: it is valid for every signed permutation
 * (they are orthogonal), whereas Gilmore-Lawler depends on the signs.
 */
export function descrambleChannels(gram: Matrix, options: ChannelDescramblingOptions = {}): ChannelDescramblingResult {
  const operation = 'descrambleChannels';
  const c = gram.rows;
  if (c === 0 || gram.columns !== c) throw new DimensionMismatchError({ operation, what: 'gram', expected: 'a non-empty square matrix', actual: `${gram.rows} x ${gram.columns}`, ...permutationScope });
  const signed = options.signed ?? false;
  if (signed && options.activation !== 'odd') {
    throw new InvalidArgumentError({ operation, argument: 'signed', what: "sign flips are a symmetry only for odd activations: pass activation: 'odd'", ...permutationScope });
  }
  const operator = options.operator ?? 'fourier';
  const a = typeof operator === 'string' ? smoothnessMatrix(c, operator) : operator;
  if (a.rows !== c || a.columns !== c) throw new DimensionMismatchError({ operation, what: 'smoothness matrix', expected: `${c} x ${c}`, actual: `${a.rows} x ${a.columns}`, ...permutationScope });
  const signal = options.signal ?? options.solver?.signal;
  signal?.throwIfAborted();
  const solver: QuadraticAssignmentOptions = signal === undefined ? (options.solver ?? {}) : { ...options.solver, signal };
  if (!signed) {
    const assignment = solveQuadraticAssignment(a, gram, solver);
    const signs = new Int8Array(c).fill(1);
    return { permutation: assignment.permutation, signs, value: assignment.value, lowerBound: assignment.lowerBound, gap: assignment.gap, assignment };
  }
  const flatA = a.to1DArray();
  const flatB = gram.to1DArray();
  // Two sign starts (in the old channel order): all +1, and the signs of B's top
  // eigenvector, which Lemma 1 sends to the smoothest mode of A (of constant sign for
  // the Fourier, periodic and Dirichlet operators).
  const top = symmetricEigen(gram.add(gram.transpose()).mul(0.5)).vectors.getColumn(c - 1);
  const starts = [new Int8Array(c).fill(1), Int8Array.from(top, (v) => (v < 0 ? -1 : 1))];
  let best: SignedOutcome | undefined;
  for (const sigma of starts) {
    const outcome = alternateSigns(a, gram, flatA, flatB, sigma, solver);
    if (best === undefined || outcome.value < best.value) best = outcome;
  }
  const { permutation, signs, value } = best!;
  const assignment = best!.assignment;
  // Gilmore-Lawler depends on the signs; the eigenvalue bound covers every signed permutation.
  const lowerBound = Math.min(eigenvalueBound(a, gram), value);
  return {
    permutation,
    signs,
    value,
    lowerBound,
    gap: qapGap(value, lowerBound, Float64Array.from(flatA), Float64Array.from(flatB), c, operation),
    assignment,
  };
}

interface SignedOutcome {
  readonly permutation: Int32Array;
  readonly signs: Int8Array;
  readonly value: number;
  readonly assignment: QuadraticAssignmentResult;
}

/**
 * From old-order signs sigma: solve the QAP on diag(sigma) B diag(sigma), then improve the
 * signs by single-flip descent with the permutation fixed, and repeat while the value drops.
 */
function alternateSigns(
  a: Matrix,
  gram: Matrix,
  flatA: ArrayLike<number>,
  flatB: ArrayLike<number>,
  initial: Int8Array,
  solver: QuadraticAssignmentOptions,
): SignedOutcome {
  const c = gram.rows;
  const sigma = Int8Array.from(initial);
  let assignment = solveQuadraticAssignment(a, signCorrected(gram, sigma), solver);
  let permutation = assignment.permutation;
  const signs = Int8Array.from(permutation, (q) => sigma[q]!);
  let value = optimiseSigns(c, flatA, flatB, permutation, signs);
  for (let round = 0; round < 8; round++) {
    solver.signal?.throwIfAborted();
    for (let i = 0; i < c; i++) sigma[permutation[i]!] = signs[i]!;
    const next = solveQuadraticAssignment(a, signCorrected(gram, sigma), { ...solver, initial: permutation });
    if (next.value >= value - 1e-12 * Math.abs(value)) break;
    assignment = next;
    permutation = next.permutation;
    for (let i = 0; i < c; i++) signs[i] = sigma[permutation[i]!]!;
    value = optimiseSigns(c, flatA, flatB, permutation, signs);
  }
  return { permutation, signs, value: signedValue(c, flatA, flatB, permutation, signs), assignment };
}

/** diag(sigma) B diag(sigma). */
function signCorrected(gram: Matrix, sigma: Int8Array): Matrix {
  const c = gram.rows;
  const out = new Matrix(c, c);
  for (let i = 0; i < c; i++) for (let j = 0; j < c; j++) out.set(i, j, sigma[i]! * sigma[j]! * gram.get(i, j));
  return out;
}

function signedValue(c: number, a: ArrayLike<number>, b: ArrayLike<number>, p: Int32Array, s: Int8Array): number {
  let total = 0;
  for (let i = 0; i < c; i++) {
    for (let j = 0; j < c; j++) total += a[i * c + j]! * s[i]! * s[j]! * b[p[i]! * c + p[j]!]!;
  }
  return total;
}

/** Single-flip descent on min_s sum_ij a_ij s_i s_j b_{p(i) p(j)}; returns the value. */
function optimiseSigns(c: number, a: ArrayLike<number>, b: ArrayLike<number>, p: Int32Array, s: Int8Array): number {
  const m = new Float64Array(c * c);
  for (let i = 0; i < c; i++) {
    for (let j = 0; j < c; j++) m[i * c + j] = 0.5 * (a[i * c + j]! * b[p[i]! * c + p[j]!]! + a[j * c + i]! * b[p[j]! * c + p[i]!]!);
  }
  const field = new Float64Array(c);
  for (let k = 0; k < c; k++) {
    let f = 0;
    for (let j = 0; j < c; j++) if (j !== k) f += m[k * c + j]! * s[j]!;
    field[k] = f;
  }
  for (let flips = 0; flips < 10 * c * c; flips++) {
    let best = 0;
    let k = -1;
    for (let t = 0; t < c; t++) {
      const change = -4 * s[t]! * field[t]!;
      if (change < best) {
        best = change;
        k = t;
      }
    }
    if (k < 0 || best > -1e-12 * Math.abs(quadraticForm(c, m, s))) break;
    s[k] = -s[k]! as 1 | -1;
    for (let j = 0; j < c; j++) if (j !== k) field[j] = field[j]! + 2 * m[j * c + k]! * s[k]!;
  }
  return quadraticForm(c, m, s);
}

/** s^T M s. */
function quadraticForm(c: number, m: Float64Array, s: Int8Array): number {
  const signs = Float64Array.from(s);
  const ms = new Float64Array(c);
  gemm(false, false, c, 1, c, 1, m, 0, c, signs, 0, 1, 0, ms, 0, 1);
  let total = 0;
  for (let i = 0; i < c; i++) total += signs[i]! * ms[i]!;
  return total;
}
