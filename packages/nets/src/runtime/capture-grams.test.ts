import { readFileSync } from 'node:fs';
import { type OnnxModel, readNpy, readOnnx, writeOnnx } from '@descramble/io';
import { createRng } from '@descramble/linalg';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EmptyInputError, InvalidArgumentError, MissingTensorError, NonFiniteGramError, NonFiniteValueError, ShapeMismatchError } from '../errors.js';
import { type CaptureGramsOptions, captureGrams } from './capture-grams.js';
import type { GraphBlock, GraphInputs } from './graph-inputs.js';
import type { CaptureTarget } from './gram-graph.js';
import { loadOnnxRuntime } from './onnx-runtime.js';
import { runGraph } from './run-graph.js';
import { relativeFrobenius } from '../../test/real-models.js';

const runtime = await loadOnnxRuntime();
const rng = createRng(7);
const f32 = (values: ArrayLike<number>): Float64Array => Float64Array.from(Float32Array.from(values));

// x [n, 4] -> Gemm(W1 3x4, b1, transB, beta 0.5) -> Relu -> MatMul(W2 3x5) -> Add(b2) -> + z [n, 5]
const W1 = f32(rng.normalArray(12));
const b1 = f32(rng.normalArray(3));
const W2 = f32(rng.normalArray(15));
const b2 = f32(rng.normalArray(5));
const model: OnnxModel = readOnnx(
  writeOnnx({
    opset: 17,
    graph: {
      nodes: [
        { opType: 'Gemm', name: '/fc1/Gemm', inputs: ['x', 'fc1.weight', 'fc1.bias'], outputs: ['h1'], attributes: { transB: { type: 'int', value: 1 }, beta: { type: 'float', value: 0.5 } } },
        { opType: 'Relu', inputs: ['h1'], outputs: ['a1'] },
        { opType: 'MatMul', name: '/fc2/MatMul', inputs: ['a1', 'fc2.weight'], outputs: ['m2'] },
        { opType: 'Add', inputs: ['m2', 'fc2.bias'], outputs: ['y'] },
        { opType: 'Add', inputs: ['y', 'z'], outputs: ['out'] },
      ],
      initializers: {
        'fc1.weight': { dtype: 'float32', shape: [3, 4], data: W1 },
        'fc1.bias': { dtype: 'float32', shape: [3], data: b1 },
        'fc2.weight': { dtype: 'float32', shape: [3, 5], data: W2 },
        'fc2.bias': { dtype: 'float32', shape: [5], data: b2 },
      },
      inputs: [
        { name: 'x', dtype: 'float32', shape: ['batch', 4] },
        { name: 'z', dtype: 'float32', shape: ['batch', 5] },
      ],
      outputs: [{ name: 'out', dtype: 'float32', shape: ['batch', 5] }],
    },
  }),
);
const targets: CaptureTarget[] = [
  { name: 'fc1', output: 'h1', bias: 'fc1.bias', biasScale: 0.5, biasIncluded: true, channelAxis: -1, units: 3 },
  { name: 'fc2', output: 'm2', bias: 'fc2.bias', biasScale: 1, biasIncluded: false, channelAxis: 1, units: 5 },
];

function block(n: number, seed: number): { x: { data: Float32Array; dims: number[] }; z: { data: Float32Array; dims: number[] } } {
  const r = createRng(seed);
  return { x: { data: Float32Array.from(r.normalArray(4 * n)), dims: [n, 4] }, z: { data: Float32Array.from(r.normalArray(5 * n)), dims: [n, 5] } };
}

