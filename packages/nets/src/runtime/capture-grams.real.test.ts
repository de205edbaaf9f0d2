import { readdirSync, readFileSync } from 'node:fs';
import { type OnnxModel, readNpy, readNpz, readOnnx } from '@descramble/io';
import { describe, expect, it } from 'vitest';
import { captureGrams } from './capture-grams.js';
import type { CaptureTarget } from './gram-graph.js';
import { loadOnnxRuntime } from './onnx-runtime.js';

const REAL = new URL('../../../../fixtures/real-models/', import.meta.url);
const LINEAR = new Set(['Gemm', 'MatMul', 'Conv', 'ConvTranspose']);

/**
 * Test-only stand-in for layer discovery: every Gemm, MatMul, Conv and ConvTranspose whose weight
 * is an initializer (through Identity nodes), named like the fixtures' `grams-a.npz` keys: the
 * weight's name less `.weight`, else the node's scope (`/layer2/shortcut/shortcut.0/Conv` is
 * `layer2.shortcut.0`: a segment that extends its parent replaces it).
 */
function fixtureTargets(model: OnnxModel): CaptureTarget[] {
  const { nodes, initializers } = model.graph;
  const alias = new Map<string, string>();
  for (const node of nodes) if (node.opType === 'Identity') alias.set(node.outputs[0]!, node.inputs[0]!);
  const resolve = (name: string): string => {
    let current = name;
    while (alias.has(current)) current = alias.get(current)!;
    return current;
  };
  const targets: CaptureTarget[] = [];
  for (const node of nodes) {
    if (!LINEAR.has(node.opType)) continue;
    const weightName = resolve(node.inputs[1] ?? '');
    const weight = initializers.get(weightName);
    if (weight === undefined) continue;
    let name: string;
    if (weightName.endsWith('.weight')) name = weightName.slice(0, -'.weight'.length);
    else {
      const scope: string[] = [];
      for (const segment of node.name.split('/').filter((s) => s !== '').slice(0, -1)) {
        if (scope.length > 0 && segment.startsWith(`${scope.at(-1)}.`)) scope[scope.length - 1] = segment;
        else scope.push(segment);
      }
      name = scope.join('.');
    }
    const output = node.outputs[0]!;
    if (node.opType === 'MatMul') {
      const add = nodes.find((n) => n.opType === 'Add' && n.inputs.includes(output));
      const other = add?.inputs.find((i) => i !== output);
      const bias = other !== undefined && initializers.has(resolve(other)) ? resolve(other) : null;
      targets.push({ name, output, bias, biasScale: 1, biasIncluded: false, channelAxis: -1, units: weight.shape.at(-1)! });
    } else if (node.opType === 'Gemm') {
      const transB = node.attributes.transB?.value === 1;
      const beta = node.attributes.beta;
      const bias = node.inputs[2] === undefined || node.inputs[2] === '' ? null : resolve(node.inputs[2]);
      targets.push({ name, output, bias, biasScale: beta?.type === 'float' ? beta.value : 1, biasIncluded: true, channelAxis: -1, units: weight.shape[transB ? 0 : 1]! });
    } else {
      const group = node.attributes.group?.value;
      const units = node.opType === 'Conv' ? weight.shape[0]! : weight.shape[1]! * (typeof group === 'number' ? group : 1);
      const bias = node.inputs[2] === undefined || node.inputs[2] === '' ? null : resolve(node.inputs[2]);
      targets.push({ name, output, bias, biasScale: 1, biasIncluded: true, channelAxis: 1, units });
    }
  }
  return targets;
}

function relativeFrobenius(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let difference = 0;
  let norm = 0;
  for (let i = 0; i < expected.length; i++) {
    difference += (actual[i]! - expected[i]!) ** 2;
    norm += expected[i]! ** 2;
  }
  return Math.sqrt(difference / norm);
}

const folders = readdirSync(REAL, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

describe('captureGrams on the real PyTorch networks (fixtures/real-models)', () => {
  it('finds all ten fixtures', () => {
    expect(folders.length).toBe(10);
  });

  it.each(folders)('%s: every layer Gram of a.onnx on inputs.npy matches PyTorch', async (folder) => {
    const runtime = await loadOnnxRuntime();
    const at = new URL(`${folder}/`, REAL);
    const model = readOnnx(readFileSync(new URL('a.onnx', at)));
    const inputs = readNpy(readFileSync(new URL('inputs.npy', at)));
    const expected = readNpz(readFileSync(new URL('grams-a.npz', at)));
    const targets = fixtureTargets(model);
    expect(targets.map((t) => t.name).sort()).toEqual([...expected.keys()].sort());
    const result = await captureGrams(runtime, model, targets, { data: inputs.data as Float64Array, dims: inputs.shape }, { batchSize: 24 });
    expect(result.samples).toBe(inputs.shape[0]);
    for (const gram of result.grams) {
      const reference = expected.get(gram.name)!;
      expect(reference.shape).toEqual([gram.dimension, gram.dimension]);
      // PyTorch and ONNX Runtime run the float32 forward pass with different summation orders:
      // the activations agree to a few float32 ulps (eps32 = 6e-8) per layer (observed <= 1.3e-7
      // over these fixtures); the Grams are summed in float64 on both sides
      const error = relativeFrobenius(gram.gram.to1DArray(), reference.data as Float64Array);
      expect(error, `${folder} ${gram.name}`).toBeLessThan(16 * 2 ** -24);
      expect(gram.count % result.samples).toBe(0);
    }
  });
});
