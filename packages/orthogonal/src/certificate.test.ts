import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { symmetricEigenvalues } from '@descramble/linalg';
import { brockettCertificate, brockettOptimum, brockettRoundoff, relativeGap } from './certificate.js';
import { CertificateViolationError, NonFiniteInputError, NotOrthogonalError, NotSymmetricError, OrthogonalError } from './errors.js';
import { gaussianMatrix, haar, lemmaOneMinimiser, randomGram } from '../test/helpers.js';

/** What `f` throws (undefined when it returns): package bases are tested by `isInstance`, which holds by scope. */
function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (error) {
    return error;
  }
  return undefined;
}

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
    expect(() => brockettCertificate(A, B, haar(4, 1))).toThrow(/^orthogonal: brockettOptimum\(A\): matrix is not symmetric: .* at entry\[/);
    expect(OrthogonalError.isInstance(thrown(() => brockettCertificate(A, B, haar(4, 1))))).toBe(true);
    expect(OrthogonalError.isInstance(thrown(() => brockettCertificate(B, B, B)))).toBe(true);
    expect(() => brockettCertificate(B, B, haar(3, 1))).toThrow(/^orthogonal: brockettCertificate: B and P shapes: expected 4x4/);
  });
});

describe('relativeGap: the one definition of gap', () => {
  it('gap = (value - reference) / max(|reference|, roundoff); 0 and flagged within roundoff', () => {
    expect(relativeGap(1.5, 1, 1e-12)).toEqual({ gap: 0.5, absoluteGap: 0.5, scale: 1, roundoff: 1e-12, withinRoundoff: false });
    expect(relativeGap(-0.5, -1, 1e-12).gap).toBe(0.5);
    // Below roundoff the sign and size mean nothing: clamped to 0, either side.
    for (const delta of [1e-13, -1e-13, 0]) {
      const g = relativeGap(1 + delta, 1, 1e-12);
      expect(g.gap).toBe(0);
      expect(g.withinRoundoff).toBe(true);
      expect(g.absoluteGap).toBe(1 + delta - 1);
    }
    // A zero optimum: the scale is the roundoff, never 0/0.
    const zero = relativeGap(3e-10, 0, 1e-10);
    expect(zero.scale).toBe(1e-10);
    expect(zero.gap).toBeCloseTo(3, 12);
    expect(relativeGap(0, 0, 0)).toEqual({ gap: 0, absoluteGap: 0, scale: 0, roundoff: 0, withinRoundoff: true });
  });

  it('a value below the bound by more than roundoff is a typed error; non-finite input is refused', () => {
    expect(() => relativeGap(1 - 1e-6, 1, 1e-12)).toThrow(CertificateViolationError);
    expect(() => relativeGap(1 - 1e-6, 1, 1e-12, 'here')).toThrow(/^orthogonal: here: value .* is below the lower bound 1 by .* more than the roundoff bound 1e-12 \(certificate violated\)/);
    expect(() => relativeGap(Number.NaN, 1, 1e-12)).toThrow(NonFiniteInputError);
    expect(() => relativeGap(1, Number.POSITIVE_INFINITY, 1e-12)).toThrow(NonFiniteInputError);
    expect(() => relativeGap(1, 1, -1)).toThrow(NonFiniteInputError);
  });

  it('brockettCertificate: exact minimisers are 0 within roundoff, random P positive, roundoff = 10 d eps ||A|| ||B||', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const d = 2 + (seed % 11);
      const A = randomGram(d, d + 1, seed);
      const B = randomGram(d, 2 * d, seed + 1);
      const exact = brockettCertificate(A, B, lemmaOneMinimiser(A, B));
      expect(exact.withinRoundoff).toBe(true);
      expect(exact.gap).toBe(0);
      const omega = symmetricEigenvalues(A);
      const sigma2 = symmetricEigenvalues(B);
      const expected = brockettRoundoff(d, omega[d - 1]!, sigma2[d - 1]!);
      expect(Math.abs(exact.roundoff - expected)).toBeLessThanOrEqual(4 * Number.EPSILON * expected);
      const random = brockettCertificate(A, B, haar(d, seed + 2));
      expect(random.withinRoundoff).toBe(false);
      expect(random.gap).toBeGreaterThan(0);
      expect(random.gap).toBeCloseTo(random.absoluteGap / Math.abs(random.optimum), 14);
    }
  });
});
