import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  forward,
  permuteHiddenUnits,
  readOnnxModel,
  readSafetensorsModel,
  type SequentialModel,
  writeOnnxModel,
} from '@descramble/nets';
import { describe, expect, it } from 'vitest';
import { fixture, reference, runInProcess, schemaErrors, temporaryDirectory } from './helpers.js';

function outputs(model: SequentialModel, input: { shape: number[]; data: number[] }): Float64Array {
  return forward(model, { shape: input.shape, data: Float64Array.from(input.data) }).data;
}

function maxDifference(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs((x[i] as number) - (y[i] as number)));
  return worst;
}

describe('descramble permute and match', () => {
  const root = temporaryDirectory('permute');

  it('permute writes MLP models (safetensors and ONNX) whose outputs equal the original to 1e-12', async () => {
    const out = join(root, 'mlp');
    const result = await runInProcess(['permute', fixture('mlp.onnx'), '--data', fixture('mlp_input.npy'), '--signed', '--out', out, '--json', '-q']);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(schemaErrors(report)).toBe('');
    const layers = report.permutation.layers;
    expect(layers.map((l: { name: string }) => l.name)).toEqual(['fc1', 'fc2']);
    for (const layer of layers) {
      // The smoothest order is no rougher than the trained one and never below the bound.
      expect(layer.value).toBeLessThanOrEqual(layer.identityValue * (1 + 1e-12));
      expect(layer.value).toBeGreaterThanOrEqual(layer.lowerBound * (1 - 1e-12));
      expect([...layer.permutation].sort((p: number, q: number) => p - q)).toEqual(Array.from({ length: layer.units }, (_, i) => i));
    }
    const original = readOnnxModel(readFileSync(fixture('mlp.onnx')));
    const expected = outputs(original, reference.mlp.input);
    // The forward pass itself matches PyTorch's float64 outputs (float32 weights held exactly).
    expect(maxDifference(expected, reference.mlp.float64.output.data)).toBeLessThan(1e-12);
    for (const model of [readOnnxModel(readFileSync(join(out, 'permuted.onnx'))), readSafetensorsModel(readFileSync(join(out, 'permuted.safetensors')))]) {
      expect(maxDifference(outputs(model, reference.mlp.input), expected)).toBeLessThanOrEqual(1e-12);
    }
    // ... and the permutation really moved units.
    const permuted = readOnnxModel(readFileSync(join(out, 'permuted.onnx')));
    const w = (model: SequentialModel) => (model.layers[0] as { weight: { data: Float64Array } }).weight.data;
    expect(maxDifference(w(permuted), w(original))).toBeGreaterThan(1e-3);
  });

  it('permute reorders CNN channels (an ONNX graph) through ReLU, batch norm and flatten with the same outputs', async () => {
    const out = join(root, 'cnn');
    const result = await runInProcess(['permute', fixture('cnn.onnx'), '--data', fixture('cnn_input.npy'), '--out', out, '--json', '-q', '--no-figures']);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(schemaErrors(report)).toBe('');
    // an ONNX model is permuted as a graph and checked in ONNX Runtime, to float32 roundoff...
    expect(report.engine).toBe('onnxruntime');
    expect(report.permutation.verification.onnx.maxRelativeDifference).toBeLessThanOrEqual(report.permutation.verification.tolerance);
    expect(report.permutation.groups.map((g: { layers: string[] }) => g.layers)).toEqual([['conv.out', 'fc.in']]);
    // ... and, run in float64 by the sequential executor, it computes what the original does
    const original = readOnnxModel(readFileSync(fixture('cnn.onnx')));
    const permuted = readOnnxModel(readFileSync(join(out, 'permuted.onnx')));
    expect(maxDifference(outputs(permuted, reference.cnn.input), outputs(original, reference.cnn.input))).toBeLessThanOrEqual(1e-12);
  });

  it('match aligns the permuted MLP back onto the original (weights equal), same function', async () => {
    const unsigned = join(root, 'mlp-unsigned');
    expect((await runInProcess(['permute', fixture('mlp.onnx'), '--data', fixture('mlp_input.npy'), '--out', unsigned, '-q', '--no-figures'])).code).toBe(0);
    const out = join(root, 'aligned');
    const result = await runInProcess(['match', fixture('mlp.onnx'), join(unsigned, 'permuted.onnx'), '--out', out, '--json', '-q']);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(schemaErrors(report)).toBe('');
    // the permuted copy is the original up to a permutation: matching finds it, cosine 1
    expect(report.matching.similarity.after).toBeCloseTo(1, 12);
    expect(report.matching.similarity.before).toBeLessThan(0.99);
    const original = readOnnxModel(readFileSync(fixture('mlp.onnx')));
    const aligned = readOnnxModel(readFileSync(join(out, 'aligned.onnx')));
    original.layers.forEach((layer, i) => {
      if (layer.kind !== 'dense') return;
      const other = aligned.layers[i] as typeof layer;
      expect(maxDifference(layer.weight.data, other.weight.data)).toBe(0);
    });
    const moved = report.matching.groups.flatMap((g: { permutation: number[] }) => g.permutation.filter((p, k) => p !== k));
    expect(moved.length).toBeGreaterThan(0);
    expect(report.matching.verification.maxRelativeDifference).toBeLessThanOrEqual(report.matching.verification.tolerance);
    // the straight line between a model and itself stays on the line
    expect(report.matching.interpolation.after.outputBarrier).toBeLessThan(1e-6);
    expect(report.matching.interpolation.before.outputBarrier).toBeGreaterThan(1e-3);
  });

  it('match aligns a CNN whose channels were permuted (an ONNX graph): recovers the permutation, parameters equal to A', async () => {
    const modelA = readOnnxModel(readFileSync(fixture('cnn.onnx')));
    // B = A with its six conv channels (and the batch norm and the flattened dense columns after them) permuted.
    const planted = [3, 0, 5, 1, 4, 2];
    const modelB = permuteHiddenUnits(modelA, 'conv', planted);
    const fileB = join(root, 'cnn-permuted.onnx');
    writeFileSync(fileB, writeOnnxModel(modelB));
    // B is a different parametrisation: its weights differ from A's, its outputs do not.
    const weight = (model: SequentialModel) => (model.layers[0] as { weight: { data: Float64Array } }).weight.data;
    expect(maxDifference(weight(modelB), weight(modelA))).toBeGreaterThan(1e-3);
    const out = join(root, 'aligned-cnn');
    const result = await runInProcess(['match', fixture('cnn.onnx'), fileB, '--data', fixture('cnn_input.npy'), '--out', out, '--json', '-q']);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(schemaErrors(report)).toBe('');
    expect(report.matching.network).toBe('onnx graph');
    // New channel i of the aligned B is channel p[i] of B, i.e. channel planted[p[i]] of A: the identity.
    const group = report.matching.groups.find((g: { layers: string[] }) => g.layers.includes('conv.out'));
    expect(group.layers).toEqual(['conv.out', 'fc.in']);
    expect(group.permutation.map((j: number) => planted[j])).toEqual([0, 1, 2, 3, 4, 5]);
    for (const file of ['aligned.onnx']) {
      const aligned = readOnnxModel(readFileSync(join(out, file)));
      // Every parameter is back where A has it (a permutation moves values, it does not round them).
      aligned.layers.forEach((l, i) => {
        const original = modelA.layers[i] as typeof l;
        for (const key of ['weight', 'bias', 'scale', 'shift', 'mean', 'variance'] as const) {
          const x = (l as unknown as Record<string, { data: Float64Array } | null | undefined>)[key];
          const y = (original as unknown as Record<string, { data: Float64Array } | null | undefined>)[key];
          if (x && y) expect(maxDifference(x.data, y.data), `${file} ${l.name}.${key}`).toBe(0);
        }
      });
      const expected = outputs(modelA, reference.cnn.input);
      const scale = Math.max(1, ...Array.from(expected, Math.abs));
      expect(maxDifference(outputs(aligned, reference.cnn.input), expected) / scale).toBeLessThanOrEqual(1e-12);
    }
  });
});
