import { readFileSync } from 'node:fs';
import { type NumberTensor, type OnnxAttribute, type OnnxModel, type OnnxNode, readNpy, readOnnx } from '@descramble/io';
import type { GraphSamples } from '../src/graph-models/graph-samples.js';
import type { OnnxRuntime, RuntimeTensor } from '../src/runtime/onnx-runtime.js';

/** The ten PyTorch networks of fixtures/real-models (made by tooling/fixtures/real-models). */
export const REAL_MODELS = [
  'mlp-activations',
  'residual-mlp-layernorm',
  'residual-mlp-layernorm-opset14',
  'mlp-batchnorm',
  'cnn-pools',
  'cnn1d-flatten',
  'cnn-concat',
  'resnet',
  'transformer',
  'conv-transpose',
] as const;

export interface ReferenceLayer {
  readonly module: string;
  readonly op: string;
  readonly units: number;
  readonly fanIn: number;
  readonly inChannels: number;
  readonly output: boolean;
}

export interface RealModelReference {
  readonly name: string;
  readonly opset: number;
  readonly inputShape: number[];
  readonly layers: ReferenceLayer[];
  readonly groups: { module: string; side: 'out' | 'in'; offset?: number }[][];
  readonly matching: { objectiveIdentity: number; objectiveScipy: number; sweeps: number; permutations: number[][] };
}

export interface RealModel {
  readonly a: OnnxModel;
  readonly b: OnnxModel;
  readonly reference: RealModelReference;
  /** inputs.npy as float32 data and shape. */
  readonly inputs: { readonly data: Float32Array; readonly shape: number[] };
}

const ROOT = new URL('../../../fixtures/real-models/', import.meta.url);

export function realModel(name: string): RealModel {
  const folder = new URL(`${name}/`, ROOT);
  const file = (entry: string) => new Uint8Array(readFileSync(new URL(entry, folder)));
  const inputs = readNpy(file('inputs.npy'), 'inputs.npy');
  if (inputs.dtype === 'int64' || inputs.dtype === 'uint64') throw new Error(`${name}/inputs.npy is not float`);
  return {
    a: readOnnx(file('a.onnx'), { name: `${name}/a.onnx` }),
    b: readOnnx(file('b.onnx'), { name: `${name}/b.onnx` }),
    reference: JSON.parse(new TextDecoder().decode(file('reference.json'))) as RealModelReference,
    inputs: { data: Float32Array.from(inputs.data), shape: [...inputs.shape] },
  };
}

/** The first `count` samples of the inputs as the `input` feed. */
export function inputFeed(runtime: OnnxRuntime, model: RealModel, count = model.inputs.shape[0]!): Record<string, RuntimeTensor> {
  const sample = model.inputs.shape.slice(1).reduce((a, b) => a * b, 1);
  const data = model.inputs.data.slice(0, count * sample);
  return { input: new runtime.Tensor('float32', data, [count, ...model.inputs.shape.slice(1)]) };
}

/** A float32 tensor of deterministic, non-repeating values. */
export function smoothTensor(shape: number[], seed: number): NumberTensor {
  const size = shape.reduce((x, y) => x * y, 1);
  return { dtype: 'float32', shape, data: Float64Array.from({ length: size }, (_, i) => Math.fround(Math.sin(seed * 7 + i * 1.3))) };
}

/** A graph node in the default domain. */
export function node(name: string, opType: string, inputs: string[], outputs: string[], attributes: Record<string, OnnxAttribute> = {}): OnnxNode {
  return { name, opType, domain: '', inputs, outputs, attributes };
}

/** An opset-17 model with one float32 input `input` and one output `output`. */
export function handBuiltModel(nodes: OnnxNode[], initializers: [string, NumberTensor][], inputShape: number[]): OnnxModel {
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: 17 }],
    producerName: 'test',
    producerVersion: '',
    domain: '',
    modelVersion: 0,
    docString: '',
    graph: {
      name: 'g',
      nodes,
      initializers: new Map(initializers),
      inputs: [{ name: 'input', dtype: 'float32', shape: inputShape }],
      outputs: [{ name: 'output', dtype: 'float32', shape: null }],
      valueInfo: [],
    },
  };
}

/** `||actual - expected||_F / ||expected||_F` over flat entries. */
export function relativeFrobenius(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let difference = 0;
  let norm = 0;
  for (let i = 0; i < expected.length; i++) {
    difference += (actual[i]! - expected[i]!) ** 2;
    norm += expected[i]! ** 2;
  }
  return Math.sqrt(difference / norm);
}

/** The inputs of a fixture as `GraphSamples` for the graph commands, read in blocks of `rowsPerBlock` rows. */
export function realSamples(model: RealModel, name: string, rowsPerBlock = 25): GraphSamples {
  const [rows, ...sampleShape] = model.inputs.shape as [number, ...number[]];
  const columns = sampleShape.reduce((a, b) => a * b, 1);
  const data = Float64Array.from(model.inputs.data);
  return {
    rows,
    sampleShape,
    name,
    async *blocks(start, end) {
      for (let first = start; first < end; first += rowsPerBlock) {
        const count = Math.min(rowsPerBlock, end - first);
        yield { rows: count, data: data.subarray(first * columns, (first + count) * columns) };
      }
    },
  };
}
