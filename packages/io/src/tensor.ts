/**
 * The tensor type every reader returns and every writer takes: row-major (C order) data,
 * floats and integers up to 32 bits widened to `Float64Array` (exactly), 64-bit integers kept
 * exact as `BigInt64Array` / `BigUint64Array`. `dtype` records what the file stored.
 */
import { type DType, type FloatDType, matrixToTensor, type NumberDType, type NumberTensor, type Tensor, tensorToMatrix } from '@descramble/core';
import { Matrix } from 'ml-matrix';
import { InvalidTensorError } from './errors.js';
import type { FileFormat } from './errors.js';

// The tensor types are @descramble/core's (the one Tensor of the monorepo); re-exported so this
// package's API keeps their names.
export type {
  BigIntDType,
  DType,
  FloatDType,
  Int64Tensor,
  NumberDType,
  NumberTensor,
  SmallIntDType,
  Tensor,
  Uint64Tensor,
} from '@descramble/core';

/**
 * What writers accept: a `Tensor`, or a number tensor whose data is any array of numbers
 * (e.g. a `Float32Array`); values are converted to `dtype` on write (rounded to nearest-even
 * for float32/float16/bfloat16, checked to be integers in range for integer dtypes).
 */
export type TensorInput =
  | Tensor
  | {
      readonly dtype: NumberDType;
      readonly shape: readonly number[];
      readonly data: Float64Array | Float32Array | ArrayLike<number>;
    };

/** Ordered tensors by name (readers return `Map`s, writers accept either). */
export type TensorsInput = ReadonlyMap<string, TensorInput> | Readonly<Record<string, TensorInput>>;

/** Bytes per element of each dtype. */
export const ELEMENT_SIZE: Readonly<Record<DType, number>> = {
  float64: 8,
  float32: 4,
  float16: 2,
  bfloat16: 2,
  int8: 1,
  int16: 2,
  int32: 4,
  int64: 8,
  uint8: 1,
  uint16: 2,
  uint32: 4,
  uint64: 8,
  bool: 1,
};

/** Every dtype, in a fixed order. */
export const DTYPES: readonly DType[] = Object.keys(ELEMENT_SIZE) as DType[];

/** True for float64, float32, float16, bfloat16. */
export function isFloatDType(dtype: DType): dtype is FloatDType {
  return dtype === 'float64' || dtype === 'float32' || dtype === 'float16' || dtype === 'bfloat16';
}

/** Normalises a `TensorsInput` to an ordered list of entries. */
export function tensorEntries(tensors: TensorsInput): [string, TensorInput][] {
  if (tensors instanceof Map) return [...(tensors as ReadonlyMap<string, TensorInput>).entries()];
  return Object.entries(tensors as Readonly<Record<string, TensorInput>>);
}

/**
 * Product of the dimensions, or `undefined` when a dimension is not a non-negative safe
 * integer or the product exceeds `limit` (default 2^53 - 1).
 */
export function checkedElementCount(shape: readonly unknown[], limit = Number.MAX_SAFE_INTEGER): number | undefined {
  let count = 1;
  for (const dim of shape) {
    if (typeof dim !== 'number' || !Number.isSafeInteger(dim) || dim < 0) return undefined;
    count *= dim;
    if (count > limit) return undefined;
  }
  return count;
}

/**
 * The 2-D tensor as an ml-matrix `Matrix` (rows = shape[0]). 64-bit integer tensors are
 * converted with `Number` (exact below 2^53).
 *
 * @throws InvalidTensorError when the tensor is not 2-D.
 */
export function toMatrix(tensor: Tensor): Matrix {
  if (tensor.shape.length !== 2) {
    throw new InvalidTensorError({ format: 'unknown', file: '<tensor>', field: 'shape', reason: `toMatrix needs a 2-D tensor, got shape [${tensor.shape.join(', ')}]` });
  }
  return tensorToMatrix(tensor, tensor.shape[0]!, tensor.shape[1]!, Matrix);
}

/** A float64 tensor of a matrix (row-major copy). */
export function fromMatrix(matrix: Matrix, dtype: NumberDType = 'float64'): NumberTensor {
  return matrixToTensor(matrix, dtype);
}

/** Data of any tensor as a `Float64Array` (64-bit integers converted with `Number`). */
export function toFloat64(tensor: Tensor): Float64Array {
  if (tensor.data instanceof Float64Array) return tensor.data;
  return Float64Array.from(tensor.data as ArrayLike<bigint>, (value) => Number(value));
}

