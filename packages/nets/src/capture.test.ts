import { createRng, GramAccumulator } from '@descramble/linalg';
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { type CaptureProgress, capture, captureLayerIndex } from './capture.js';
import { InvalidArgumentError, ShapeMismatchError } from './errors.js';
import { forward } from './forward.js';
import { activation, batchNorm, conv2d, dense, flatten, sequential } from './layers.js';
import type { Tensor } from './tensor.js';

function randomTensor(shape: number[], seed: number): Tensor {
  let size = 1;
  for (const extent of shape) size *= extent;
  return { shape, data: createRng(seed).normalArray(size) };
}

const mlp = sequential(
  [5],
  [
    dense({ name: 'fc1', weight: randomTensor([4, 5], 1), bias: randomTensor([4], 2).data }),
    batchNorm({ name: 'bn1', scale: [1, 2, 0.5, -1], shift: [0, 1, 0, -1], mean: [0.1, 0, 0, 0.2], variance: [1, 2, 3, 4] }),
    activation('tanh', 'act1'),
    dense({ name: 'fc2', weight: randomTensor([3, 4], 3), bias: null }),
  ],
);

const cnn = sequential(
  [2, 6, 5],
  [
    conv2d({ name: 'conv', weight: randomTensor([3, 2, 3, 3], 4), bias: [0.1, -0.2, 0.3], padding: 1 }),
    activation('relu', 'relu'),
    flatten('flatten'),
    dense({ name: 'fc', weight: randomTensor([2, 90], 5) }),
  ],
);

/** B = S^T S for S with one sample per row (n x d), by plain loops. */
function gramOfRows(values: Float64Array, n: number, d: number): number[] {
  const g = new Array<number>(d * d).fill(0);
  for (let r = 0; r < n; r++) for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) g[i * d + j]! += values[r * d + i]! * values[r * d + j]!;
  return g;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, relative: number): void {
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]!));
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i]! - expected[i]!)).toBeLessThanOrEqual(relative * scale);
}

describe('captureLayerIndex', () => {
  it('taps preactivations after batch norm, activations after the activation, outputs as named', () => {
    expect(captureLayerIndex(mlp, 'fc1', 'output')).toBe(0);
    expect(captureLayerIndex(mlp, 'fc1', 'preactivation')).toBe(1);
    expect(captureLayerIndex(mlp, 'fc1', 'activation')).toBe(2);
    expect(captureLayerIndex(mlp, 'act1', 'preactivation')).toBe(1);
    expect(captureLayerIndex(mlp, 'act1', 'activation')).toBe(2);
    expect(captureLayerIndex(mlp, 'fc2', 'preactivation')).toBe(3);
    expect(captureLayerIndex(mlp, 'fc2', 'activation')).toBe(3);
  });
});

describe('capture', () => {
  const x = randomTensor([37, 5], 9);

  it('returns the preactivations and their Gram S S^T', async () => {
    const result = await capture(mlp, x, 'fc1', { keep: true, batchSize: 8, bias: 'include' });
    const expected = forward(mlp, x, { to: 'bn1' });
    expect(Array.from(result.values!.data)).toEqual(Array.from(expected.data));
    expect(result.layer).toBe('bn1');
    expect(result.samples).toBe(37);
    expect(result.channels).toBe(4);
    expect(result.positions).toBe(1);
    expect(result.accumulator!.count).toBe(37);
    // Gram by the accumulator vs plain sums: both within ~37 eps of the exact sum.
    expectClose(result.gram!.to1DArray(), gramOfRows(expected.data, 37, 4), 64 * Number.EPSILON * 37);
  });

  it('gives the same Gram for a batch, a matrix, a sync stream and an async stream, and in any block order', async () => {
    const whole = await capture(mlp, x, 'fc1', { batchSize: 37 });
    const asMatrix = await capture(mlp, new Matrix(Array.from({ length: 37 }, (_, r) => Array.from(x.data.subarray(r * 5, r * 5 + 5)))), 'fc1');
    const blocks = [0, 10, 25, 37].slice(0, -1).map((start, k) => {
      const end = [10, 25, 37][k]!;
      return { shape: [end - start, 5], data: x.data.slice(start * 5, end * 5) };
    });
    const sync = await capture(mlp, blocks, 'fc1');
    async function* asyncBlocks() {
      for (const block of [...blocks].reverse()) yield { rows: block.shape[0]!, data: block.data };
    }
    const stream = await capture(mlp, asyncBlocks(), 'fc1');
    const reference = whole.gram!.to1DArray();
    for (const other of [asMatrix, sync, stream]) {
      expect(other.samples).toBe(37);
      expectClose(other.gram!.to1DArray(), reference, 1e-14);
    }
  });

  it('sums a convolution Gram over samples and positions (channels x channels)', async () => {
    const images = randomTensor([3, 2, 6, 5], 11);
    const result = await capture(cnn, images, 'conv', { keep: true });
    expect(result.shape).toEqual([3, 6, 5]);
    expect(result.channels).toBe(3);
    expect(result.positions).toBe(30);
    expect(result.accumulator!.count).toBe(90);
    const values = result.values!.data;
    const expected = new Array<number>(9).fill(0);
    for (let n = 0; n < 3; n++) {
      for (let p = 0; p < 30; p++) {
        for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) expected[i * 3 + j]! += values[(n * 3 + i) * 30 + p]! * values[(n * 3 + j) * 30 + p]!;
      }
    }
    expectClose(result.gram!.to1DArray(), expected, 64 * Number.EPSILON * 90);
  });

  it('adds into a given accumulator, so shards merge', async () => {
    const accumulator = new GramAccumulator(4);
    await capture(mlp, { shape: [20, 5], data: x.data.subarray(0, 100) }, 'fc1', { gram: accumulator });
    await capture(mlp, { shape: [17, 5], data: x.data.subarray(100) }, 'fc1', { gram: accumulator });
    const whole = await capture(mlp, x, 'fc1');
    expect(accumulator.count).toBe(37);
    expectClose(accumulator.gram().to1DArray(), whole.gram!.to1DArray(), 1e-14);
  });

  it("accepts the issue's wording: before 'activation' or 'after'", async () => {
    const pre = await capture(mlp, x, 'fc1', { before: 'activation', keep: true, bias: 'include' });
    const post = await capture(mlp, x, 'fc1', { before: 'after', keep: true });
    expect(pre.layer).toBe('bn1');
    expect(post.layer).toBe('act1');
    expect(Array.from(post.values!.data)).toEqual(Array.from(pre.values!.data, Math.tanh));
  });

  it('reports progress after every block, with the total when known', async () => {
    const seen: CaptureProgress[] = [];
    await capture(mlp, x, 'fc1', { batchSize: 16, onProgress: (p) => seen.push(p) });
    expect(seen).toEqual([
      { done: 16, total: 37 },
      { done: 32, total: 37 },
      { done: 37, total: 37 },
    ]);
    const streamed: CaptureProgress[] = [];
    await capture(mlp, [x], 'fc1', { onProgress: (p) => streamed.push(p) });
    expect(streamed).toEqual([{ done: 37 }]);
  });

  it('rejects a wrongly sized accumulator and bad options with typed errors', async () => {
    await expect(capture(mlp, x, 'fc1', { gram: new GramAccumulator(3) })).rejects.toThrow(ShapeMismatchError);
    await expect(capture(mlp, x, 'fc1', { batchSize: 0 })).rejects.toThrow(InvalidArgumentError);
    await expect(capture(mlp, [{ shape: [2, 4], data: new Float64Array(8) }], 'fc1')).rejects.toThrow(ShapeMismatchError);
  });
});