/** The two layers' S (n x units, float64 from the float32 inputs) and their Grams. */
function reference(x: Float32Array, n: number, bias: 'include' | 'exclude'): { fc1: Float64Array; fc2: Float64Array } {
  const s1 = new Float64Array(n * 3);
  const s2 = new Float64Array(n * 5);
  for (let t = 0; t < n; t++) {
    for (let i = 0; i < 3; i++) {
      let v = 0;
      for (let k = 0; k < 4; k++) v += W1[i * 4 + k]! * x[t * 4 + k]!;
      s1[t * 3 + i] = v + (bias === 'include' ? 0.5 * b1[i]! : 0);
      const a = Math.max(0, v + 0.5 * b1[i]!);
      for (let j = 0; j < 5; j++) s2[t * 5 + j] = s2[t * 5 + j]! + a * W2[i * 5 + j]!;
    }
    if (bias === 'include') for (let j = 0; j < 5; j++) s2[t * 5 + j] = s2[t * 5 + j]! + b2[j]!;
  }
  const gram = (s: Float64Array, d: number): Float64Array => {
    const g = new Float64Array(d * d);
    for (let t = 0; t < n; t++) for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) g[i * d + j] = g[i * d + j]! + s[t * d + i]! * s[t * d + j]!;
    return g;
  };
  return { fc1: gram(s1, 3), fc2: gram(s2, 5) };
}

async function grams(inputs: GraphInputs, options: CaptureGramsOptions = {}): Promise<Float64Array[]> {
  const result = await captureGrams(runtime, model, targets, inputs, options);
  return result.grams.map((g) => Float64Array.from(g.gram.to1DArray()));
}