// ---------------------------------------------------------------------------------------
// Minifloats (float16, bfloat16): exact decoding, round-to-nearest-even encoding.
// ---------------------------------------------------------------------------------------

function decodeMinifloat(bits: number, exponentBits: number, mantissaBits: number): number {
  const bias = (1 << (exponentBits - 1)) - 1;
  const maxExponent = (1 << exponentBits) - 1;
  const sign = bits >> (exponentBits + mantissaBits) ? -1 : 1;
  const biased = (bits >> mantissaBits) & maxExponent;
  const mantissa = bits & ((1 << mantissaBits) - 1);
  if (biased === 0) return sign * mantissa * 2 ** (1 - bias - mantissaBits);
  if (biased === maxExponent) return mantissa === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1 + mantissa / 2 ** mantissaBits) * 2 ** (biased - bias);
}

function exponentOf(value: number): number {
  let exponent = Math.floor(Math.log2(value));
  if (2 ** exponent > value) exponent--;
  else if (2 ** (exponent + 1) <= value) exponent++;
  return exponent;
}

function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

function encodeMinifloat(value: number, exponentBits: number, mantissaBits: number): number {
  const bias = (1 << (exponentBits - 1)) - 1;
  const maxExponent = (1 << exponentBits) - 1;
  if (Number.isNaN(value)) return (maxExponent << mantissaBits) | (1 << (mantissaBits - 1));
  const signBit = value < 0 || Object.is(value, -0) ? 1 << (exponentBits + mantissaBits) : 0;
  const magnitude = Math.abs(value);
  if (magnitude === Number.POSITIVE_INFINITY) return signBit | (maxExponent << mantissaBits);
  const minNormalExponent = 1 - bias;
  let exponent = magnitude === 0 ? minNormalExponent : Math.max(exponentOf(magnitude), minNormalExponent);
  let quantised = roundHalfEven(magnitude * 2 ** (mantissaBits - exponent));
  const implicit = 2 ** mantissaBits;
  if (quantised >= 2 * implicit) {
    quantised /= 2;
    exponent += 1;
  }
  if (quantised < implicit) return signBit | quantised;
  const biased = exponent + bias;
  if (biased >= maxExponent) return signBit | (maxExponent << mantissaBits);
  return signBit | (biased << mantissaBits) | (quantised - implicit);
}

/** IEEE binary16 bits to a number (exact). */
export const float16BitsToNumber = (bits: number): number => decodeMinifloat(bits, 5, 10);
/** bfloat16 bits to a number (exact). */
export const bfloat16BitsToNumber = (bits: number): number => decodeMinifloat(bits, 8, 7);
/** A number to IEEE binary16 bits, rounded to nearest-even (overflow to infinity). */
export const numberToFloat16Bits = (value: number): number => encodeMinifloat(value, 5, 10);
/** A number to bfloat16 bits, rounded to nearest-even (overflow to infinity). */
export const numberToBfloat16Bits = (value: number): number => encodeMinifloat(value, 8, 7);

// ---------------------------------------------------------------------------------------
// Raw element decoding and encoding (bounds are the caller's job: callers check that
// offset + count * size <= bytes.length before calling).
// ---------------------------------------------------------------------------------------

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** An aligned copy of `length` bytes at `offset` (a fresh ArrayBuffer, never a view of the input). */
function alignedCopy(bytes: Uint8Array, offset: number, length: number): ArrayBuffer {
  const copy = new Uint8Array(length);
  copy.set(bytes.subarray(offset, offset + length));
  return copy.buffer;
}

type NarrowArray = Float32Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;

/**
 * A typed view of `count` elements at `offset` when the address is aligned for the element
 * size, else a view of an aligned copy (a misaligned typed-array view would throw). Only for
 * data that is widened (copied) right after, so the result never aliases the input.
 */
function narrowView<T extends NarrowArray>(
  Kind: { new (buffer: ArrayBufferLike, byteOffset: number, length: number): T; readonly BYTES_PER_ELEMENT: number },
  bytes: Uint8Array,
  offset: number,
  count: number,
): T {
  const start = bytes.byteOffset + offset;
  if (start % Kind.BYTES_PER_ELEMENT === 0) return new Kind(bytes.buffer, start, count);
  return new Kind(alignedCopy(bytes, offset, count * Kind.BYTES_PER_ELEMENT), 0, count);
}

/** A Float64Array copy of any typed array of numbers (TypedArray.set converts, fast). */
function widen(source: NarrowArray): Float64Array {
  const out = new Float64Array(source.length);
  out.set(source);
  return out;
}

