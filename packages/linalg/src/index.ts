/**
 * @descramble/linalg: dense linear algebra for descrambling. ml-matrix `Matrix` at the
 * boundary, `Float64Array` kernels inside.
 */
export { invertPositiveRealKernel } from './block-inverse.js';
export { cayley, inverseCayley } from './cayley.js';
export { cholesky, choleskyKernel, choleskySolve, choleskySolveKernel } from './cholesky.js';
export { fromFloat64Array, toFloat64Array } from './convert.js';
export {
  ConvergenceError,
  DescrambleError,
  DimensionMismatchError,
  EmptyGramError,
  type ErrorContext,
  FormatError,
  GramOverflowError,
  InvalidArgumentError,
  LinalgError,
  type LinalgFailure,
  linalgScope,
  NonFiniteInputError,
  NotSymmetricError,
  type ScopedErrorClass,
  SingularMatrixError,
  scopedErrorBase,
} from './errors.js';
export { addTransposedKernel, distanceToIdentityKernel } from './elementwise.js';
export { expmSkew, expmSkewKernel } from './expm-skew.js';
export { gemm, syrk } from './gemm.js';
export { GramAccumulator } from './gram-accumulator.js';
export { setIdentityKernel } from './identity.js';
export { JACOBI_MAX_SWEEPS, jacobiEigenKernel } from './jacobi-eigen.js';
export {
  type LuResult,
  luDeterminantSign,
  luFactor,
  luFactorKernel,
  luInverseKernel,
  luSolve,
  luSolveKernel,
  singularPivot,
} from './lu.js';
export { frobeniusNorm, isSymmetric, orthogonalityError, symmetricPart } from './norms.js';
export {
  multiply,
  multiplyFlat,
  multiplyTransposeA,
  multiplyTransposeAFlat,
  multiplyTransposeB,
  multiplyTransposeBFlat,
} from './products.js';
export { POLAR_MAX_ITERATIONS, type PolarResult, polarDecomposition, polarFactorKernel } from './polar.js';
export { householderQrFlat, householderQrKernel, type QrResult, qr } from './qr.js';
export { randomOrthogonal } from './random-orthogonal.js';
export { createRng, type Rng } from './rng.js';
export { realFourierBasis, type SecondDerivativeKind, secondDerivative } from './second-derivative.js';
export { type SvdResult, svd } from './svd.js';
export {
  type SymmetricEigenFlatResult,
  type SymmetricEigenOptions,
  type SymmetricEigenResult,
  type SymmetricEigenValuesResult,
  symmetricEigen,
  symmetricEigenFlat,
  symmetricEigenvalues,
} from './symmetric-eigen.js';
export { type KernelBackend, kernelBackend, setKernelBackend } from './wasm/kernels.js';
