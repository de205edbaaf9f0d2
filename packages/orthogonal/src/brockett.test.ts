import { describe, expect, it } from 'vitest';
import { secondDerivative } from '@descramble/linalg';
import { brockettCertificate } from './certificate.js';
import { minimizeBrockett } from './brockett.js';
import { minimize } from './minimize.js';
import { brockettProblem } from './problems.js';
import { orthogonalityError } from './manifold.js';
import { haar, maxAbsDifference, randomGram } from '../test/helpers.js';

describe('minimizeBrockett (eigenbasis of B) and the Jacobi preconditioner', () => {
  it('Fourier smoothness A (tied eigenvalues) with a random Gram B: certified to 1e-8', () => {
    const d = 16;
    const D = secondDerivative(d, 'fourier');
    const A = D.transpose().mmul(D);
    for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) A.set(i, j, A.get(j, i));
    const B = randomGram(d, 2 * d, 3);
    const r = minimizeBrockett(A, B, { method: 'trust-regions', gradientTolerance: 1e-9 });
    expect(r.converged).toBe(true);
    expect(r.certificate.relativeGap).toBeLessThan(1e-8);
    expect(r.certificate.relativeGap).toBeGreaterThan(-1e-12);
    expect(orthogonalityError(r.P)).toBeLessThan(1e-12);
    expect(Math.abs(r.cost - r.certificate.value)).toBeLessThan(1e-10 * r.certificate.value);
  });

  it('the preconditioner cuts Hessian-vector products; both runs reach the certified optimum', () => {
    const d = 24;
    const A = randomGram(d, d + 2, 5);
    const B = randomGram(d, 2 * d, 6);
    const P0 = haar(d, 7);
    const plain = minimize(brockettProblem(A, B), { method: 'trust-regions', P0, preconditioner: false, gradientTolerance: 1e-9 });
    const rotated = minimizeBrockett(A, B, { method: 'trust-regions', P0, gradientTolerance: 1e-9 });
    expect(plain.converged && rotated.converged).toBe(true);
    expect(rotated.hessianEvaluations).toBeLessThan(plain.hessianEvaluations);
    expect(brockettCertificate(A, B, plain.P).relativeGap).toBeLessThan(1e-8);
    expect(rotated.certificate.relativeGap).toBeLessThan(1e-8);
    // same cost values on both sides of the change of variables
    expect(Math.abs(rotated.log[0]!.cost - plain.log[0]!.cost)).toBeLessThan(1e-12 * Math.abs(plain.log[0]!.cost));
  });

  it('callback sees P (not the rotated variable); inputs untouched', () => {
    const d = 6;
    const A = randomGram(d, 8, 1);
    const B = randomGram(d, 9, 2);
    const B0 = B.clone();
    let seen = 0;
    minimizeBrockett(A, B, {
      method: 'lbfgs',
      callback: (entry, P) => {
        seen++;
        const c = brockettCertificate(A, B, P);
        expect(Math.abs(c.value - entry.cost)).toBeLessThan(1e-10 * Math.abs(entry.cost));
        return entry.iteration >= 3;
      },
    });
    expect(seen).toBe(4);
    expect(maxAbsDifference(B, B0)).toBe(0);
  });
});