/**
 * Decodes `count` elements of `dtype` from `bytes` at `offset`. Always copies: the result
 * never aliases the input, and unaligned data is copied before it is viewed.
 */
export function decodeElements(
  bytes: Uint8Array,
  offset: number,
  count: number,
  dtype: DType,
  littleEndian = true,
): Float64Array | BigInt64Array | BigUint64Array {
  const size = ELEMENT_SIZE[dtype];
  const length = count * size;
  const fast = littleEndian === HOST_LITTLE_ENDIAN;
  switch (dtype) {
    case 'float64':
      if (fast) return new Float64Array(alignedCopy(bytes, offset, length));
      break;
    case 'float32':
      if (fast) return widen(narrowView(Float32Array, bytes, offset, count));
      break;
    case 'int64':
      if (fast) return new BigInt64Array(alignedCopy(bytes, offset, length));
      break;
    case 'uint64':
      if (fast) return new BigUint64Array(alignedCopy(bytes, offset, length));
      break;
    case 'int8':
      return widen(new Int8Array(bytes.buffer, bytes.byteOffset + offset, count));
    case 'uint8':
      return widen(bytes.subarray(offset, offset + length));
    case 'int16':
      if (fast) return widen(narrowView(Int16Array, bytes, offset, count));
      break;
    case 'uint16':
      if (fast) return widen(narrowView(Uint16Array, bytes, offset, count));
      break;
    case 'int32':
      if (fast) return widen(narrowView(Int32Array, bytes, offset, count));
      break;
    case 'uint32':
      if (fast) return widen(narrowView(Uint32Array, bytes, offset, count));
      break;
    case 'bool': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = bytes[offset + i] === 0 ? 0 : 1;
      return out;
    }
    default:
      break;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, length);
  if (dtype === 'int64') {
    const out = new BigInt64Array(count);
    for (let i = 0; i < count; i++) out[i] = view.getBigInt64(i * 8, littleEndian);
    return out;
  }
  if (dtype === 'uint64') {
    const out = new BigUint64Array(count);
    for (let i = 0; i < count; i++) out[i] = view.getBigUint64(i * 8, littleEndian);
    return out;
  }
  const out = new Float64Array(count);
  switch (dtype) {
    case 'float64':
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, littleEndian);
      break;
    case 'float32':
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, littleEndian);
      break;
    case 'float16':
      for (let i = 0; i < count; i++) out[i] = float16BitsToNumber(view.getUint16(i * 2, littleEndian));
      break;
    case 'bfloat16':
      for (let i = 0; i < count; i++) out[i] = bfloat16BitsToNumber(view.getUint16(i * 2, littleEndian));
      break;
    case 'int16':
      for (let i = 0; i < count; i++) out[i] = view.getInt16(i * 2, littleEndian);
      break;
    case 'uint16':
      for (let i = 0; i < count; i++) out[i] = view.getUint16(i * 2, littleEndian);
      break;
    case 'int32':
      for (let i = 0; i < count; i++) out[i] = view.getInt32(i * 4, littleEndian);
      break;
    case 'uint32':
      for (let i = 0; i < count; i++) out[i] = view.getUint32(i * 4, littleEndian);
      break;
    default:
      break;
  }
  return out;
}

const INTEGER_RANGE: Partial<Record<DType, readonly [number, number]>> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  uint8: [0, 255],
  uint16: [0, 65535],
  uint32: [0, 4294967295],
  bool: [0, 1],
};

/** Where a writer is, for its error messages. */
export interface WriteContext {
  readonly format: FileFormat;
  readonly file: string;
}

/** The element count of a writer's input tensor, after checking shape against data length. */
export function checkTensorInput(name: string, tensor: TensorInput, context: WriteContext): number {
  const count = checkedElementCount(tensor.shape);
  if (count === undefined) {
    throw new InvalidTensorError({ format: context.format, file: context.file, field: `${name}.shape`, reason: `shape [${tensor.shape.join(', ')}] is not a list of non-negative integers` });
  }
  if (tensor.data.length !== count) {
    throw new InvalidTensorError({ format: context.format, file: context.file, field: `${name}.data`, reason: `shape [${tensor.shape.join(', ')}] needs ${count} elements, data has ${tensor.data.length}` });
  }
  if (!(tensor.dtype in ELEMENT_SIZE)) {
    throw new InvalidTensorError({ format: context.format, file: context.file, field: `${name}.dtype`, reason: `unknown dtype ${String(tensor.dtype)}` });
  }
  const isBig = tensor.dtype === 'int64' || tensor.dtype === 'uint64';
  const hasBig = tensor.data instanceof BigInt64Array || tensor.data instanceof BigUint64Array;
  if (isBig !== hasBig) {
    throw new InvalidTensorError({ format: context.format, file: context.file, field: `${name}.data`, reason: `dtype ${tensor.dtype} needs ${isBig ? 'a BigInt64Array/BigUint64Array' : 'an array of numbers'}` });
  }
  return count;
}

