import { describe, expect, it } from 'vitest';
import { REAL_MODELS, realModel } from '../../test/real-models.js';
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
