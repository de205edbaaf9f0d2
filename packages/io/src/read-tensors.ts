/**
 * One entry point for every format: detect it from magic bytes (then the extension) and read.
 *
 * The heavy readers load lazily: ONNX (protobuf decoding), HDF5 (h5wasm) and MATLAB .mat (whose
 * v7.3 files are HDF5) are dynamic `import()`s taken only when a file needs them, so a bundler
 * that includes `readTensors` or `detectFormat` does not put them in the importing chunk.
 * `detectFormat` needs none of them.
 */
import { type BytesInput, asBytes } from './context.js';
import { UnknownFormatError } from './errors.js';
import { readNpy } from './npy.js';
import { readNpz } from './npz.js';
import { isLegacyPytorchCheckpoint, readPytorchCheckpoint } from './pytorch.js';
import type { MemoryBudgetOptions } from './budget.js';
import type { ExternalDataSource } from './onnx.js';
import { SAFETENSORS_MAX_HEADER_LENGTH, readSafetensors } from './safetensors.js';
import type { Tensor } from './tensor.js';

/** Formats `readTensors` can tell apart. */
export type TensorFileFormat = 'safetensors' | 'npy' | 'npz' | 'onnx' | 'hdf5' | 'mat' | 'pytorch';

/** Bytes to read, with the file name (used for the extension and in error messages). */
export interface BytesSource {
  readonly bytes: BytesInput;
  readonly name: string;
}

/** Options of `readTensors`. */
export interface ReadTensorsOptions extends MemoryBudgetOptions {
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
  pt: 'pytorch',
  pth: 'pytorch',
};

function startsWith(bytes: Uint8Array, prefix: readonly number[], offset = 0): boolean {
  return prefix.every((byte, i) => bytes[offset + i] === byte);
}

/** `\x89HDF\r\n\x1a\n`, the HDF5 format signature. */
const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a] as const;

/**
 * Whether an HDF5 superblock signature sits at 0, 512, 1024, 2048, ... (the same search as
 * `findHdf5Superblock` in hdf5.ts, repeated here so that detection does not load the HDF5 module).
 */
function hasHdf5Signature(bytes: Uint8Array): boolean {
  for (let offset = 0; offset + 8 <= bytes.length; offset = offset === 0 ? 512 : offset * 2) {
    if (startsWith(bytes, HDF5_SIGNATURE, offset)) return true;
  }
  return false;
}

/**
 * The format of a file: magic bytes first (`\x93NUMPY`, `PK` (a PyTorch checkpoint when its
 * first member is `<folder>/data.pkl` or the name ends in `.pt`/`.pth`, else npz), the legacy
 * `torch.save` magic number, `\x89HDF`, `MATLAB`, a safetensors length + `{`), then the
 * extension of `name`, then ONNX when the bytes begin
 * like a ModelProto (field 1, ir_version).
 *
 * @throws UnknownFormatError.
 */
export function detectFormat(input: BytesInput, name: string): TensorFileFormat {
  const bytes = asBytes(input);
  if (startsWith(bytes, [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59])) return 'npy';
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) return firstZipMemberIsPickle(bytes) || /\.pth?$/i.test(name) ? 'pytorch' : 'npz';
  if (startsWith(bytes, [0x50, 0x4b, 0x05, 0x06])) return 'npz';
  if (isLegacyPytorchCheckpoint(bytes)) return 'pytorch';
  if (bytes.length >= 128 && latinPrefix(bytes) === 'MATLAB') return 'mat';
  if (hasHdf5Signature(bytes)) return 'hdf5';
  if (bytes.length >= 9 && bytes[8] === 0x7b) {
    const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true);
    if (length <= BigInt(SAFETENSORS_MAX_HEADER_LENGTH)) return 'safetensors';
  }
  const extension = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase();
  if (extension !== undefined && Object.hasOwn(EXTENSIONS, extension)) return EXTENSIONS[extension]!;
  if (bytes[0] === 0x08) return 'onnx';
  throw new UnknownFormatError({ file: name });
}

/** Whether the first local header of a zip names `<folder>/data.pkl`, as torch.save writes first. */
function firstZipMemberIsPickle(bytes: Uint8Array): boolean {
  if (bytes.length < 30) return false;
  const nameLength = bytes[26]! | (bytes[27]! << 8);
  if (30 + nameLength > bytes.length) return false;
  const name = String.fromCharCode(...bytes.subarray(30, 30 + nameLength));
  return /^[^/]+\/data\.pkl$/.test(name);
}

function latinPrefix(bytes: Uint8Array): string {
  return String.fromCharCode(...bytes.subarray(0, 6));
}

/**
 * Reads every tensor of a file, whatever its format: safetensors tensors, a `.npy` array
 * (named by the file name without extension), `.npz` members, ONNX initializers, HDF5
 * numeric datasets, MATLAB numeric variables, the tensors of a PyTorch checkpoint (by dotted
 * path; its metadata is left out, see `readPytorchCheckpoint`). Browser-safe (bytes in); for paths use
 * `readTensors` from `@descramble/io/node`. The ONNX, HDF5 and .mat readers are loaded on the
 * first file that needs them (dynamic import).
 *
 * @throws UnknownFormatError, and the format reader's typed errors.
 */
export async function readTensors(source: BytesSource, options: ReadTensorsOptions = {}): Promise<Map<string, Tensor>> {
  const bytes = asBytes(source.bytes);
  const name = source.name;
  // the options carry the budget (and, from @descramble/io/node, the count of the file's bytes)
  const budget: MemoryBudgetOptions = options;
  switch (detectFormat(bytes, name)) {
    case 'safetensors':
      return readSafetensors(bytes, name, budget).tensors;
    case 'npy': {
      const base = name.replace(/^.*[\\/]/, '').replace(/\.npy$/i, '') || 'array';
      return new Map([[base, readNpy(bytes, name, budget)]]);
    }
    case 'npz':
      return readNpz(bytes, name, budget);
    case 'pytorch':
      return readPytorchCheckpoint(bytes, name, budget).tensors;
    case 'onnx': {
      const { readOnnx } = await import('./onnx.js');
      const model = readOnnx(bytes, options.externalData === undefined ? { name, ...budget } : { name, ...budget, externalData: options.externalData });
      return new Map(model.graph.initializers);
    }
    case 'hdf5': {
      const { readHdf5 } = await import('./hdf5.js');
      return readHdf5(bytes, name, budget);
    }
    case 'mat': {
      const { readMat } = await import('./mat.js');
      return readMat(bytes, name, budget);
    }
  }
}