describe('captureGrams', () => {
  const n = 50;
  const data = block(n, 1);

  it.each(['exclude', 'include'] as const)('gives S S^T of both layers with bias %s, counting rows', async (bias) => {
    const expected = reference(data.x.data, n, bias);
    const result = await captureGrams(runtime, model, targets, data, { bias, batchSize: 16 });
    expect(result.samples).toBe(n);
    expect(result.batches).toBe(4);
    const [fc1, fc2] = result.grams;
    expect(fc1).toMatchObject({ name: 'fc1', dimension: 3, count: n, positions: 1, bias });
    expect(fc2).toMatchObject({ name: 'fc2', dimension: 5, count: n, positions: 1, bias });
    // the forward pass runs in float32: a few eps32 = 6e-8 relative
    expect(relativeFrobenius(fc1!.gram.to1DArray(), expected.fc1)).toBeLessThan(1e-6);
    expect(relativeFrobenius(fc2!.gram.to1DArray(), expected.fc2)).toBeLessThan(1e-6);
    expect(fc2!.gram.isSymmetric()).toBe(true);
  });

  it.each([128, 129, 300])('assembles the Gram of %i units from its upper blocks', async (units) => {
    const r = createRng(units);
    const weight = f32(r.normalArray(units * 6));
    const wide = readOnnx(
      writeOnnx({
        graph: {
          nodes: [{ opType: 'Gemm', inputs: ['x', 'w'], outputs: ['y'], attributes: { transB: { type: 'int', value: 1 } } }],
          initializers: { w: { dtype: 'float32', shape: [units, 6], data: weight } },
          inputs: [{ name: 'x', dtype: 'float32', shape: ['batch', 6] }],
          outputs: [{ name: 'y', dtype: 'float32', shape: ['batch', units] }],
        },
      }),
    );
    const x = Float32Array.from(r.normalArray(40 * 6));
    const result = await captureGrams(runtime, wide, [{ name: 'wide', output: 'y', bias: null, biasScale: 1, biasIncluded: true, channelAxis: -1, units }], { data: x, dims: [40, 6] }, { batchSize: 15 });
    const s = new Float64Array(40 * units);
    for (let t = 0; t < 40; t++) for (let i = 0; i < units; i++) for (let k = 0; k < 6; k++) s[t * units + i] = s[t * units + i]! + weight[i * 6 + k]! * x[t * 6 + k]!;
    const expected = new Float64Array(units * units);
    for (let t = 0; t < 40; t++) for (let i = 0; i < units; i++) for (let j = 0; j < units; j++) expected[i * units + j] = expected[i * units + j]! + s[t * units + i]! * s[t * units + j]!;
    const gram = result.grams[0]!.gram;
    expect(relativeFrobenius(gram.to1DArray(), expected)).toBeLessThan(1e-6);
    expect(gram.isSymmetric()).toBe(true);
  });

  it('gives the same Grams, to roundoff, for any batch size and any split of a stream into blocks', async () => {
    const whole = await grams(data, { batchSize: n });
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 60 }), fc.array(fc.integer({ min: 0, max: n }), { maxLength: 4 }), fc.boolean(), async (batchSize, cuts, asynchronous) => {
        const bounds = [0, ...[...cuts].sort((a, b) => a - b), n];
        const blocks: GraphBlock[] = [];
        for (let i = 0; i + 1 < bounds.length; i++) {
          const [a, b] = [bounds[i]!, bounds[i + 1]!];
          blocks.push({ x: { data: data.x.data.subarray(4 * a, 4 * b), dims: [b - a, 4] }, z: { data: data.z.data.subarray(5 * a, 5 * b), dims: [b - a, 5] } });
        }
        const stream = asynchronous
          ? (async function* () {
              yield* blocks;
            })()
          : blocks;
        const split = await grams(stream, { batchSize });
        // float64 sums of the same float32 activations in another order: c * eps64 relative
        for (let k = 0; k < whole.length; k++) expect(relativeFrobenius(split[k]!, whole[k]!)).toBeLessThan(1e-13);
      }),
      { numRuns: 25 },
    );
  });

  it('checks the signal between batches and stops with its reason', async () => {
    const controller = new AbortController();
    const reason = new Error('stop here');
    const seen: number[] = [];
    const run = captureGrams(runtime, model, targets, data, {
      batchSize: 10,
      signal: controller.signal,
      onProgress: ({ done, total }) => {
        seen.push(done);
        expect(total).toBe(n);
        if (done === 20) controller.abort(reason);
      },
    });
    await expect(run).rejects.toBe(reason);
    expect(seen).toEqual([10, 20]);
    await expect(captureGrams(runtime, model, targets, data, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });

  it('refuses a non-finite input, naming the input and the sample', async () => {
    const x = Float32Array.from(data.x.data);
    x[4 * 33 + 2] = Number.NaN;
    const run = captureGrams(runtime, model, targets, { x: { data: x, dims: [n, 4] }, z: data.z }, { batchSize: 16 });
    await expect(run).rejects.toThrow(NonFiniteValueError);
    await expect(run).rejects.toThrow(/input "x", sample 33/);
  });

  it('refuses a Gram made non-finite by an overflow in the forward pass, naming the layer and the block', async () => {
    const x = Float32Array.from(data.x.data);
    x.fill(3e38, 4 * 40, 4 * 41);
    const run = captureGrams(runtime, model, targets, { x: { data: x, dims: [n, 4] }, z: data.z }, { batchSize: 16 });
    await expect(run).rejects.toThrow(NonFiniteGramError);
    await expect(run).rejects.toMatchObject({ layer: 'fc1', firstSample: 32, endSample: 48 });
  });

  it('refuses an input whose per-sample shape is not the graph input, naming it and both shapes', async () => {
    const run = captureGrams(runtime, model, targets, { x: { data: new Float32Array(10), dims: [2, 5] }, z: data.z });
    await expect(run).rejects.toThrow(ShapeMismatchError);
    await expect(run).rejects.toThrow(/input "x": expected \[4\], got \[5\]/);
    await expect(captureGrams(runtime, model, targets, { x: data.x })).rejects.toThrow(/graph input "z" is not given/);
    await expect(captureGrams(runtime, model, targets, data.x)).rejects.toThrow(/the graph has 2 inputs/);
  });

  it('refuses empty inputs', async () => {
    await expect(captureGrams(runtime, model, targets, block(0, 1))).rejects.toThrow(EmptyInputError);
    await expect(captureGrams(runtime, model, targets, [])).rejects.toThrow(EmptyInputError);
  });

  it('refuses targets that do not fit the graph', async () => {
    const [fc1] = targets;
    await expect(captureGrams(runtime, model, [{ ...fc1!, output: 'nothing' }], data)).rejects.toThrow(MissingTensorError);
    await expect(captureGrams(runtime, model, [{ ...fc1!, bias: 'nothing' }], data)).rejects.toThrow(MissingTensorError);
    await expect(captureGrams(runtime, model, [fc1!, fc1!], data)).rejects.toThrow(InvalidArgumentError);
    await expect(captureGrams(runtime, model, [], data)).rejects.toThrow(InvalidArgumentError);
    // one unit where the output has three: the runtime would happily reshape [n, 3] to [3n, 1]
    const wrong = captureGrams(runtime, model, [{ ...fc1!, units: 1, bias: null }], data);
    await expect(wrong).rejects.toThrow(ShapeMismatchError);
    await expect(wrong).rejects.toThrow(/layer "fc1"/);
    // two units where it has three: the runtime's Reshape fails, and the capture says why
    const failing = captureGrams(runtime, model, [{ ...fc1!, units: 2, bias: null }], data);
    await expect(failing).rejects.toThrow(ShapeMismatchError);
    await expect(failing).rejects.toThrow(/unit axis -1 of layer "fc1"'s output "h1" of shape \[50, 3\]: expected 2, got 3/);
  });

  it('taps a graph input too (the Gram of the inputs themselves)', async () => {
    const result = await captureGrams(runtime, model, [{ name: 'x', output: 'x', bias: null, biasScale: 1, biasIncluded: false, channelAxis: 1, units: 4 }], data);
    const x = data.x.data;
    const expected = new Float64Array(16);
    for (let t = 0; t < n; t++) for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) expected[i * 4 + j] = expected[i * 4 + j]! + x[t * 4 + i]! * x[t * 4 + j]!;
    expect(relativeFrobenius(result.grams[0]!.gram.to1DArray(), expected)).toBeLessThan(1e-14);
  });

  it('leaves the model and the inputs unmodified', async () => {
    const before = Float32Array.from(data.x.data);
    const nodes = model.graph.nodes.length;
    await grams(data, { batchSize: 7 });
    expect(data.x.data).toEqual(before);
    expect(model.graph.nodes.length).toBe(nodes);
  });
});

