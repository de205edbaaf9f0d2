export {
  CertificateViolationError,
  ChartDomainError,
  DimensionMismatchError,
  InvalidOptionError,
  InverseRetractionDomainError,
  NonFiniteInputError,
  NotOrthogonalError,
  NotSymmetricError,
  OrthogonalError,
  SingularMatrixError,
  type OrthogonalFailure,
} from './errors.js';
export type { EvaluationCounts, Problem, ProblemKernels } from './problem.js';
export {
  inverseRetract,
  orthogonalityError,
  projectToTangent,
  type RetractionName,
  retract,
  retractionNames,
  riemannianGradient,
  riemannianHessian,
} from './manifold.js';
export type { IterationLogEntry, StoppingOptions, StopReason } from './stopping.js';
export type { MethodName, MinimizeResult } from './engine.js';
export { methodNames, minimize, type MinimizeOptions, type MinimizeOutput } from './minimize.js';
export type { ConjugateGradientRule } from './solvers/first-order.js';
export type { TrustRegionOptions } from './solvers/trust-regions.js';
export type { ChartStepRule } from './solvers/cayley-pgd.js';
export {
  type BrockettProblem,
  brockettProblem,
  type MatrixLike,
  type MaxDiagonalProblem,
  maxDiagonalNormSquareProblem,
  maxDiagonalSumProblem,
  problemFromFunctions,
} from './problems.js';
export {
  checkGradient,
  checkHessian,
  type HessianCheckResult,
  type HessianEigenvalueOptions,
  type HessianEigenvalueResult,
  type SlopeCheckOptions,
  type SlopeCheckResult,
  smallestHessianEigenvalue,
} from './checks.js';
export {
  BROCKETT_ROUNDOFF_FACTOR,
  type BrockettCertificate,
  brockettCertificate,
  brockettOptimum,
  brockettRoundoff,
  type RelativeGap,
  relativeGap,
} from './certificate.js';
export { type BrockettMinimizeResult, minimizeBrockett } from './brockett.js';
