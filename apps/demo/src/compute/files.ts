/**
 * Reading a user's files in the worker. The format is sniffed from the magic bytes (then the
 * extension), and only that format's reader is loaded (dynamic import): ONNX and HDF5 never
 * reach a page that does not need them.
 */
import type { InputFile } from '../protocol.js';

/** A tensor as every reader returns it (float data widened to Float64Array). */
export interface LoadedTensor {
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly data: Float64Array | BigInt64Array | BigUint64Array;
}

export type SniffedFormat = 'safetensors' | 'npy' | 'npz' | 'onnx' | 'hdf5' | 'mat';

/** A file the page cannot read; the message is meant for the person who chose the file. */
export class UnreadableFileError extends Error {
  override readonly name = 'UnreadableFileError';
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
  }
}

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

function startsWith(bytes: Uint8Array, prefix: readonly number[], offset = 0): boolean {
  return prefix.every((b, i) => bytes[offset + i] === b);
}

function ascii(bytes: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...bytes.subarray(start, Math.min(end, bytes.length)));
}

/** The format of a file from its first bytes, then its name. */
export function sniffFormat(name: string, bytes: Uint8Array): SniffedFormat {
  const lower = name.toLowerCase();
  if (startsWith(bytes, [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59])) return 'npy';
  if (startsWith(bytes, [0x50, 0x4b])) return 'npz';
  if (ascii(bytes, 0, 6) === 'MATLAB') return 'mat';
  for (let offset = 0; offset + 8 <= bytes.length && offset <= 1 << 20; offset = offset === 0 ? 512 : offset * 2) {
    if (startsWith(bytes, HDF5_SIGNATURE, offset)) return lower.endsWith('.mat') ? 'mat' : 'hdf5';
  }
  if (bytes.length >= 9 && bytes[8] === 0x7b) return 'safetensors';
  if (lower.endsWith('.onnx')) return 'onnx';
  if (lower.endsWith('.safetensors')) return 'safetensors';
  if (lower.endsWith('.npy')) return 'npy';
  if (lower.endsWith('.npz')) return 'npz';
  if (lower.endsWith('.h5') || lower.endsWith('.hdf5') || lower.endsWith('.keras')) return 'hdf5';
  if (lower.endsWith('.mat')) return 'mat';
  throw new UnreadableFileError(name, 'not a safetensors, npy, npz, ONNX, HDF5 (Keras .h5) or MATLAB .mat file');
}

function fileStem(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? name;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/**
 * All tensors of a file, by name. `others` are the other chosen files (ONNX external data is
 * looked up among them by file name).
 */
export async function readTensorFile(file: InputFile, others: readonly InputFile[] = []): Promise<Map<string, LoadedTensor>> {
  const bytes = new Uint8Array(file.bytes);
  if (bytes.length === 0) throw new UnreadableFileError(file.name, 'the file is empty');
  const format = sniffFormat(file.name, bytes);
  try {
    switch (format) {
      case 'safetensors': {
        const { readSafetensors } = await import('../formats/basic.js');
        return readSafetensors(bytes, file.name).tensors;
      }
      case 'npy': {
        const { readNpy } = await import('../formats/basic.js');
        return new Map([[fileStem(file.name), readNpy(bytes, file.name)]]);
      }
      case 'npz': {
        const { readNpz } = await import('../formats/basic.js');
        return readNpz(bytes, file.name);
      }
      case 'mat': {
        const { readMat } = await import('../formats/basic.js');
        return await readMat(bytes, file.name);
      }
      case 'hdf5': {
        const { readHdf5 } = await import('../formats/hdf5.js');
        return await readHdf5(bytes, file.name);
      }
      case 'onnx': {
        const { readOnnx } = await import('../formats/onnx.js');
        const external = new Map(others.map((o) => [o.name, new Uint8Array(o.bytes)] as const));
        const model = readOnnx(bytes, {
          name: file.name,
          externalData: (location: string) => {
            const found = external.get(location) ?? external.get(location.split('/').pop() ?? location);
            if (found === undefined) {
              throw new UnreadableFileError(file.name, `needs its external data file "${location}": choose it together with the model`);
            }
            return found;
          },
        });
        return new Map(model.graph.initializers);
      }
    }
  } catch (error) {
    if (error instanceof UnreadableFileError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new UnreadableFileError(file.name, `cannot be read as ${format}: ${message}`);
  }
}

/** The numeric data of a tensor as float64 (64-bit integers converted, exact below 2^53). */
export function tensorFloat64(tensor: LoadedTensor): Float64Array {
  if (tensor.data instanceof Float64Array) return tensor.data;
  return Float64Array.from(tensor.data as ArrayLike<bigint>, (x) => Number(x));
}
