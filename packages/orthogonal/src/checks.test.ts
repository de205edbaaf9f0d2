import { describe, expect, it } from 'vitest';
import { Matrix } from 'ml-matrix';
import { checkGradient, checkHessian, smallestHessianEigenvalue } from './checks.js';
import { InvalidOptionError } from './errors.js';
import { brockettProblem, maxDiagonalNormSquareProblem, maxDiagonalSumProblem, problemFromFunctions } from './problems.js';
import { gaussianMatrix, lemmaOneMinimiser, randomGram } from '../test/helpers.js';

const d = 6;
const A = randomGram(d, 2 * d, 1);
const B = randomGram(d, 3 * d, 2);
const W = gaussianMatrix(d, d, 3);

// A user-written Brockett cost: f(P) = tr(A P B P^T), G = 2 A P B, H[V] = 2 A V B.
const userBrockett = problemFromFunctions(
  d,
  (P) => A.mmul(P).mmul(B).mmul(P.transpose()).trace(),
  (P) => new Matrix(A.mmul(P).mmul(B).mul(2)),
  (_P, V) => new Matrix(A.mmul(V).mmul(B).mul(2)),
);

const problems = {
  brockett: brockettProblem(A, B),
  'max diagonal sum': maxDiagonalSumProblem(W),
  'max diagonal norm-square': maxDiagonalNormSquareProblem(W),
  'problemFromFunctions (Brockett)': userBrockett,
};

describe('checkGradient / checkHessian (Taylor slopes along a random tangent direction)', () => {
  for (const [name, problem] of Object.entries(problems)) {
    it(`${name}: gradient slope 2 +- 0.1, Hessian slope 3 +- 0.1`, () => {
      for (const seed of [1, 2]) {
        const g = checkGradient(problem, { seed });
        expect(Math.abs(g.slope - 2)).toBeLessThanOrEqual(0.1);
        expect(g.passed).toBe(true);
        const h = checkHessian(problem, { seed });
        expect(Math.abs(h.slope - 3)).toBeLessThanOrEqual(0.1);
        expect(h.symmetryError).toBeLessThan(1e-10);
      }
    });
  }

  it('detects a wrong gradient (slope 1) and a wrong Hessian (slope 2)', () => {
    const wrongGradient = problemFromFunctions(
      d,
      (P) => A.mmul(P).mmul(B).mmul(P.transpose()).trace(),
      (P) => A.mmul(P).mmul(B).mul(1.9),
      (_P, V) => new Matrix(A.mmul(V).mmul(B).mul(2)),
    );
    expect(Math.abs(checkGradient(wrongGradient).slope - 1)).toBeLessThan(0.1);
    expect(checkGradient(wrongGradient).passed).toBe(false);
    const wrongHessian = problemFromFunctions(
      d,
      (P) => A.mmul(P).mmul(B).mmul(P.transpose()).trace(),
      (P) => new Matrix(A.mmul(P).mmul(B).mul(2)),
      (_P, V) => A.mmul(V).mmul(B).mul(2.2),
    );
    expect(Math.abs(checkHessian(wrongHessian).slope - 2)).toBeLessThan(0.1);
  });

  it('checkHessian needs a Hessian: typed error', () => {
    const noHessian = problemFromFunctions(d, () => 0, () => Matrix.zeros(d, d));
    expect(() => checkHessian(noHessian)).toThrow(InvalidOptionError);
  });
});

describe('smallestHessianEigenvalue (Lanczos)', () => {
  it('is >= 0 at the Lemma 1 minimiser and < 0 at a saddle; FD Hessian agrees with the exact one', () => {
    const problem = brockettProblem(A, B);
    const optimum = lemmaOneMinimiser(A, B);
    const atMinimum = smallestHessianEigenvalue(problem, optimum);
    // exact Hessian at the minimiser: smallest eigenvalue (omega_i - omega_j)(sigma_j^2 - sigma_i^2) > 0
    expect(atMinimum.value).toBeGreaterThan(-1e-10);
    // the saddle: swap two columns of the minimiser (pairs the two smallest omegas wrongly)
    const saddle = optimum.clone();
    const c0 = saddle.getColumn(0);
    saddle.setColumn(0, saddle.getColumn(d - 1));
    saddle.setColumn(d - 1, c0);
    const atSaddle = smallestHessianEigenvalue(problem, saddle);
    expect(atSaddle.value).toBeLessThan(-1e-3);
    const userNoHessian = problemFromFunctions(
      d,
      (P) => A.mmul(P).mmul(B).mmul(P.transpose()).trace(),
      (P) => new Matrix(A.mmul(P).mmul(B).mul(2)),
    );
    const fd = smallestHessianEigenvalue(userNoHessian, saddle);
    expect(Math.abs(fd.value - atSaddle.value)).toBeLessThan(1e-5 * Math.abs(atSaddle.value));
  });
});
