import { createRng } from '@descramble/linalg';
import { describe, expect, it } from 'vitest';
import { capture, DEFAULT_BIAS } from './capture.js';
import { EmptyInputError, InvalidArgumentError, NonFiniteActivationError, NonFiniteValueError } from './errors.js';
import { activation, batchNorm, conv1d, conv2d, dense, sequential } from './layers.js';
import type { Tensor } from './tensor.js';

function randomTensor(shape: number[], seed: number): Tensor {
  let size = 1;
  for (const extent of shape) size *= extent;
  return { shape, data: createRng(seed).normalArray(size) };
}

/**
 * Closed form of the Gram of S = W P (+ b 1^T), from the samples P of the layer's input (one
 * per row, count x depth) and W (out x depth) by plain loops, independent of the forward pass:
 * exclude: W (P^T P) W^T; include: [W b] [[P^T P, P^T 1], [1^T P, count]] [W b]^T.
 */
function closedFormGram(patches: number[][], w: ArrayLike<number>, out: number, bias: ArrayLike<number> | null): number[] {
  const depth = patches[0]!.length;
  const augmented = depth + (bias === null ? 0 : 1);
  const m = new Array<number>(augmented * augmented).fill(0);
  for (const row of patches) {
    const extended = bias === null ? row : [...row, 1];
    for (let i = 0; i < augmented; i++) for (let j = 0; j < augmented; j++) m[i * augmented + j]! += extended[i]! * extended[j]!;
  }
  const wb = (o: number, k: number): number => (k < depth ? w[o * depth + k]! : bias![o]!);
  const gram = new Array<number>(out * out).fill(0);
  for (let a = 0; a < out; a++) {
    for (let b = 0; b < out; b++) {
      let s = 0;
      for (let i = 0; i < augmented; i++) for (let j = 0; j < augmented; j++) s += wb(a, i) * m[i * augmented + j]! * wb(b, j);
      gram[a * out + b] = s;
    }
  }
  return gram;
}

/** max |a - b| / max |b|. */
function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i]!));
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  }
  return worst / scale;
}

/** Rows of a [N, d] tensor. */
function rowsOf(t: Tensor): number[][] {
  const [n, d] = t.shape as [number, number];
  return Array.from({ length: n }, (_, r) => Array.from(t.data.subarray(r * d, (r + 1) * d)));
}

// The Gram sums count products of sums of depth terms: relative rounding ~ (count + depth) eps
// for each path; 1e-12 leaves a margin of ~10 over the worst case here (count <= 400).
const TOLERANCE = 1e-12;

