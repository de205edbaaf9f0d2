import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Matrix } from 'ml-matrix';
import { NoInverseRetractionError, NotOrthogonalError } from './errors.js';
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

  it.each(['polar', 'exponential'] as const)('%s has no inverse here: typed error', (name) => {
    const P = haar(4, 3);
    expect(() => inverseRetract(P, P, name)).toThrow(NoInverseRetractionError);
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
