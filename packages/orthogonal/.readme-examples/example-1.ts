import { createRng, randomOrthogonal, secondDerivative } from '@descramble/linalg';
import { Matrix } from 'ml-matrix';
import { brockettCertificate, brockettProblem, checkGradient, minimize } from '@descramble/orthogonal';

const d = 20;
const D = secondDerivative(d, 'fourier');
const A = D.transpose().mmul(D);
const S = Matrix.rand(d, 200);
const B = S.mmul(S.transpose());

const problem = brockettProblem(A, B);
console.log(checkGradient(problem).slope); // ~2

const result = minimize(problem, { method: 'trust-regions', gradientTolerance: 1e-8 });
console.log(result.stoppedBy, result.iterations, result.converged);
console.log(brockettCertificate(A, B, result.P).gap); // 0 when within roundoff (withinRoundoff: true)

// the 2021 method from P = I, with its convergence curve
const chart = minimize(problem, { method: 'cayley-pgd', P0: Matrix.eye(d), maxIterations: 5000 });
const curve = chart.log.map((row) => row.gradientNorm); // convergence curve
console.log(chart.stoppedBy, curve.length);

export {};
