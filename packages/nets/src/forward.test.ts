import { createRng, DimensionMismatchError, NonFiniteInputError } from '@descramble/linalg';
import fc from 'fast-check';
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { applyActivation } from './activations.js';
import { NetsError, NonFiniteValueError, ShapeMismatchError, UnknownLayerError } from './errors.js';
import { forward } from './forward.js';
import { activation, batchNorm, conv1d, conv2d, dense, flatten, layerShapes, sequential } from './layers.js';
import type { Tensor } from './tensor.js';

function randomTensor(shape: number[], seed: number): Tensor {
  const rng = createRng(seed);
  let size = 1;
  for (const extent of shape) size *= extent;
  return { shape, data: rng.normalArray(size) };
}

/**
 * Reference 2-D cross-correlation straight from the definition (PyTorch's docs):
 * out[n, o, r, q] = b[o] + sum_{c in group(o), i, j} w[o, c, i, j] x[n, g*C/G + c, r*sh + i*dh - top, q*sw + j*dw - left],
 * with zero padding (out-of-range input positions contribute nothing).
 */
function referenceConv2d(
  x: Tensor,
  w: Tensor,
  b: Float64Array | null,
  stride: [number, number],
  pads: [number, number, number, number],
  dilation: [number, number],
  groups: number,
): { shape: number[]; data: number[] } {
  const [n, channels, height, width] = x.shape as [number, number, number, number];
  const [out, perGroup, kh, kw] = w.shape as [number, number, number, number];
  const oh = Math.floor((height + pads[0] + pads[2] - dilation[0] * (kh - 1) - 1) / stride[0]) + 1;
  const ow = Math.floor((width + pads[1] + pads[3] - dilation[1] * (kw - 1) - 1) / stride[1]) + 1;
  const data: number[] = [];
  for (let s = 0; s < n; s++) {
    for (let o = 0; o < out; o++) {
      const g = Math.floor(o / (out / groups));
      for (let r = 0; r < oh; r++) {
        for (let q = 0; q < ow; q++) {
          let sum = b === null ? 0 : b[o]!;
          for (let c = 0; c < perGroup; c++) {
            for (let i = 0; i < kh; i++) {
              for (let j = 0; j < kw; j++) {
                const y = r * stride[0] + i * dilation[0] - pads[0];
                const z = q * stride[1] + j * dilation[1] - pads[1];
                if (y < 0 || y >= height || z < 0 || z >= width) continue;
                sum += w.data[((o * perGroup + c) * kh + i) * kw + j]! * x.data[((s * channels + g * perGroup + c) * height + y) * width + z]!;
              }
            }
          }
          data.push(sum);
        }
      }
    }
  }
  return { shape: [n, out, oh, ow], data };
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  expect(worst).toBeLessThanOrEqual(tolerance);
}

describe('dense', () => {
  it('computes x W^T + b on a hand example', () => {
    const model = sequential([2], [dense({ weight: new Matrix([[1, 2], [3, 4], [5, 6]]), bias: [0.5, -1, 0] })]);
    const y = forward(model, new Matrix([[1, -1], [2, 0.5]]));
    expect(y.shape).toEqual([2, 3]);
    expect(Array.from(y.data)).toEqual([-0.5, -2, -1, 3.5, 7, 13]);
  });

  it('is linear without bias: f(a x + y) = a f(x) + f(y)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 0, max: 1000 }), (inputs, outputs, seed) => {
        const model = sequential([inputs], [dense({ weight: randomTensor([outputs, inputs], seed) })]);
        const x = randomTensor([3, inputs], seed + 1);
        const y = randomTensor([3, inputs], seed + 2);
        const combined = { shape: x.shape, data: x.data.map((v, i) => 2.5 * v + y.data[i]!) };
        const fx = forward(model, x).data;
        const fy = forward(model, y).data;
        const f = forward(model, combined).data;
        const scale = 1 + Math.max(...Array.from(fx, Math.abs)) * 4;
        expectClose(f, Array.from(fx, (v, i) => 2.5 * v + fy[i]!), 64 * Number.EPSILON * inputs * scale);
      }),
      { numRuns: 50 },
    );
  });
});

