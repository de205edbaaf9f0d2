import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readNpz, writeNpy, writeOnnx } from '@descramble/io';
import { smoothnessMatrix } from '@descramble/descramblers';
import { symmetricEigenvalues } from '@descramble/linalg';
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { CLI_ROOT, lemma1Optimum, listing, readMatrixNpy, runInProcess, schemaErrors, temporaryDirectory } from './helpers.js';

// The ten PyTorch exports of fixtures/real-models (see its README): every command that takes a
// model takes each of them, through ONNX Runtime.
const REAL = resolve(CLI_ROOT, '../../fixtures/real-models');
const networks = readdirSync(REAL, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();
const file = (network: string, name: string) => join(REAL, network, name);
const referenceOf = (network: string) =>
  JSON.parse(readFileSync(file(network, 'reference.json'), 'utf8')) as {
    layers: { module: string; output: boolean }[];
    matching: { objectiveScipy: number };
  };

/** Float32 forward passes (ONNX Runtime against PyTorch): a few float32 ulps of the activations. */
const FLOAT32_FORWARD = 16 * 2 ** -24;

describe('explain, permute and match on real PyTorch networks', () => {
  const root = temporaryDirectory('real-models');

  it('has all ten networks', () => {
    expect(networks).toHaveLength(10);
  });

  it.each(networks)('explain %s: every hidden layer, output layers left alone, optima from PyTorch\'s Grams', async (network) => {
    const out = join(root, `explain-${network}`);
    const result = await runInProcess(['explain', file(network, 'a.onnx'), '--data', file(network, 'inputs.npy'), '--out', out, '--json', '-q', '--no-figures']);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(schemaErrors(report)).toBe('');
    expect(report.engine).toBe('onnxruntime');
    const reference = referenceOf(network);
    const hidden = reference.layers.filter((l) => !l.output).map((l) => l.module);
    expect(report.layers.map((l: { name: string }) => l.name)).toEqual(hidden);
    expect(report.skippedLayers.map((l: { name: string }) => l.name)).toEqual(reference.layers.filter((l) => l.output).map((l) => l.module));
    const grams = readNpz(readFileSync(file(network, 'grams-a.npz')));
    for (const layer of report.layers) {
      const tensor = grams.get(layer.name);
      if (tensor === undefined) throw new Error(`no PyTorch Gram for ${layer.name}`);
      const d = tensor.shape[0] as number;
      const b = new Matrix(d, d);
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) b.set(i, j, tensor.data[i * d + j] as number);
      const optimum = lemma1Optimum(smoothnessMatrix(d), b, symmetricEigenvalues);
      expect(Math.abs(layer.optimum - optimum) / Math.abs(optimum), layer.name).toBeLessThan(FLOAT32_FORWARD);
    }
  });

  it.each(['resnet', 'transformer', 'cnn-concat', 'residual-mlp-layernorm-opset14'])('permute %s: the permuted ONNX computes the same function', async (network) => {
    const out = join(root, `permute-${network}`);
    const result = await runInProcess(['permute', file(network, 'a.onnx'), '--data', file(network, 'inputs.npy'), '--out', out, '--json', '-q', '--no-figures']);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(schemaErrors(report)).toBe('');
    const { verification, groups, blockedGroups } = report.permutation;
    expect(verification.onnx.maxRelativeDifference).toBeLessThan(1e-5);
    expect(groups.length).toBeGreaterThan(0);
    // the output layer's units are never moved, and every refusal names its reason
    for (const group of blockedGroups) expect(group.reason.length).toBeGreaterThan(20);
    expect(listing(out).filter((name) => !name.startsWith('.'))).toEqual(['permuted.onnx', 'report.json']);
  });

  it.each(['resnet', 'mlp-activations', 'transformer'])('match %s: at least as good as scipy, flatter path, same function', async (network) => {
    const out = join(root, `match-${network}`);
    const result = await runInProcess(['match', file(network, 'a.onnx'), file(network, 'b.onnx'), '--data', file(network, 'inputs.npy'), '--out', out, '--json', '-q']);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(schemaErrors(report)).toBe('');
    const { matching } = report;
    expect(matching.objective.after).toBeGreaterThanOrEqual(referenceOf(network).matching.objectiveScipy * (1 - 1e-9));
    expect(matching.similarity.after).toBeGreaterThan(matching.similarity.before);
    expect(matching.verification.maxRelativeDifference).toBeLessThan(1e-5);
    expect(matching.interpolation.before.points).toHaveLength(11);
  });

  it('layer --weights model.onnx:LAYER reads a MatMul weight (stored inputs x outputs) as units x fan-in', async () => {
    const out = join(root, 'layer-matmul');
    const result = await runInProcess(['layer', '--weights', `${file('transformer', 'a.onnx')}:encoder.linear1`, '--isotropic', '--out', out, '--json', '-q', '--no-figures']);
    expect(result.code, result.stderr).toBe(0);
    const [layer] = JSON.parse(result.stdout).layers;
    // encoder.linear1 maps 16 features to 32 units: B = W W^T is 32 x 32 of rank 16
    expect(readMatrixNpy(join(out, 'descrambler.npy')).rows).toBe(32);
    expect(layer.weights.tensor).toMatch(/^onnx::MatMul_/);
    expect(layer.weights.shape).toEqual([32, 16]);
    expect(layer.gramRank).toBe(16);
  });

  it('a token model (int64 ids): explain, permute and match take it, the ids streamed from .npy', async () => {
    const folder = resolve(CLI_ROOT, '../../fixtures/token-models/text-transformer');
    const ids = join(folder, 'inputs.npy');
    const explained = await runInProcess(['explain', join(folder, 'a.onnx'), '--data', ids, '--out', join(root, 'token-explain'), '--json', '-q', '--no-figures']);
    expect(explained.code, explained.stderr).toBe(0);
    const report = JSON.parse(explained.stdout);
    expect(schemaErrors(report)).toBe('');
    const grams = readNpz(readFileSync(join(folder, 'grams-a.npz')));
    expect(report.layers.map((l: { name: string }) => l.name).sort()).toEqual([...grams.keys()].filter((k) => k !== 'head').sort());
    const permuted = await runInProcess(['permute', join(folder, 'a.onnx'), '--data', ids, '--out', join(root, 'token-permute'), '--json', '-q', '--no-figures']);
    expect(permuted.code, permuted.stderr).toBe(0);
    const permutation = JSON.parse(permuted.stdout).permutation;
    expect(permutation.verification.onnx.maxRelativeDifference).toBeLessThan(1e-5);
    // the residual stream starts at the embedding lookup, which no permutation passes: named
    expect(permutation.blockedGroups.some((g: { reason: string }) => /Add/.test(g.reason))).toBe(true);
    const matched = await runInProcess(['match', join(folder, 'a.onnx'), join(folder, 'b.onnx'), '--data', ids, '--out', join(root, 'token-match'), '--json', '-q']);
    expect(matched.code, matched.stderr).toBe(0);
    expect(JSON.parse(matched.stdout).matching.similarity.after).toBeGreaterThan(JSON.parse(matched.stdout).matching.similarity.before);
    // without data there is nothing to stand for token ids
    const isotropic = await runInProcess(['permute', join(folder, 'a.onnx'), '--out', join(root, 'token-nodata'), '-q']);
    expect(isotropic.code).toBe(1);
    expect(isotropic.stderr).toMatch(/takes int64 inputs \(token ids, indices\).*pass --data/);
  });

  it('an operator ONNX Runtime cannot run: one sentence naming the model, nothing written', async () => {
    const model = join(root, 'custom-op.onnx');
    writeFileSync(
      model,
      writeOnnx({
        graph: {
          nodes: [
            { opType: 'Gemm', name: 'fc', inputs: ['x', 'fc.weight'], outputs: ['h'], attributes: { transB: { type: 'int', value: 1 } } },
            { opType: 'Swoosh', domain: 'com.example', name: 'custom', inputs: ['h'], outputs: ['y'] },
            { opType: 'Gemm', name: 'head', inputs: ['y', 'head.weight'], outputs: ['z'], attributes: { transB: { type: 'int', value: 1 } } },
          ],
          initializers: {
            'fc.weight': { dtype: 'float32', shape: [3, 2], data: new Float64Array(6).fill(0.5) },
            'head.weight': { dtype: 'float32', shape: [1, 3], data: new Float64Array(3).fill(0.5) },
          },
          inputs: [{ name: 'x', dtype: 'float32', shape: ['batch', 2] }],
          outputs: [{ name: 'z', dtype: 'float32', shape: ['batch', 1] }],
        },
        opsetImports: [
          { domain: '', version: 17 },
          { domain: 'com.example', version: 1 },
        ],
      }),
    );
    const data = join(root, 'custom-data.npy');
    writeFileSync(data, writeNpy({ dtype: 'float32', shape: [4, 2], data: new Float64Array(8).fill(1) }));
    const out = join(root, 'custom-out');
    const result = await runInProcess(['explain', model, '--data', data, '--out', out, '-q']);
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/custom-op\.onnx: ONNX Runtime could not run the model \(node "custom", com\.example:Swoosh\): .*; export it with standard ONNX operators/);
    expect(listing(root)).not.toContain('custom-out');
  });
});