describe('capture: bias included or excluded (S = W H by default)', () => {
  const w1 = randomTensor([4, 5], 1);
  const b1 = randomTensor([4], 2).data;
  const w2 = randomTensor([3, 4], 3);
  const b2 = randomTensor([3], 4).data;
  const mlp = sequential(
    [5],
    [dense({ name: 'fc1', weight: w1, bias: b1 }), activation('tanh', 'act1'), dense({ name: 'fc2', weight: w2, bias: b2 }), activation('relu', 'act2')],
  );
  const x = randomTensor([40, 5], 9);

  it("defaults to 'exclude' and records it: the Gram is W (H H^T) W^T", async () => {
    expect(DEFAULT_BIAS).toBe('exclude');
    const result = await capture(mlp, x, 'fc1');
    expect(result.bias).toBe('exclude');
    expect(result.biasLayer).toBe('fc1');
    expect(relativeError(result.gram!.to1DArray(), closedFormGram(rowsOf(x), w1.data, 4, null))).toBeLessThan(TOLERANCE);
  });

  it("'include' adds the bias row: [W b] [H; 1] [H; 1]^T [W b]^T", async () => {
    const result = await capture(mlp, x, 'fc1', { bias: 'include' });
    expect(result.bias).toBe('include');
    expect(relativeError(result.gram!.to1DArray(), closedFormGram(rowsOf(x), w1.data, 4, b1))).toBeLessThan(TOLERANCE);
    const excluded = await capture(mlp, x, 'fc1', { bias: 'exclude' });
    // the two differ by far more than rounding: the option is not ignored
    expect(relativeError(excluded.gram!.to1DArray(), result.gram!.to1DArray())).toBeGreaterThan(1e-3);
  });

  it("drops only the tapped layer's bias: H of the second layer still contains the first layer's", async () => {
    const hidden: number[][] = rowsOf(x).map((row) =>
      Array.from({ length: 4 }, (_, o) => {
        let s = b1[o]!;
        for (let k = 0; k < 5; k++) s += w1.data[o * 5 + k]! * row[k]!;
        return Math.tanh(s);
      }),
    );
    for (const mode of ['exclude', 'include'] as const) {
      const result = await capture(mlp, x, 'fc2', { bias: mode });
      expect(result.biasLayer).toBe('fc2');
      expect(relativeError(result.gram!.to1DArray(), closedFormGram(hidden, w2.data, 3, mode === 'include' ? b2 : null))).toBeLessThan(TOLERANCE);
    }
  });

  it('folds a following batch norm into one affine map and drops its offset: diag(c) W H H^T W^T diag(c)', async () => {
    const scale = [1, 2, 0.5, -1];
    const variance = [1, 2, 3, 4];
    const withNorm = sequential(
      [5],
      [
        dense({ name: 'fc1', weight: w1, bias: b1 }),
        batchNorm({ name: 'bn1', scale, shift: [0, 1, 0, -1], mean: [0.1, 0, 0, 0.2], variance, epsilon: 1e-5 }),
        activation('tanh', 'act1'),
      ],
    );
    const result = await capture(withNorm, x, 'fc1');
    expect(result.layer).toBe('bn1');
    expect(result.biasLayer).toBe('fc1');
    const c = scale.map((s, i) => s / Math.sqrt(variance[i]! + 1e-5));
    const scaledW = Array.from(w1.data, (v, k) => c[Math.floor(k / 5)]! * v);
    expect(relativeError(result.gram!.to1DArray(), closedFormGram(rowsOf(x), scaledW, 4, null))).toBeLessThan(TOLERANCE);
  });

  it('conv1d: every position of every sample is one sample of the channels, with or without the bias', async () => {
    // stride 2, dilation 2, padding [1, 2]: the patches below read the same positions by hand
    const weight = randomTensor([3, 2, 3], 21);
    const bias = randomTensor([3], 22).data;
    const model = sequential([2, 11], [conv1d({ name: 'conv', weight, bias, stride: 2, padding: [1, 2], dilation: 2 }), activation('relu', 'relu')]);
    const input = randomTensor([4, 2, 11], 23);
    const outLength = Math.floor((11 + 3 - 2 * 2 - 1) / 2) + 1;
    const patches: number[][] = [];
    for (let n = 0; n < 4; n++) {
      for (let t = 0; t < outLength; t++) {
        const patch: number[] = [];
        for (let ci = 0; ci < 2; ci++) {
          for (let k = 0; k < 3; k++) {
            const position = t * 2 + k * 2 - 1;
            patch.push(position >= 0 && position < 11 ? input.data[(n * 2 + ci) * 11 + position]! : 0);
          }
        }
        patches.push(patch);
      }
    }
    for (const mode of ['exclude', 'include'] as const) {
      const result = await capture(model, input, 'conv', { bias: mode, batchSize: 3 });
      expect(result.bias).toBe(mode);
      expect(result.positions).toBe(outLength);
      expect(result.accumulator!.count).toBe(4 * outLength);
      expect(relativeError(result.gram!.to1DArray(), closedFormGram(patches, weight.data, 3, mode === 'include' ? bias : null))).toBeLessThan(TOLERANCE);
    }
  });

  it('conv2d: the same closed form over every (row, column) position, with stride and padding', async () => {
    const weight = randomTensor([4, 3, 2, 3], 31);
    const bias = randomTensor([4], 32).data;
    const model = sequential([3, 5, 6], [conv2d({ name: 'conv', weight, bias, stride: [2, 1], padding: [1, 0, 0, 1] })]);
    const input = randomTensor([3, 3, 5, 6], 33);
    const outHeight = Math.floor((5 + 1 - 2) / 2) + 1;
    const outWidth = Math.floor((6 + 1 - 3) / 1) + 1;
    const patches: number[][] = [];
    for (let n = 0; n < 3; n++) {
      for (let r = 0; r < outHeight; r++) {
        for (let q = 0; q < outWidth; q++) {
          const patch: number[] = [];
          for (let ci = 0; ci < 3; ci++) {
            for (let i = 0; i < 2; i++) {
              for (let j = 0; j < 3; j++) {
                const row = r * 2 + i - 1;
                const column = q + j;
                patch.push(row >= 0 && row < 5 && column < 6 ? input.data[((n * 3 + ci) * 5 + row) * 6 + column]! : 0);
              }
            }
          }
          patches.push(patch);
        }
      }
    }
    for (const mode of ['exclude', 'include'] as const) {
      const result = await capture(model, input, 'conv', { bias: mode, at: 'output' });
      expect(result.bias).toBe(mode);
      expect(result.channels).toBe(4);
      expect(result.accumulator!.count).toBe(3 * outHeight * outWidth);
      expect(relativeError(result.gram!.to1DArray(), closedFormGram(patches, weight.data, 4, mode === 'include' ? bias : null))).toBeLessThan(TOLERANCE);
    }
  });

  it('past a nonlinearity the bias is inside: recorded as included, and excluding it is refused', async () => {
    const after = await capture(mlp, x, 'fc1', { at: 'activation' });
    expect(after.bias).toBe('include');
    expect(after.biasLayer).toBeNull();
    await expect(capture(mlp, x, 'fc1', { at: 'activation', bias: 'exclude' })).rejects.toThrow(InvalidArgumentError);
    await expect(capture(mlp, x, 'fc1', { bias: 'none' as never })).rejects.toThrow(InvalidArgumentError);
    // the preactivation of the first activation of a model that starts with one is the input: no bias anywhere
    const raw = sequential([5], [activation('tanh', 'act0'), dense({ name: 'fc', weight: w1 })]);
    const input = await capture(raw, x, 'act0');
    expect(input.biasLayer).toBeNull();
    expect(input.bias).toBe('exclude');
  });
});

