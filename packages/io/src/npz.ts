/** NumPy `.npz`: a ZIP archive of `.npy` members (stored by `np.savez`, deflated by `np.savez_compressed`). */
import { zipSync } from 'fflate';
import { MemoryBudget, type MemoryBudgetOptions } from './budget.js';
import { type BytesInput, ReadContext, UNNAMED, asBytes } from './context.js';
import { npyDecodedBytes, npyHeaderEnd, parseNpyHeader, readNpyWithin, writeNpy } from './npy.js';
import { type Tensor, type TensorsInput, tensorEntries } from './tensor.js';
import { readZipDirectory } from './zip.js';

/**
 * Reads every member of an `.npz` archive as a tensor; names lose their `.npy` suffix
 * (`fc1.weight.npy` -> `fc1.weight`), in archive order. The archive's directory is checked
 * first (see `readZipDirectory`), then every member's `.npy` header (inflating only the
 * header), so that the memory the whole archive needs (every tensor as float64, plus the
 * largest inflated member) is known and checked against `options.memoryBudget` before any
 * member is inflated; members are then inflated one at a time, each stopped at its declared size.
 *
 * @throws the ZIP reader's and `readNpy`'s typed errors (the member's name in `file`),
 * MemoryBudgetError.
 */
export function readNpz(input: BytesInput, name: string = UNNAMED, options: MemoryBudgetOptions = {}): Map<string, Tensor> {
  const bytes = asBytes(input);
  const context = new ReadContext('npz', name);
  const budget = MemoryBudget.of(options, 'npz', name);
  const entries = readZipDirectory(bytes, context);
  const keys = new Set<string>();
  let decoded = 0;
  let largestInflated = 0;
  for (const entry of entries) {
    const key = entry.name.endsWith('.npy') ? entry.name.slice(0, -4) : entry.name;
    if (keys.has(key)) throw context.malformed(entry.name, 'duplicate member');
    keys.add(key);
    const memberName = `${name}/${entry.name}`;
    // most headers are 128 bytes; a longer one is peeked again at its length
    let head = entry.peek(Math.min(entry.size, 1024));
    if (npyHeaderEnd(head) > head.length) head = entry.peek(npyHeaderEnd(head));
    const header = parseNpyHeader(head, memberName);
    // the header must account for the member's declared size exactly (as readNpy will check)
    const member = new ReadContext('npy', memberName);
    const end = header.dataOffset + header.dataLength;
    member.need('data', end, entry.size);
    if (end !== entry.size) throw member.malformed('data', `${entry.size - end} bytes after the data`);
    decoded += npyDecodedBytes(header);
    if (entry.method !== 0) largestInflated = Math.max(largestInflated, entry.size);
  }
  budget.check('all members as float64', decoded + largestInflated);
  const tensors = new Map<string, Tensor>();
  for (const entry of entries) {
    const key = entry.name.endsWith('.npy') ? entry.name.slice(0, -4) : entry.name;
    const data = entry.read(budget);
    tensors.set(key, readNpyWithin(data, `${name}/${entry.name}`, budget));
    if (entry.method !== 0) budget.release(entry.size);
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
