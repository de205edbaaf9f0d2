/** One entry point for every format: detect it from magic bytes (then the extension) and read. */
import { type BytesInput, asBytes } from './context.js';
import { UnknownFormatError } from './errors.js';
import { findHdf5Superblock, readHdf5 } from './hdf5.js';
import { readMat } from './mat.js';
import { readNpy } from './npy.js';
import { readNpz } from './npz.js';
import { type ExternalDataSource, readOnnx } from './onnx.js';
import { SAFETENSORS_MAX_HEADER_LENGTH, readSafetensors } from './safetensors.js';
import type { Tensor } from './tensor.js';

/** Formats `readTensors` can tell apart. */
export type TensorFileFormat = 'safetensors' | 'npy' | 'npz' | 'onnx' | 'hdf5' | 'mat';

/** Bytes to read, with the file name (used for the extension and in error messages). */
export interface BytesSource {
  readonly bytes: BytesInput;
  readonly name: string;
}

/** Options of `readTensors`. */
export interface ReadTensorsOptions {
  /** For ONNX models with external data (see `readOnnx`). */
  readonly externalData?: ExternalDataSource;
}

const EXTENSIONS: Readonly<Record<string, TensorFileFormat>> = {
  safetensors: 'safetensors',
  npy: 'npy',
  npz: 'npz',
  onnx: 'onnx',
  h5: 'hdf5',
  hdf5: 'hdf5',
  keras: 'hdf5',
  mat: 'mat',
};

function startsWith(bytes: Uint8Array, prefix: readonly number[], offset = 0): boolean {
  return prefix.every((byte, i) => bytes[offset + i] === byte);
}

/**
 * The format of a file: magic bytes first (`\x93NUMPY`, `PK`, `\x89HDF`, `MATLAB`, a
 * safetensors length + `{`), then the extension of `name`, then ONNX when the bytes begin
 * like a ModelProto (field 1, ir_version).
 *
 * @throws UnknownFormatError.
 */
export function detectFormat(input: BytesInput, name: string): TensorFileFormat {
  const bytes = asBytes(input);
  if (startsWith(bytes, [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59])) return 'npy';
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06])) return 'npz';
  if (bytes.length >= 128 && latinPrefix(bytes) === 'MATLAB') return 'mat';
  if (findHdf5Superblock(bytes) >= 0) return 'hdf5';
  if (bytes.length >= 9 && bytes[8] === 0x7b) {
    const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true);
    if (length <= BigInt(SAFETENSORS_MAX_HEADER_LENGTH)) return 'safetensors';
  }
  const extension = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase();
  if (extension !== undefined && Object.hasOwn(EXTENSIONS, extension)) return EXTENSIONS[extension]!;
  if (bytes[0] === 0x08) return 'onnx';
  throw new UnknownFormatError(name);
}

function latinPrefix(bytes: Uint8Array): string {
  return String.fromCharCode(...bytes.subarray(0, 6));
}

/**
 * Reads every tensor of a file, whatever its format: safetensors tensors, a `.npy` array
 * (named by the file name without extension), `.npz` members, ONNX initializers, HDF5
 * numeric datasets, MATLAB numeric variables. Browser-safe (bytes in); for paths use
 * `readTensors` from `@descramble/io/node`.
 *
 * @throws UnknownFormatError, and the format reader's typed errors.
 */
export async function readTensors(source: BytesSource, options: ReadTensorsOptions = {}): Promise<Map<string, Tensor>> {
  const bytes = asBytes(source.bytes);
  const name = source.name;
  switch (detectFormat(bytes, name)) {
    case 'safetensors':
      return readSafetensors(bytes, name).tensors;
    case 'npy': {
      const base = name.replace(/^.*[\\/]/, '').replace(/\.npy$/i, '') || 'array';
      return new Map([[base, readNpy(bytes, name)]]);
    }
    case 'npz':
      return readNpz(bytes, name);
    case 'onnx': {
      const model = readOnnx(bytes, options.externalData === undefined ? { name } : { name, externalData: options.externalData });
      return new Map(model.graph.initializers);
    }
    case 'hdf5':
      return readHdf5(bytes, name);
    case 'mat':
      return readMat(bytes, name);
  }
}

