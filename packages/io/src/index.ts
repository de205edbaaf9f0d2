/**
 * @descramble/io: model and array files in and out (safetensors, npy/npz, ONNX, HDF5/Keras,
 * MATLAB .mat, PyTorch checkpoints), checked against files written by the real tools. Browser-safe: readers take
 * bytes. File paths, ONNX external data from disk and streaming `.npy` are in
 * `@descramble/io/node`.
 */
export {
  BROWSER_DEFAULT_MEMORY_BUDGET,
  defaultMemoryBudget,
  type MemoryBudgetOptions,
  setDefaultMemoryBudget,
} from './budget.js';
export type { BytesInput } from './context.js';
export {
  DuplicateKeyError,
  ExternalDataError,
  FileAccessError,
  FileChangedError,
  type FileFormat,
  InvalidModelError,
  InvalidTensorError,
  IoError,
  type IoErrorContext,
  type IoErrorOptions,
  type IoFailure,
  MalformedHeaderError,
  MemoryBudgetError,
  MissingDependencyError,
  type MissingDependencyErrorOptions,
  OversizedError,
  ReaderUsageError,
  TruncatedFileError,
  UnknownFormatError,
  UnsafePickleError,
  type UnsafePickleErrorOptions,
  UnsupportedDtypeError,
  UnsupportedFeatureError,
} from './errors.js';
export { findHdf5Superblock, readHdf5, readMat73 } from './hdf5.js';
export { isMatFile, readMat, readMatV5 } from './mat.js';
export { encodeNpyHeader, NPY_MAX_HEADER_LENGTH, type NpyHeader, parseNpyHeader, readNpy, writeNpy } from './npy.js';
export { readNpz, type WriteNpzOptions, writeNpz } from './npz.js';
export {
  type ExternalDataReader,
  type ExternalDataSource,
  ONNX_DATA_TYPE,
  type OnnxAttribute,
  type OnnxGraph,
  type OnnxGraphDescription,
  type OnnxModel,
  type OnnxModelDescription,
  type OnnxNode,
  type OnnxNodeDescription,
  type OnnxOpsetImport,
  type OnnxValueInfo,
  type OnnxValueInfoDescription,
  type ReadOnnxOptions,
  readOnnx,
  writeOnnx,
} from './onnx.js';
export { type PickleScalar, type PytorchCheckpoint, readPytorchCheckpoint } from './pytorch.js';
export { type BytesSource, detectFormat, type ReadTensorsOptions, readTensors, type TensorFileFormat } from './read-tensors.js';
export { SAFETENSORS_MAX_HEADER_LENGTH, type SafetensorsFile, readSafetensors, writeSafetensors } from './safetensors.js';
export {
  type BigIntDType,
  bfloat16BitsToNumber,
  DTYPES,
  type DType,
  ELEMENT_SIZE,
  type FloatDType,
  float16BitsToNumber,
  fromMatrix,
  type Int64Tensor,
  isFloatDType,
  type NumberDType,
  type NumberTensor,
  numberToBfloat16Bits,
  numberToFloat16Bits,
  type SmallIntDType,
  type Tensor,
  type TensorInput,
  type TensorsInput,
  toFloat64,
  toMatrix,
  type Uint64Tensor,
} from './tensor.js';
export { crc32 } from './zip.js';
