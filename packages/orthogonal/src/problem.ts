/**
 * A cost on O(d): `{ dimension, cost(P), euclideanGradient(P), euclideanHessian?(P, V) }`.
 * The solvers call problems through `Objective`, which counts evaluations and rejects
 * wrong shapes and non-finite values with typed errors (never a silent NaN).
 */

import { assertFiniteArray } from '@descramble/core';
import type { Matrix } from 'ml-matrix';
import { DimensionMismatchError, InvalidOptionError, NonFiniteInputError, orthogonalScope } from './errors.js';
import { flatToMatrix, squareToFlat } from './matrix-io.js';

/**
 * Fast path on row-major `Float64Array`s (d x d). Ready-made problems provide it;
 * kernels neither allocate in their hot path nor validate.
 */
export interface ProblemKernels {
  /** Writes the Euclidean gradient into `gradient` and returns the cost. */
  costAndGradient(p: Float64Array, gradient: Float64Array): number;
  /** Cost alone; omit it when it costs as much as `costAndGradient`. */
  cost?(p: Float64Array): number;
  /** Euclidean Hessian applied to v, written into `out`. */
  hessian?(p: Float64Array, v: Float64Array, out: Float64Array): void;
  /**
   * Preconditioner at p: returns an operator that maps a skew Omega (trivialised tangent
   * vector) to an approximation of Hess^{-1} Omega; it must be symmetric positive
   * definite on skew matrices. Built once per point (solvers call it per iterate).
   */
  preconditioner?(p: Float64Array): (omega: Float64Array, out: Float64Array) => void;
}

/** A smooth cost on d x d matrices, minimised over O(d) (or SO(d)). */
export interface Problem {
  readonly dimension: number;
  cost(P: Matrix): number;
  /** Euclidean gradient of the cost (extended smoothly to all d x d matrices). */
  euclideanGradient(P: Matrix): Matrix;
  /** Euclidean Hessian applied to a direction V. */
  euclideanHessian?: (P: Matrix, V: Matrix) => Matrix;
  /** Optional fast path used by the solvers instead of the Matrix methods. */
  readonly kernels?: ProblemKernels;
}

/** Evaluation counts carried by every result. */
export interface EvaluationCounts {
  costEvaluations: number;
  gradientEvaluations: number;
  hessianEvaluations: number;
}

/**
 * Internal wrapper: evaluation counters plus validation of what the problem returns.
 */
export class Objective {
  readonly n: number;
  readonly counts: EvaluationCounts = { costEvaluations: 0, gradientEvaluations: 0, hessianEvaluations: 0 };
  readonly hasHessian: boolean;
  readonly hasCheapCost: boolean;
  readonly hasPreconditioner: boolean;
  private readonly problem: Problem;
  private readonly kernels: ProblemKernels | undefined;

  constructor(problem: Problem, location: string) {
    const n = problem.dimension;
    if (!Number.isInteger(n) || n < 1) throw new InvalidOptionError({ location, option: 'problem.dimension', value: n });
    this.n = n;
    this.problem = problem;
    this.kernels = problem.kernels;
    this.hasHessian = this.kernels?.hessian !== undefined || problem.euclideanHessian !== undefined;
    this.hasCheapCost = this.kernels === undefined || this.kernels.cost !== undefined;
    this.hasPreconditioner = this.kernels?.preconditioner !== undefined;
  }

  costAndGradient(p: Float64Array, gradient: Float64Array): number {
    this.counts.costEvaluations++;
    this.counts.gradientEvaluations++;
    if (this.kernels !== undefined) {
      const value = this.kernels.costAndGradient(p, gradient);
      checkCost(value, 'problem.cost');
      assertFiniteArray(gradient, { ...orthogonalScope, operation: 'problem.euclideanGradient', name: 'entry', columns: this.n });
      return value;
    }
    const pm = flatToMatrix(p, this.n);
    const value = this.problem.cost(pm);
    checkCost(value, 'problem.cost');
    gradient.set(squareToFlat(this.problem.euclideanGradient(pm), this.n, 'problem.euclideanGradient'));
    return value;
  }

  /** Cost alone (falls back to costAndGradient with `scratch` when no cheap cost exists). */
  cost(p: Float64Array, scratch: Float64Array): number {
    if (this.kernels !== undefined) {
      if (this.kernels.cost === undefined) return this.costAndGradient(p, scratch);
      this.counts.costEvaluations++;
      const value = this.kernels.cost(p);
      checkCost(value, 'problem.cost');
      return value;
    }
    this.counts.costEvaluations++;
    const value = this.problem.cost(flatToMatrix(p, this.n));
    checkCost(value, 'problem.cost');
    return value;
  }

  gradient(p: Float64Array, gradient: Float64Array): void {
    this.counts.gradientEvaluations++;
    if (this.kernels !== undefined) {
      this.counts.costEvaluations++;
      this.kernels.costAndGradient(p, gradient);
      assertFiniteArray(gradient, { ...orthogonalScope, operation: 'problem.euclideanGradient', name: 'entry', columns: this.n });
      return;
    }
    gradient.set(
      squareToFlat(this.problem.euclideanGradient(flatToMatrix(p, this.n)), this.n, 'problem.euclideanGradient'),
    );
  }

  /** The problem's preconditioner at p, or undefined. */
  preconditioner(p: Float64Array): ((omega: Float64Array, out: Float64Array) => void) | undefined {
    return this.kernels?.preconditioner?.(p);
  }

  /** Euclidean Hessian applied to v; returns false when the problem has none. */
  hessian(p: Float64Array, v: Float64Array, out: Float64Array): boolean {
    const kernelHessian = this.kernels?.hessian;
    if (kernelHessian !== undefined) {
      this.counts.hessianEvaluations++;
      kernelHessian(p, v, out);
      assertFiniteArray(out, { ...orthogonalScope, operation: 'problem.euclideanHessian', name: 'entry', columns: this.n });
      return true;
    }
    const h = this.problem.euclideanHessian;
    if (h === undefined) return false;
    this.counts.hessianEvaluations++;
    out.set(squareToFlat(h(flatToMatrix(p, this.n), flatToMatrix(v, this.n)), this.n, 'problem.euclideanHessian'));
    return true;
  }
}

function checkCost(value: number, location: string): void {
  if (typeof value !== 'number') throw new DimensionMismatchError({ operation: location, what: 'cost value type', expected: 'number', actual: typeof value, ...orthogonalScope });
  if (!Number.isFinite(value)) throw new NonFiniteInputError({ operation: location, location: 'the returned cost', value, ...orthogonalScope });
}