/**
 * Encodes a tensor's elements as `dtype` bytes. Floats round to nearest-even; integers must
 * be integers in range (no silent wrap-around).
 *
 * @throws InvalidTensorError naming the tensor and the first offending element.
 */
export function encodeElements(name: string, tensor: TensorInput, context: WriteContext, littleEndian = true): Uint8Array {
  const count = checkTensorInput(name, tensor, context);
  const dtype = tensor.dtype;
  const size = ELEMENT_SIZE[dtype];
  const out = new Uint8Array(count * size);
  const view = new DataView(out.buffer);
  if (dtype === 'int64' || dtype === 'uint64') {
    const data = tensor.data as BigInt64Array | BigUint64Array;
    for (let i = 0; i < count; i++) {
      const value = data[i]!;
      if (dtype === 'int64') {
        if (value < -(2n ** 63n) || value >= 2n ** 63n) {
          throw new InvalidTensorError({ format: context.format, file: context.file, field: `${name}[${i}]`, reason: `value ${value} out of range for int64` });
        }
        view.setBigInt64(i * 8, value, littleEndian);
      } else {
        if (value < 0n || value >= 2n ** 64n) {
          throw new InvalidTensorError({ format: context.format, file: context.file, field: `${name}[${i}]`, reason: `value ${value} out of range for uint64` });
        }
        view.setBigUint64(i * 8, value, littleEndian);
      }
    }
    return out;
  }
  const data = tensor.data as ArrayLike<number>;
  const range = INTEGER_RANGE[dtype];
  for (let i = 0; i < count; i++) {
    const value = data[i]!;
    if (range !== undefined && (!Number.isInteger(value) || value < range[0] || value > range[1])) {
      throw new InvalidTensorError({ format: context.format, file: context.file, field: `${name}[${i}]`, reason: `value ${value} is not an integer in [${range[0]}, ${range[1]}] for ${dtype}` });
    }
    switch (dtype) {
      case 'float64':
        view.setFloat64(i * 8, value, littleEndian);
        break;
      case 'float32':
        view.setFloat32(i * 4, value, littleEndian);
        break;
      case 'float16':
        view.setUint16(i * 2, numberToFloat16Bits(value), littleEndian);
        break;
      case 'bfloat16':
        view.setUint16(i * 2, numberToBfloat16Bits(value), littleEndian);
        break;
      case 'int8':
        view.setInt8(i, value);
        break;
      case 'uint8':
      case 'bool':
        view.setUint8(i, value);
        break;
      case 'int16':
        view.setInt16(i * 2, value, littleEndian);
        break;
      case 'uint16':
        view.setUint16(i * 2, value, littleEndian);
        break;
      case 'int32':
        view.setInt32(i * 4, value, littleEndian);
        break;
      case 'uint32':
        view.setUint32(i * 4, value, littleEndian);
        break;
      default:
        break;
    }
  }
  return out;
}

/** Builds a reader's result tensor (narrowing the data type to the dtype). */
export function makeTensor(dtype: DType, shape: readonly number[], data: Float64Array | BigInt64Array | BigUint64Array): Tensor {
  return { dtype, shape, data } as Tensor;
}

/** Column-major (Fortran, MATLAB) data of `shape` reordered into row-major (C) order (a copy). */
export function columnMajorToRowMajor<T extends Float64Array | BigInt64Array | BigUint64Array>(data: T, shape: readonly number[]): T {
  const rank = shape.length;
  if (rank < 2) return data;
  const out = new (data.constructor as new (length: number) => T)(data.length);
  const strides = new Array<number>(rank);
  let stride = 1;
  for (let axis = 0; axis < rank; axis++) {
    strides[axis] = stride;
    stride *= shape[axis]!;
  }
  const index = new Array<number>(rank).fill(0);
  let source = 0;
  for (let target = 0; target < data.length; target++) {
    out[target] = data[source]!;
    for (let axis = rank - 1; axis >= 0; axis--) {
      index[axis]!++;
      source += strides[axis]!;
      if (index[axis]! < shape[axis]!) break;
      source -= strides[axis]! * shape[axis]!;
      index[axis] = 0;
    }
  }
  return out;
}

