import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { symmetricEigenvalues } from '@descramble/linalg';
import { brockettCertificate, brockettOptimum } from './certificate.js';
import { NotOrthogonalError, NotSymmetricError, OrthogonalError } from './errors.js';
import { gaussianMatrix, haar, lemmaOneMinimiser, randomGram } from '../test/helpers.js';

describe('brockettCertificate (Lemma 1)', () => {
  it('the closed-form minimiser T U^T has gap ~ 0; random P have gap >= 0', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 10_000 }), (d, seed) => {
        const A = randomGram(d, d + 1, seed);
        const B = randomGram(d, 2 * d, seed + 1);
        const scale = d * d; // |optimum| <= d ||A|| ||B|| and each term carries ~ d eps
        const exact = brockettCertificate(A, B, lemmaOneMinimiser(A, B));
        const random = brockettCertificate(A, B, haar(d, seed + 2));
        const tol = 1e3 * scale * Number.EPSILON * Math.max(1, Math.abs(exact.optimum));
        return Math.abs(exact.absoluteGap) <= tol && exact.withinRoundoff && exact.gap === 0 && random.absoluteGap >= -tol;
      }),
      { numRuns: 40 },
    );
  });

  it('optimum = sum omega_i sigma_i^2 with omega ascending and sigma^2 descending', () => {
    const A = randomGram(5, 7, 1);
    const B = randomGram(5, 9, 2);
    const omega = symmetricEigenvalues(A);
    const sigma2 = symmetricEigenvalues(B);
    let expected = 0;
    for (let i = 0; i < 5; i++) expected += omega[i]! * sigma2[4 - i]!;
    expect(Math.abs(brockettOptimum(A, B) - expected)).toBeLessThan(1e-13 * Math.abs(expected));
    const c = brockettCertificate(A, B, haar(5, 3));
    expect(c.gap).toBeCloseTo(c.absoluteGap / Math.abs(c.optimum), 15);
    expect(c.relativeGap).toBe(c.gap);
  });

  it('typed errors for asymmetric A and non-orthogonal P', () => {
    const A = gaussianMatrix(4, 4, 1);
    const B = randomGram(4, 5, 2);
    expect(() => brockettCertificate(A, B, haar(4, 1))).toThrow(NotSymmetricError);
    expect(() => brockettCertificate(B, B, B)).toThrow(NotOrthogonalError);
    // One message pattern, and every error thrown here is an OrthogonalError, shared kinds included.
    expect(() => brockettCertificate(A, B, haar(4, 1))).toThrow(/^orthogonal: brockettOptimum\(A\): matrix is not symmetric: .* at entry \[/);
    expect(() => brockettCertificate(A, B, haar(4, 1))).toThrow(OrthogonalError);
    expect(() => brockettCertificate(B, B, B)).toThrow(OrthogonalError);
    expect(() => brockettCertificate(B, B, haar(3, 1))).toThrow(/^orthogonal: brockettCertificate: B and P shapes: expected 4x4/);
  });
});