describe('captureGrams on a convolution', () => {
  it('sums over every spatial position, whichever axis holds the units', async () => {
    const resnet = readOnnx(readFileSync(new URL('../../../../fixtures/real-models/resnet/a.onnx', import.meta.url)));
    const inputs = readNpy(readFileSync(new URL('../../../../fixtures/real-models/resnet/inputs.npy', import.meta.url)));
    const conv = resnet.graph.nodes.find((node) => node.name === '/stem/stem.0/Conv')!;
    const target: CaptureTarget = { name: 'stem.0', output: conv.outputs[0]!, bias: conv.inputs[2]!, biasScale: 1, biasIncluded: true, channelAxis: 1, units: 8 };
    const feed = { data: inputs.data as Float64Array, dims: inputs.shape };
    const graph = await captureGrams(runtime, resnet, [target], feed);
    const negative = await captureGrams(runtime, resnet, [{ ...target, channelAxis: -3 }], feed, { batchSize: 5 });
    expect(graph.grams[0]!.count).toBe(64 * 12 * 12);
    expect(graph.grams[0]!.positions).toBe(144);
    expect(relativeFrobenius(negative.grams[0]!.gram.to1DArray(), graph.grams[0]!.gram.to1DArray())).toBeLessThan(1e-13);
    // and a direct check: the Conv's output from runGraph, less its bias, summed over positions
    const outputs = await runGraph(runtime, resnet, feed, { values: [target.output] });
    const s = outputs[target.output]!;
    expect(s.dims).toEqual([64, 8, 12, 12]);
    const bias = resnet.graph.initializers.get(target.bias!)!.data as Float64Array;
    const direct = new Float64Array(64);
    for (let t = 0; t < 64; t++) {
      for (let p = 0; p < 144; p++) {
        for (let i = 0; i < 8; i++) {
          for (let j = 0; j < 8; j++) direct[i * 8 + j] = direct[i * 8 + j]! + (s.data[(t * 8 + i) * 144 + p]! - bias[i]!) * (s.data[(t * 8 + j) * 144 + p]! - bias[j]!);
        }
      }
    }
    expect(relativeFrobenius(graph.grams[0]!.gram.to1DArray(), direct)).toBeLessThan(1e-12);
    expect(outputs.output!.dims).toEqual([64, 5]);
  });
});
