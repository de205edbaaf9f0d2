/**
 * Reading a user's files in the worker with @descramble/io: `detectFormat` (magic bytes, then
 * the extension) and `readTensors`. io loads the heavy readers itself, by dynamic import, only
 * when a file needs them (ONNX/protobuf, HDF5/h5wasm, MATLAB .mat), so they never reach the
 * first view.
 */
import { detectFormat, readTensors, type Tensor, type TensorFileFormat, toFloat64, UnknownFormatError } from '@descramble/io';
import type { InputFile } from '../protocol.js';

/** A tensor as io returns it (float data widened to Float64Array, 64-bit integers as BigInt arrays). */
export type LoadedTensor = Tensor;

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

/** The format of a chosen file (io's `detectFormat`), with a message for the person who chose it. */
export function fileFormat(name: string, bytes: Uint8Array): TensorFileFormat {
  try {
    return detectFormat(bytes, name);
  } catch (error) {
    if (error instanceof UnknownFormatError) {
      throw new UnreadableFileError(name, 'not a safetensors, npy, npz, ONNX, HDF5 (Keras .h5) or MATLAB .mat file');
    }
    throw error;
  }
}

/**
 * All tensors of a file, by name. `others` are the other chosen files (ONNX external data is
 * looked up among them by file name).
 */
export async function readTensorFile(file: InputFile, others: readonly InputFile[] = []): Promise<Map<string, LoadedTensor>> {
  const bytes = new Uint8Array(file.bytes);
  if (bytes.length === 0) throw new UnreadableFileError(file.name, 'the file is empty');
  const format = fileFormat(file.name, bytes);
  const external = new Map(others.map((o) => [o.name, new Uint8Array(o.bytes)] as const));
  try {
    return await readTensors(
      { bytes, name: file.name },
      {
        externalData: (location: string) => {
          const found = external.get(location) ?? external.get(location.split('/').pop() ?? location);
          if (found === undefined) {
            throw new UnreadableFileError(file.name, `needs its external data file "${location}": choose it together with the model`);
          }
          return found;
        },
      },
    );
  } catch (error) {
    if (error instanceof UnreadableFileError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new UnreadableFileError(file.name, `cannot be read as ${format}: ${message}`);
  }
}

/** The numeric data of a tensor as float64 (64-bit integers converted, exact below 2^53). */
export function tensorFloat64(tensor: LoadedTensor): Float64Array {
  return toFloat64(tensor);
}
