/** NumPy `.npz`: a ZIP archive of `.npy` members (stored by `np.savez`, deflated by `np.savez_compressed`). */
import { zipSync } from 'fflate';
import { type BytesInput, ReadContext, UNNAMED, asBytes } from './context.js';
import { readNpy, writeNpy } from './npy.js';
import { type Tensor, type TensorsInput, tensorEntries } from './tensor.js';
import { readZip } from './zip.js';

/**
 * Reads every member of an `.npz` archive as a tensor; names lose their `.npy` suffix
 * (`fc1.weight.npy` -> `fc1.weight`), in archive order.
 *
 * @throws the ZIP reader's and `readNpy`'s typed errors (the member's name in `file`).
 */
export function readNpz(input: BytesInput, name: string = UNNAMED): Map<string, Tensor> {
  const bytes = asBytes(input);
  const context = new ReadContext('npz', name);
  const tensors = new Map<string, Tensor>();
  for (const member of readZip(bytes, context)) {
    const key = member.name.endsWith('.npy') ? member.name.slice(0, -4) : member.name;
    if (tensors.has(key)) throw context.malformed(member.name, 'duplicate member');
    tensors.set(key, readNpy(member.data, `${name}/${member.name}`));
  }
  return tensors;
}

/** Options of `writeNpz`. */
export interface WriteNpzOptions {
  /** Deflate the members, as `np.savez_compressed` does (default false: stored, as `np.savez`). */
  readonly compress?: boolean;
}

/**
 * Writes tensors as an `.npz` archive (members `<name>.npy`, in the given order, with a fixed
 * timestamp so that the same tensors give the same bytes).
 *
 * @throws writeNpy's errors.
 */
export function writeNpz(tensors: TensorsInput, options: WriteNpzOptions = {}): Uint8Array {
  const level = options.compress === true ? 6 : 0;
  const files: Record<string, [Uint8Array, { level: 0 | 6; mtime: Date }]> = Object.create(null);
  const mtime = new Date(1980, 0, 1, 0, 0, 0);
  for (const [key, tensor] of tensorEntries(tensors)) {
    Object.defineProperty(files, `${key}.npy`, {
      value: [writeNpy(tensor, key), { level, mtime }],
      enumerable: true,
    });
  }
  return zipSync(files);
}