describe('capture: degenerate inputs are refused', () => {
  const model = sequential([3], [dense({ name: 'fc1', weight: { shape: [2, 3], data: Float64Array.from([10, 10, 10, 1, 1, 1]) } }), activation('tanh', 'act1')]);

  it('no samples: EmptyInputError naming the layer (a batch or an empty stream)', async () => {
    for (const inputs of [{ shape: [0, 3], data: new Float64Array(0) }, [] as Tensor[]]) {
      try {
        await capture(model, inputs, 'fc1');
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(EmptyInputError);
        expect((error as EmptyInputError).layer).toBe('fc1');
      }
    }
  });

  it('an overflow in the forward pass: NonFiniteActivationError naming the layer and the sample', async () => {
    const data = createRng(5).normalArray(8 * 3);
    // finite input (3e38 would overflow only in float32: this package computes in float64); 10 x 1e308
    // overflows in fc1 for sample 5
    data[5 * 3 + 1] = 1e308;
    const batch = { shape: [8, 3], data };
    const blocks = [0, 3, 6].map((start) => ({ shape: [Math.min(3, 8 - start), 3], data: data.slice(start * 3, Math.min(8, start + 3) * 3) }));
    for (const inputs of [batch, blocks]) {
      try {
        await capture(model, inputs, 'fc1', { batchSize: 2, bias: 'include' });
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(NonFiniteActivationError);
        expect(error).toBeInstanceOf(NonFiniteValueError);
        const e = error as NonFiniteActivationError;
        expect(e.layer).toBe('fc1');
        expect(e.sample).toBe(5);
        expect(e.value).toBe(Number.POSITIVE_INFINITY);
        expect(e.message).toContain('"fc1"');
      }
    }
  });
});

describe('capture: cancellation', () => {
  const model = sequential([2], [dense({ name: 'fc', weight: randomTensor([2, 2], 1) })]);
  const x = randomTensor([37, 2], 2);

  it("a signal aborted before the call rejects at once with the signal's reason", async () => {
    const reason = new Error('stop');
    await expect(capture(model, x, 'fc', { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    const controller = new AbortController();
    controller.abort();
    await expect(capture(model, x, 'fc', { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('a signal aborted from the progress callback stops before the next block', async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    const run = capture(model, x, 'fc', {
      batchSize: 10,
      signal: controller.signal,
      onProgress: ({ done }) => {
        seen.push(done);
        if (done === 20) controller.abort(new Error('enough'));
      },
    });
    await expect(run).rejects.toThrow('enough');
    expect(seen).toEqual([10, 20]);
  });

  it('an async stream stops (and is closed) when the signal aborts between blocks', async () => {
    const controller = new AbortController();
    let yielded = 0;
    let closed = false;
    async function* blocks() {
      try {
        for (let start = 0; start < 37; start += 5) {
          yielded++;
          if (yielded === 3) controller.abort(new Error('cancelled'));
          yield { shape: [Math.min(5, 37 - start), 2], data: x.data.slice(start * 2, Math.min(37, start + 5) * 2) };
        }
      } finally {
        closed = true;
      }
    }
    const seen: number[] = [];
    await expect(capture(model, blocks(), 'fc', { signal: controller.signal, onProgress: ({ done }) => seen.push(done) })).rejects.toThrow('cancelled');
    expect(seen).toEqual([5, 10]);
    expect(yielded).toBe(3);
    expect(closed).toBe(true);
  });
});
