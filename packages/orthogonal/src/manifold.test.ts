import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Matrix } from 'ml-matrix';
import { InverseRetractionDomainError, NotOrthogonalError } from './errors.js';
import {
  inverseRetract,
  orthogonalityError,
  projectToTangent,
  retract,
  retractionNames,
  riemannianGradient,
} from './manifold.js';
import { gaussianMatrix, haar, maxAbsDifference } from '../test/helpers.js';

function skew(m: Matrix): Matrix {
  return m.clone().sub(m.transpose()).div(2);
}

describe('retractions on O(d)', () => {
  it.each(retractionNames)('%s: R_P(V) is orthogonal and R_P(tV) = P + tV + O(t^2)', (name) => {
    const d = 7;
    const P = haar(d, 1);
    const V = P.mmul(skew(gaussianMatrix(d, d, 2)));
    const Q = retract(P, V, name);
    expect(orthogonalityError(Q)).toBeLessThan(1e-13);
    // first order: error(t) / t^2 bounded; check the ratio of errors at t and t/10 (~100)
    const err = (t: number) => maxAbsDifference(retract(P, V.clone().mul(t), name), P.clone().add(V.clone().mul(t)));
    const ratio = err(1e-2) / err(1e-3);
    expect(ratio).toBeGreaterThan(80);
    expect(ratio).toBeLessThan(120);
  });

  it.each(['cayley', 'qr'] as const)('%s inverse: inverseRetract(P, retract(P, V)) = V (property)', (name) => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 9 }), fc.integer({ min: 0, max: 1000 }), fc.double({ min: 0.01, max: 2, noNaN: true }), (d, seed, scale) => {
        const P = haar(d, seed);
        const V = P.mmul(skew(gaussianMatrix(d, d, seed + 1)).mul(scale / Math.sqrt(d)));
        const back = inverseRetract(P, retract(P, V, name), name);
        return maxAbsDifference(back, V) < 1e-11 * Math.max(1, scale);
      }),
      { numRuns: 30 },
    );
  });

  // Round trip for the two inverses without a closed-form chart: Omega skew, scaled to
  // ||Omega||_F in [0.1, 1]; both maps are smooth with bounded condition there, so the
  // recovered tangent vector agrees to a few hundred ulps of ||V||_F (tolerance 1e-10 relative).
  it.each(['polar', 'exponential'] as const)('%s inverse: inverseRetract(P, retract(P, V)) = V (property, n = 1, 2, 5, 30)', (name) => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 2, 5, 30),
        fc.integer({ min: 0, max: 1000 }),
        fc.double({ min: 0.1, max: 1, noNaN: true }),
        (d, seed, scale) => {
          const P = haar(d, seed);
          const raw = skew(gaussianMatrix(d, d, seed + 1));
          const rawNorm = raw.norm('frobenius');
          const omega = rawNorm === 0 ? raw : raw.mul(scale / rawNorm);
          const V = P.mmul(omega);
          const back = inverseRetract(P, retract(P, V, name), name);
          const size = Math.max(V.norm('frobenius'), 1e-300);
          return d === 1 ? maxAbsDifference(back, V) === 0 : back.clone().sub(V).norm('frobenius') < 1e-10 * size;
        },
      ),
      { numRuns: 24 },
    );
  });

  it.each(['polar', 'exponential'] as const)('%s inverse recovers large rotations (angles up to 3)', (name) => {
    // Omega with one 2x2 block of angle w: exp gives rotation angle w (needs |w| < pi),
    // polar gives atan(w) (any w); check a wide range including w = 3.
    for (const w of [0.5, 1.5, 3]) {
      const d = 5;
      const P = haar(d, 11);
      const omega = Matrix.zeros(d, d);
      omega.set(1, 3, w);
      omega.set(3, 1, -w);
      const V = P.mmul(omega);
      const back = inverseRetract(P, retract(P, V, name), name);
      expect(back.clone().sub(V).norm('frobenius')).toBeLessThan(1e-10 * w);
    }
  });

  it('exponential inverse: the principal logarithm of a rotation by angle theta in R^2 is theta', () => {
    for (const theta of [0.3, 2, 3.1]) {
      const Q = new Matrix([
        [Math.cos(theta), -Math.sin(theta)],
        [Math.sin(theta), Math.cos(theta)],
      ]);
      const V = inverseRetract(Matrix.eye(2), Q, 'exponential');
      expect(Math.abs(V.get(1, 0) - theta)).toBeLessThan(1e-13 * theta);
      expect(V.get(0, 0)).toBe(0);
    }
  });

  it('polar inverse: a rotation by theta in R^2 comes from the skew block tan(theta)', () => {
    for (const theta of [0.3, 1, 1.5]) {
      const Q = new Matrix([
        [Math.cos(theta), -Math.sin(theta)],
        [Math.sin(theta), Math.cos(theta)],
      ]);
      const V = inverseRetract(Matrix.eye(2), Q, 'polar');
      expect(Math.abs(V.get(1, 0) - Math.tan(theta)) / Math.tan(theta)).toBeLessThan(1e-12);
    }
  });

  it.each(['polar', 'exponential'] as const)('%s inverse outside its domain: typed error', (name) => {
    const P = haar(4, 3);
    // det(P^T Q) = -1: P^T Q has an eigenvalue -1 (outside both domains)
    const reflect = Matrix.eye(4);
    reflect.set(2, 2, -1);
    expect(() => inverseRetract(P, P.mmul(reflect), name)).toThrow(InverseRetractionDomainError);
    // rotation by pi in a plane: eigenvalues -1, -1
    const half = Matrix.eye(4);
    half.set(0, 0, -1);
    half.set(1, 1, -1);
    expect(() => inverseRetract(P, P.mmul(half), name)).toThrow(InverseRetractionDomainError);
    // n = 1: Q = -P
    expect(() => inverseRetract(Matrix.eye(1), new Matrix([[-1]]), name)).toThrow(InverseRetractionDomainError);
  });

  it('polar inverse: rotations by angles >= pi/2 are outside the image (C + C^T not positive definite)', () => {
    for (const theta of [Math.PI / 2, 2, 3]) {
      const Q = new Matrix([
        [Math.cos(theta), -Math.sin(theta)],
        [Math.sin(theta), Math.cos(theta)],
      ]);
      expect(() => inverseRetract(Matrix.eye(2), Q, 'polar')).toThrow(InverseRetractionDomainError);
    }
  });

  it('rejects non-orthogonal base points', () => {
    const P = Matrix.eye(3).mul(1.01);
    expect(() => retract(P, Matrix.zeros(3, 3))).toThrow(NotOrthogonalError);
  });
});

describe('Riemannian gradient', () => {
  it('P skew(P^T G) is tangent (P^T grad skew) and is the projection of G', () => {
    const d = 6;
    const P = haar(d, 4);
    const G = gaussianMatrix(d, d, 5);
    const grad = riemannianGradient(P, G);
    const omega = P.transpose().mmul(grad);
    expect(maxAbsDifference(omega, omega.transpose().mul(-1))).toBeLessThan(1e-14);
    // projection: <G - grad, tangent> = 0 for every tangent P S
    const S = skew(gaussianMatrix(d, d, 6));
    const residual = G.clone().sub(grad);
    const inner = residual.clone().mul(P.mmul(S)).sum();
    expect(Math.abs(inner)).toBeLessThan(1e-13);
    expect(maxAbsDifference(projectToTangent(P, G), grad)).toBe(0);
  });
});
