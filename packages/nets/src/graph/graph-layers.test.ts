import { writeOnnx } from '@descramble/io';
import { describe, expect, it } from 'vitest';
import { handBuiltModel as model, node, REAL_MODELS, realModel, smoothTensor as tensor } from '../../test/real-models.js';
import { loadOnnxRuntime } from '../runtime/onnx-runtime.js';
import { graphLayers, layerWeightMatrix } from './graph-layers.js';

describe('graphLayers', () => {
  for (const name of REAL_MODELS) {
    it(`finds the linear layers of ${name} as PyTorch names them`, () => {
      const { a, b, reference } = realModel(name);
      for (const model of [a, b]) {
        const layers = graphLayers(model);
        expect(layers.map((l) => ({ module: l.name, op: l.opType, units: l.units, fanIn: l.fanIn, inChannels: l.inChannels, output: l.isOutput }))).toEqual(reference.layers);
      }
    });
  }

  it('reads MatMul weights, finds the bias Add, and says -1 (last axis) without value infos (transformer)', () => {
    const layers = graphLayers(realModel('transformer').a);
    const linear1 = layers.find((l) => l.name === 'encoder.linear1')!;
    expect(linear1).toMatchObject({ opType: 'MatMul', bias: 'encoder.linear1.bias', biasIncluded: false, channelAxis: -1, output: '/encoder/linear1/MatMul_output_0' });
    const head = layers.find((l) => l.name === 'head')!;
    expect(head).toMatchObject({ opType: 'Gemm', bias: 'head.bias', biasIncluded: true, biasScale: 1, channelAxis: 1, isOutput: true });
  });
});

describe('layerWeightMatrix', () => {
  for (const name of REAL_MODELS) {
    it(`returns units x fanIn out-in matrices equal to the initializers of ${name}`, () => {
      const { a } = realModel(name);
      for (const layer of graphLayers(a)) {
        const matrix = layerWeightMatrix(a, layer);
        expect(matrix.shape).toEqual([layer.units, layer.fanIn]);
        const stored = a.graph.initializers.get(layer.weight)!;
        const w = stored.data as Float64Array;
        const s = stored.shape;
        // every entry checked against the storage convention of its op
        for (let u = 0; u < layer.units; u++) {
          for (let k = 0; k < layer.fanIn; k++) {
            let expected: number;
            if (layer.opType === 'Conv') expected = w[u * layer.fanIn + k]!;
            else if (layer.opType === 'ConvTranspose') {
              const kernel = layer.fanIn / s[0]!;
              const c = Math.floor(k / kernel);
              expected = w[(c * s[1]! + u) * kernel + (k % kernel)]!;
            } else if (layer.opType === 'MatMul' || s[0] !== layer.units) expected = w[k * layer.units + u]!;
            else expected = w[u * layer.fanIn + k]!;
            if (matrix.data[u * layer.fanIn + k] !== expected) throw new Error(`${layer.name}[${u}, ${k}] = ${matrix.data[u * layer.fanIn + k]}, expected ${expected}`);
          }
        }
      }
    });
  }
});

describe('graphLayers on hand-built graphs', () => {
  it('undoes Gemm transB = 0 and alpha, reads MatMul weights through Identity and Constant nodes, and the runtime agrees', async () => {
    const w1 = tensor([3, 4], 1);
    const w2 = tensor([4, 5], 2);
    const graph = model(
      [
        node('alias', 'Identity', ['fc.weight'], ['fc.weight.alias']),
        node('/fc/Gemm', 'Gemm', ['input', 'fc.weight.alias'], ['h'], { alpha: { type: 'float', value: 2 }, transB: { type: 'int', value: 0 } }),
        node('/proj/Constant', 'Constant', [], ['w2'], { value: { type: 'tensor', value: w2 } }),
        node('/proj/MatMul', 'MatMul', ['h', 'w2'], ['output']),
      ],
      [['fc.weight', w1]],
      [2, 3],
    );
    const layers = graphLayers(graph);
    expect(layers.map((l) => [l.name, l.weight, l.units, l.fanIn, l.isOutput])).toEqual([
      ['fc', 'fc.weight', 4, 3, false],
      ['proj', 'w2', 5, 4, true],
    ]);
    // the matrices reproduce what ONNX Runtime computes: output = W2 (W1 x)
    const [m1, m2] = layers.map((l) => layerWeightMatrix(graph, l));
    const runtime = await loadOnnxRuntime();
    const x = new Float32Array([0.5, -1, 2, 1.5, 0.25, -0.75]);
    const session = await runtime.InferenceSession.create(writeOnnx(graph));
    const result = (await session.run({ input: new runtime.Tensor('float32', x, [2, 3]) })).output!.data as Float32Array;
    await session.release();
    for (let n = 0; n < 2; n++) {
      const h = Array.from({ length: 4 }, (_, u) => [0, 1, 2].reduce((sum, k) => sum + m1!.data[u * 3 + k]! * x[n * 3 + k]!, 0));
      for (let o = 0; o < 5; o++) {
        const expected = h.reduce((sum, value, u) => sum + m2!.data[o * 4 + u]! * value, 0);
        expect(Math.abs(result[n * 5 + o]! - expected)).toBeLessThan(1e-5 * (1 + Math.abs(expected)));
      }
    }
  });

  it('flags a grouped convolution and names clashing layers with #2', () => {
    const graph = model(
      [
        node('/conv/Conv', 'Conv', ['input', 'conv.weight'], ['h'], { group: { type: 'int', value: 2 }, kernel_shape: { type: 'ints', value: [3] } }),
        node('/conv/Conv_1', 'Conv', ['h', 'conv.weight'], ['output'], { group: { type: 'int', value: 2 }, kernel_shape: { type: 'ints', value: [3] } }),
      ],
      [['conv.weight', tensor([4, 2, 3], 3)]],
      [1, 4, 9],
    );
    const layers = graphLayers(graph);
    expect(layers.map((l) => [l.name, l.units, l.fanIn, l.inChannels, l.convolutionGroups])).toEqual([
      ['conv', 4, 6, 4, 2],
      ['conv#2', 4, 6, 4, 2],
    ]);
  });
});
