/**
 * @descramble/core: the concepts every `@descramble` package shares, with no dependencies.
 * Typed errors (one base, structured `detail`, `isInstance` that survives two installed copies
 * and worker threads) and the shared error kinds; the one Tensor type and its Matrix conversions.
 */
export {
  ConvergenceError,
  DescrambleError,
  type DescrambleErrorOptions,
  DimensionMismatchError,
  EmptyGramError,
  ERROR_MARKER,
  type ErrorContext,
  type ErrorDetail,
  type ErrorDetailValue,
  errorMarker,
  hasErrorMarker,
  FormatError,
  GramOverflowError,
  InvalidArgumentError,
  markErrorClass,
  NonFiniteInputError,
  NotSymmetricError,
  reviveError,
  type ScopedErrorClass,
  type SerializedError,
  type SharedFailure,
  SingularMatrixError,
  scopedErrorBase,
  serializeError,
} from './errors.js';
export {
  type BigIntDType,
  type DType,
  type Float64Tensor,
  type FloatDType,
  type Int64Tensor,
  type MatrixConstructor,
  type MatrixLike,
  matrixToTensor,
  type NumberDType,
  type NumberTensor,
  type SmallIntDType,
  shapeSize,
  type Tensor,
  tensorToMatrix,
  type Uint64Tensor,
} from './tensor.js';
