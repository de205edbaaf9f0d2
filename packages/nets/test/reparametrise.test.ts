import { readOnnx } from '@descramble/io';
import { describe, expect, it } from 'vitest';
import { modelFromTensors, modelToSpec } from '../src/architecture.js';
import { NotOddActivationError } from '../src/errors.js';
import type { Layer, SequentialModel } from '../src/layers.js';
import { modelToOnnx, readOnnxModel, writeOnnxModel } from '../src/onnx.js';
import { permuteHiddenUnits, verifyReparametrisation } from '../src/reparametrise.js';
import { readSafetensorsModel, writeSafetensorsModel } from '../src/safetensors.js';
import { fixtureNetworks } from './helpers.js';

/** Parameters and settings of every layer, for bitwise comparison. */
function description(model: SequentialModel): unknown {
  const params = (layer: Layer): unknown => {
    const { name: _name, ...rest } = layer;
    return JSON.parse(JSON.stringify(rest, (_key, value: unknown) => (value instanceof Float64Array ? Array.from(value) : value)));
  };
  return { inputShape: model.inputShape, precision: model.precision, layers: model.layers.map((l) => ({ name: l.name, ...(params(l) as object) })) };
}

const networks = Object.fromEntries(fixtureNetworks().map((n) => [n.name, n]));

function sourceModel(network: string, index = 0): SequentialModel {
  return networks[network]!.sources()[index]!.model;
}

/** A permutation of 0..d-1 that moves every unit (a rotation by k), and alternating signs. */
function rotation(d: number, k: number): number[] {
  return Array.from({ length: d }, (_, i) => (i + k) % d);
}
function alternating(d: number): number[] {
  return Array.from({ length: d }, (_, i) => (i % 2 === 0 ? -1 : 1));
}

interface Case {
  readonly label: string;
  readonly network: string;
  readonly permute: (model: SequentialModel) => SequentialModel;
}

const cases: Case[] = [
  { label: 'MLP, fc1 permuted', network: 'mlp', permute: (m) => permuteHiddenUnits(m, 'fc1', rotation(12, 5)) },
  {
    label: 'MLP, fc1 and fc2 signed-permuted',
    network: 'mlp',
    permute: (m) => permuteHiddenUnits(permuteHiddenUnits(m, 'fc1', rotation(12, 7), { signs: alternating(12) }), 'fc2', rotation(8, 3), { signs: alternating(8) }),
  },
  { label: 'CNN, conv channels permuted (through ReLU, batch norm, flatten)', network: 'cnn', permute: (m) => permuteHiddenUnits(m, 'conv', [5, 3, 1, 0, 2, 4]) },
  {
    label: 'conv1d net, conv2 signed-permuted (tanh, flatten), conv1 permuted (ReLU)',
    network: 'conv1d',
    permute: (m) => permuteHiddenUnits(permuteHiddenUnits(m, 'conv2', [2, 0, 1], { signs: [-1, 1, -1] }), 'conv1', [3, 2, 1, 0]),
  },
  {
    label: 'conv2d net, conv1 signed within groups (tanh, batch norm, grouped conv), conv2 and fc1 permuted',
    network: 'conv2d',
    permute: (m) =>
      permuteHiddenUnits(
        permuteHiddenUnits(permuteHiddenUnits(m, 'conv1', [2, 0, 1, 4, 5, 3], { signs: [-1, 1, -1, 1, -1, -1] }), 'conv2', [1, 0, 3, 2]),
        'fc1',
        rotation(5, 2),
      ),
  },
];

describe('reparametrised fixture networks', () => {
  for (const c of cases) {
    it(`${c.label}: identical outputs to 1e-12, exports load back equal`, () => {
      const original = sourceModel(c.network);
      const permuted = c.permute(original);
      const input = networks[c.network]!.reference.input;
      const check = verifyReparametrisation(original, permuted, input);
      expect(check.maxAbsDifference).toBeLessThan(1e-12);
      expect(check.samples).toBe(input.shape[0]);
      // the permutation really changed the weights
      expect(description(permuted)).not.toEqual(description(original));

      const fromSafetensors = readSafetensorsModel(writeSafetensorsModel(permuted));
      expect(description(fromSafetensors)).toEqual(description(permuted));
      const fromOnnx = readOnnxModel(writeOnnxModel(permuted));
      expect(description(fromOnnx)).toEqual(description(permuted));
      expect(verifyReparametrisation(permuted, fromOnnx, input).maxAbsDifference).toBe(0);
    });
  }

  it('the CNN fixture refuses signed permutations (ReLU is not odd)', () => {
    expect(() => permuteHiddenUnits(sourceModel('cnn'), 'conv', [0, 1, 2, 3, 4, 5], { signs: [1, -1, 1, 1, 1, 1] })).toThrow(NotOddActivationError);
  });
});

describe('exports', () => {
  it('write float32 when the weights came as float32 and float64 otherwise', () => {
    const float32 = sourceModel('mlp', 0);
    const float64 = sourceModel('mlp', 2);
    const onnx32 = readOnnx(writeOnnxModel(float32));
    const onnx64 = readOnnx(writeOnnxModel(float64));
    expect(onnx32.graph.initializers.get('fc1.weight')!.dtype).toBe('float32');
    expect(onnx64.graph.initializers.get('fc1.weight')!.dtype).toBe('float64');
    expect(onnx32.graph.inputs[0]!.shape).toEqual(['batch', 16]);
    expect(onnx32.graph.outputs[0]!.shape).toEqual(['batch', 4]);
    expect(readSafetensorsModel(writeSafetensorsModel(float64)).precision).toBe('float64');
  });

  it('describe the graph with PyTorch names and the same operators as torch.onnx.export', () => {
    const cnn = sourceModel('cnn');
    const description = modelToOnnx(cnn);
    expect(description.graph.nodes.map((n) => n.opType)).toEqual(['Conv', 'Relu', 'BatchNormalization', 'Flatten', 'Gemm']);
    const names = [...(description.graph.initializers as Map<string, unknown>).keys()];
    expect(names).toEqual(['conv.weight', 'conv.bias', 'bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var', 'fc.weight', 'fc.bias']);
  });

  it('a spec written by modelToSpec rebuilds the model from the same tensors', () => {
    const conv2d = sourceModel('conv2d');
    const tensors = readOnnx(writeOnnxModel(conv2d)).graph.initializers;
    expect(description(modelFromTensors(tensors, modelToSpec(conv2d)))).toEqual(description(conv2d));
  });
});
