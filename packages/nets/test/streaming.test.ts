import { execFile } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { endianness, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseNpyHeader } from '@descramble/io';
import { createRng, multiplyTransposeBFlat } from '@descramble/linalg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamingModel } from './scripts/streaming-model.js';

const run = promisify(execFile);

const ROWS = 500_000;
const FEATURES = 128;
const HIDDEN = 16;
const BLOCK = 4096;
const DATA_SEED = 20_260_101;
const MODEL_SEED = 77;
const MEMORY_LIMIT_KB = 250 * 1024;

/** A version 1.0 `.npy` header for a C-order little-endian float64 array of `shape`. */
function npyHeader(shape: readonly number[]): Uint8Array {
  const dict = `{'descr': '<f8', 'fortran_order': False, 'shape': (${shape.join(', ')}), }`;
  const unpadded = 10 + dict.length + 1;
  const padded = Math.ceil(unpadded / 64) * 64;
  const text = dict + ' '.repeat(padded - unpadded) + '\n';
  const bytes = new Uint8Array(10 + text.length);
  bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(bytes.buffer).setUint16(8, text.length, true);
  for (let i = 0; i < text.length; i++) bytes[10 + i] = text.charCodeAt(i);
  return bytes;
}

describe('streaming capture of a .npy larger than the memory budget', () => {
  let folder = '';
  let path = '';
  // Reference Gram of the fc1 preactivations, computed while writing from the blocks in memory:
  // S = X W^T by linalg's product (the forward pass is checked against PyTorch elsewhere), the
  // bias and the Gram by plain loops. Independent of the file, the npy reader, capture's
  // block handling and the compensated accumulator.
  const reference = new Float64Array(HIDDEN * HIDDEN);

  beforeAll(() => {
    expect(endianness()).toBe('LE'); // the raw Float64Array bytes below are little-endian
    folder = mkdtempSync(join(tmpdir(), 'nets-streaming-'));
    path = join(folder, 'samples.npy');
    const model = streamingModel(MODEL_SEED, FEATURES, HIDDEN);
    const fc1 = model.layers[0]!;
    if (fc1.kind !== 'dense' || fc1.bias === null) throw new Error('expected a dense layer with bias');
    const w = fc1.weight.data;
    const b = fc1.bias.data;
    const rng = createRng(DATA_SEED);
    const header = npyHeader([ROWS, FEATURES]);
    expect(parseNpyHeader(header).shape).toEqual([ROWS, FEATURES]);
    const fd = openSync(path, 'w');
    const s = new Float64Array(HIDDEN);
    const partial = new Float64Array(HIDDEN * HIDDEN);
    try {
      writeSync(fd, header);
      for (let start = 0; start < ROWS; start += BLOCK) {
        const rows = Math.min(BLOCK, ROWS - start);
        const block = rng.uniformArray(rows * FEATURES);
        // anisotropic, non-centred samples: x_j = (1 + j / 64) u_j + 0.25, u_j uniform on
        // [-sqrt 3, sqrt 3] (unit variance; uniform draws are cheaper than normal ones)
        for (let i = 0; i < block.length; i++) block[i] = (1 + (i % FEATURES) / 64) * Math.sqrt(3) * (2 * block[i]! - 1) + 0.25;
        writeSync(fd, new Uint8Array(block.buffer, block.byteOffset, block.byteLength));
        partial.fill(0);
        const products = multiplyTransposeBFlat(block, w, rows, FEATURES, HIDDEN);
        for (let r = 0; r < rows; r++) {
          for (let h = 0; h < HIDDEN; h++) s[h] = products[r * HIDDEN + h]! + b[h]!;
          for (let i = 0; i < HIDDEN; i++) for (let j = 0; j < HIDDEN; j++) partial[i * HIDDEN + j] = partial[i * HIDDEN + j]! + s[i]! * s[j]!;
        }
        for (let k = 0; k < partial.length; k++) reference[k] = reference[k]! + partial[k]!;
      }
    } finally {
      closeSync(fd);
    }
    expect(statSync(path).size).toBe(header.length + ROWS * FEATURES * 8);
  });

  afterAll(() => {
    if (folder !== '') rmSync(folder, { recursive: true, force: true });
  });

  it('captures the Gram of 5e5 x 128 float64 samples (512 MB) in a child process under 250 MB', async () => {
    const packageRoot = fileURLToPath(new URL('..', import.meta.url));
    const script = fileURLToPath(new URL('./scripts/stream-capture.ts', import.meta.url));
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', '--conditions=@descramble/source', script, path, String(MODEL_SEED), String(FEATURES), String(HIDDEN), String(BLOCK)],
      { cwd: packageRoot, maxBuffer: 16 * 1024 * 1024 },
    );
    const result = JSON.parse(stdout) as { count: number; samples: number; reports: number; gram: number[]; maxRssKb: number; vmHwmKb: number | null };
    expect(result.samples).toBe(ROWS);
    expect(result.count).toBe(ROWS);
    expect(result.reports).toBe(Math.ceil(ROWS / BLOCK));
    expect(result.maxRssKb).toBeGreaterThan(0);
    expect(result.maxRssKb).toBeLessThan(MEMORY_LIMIT_KB);
    if (result.vmHwmKb !== null) expect(result.vmHwmKb).toBeLessThan(MEMORY_LIMIT_KB);
    console.info(`streaming capture: peak RSS ${(result.maxRssKb / 1024).toFixed(1)} MB for a ${((ROWS * FEATURES * 8) / 1e6).toFixed(0)} MB file`);
    // Each entry: 5e5-term sums of products; the reference sums 4096 terms plainly per block,
    // so its error is below ~(4096 + 123) eps sqrt(G_ii G_jj) ~ 1e-12 relative; 1e-10 is safe
    // and still far below any real mistake (a dropped block changes entries by ~1e-3 relative).
    let worst = 0;
    for (let i = 0; i < HIDDEN; i++) {
      for (let j = 0; j < HIDDEN; j++) {
        const scale = Math.sqrt(reference[i * HIDDEN + i]! * reference[j * HIDDEN + j]!);
        worst = Math.max(worst, Math.abs(result.gram[i * HIDDEN + j]! - reference[i * HIDDEN + j]!) / scale);
      }
    }
    expect(worst).toBeLessThan(1e-10);
  });
});