describe('convolutions', () => {
  it('conv2d matches the definition for random strides, paddings, dilations and groups', () => {
    fc.assert(
      fc.property(
        fc.record({
          groups: fc.integer({ min: 1, max: 3 }),
          perGroupIn: fc.integer({ min: 1, max: 2 }),
          perGroupOut: fc.integer({ min: 1, max: 2 }),
          kh: fc.integer({ min: 1, max: 3 }),
          kw: fc.integer({ min: 1, max: 3 }),
          sh: fc.integer({ min: 1, max: 3 }),
          sw: fc.integer({ min: 1, max: 3 }),
          dh: fc.integer({ min: 1, max: 2 }),
          dw: fc.integer({ min: 1, max: 2 }),
          pads: fc.tuple(fc.nat(2), fc.nat(2), fc.nat(2), fc.nat(2)),
          height: fc.integer({ min: 5, max: 8 }),
          width: fc.integer({ min: 5, max: 8 }),
          bias: fc.boolean(),
          seed: fc.nat(10_000),
        }),
        (c) => {
          const channels = c.groups * c.perGroupIn;
          const out = c.groups * c.perGroupOut;
          const w = randomTensor([out, c.perGroupIn, c.kh, c.kw], c.seed);
          const b = c.bias ? randomTensor([out], c.seed + 1).data : null;
          const x = randomTensor([2, channels, c.height, c.width], c.seed + 2);
          const layer = conv2d({ weight: w, bias: b, stride: [c.sh, c.sw], padding: c.pads, dilation: [c.dh, c.dw], groups: c.groups });
          const model = sequential([channels, c.height, c.width], [layer]);
          const expected = referenceConv2d(x, w, b, [c.sh, c.sw], c.pads, [c.dh, c.dw], c.groups);
          const actual = forward(model, x);
          expect(actual.shape).toEqual(expected.shape);
          // Same terms summed in a different order: error below (terms) * eps * max |term| ~ 1e-14.
          expectClose(actual.data, expected.data, 1e-13);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('conv1d equals conv2d on images of height 1', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 2 }),
        fc.tuple(fc.nat(3), fc.nat(3)),
        fc.nat(10_000),
        (kernel, stride, dilation, pads, seed) => {
          const w = randomTensor([3, 2, kernel], seed);
          const b = randomTensor([3], seed + 1).data;
          const x = randomTensor([2, 2, 9], seed + 2);
          const one = sequential([2, 9], [conv1d({ weight: w, bias: b, stride, padding: pads, dilation })]);
          const two = sequential([2, 1, 9], [
            conv2d({ weight: { shape: [3, 2, 1, kernel], data: w.data }, bias: b, stride: [1, stride], padding: [0, pads[0], 0, pads[1]], dilation: [1, dilation] }),
          ]);
          const y1 = forward(one, x);
          const y2 = forward(two, { shape: [2, 2, 1, 9], data: x.data });
          expect(y1.shape).toEqual([2, 3, y2.shape[3]]);
          expect(Array.from(y1.data)).toEqual(Array.from(y2.data));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('reports the output shape of a strided, dilated convolution', () => {
    const layer = conv1d({ weight: randomTensor([4, 2, 3], 1), stride: 2, padding: 3, dilation: 2 });
    // floor((11 + 6 - 2 * 2 - 1) / 2) + 1 = 7
    expect(layerShapes(sequential([2, 11], [layer]))[1]).toEqual([4, 7]);
  });
});

describe('batch norm, flatten and activations', () => {
  it('batch norm is scale (x - mean) / sqrt(var + eps) + shift per channel', () => {
    const layer = batchNorm({ scale: [2, -1], shift: [0.5, 1], mean: [1, -2], variance: [3, 0.25], epsilon: 1 });
    const y = forward(sequential([2, 2], [layer]), { shape: [1, 2, 2], data: new Float64Array([1, 3, -2, 0]) });
    // channel 0: 2 (x - 1) / 2 + 0.5; channel 1: -(x + 2) / sqrt(1.25) + 1
    expectClose(y.data, [0.5, 2.5, 1, 1 - 2 / Math.sqrt(1.25)], 4 * Number.EPSILON);
  });

  it('flatten keeps C order', () => {
    const model = sequential([2, 3], [flatten(), dense({ weight: { shape: [1, 6], data: new Float64Array([1, 10, 100, 1000, 1e4, 1e5]) } })]);
    const y = forward(model, { shape: [1, 2, 3], data: new Float64Array([1, 2, 3, 4, 5, 6]) });
    expect(y.data[0]).toBe(654321);
  });

  it('activations satisfy their identities', () => {
    const xs = new Float64Array([-800, -30, -2.5, -1e-9, 0, 1e-9, 0.7, 30, 800]);
    const out = (name: Parameters<typeof applyActivation>[0], input: Float64Array): Float64Array => {
      const result = new Float64Array(input.length);
      applyActivation(name, input, result);
      return result;
    };
    const negated = xs.map((v) => -v);
    const logistic = out('logistic', xs);
    const logisticNegated = out('logistic', negated);
    const softplus = out('softplus', xs);
    const softplusNegated = out('softplus', negated);
    const tanh = out('tanh', xs);
    const tanhNegated = out('tanh', negated);
    for (let i = 0; i < xs.length; i++) {
      expect(Math.abs(logistic[i]! + logisticNegated[i]! - 1)).toBeLessThanOrEqual(2 * Number.EPSILON);
      // softplus(x) - softplus(-x) = x, relative to the larger term
      expect(Math.abs(softplus[i]! - softplusNegated[i]! - xs[i]!)).toBeLessThanOrEqual(4 * Number.EPSILON * Math.max(1, Math.abs(xs[i]!)));
      expect(tanh[i]).toBe(-tanhNegated[i]!);
      expect(Number.isFinite(softplus[i]!)).toBe(true);
    }
    expect(out('logistic', new Float64Array([0]))[0]).toBe(0.5);
    expect(Math.abs(out('softplus', new Float64Array([0]))[0]! - Math.LN2)).toBeLessThanOrEqual(Number.EPSILON);
    expect(Array.from(out('relu', new Float64Array([-1, 0, 2])))).toEqual([0, 0, 2]);
  });
});

describe('validation', () => {
  const model = sequential([3], [dense({ name: 'fc1', weight: randomTensor([2, 3], 3) }), activation('tanh', 'act1')]);

  it('rejects a wrong input shape with ShapeMismatchError', () => {
    expect(() => forward(model, new Matrix(2, 4))).toThrow(ShapeMismatchError);
  });

  it('throws errors that are nets errors and the shared linalg kinds at once', () => {
    const shape = new ShapeMismatchError({ operation: 'forward', what: 'input', expected: '[N, 3]', actual: '[N, 4]' });
    expect(shape.message).toBe('nets: forward: input: expected [N, 3], got [N, 4]');
    expect(shape).toMatchObject({ name: 'ShapeMismatchError', what: 'input', expected: '[N, 3]', actual: '[N, 4]' });
    expect(shape).toBeInstanceOf(DimensionMismatchError);
    expect(NetsError.isInstance(shape)).toBe(true);
    expect(DimensionMismatchError.isInstance(shape)).toBe(true);
    expect(shape.kind).toBe('DimensionMismatch');
    const nan = new NonFiniteValueError({ operation: 'train', location: 'loss at epoch 3', value: Number.NaN });
    expect(nan).toBeInstanceOf(NonFiniteInputError);
    expect(NetsError.isInstance(nan)).toBe(true);
    expect(nan.message).toBe('nets: train: non-finite value NaN at loss at epoch 3');
    // A shared kind thrown by nets is a NetsError too (the CLI catches them so); one thrown by spectral is not.
    expect(NetsError.isInstance(new DimensionMismatchError({ operation: 'fft', what: 'x', expected: 1, actual: 2, scope: 'nets' }))).toBe(true);
    expect(NetsError.isInstance(new DimensionMismatchError({ operation: 'fft', what: 'x', expected: 1, actual: 2, scope: 'spectral' }))).toBe(false);
  });

  it('rejects non-finite inputs with NonFiniteValueError', () => {
    expect(() => forward(model, { shape: [1, 3], data: new Float64Array([0, Number.NaN, 1]) })).toThrow(NonFiniteValueError);
  });

  it('rejects unknown layers with UnknownLayerError naming the known ones', () => {
    try {
      forward(model, new Matrix(1, 3), { to: 'fc9' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(UnknownLayerError);
      expect((error as UnknownLayerError).available).toEqual(['fc1', 'act1']);
    }
  });

  it('rejects inconsistent layer stacks when the model is built', () => {
    expect(() => sequential([3], [dense({ weight: randomTensor([2, 3], 1) }), dense({ weight: randomTensor([2, 5], 2) })])).toThrow(ShapeMismatchError);
  });

  it('runs a slice of layers with from/to', () => {
    const x = randomTensor([4, 3], 9);
    const hidden = forward(model, x, { to: 'fc1' });
    const rest = forward(model, hidden, { from: 'act1' });
    expect(Array.from(rest.data)).toEqual(Array.from(forward(model, x).data));
  });

  it('never mutates its input', () => {
    const x = randomTensor([4, 3], 10);
    const copy = Float64Array.from(x.data);
    forward(model, x);
    expect(Array.from(x.data)).toEqual(Array.from(copy));
  });
});
