import { readFileSync } from 'node:fs';
import { readNpz } from '@descramble/io';
import type { ArchitectureSpec } from '../src/architecture.js';
import { modelFromTensors } from '../src/architecture.js';
import type { SequentialModel } from '../src/layers.js';
import { readOnnxModel } from '../src/onnx.js';
import { readSafetensorsModel } from '../src/safetensors.js';
import type { Tensor } from '../src/tensor.js';

/** The shared PyTorch fixtures at the repository root (made by tooling/fixtures/pytorch). */
export const PYTORCH = new URL('../../../fixtures/pytorch/', import.meta.url);
/** This package's own fixtures (made by tooling/fixtures/nets). */
export const LOCAL = new URL('./fixtures/', import.meta.url);

export function bytesOf(folder: URL, name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(name, folder)));
}

export interface JsonTensor {
  readonly shape: number[];
  readonly data: number[];
}

export function jsonOf<T>(folder: URL, name: string): T {
  return JSON.parse(readFileSync(new URL(name, folder), 'utf8')) as T;
}

export function toTensor(t: JsonTensor): Tensor {
  return { shape: t.shape, data: Float64Array.from(t.data) };
}

/** max |a - b| over two equally long arrays (NaN if either holds NaN). */
export function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (Number.isNaN(d)) return Number.NaN;
    worst = Math.max(worst, d);
  }
  return worst;
}

export const MLP_SPEC: ArchitectureSpec = {
  inputShape: [16],
  layers: [
    { type: 'dense', name: 'fc1' },
    { type: 'tanh' },
    { type: 'dense', name: 'fc2' },
    { type: 'tanh' },
    { type: 'dense', weight: 'fc3.weight', bias: 'fc3.bias' },
  ],
};

export const CNN_SPEC: ArchitectureSpec = {
  inputShape: [2, 16],
  layers: [
    { type: 'conv1d', name: 'conv', padding: 2 },
    { type: 'relu', name: 'relu' },
    { type: 'batchnorm', name: 'bn' },
    { type: 'flatten', name: 'flatten' },
    { type: 'dense', name: 'fc' },
  ],
};

export const CONV2D_SPEC: ArchitectureSpec = {
  inputShape: [3, 9, 7],
  layers: [
    { type: 'conv2d', name: 'conv1', stride: [2, 1], padding: [1, 2], dilation: [1, 2] },
    { type: 'tanh' },
    { type: 'batchnorm', name: 'bn1' },
    { type: 'conv2d', name: 'conv2', padding: 1, groups: 2 },
    { type: 'softplus' },
    { type: 'flatten' },
    { type: 'dense', name: 'fc1' },
    { type: 'logistic' },
    { type: 'dense', name: 'fc2' },
  ],
};

export const CONV1D_SPEC: ArchitectureSpec = {
  inputShape: [2, 11],
  layers: [
    { type: 'conv1d', name: 'conv1', stride: 2, padding: 3, dilation: 2 },
    { type: 'relu' },
    { type: 'conv1d', name: 'conv2' },
    { type: 'tanh' },
    { type: 'flatten' },
    { type: 'dense', name: 'fc' },
  ],
};

/** Reference values of one network: input, and per precision the hidden values by name. */
export interface Reference {
  readonly input: Tensor;
  readonly float32: Record<string, Tensor>;
  readonly float64: Record<string, Tensor>;
}

type JsonReference = { input: JsonTensor; float32: Record<string, JsonTensor>; float64: Record<string, JsonTensor> };

function reference(json: JsonReference): Reference {
  const map = (r: Record<string, JsonTensor>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, toTensor(v)]));
  return { input: toTensor(json.input), float32: map(json.float32), float64: map(json.float64) };
}

export interface FixtureNetwork {
  readonly name: string;
  readonly reference: Reference;
  /** Hidden value name -> [layer, capture point]. */
  readonly taps: Record<string, [string, 'preactivation' | 'activation' | 'output']>;
  /** Models from every source the fixtures provide, labelled. */
  readonly sources: () => { label: string; model: SequentialModel }[];
}

export function fixtureNetworks(): FixtureNetwork[] {
  const shared = jsonOf<{ mlp: JsonReference; cnn: JsonReference }>(PYTORCH, 'reference.json');
  const conv2d = jsonOf<JsonReference & { weights: Record<string, JsonTensor> }>(LOCAL, 'conv2d.json');
  const conv1d = jsonOf<JsonReference & { weights: Record<string, JsonTensor> }>(LOCAL, 'conv1d.json');
  const float64Npz = (name: string) => readNpz(bytesOf(PYTORCH, name));
  return [
    {
      name: 'mlp',
      reference: reference(shared.mlp),
      taps: { z1: ['fc1', 'preactivation'], z2: ['fc2', 'preactivation'], output: ['fc3', 'output'] },
      sources: () => [
        { label: 'mlp.onnx', model: readOnnxModel(bytesOf(PYTORCH, 'mlp.onnx')) },
        { label: 'mlp.safetensors + spec', model: readSafetensorsModel(bytesOf(PYTORCH, 'mlp.safetensors'), MLP_SPEC) },
        { label: 'mlp_float64.safetensors + spec', model: readSafetensorsModel(bytesOf(PYTORCH, 'mlp_float64.safetensors'), MLP_SPEC) },
      ],
    },
    {
      name: 'cnn',
      reference: reference(shared.cnn),
      taps: { conv: ['conv', 'preactivation'], bn: ['bn', 'output'], output: ['fc', 'output'] },
      sources: () => [
        { label: 'cnn.onnx', model: readOnnxModel(bytesOf(PYTORCH, 'cnn.onnx')) },
        { label: 'cnn.safetensors + spec', model: readSafetensorsModel(bytesOf(PYTORCH, 'cnn.safetensors'), CNN_SPEC) },
        { label: 'cnn_float64_compressed.npz + spec', model: modelFromTensors(float64Npz('cnn_float64_compressed.npz'), CNN_SPEC) },
      ],
    },
    {
      name: 'conv2d',
      reference: reference(conv2d),
      taps: { conv1: ['conv1', 'preactivation'], bn1: ['bn1', 'output'], conv2: ['conv2', 'preactivation'], fc1: ['fc1', 'preactivation'], output: ['fc2', 'output'] },
      sources: () => [
        { label: 'conv2d.onnx', model: readOnnxModel(bytesOf(LOCAL, 'conv2d.onnx')) },
        { label: 'conv2d.json weights + spec', model: modelFromTensors(conv2d.weights, CONV2D_SPEC) },
      ],
    },
    {
      name: 'conv1d',
      reference: reference(conv1d),
      taps: { conv1: ['conv1', 'preactivation'], conv2: ['conv2', 'preactivation'], output: ['fc', 'output'] },
      sources: () => [
        { label: 'conv1d.onnx', model: readOnnxModel(bytesOf(LOCAL, 'conv1d.onnx')) },
        { label: 'conv1d.json weights + spec', model: modelFromTensors(conv1d.weights, CONV1D_SPEC) },
      ],
    },
  ];
}
