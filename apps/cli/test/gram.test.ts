import { join } from 'node:path';
import { GramAccumulator } from '@descramble/linalg';
import { writeNpy } from '@descramble/io';
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import {
  fixture,
  readGramAccumulator,
  maxAbsDifference,
  reference,
  referenceMatrix,
  runInProcess,
  temporaryDirectory,
  weightsJson,
} from './helpers.js';

describe('descramble gram and merge-gram', () => {
  it('four shards merged equal the unsharded Gram matrix to 1e-12, and equal S S^T of the PyTorch preactivations', async () => {
    const root = temporaryDirectory('gram');
    // 203 samples (not a multiple of 4, so the shards differ in size), as float64.
    const rows = 203;
    const data = new Float64Array(rows * 16);
    const x = reference.mlp.input.data;
    for (let k = 0; k < data.length; k++) data[k] = (x[k % x.length] as number) * (1 + Math.sin(k) / 3);
    const inputs = join(root, 'inputs.npy');
    writeFileSync(inputs, writeNpy({ dtype: 'float64', shape: [rows, 16], data }));
    const common = ['--model', fixture('mlp.onnx'), '--layer', 'fc2', '--data', inputs, '-q'];
    const shards: string[] = [];
    const counts: number[] = [];
    for (let i = 0; i < 4; i++) {
      const file = join(root, `fc2-${i}.gram`);
      const result = await runInProcess(['gram', ...common, '--shard', `${i}/4`, '--out', file, '--json']);
      expect(result.code, result.stderr).toBe(0);
      const summary = JSON.parse(result.stdout);
      expect(summary.shard).toEqual({ index: i, count: 4, start: Math.floor((i * rows) / 4), end: Math.floor(((i + 1) * rows) / 4) });
      counts.push(summary.count);
      shards.push(file);
    }
    expect(counts).toEqual([50, 51, 51, 51]);
    const merged = join(root, 'fc2.gram');
    expect((await runInProcess(['merge-gram', ...shards.reverse(), '--out', merged, '-q'])).code).toBe(0);
    const whole = join(root, 'fc2-whole.gram');
    expect((await runInProcess(['gram', ...common, '--out', whole])).code).toBe(0);
    const sum = await readGramAccumulator(merged);
    const full = await readGramAccumulator(whole);
    expect(sum.count).toBe(rows);
    expect(full.count).toBe(rows);
    const scale = Math.max(...full.gram().abs().to1DArray());
    expect(maxAbsDifference(sum.gram(), full.gram()) / scale).toBeLessThan(1e-12);

    // The first five samples are the PyTorch inputs scaled; check --weights mode against W X^T directly.
    const w = referenceMatrix(weightsJson.mlp?.['fc1.weight'] as never);
    const first = join(root, 'w.gram');
    const five = join(root, 'five.npy');
    writeFileSync(five, writeNpy({ dtype: 'float64', shape: [5, 16], data: Float64Array.from(reference.mlp.input.data) }));
    expect((await runInProcess(['gram', '--weights', `${fixture('mlp_float64.safetensors')}:fc1.weight`, '--data', five, '--out', first, '-q'])).code).toBe(0);
    const s = w.mmul(referenceMatrix(reference.mlp.input).transpose());
    const expected = s.mmul(s.transpose());
    expect(maxAbsDifference((await readGramAccumulator(first)).gram(), expected) / Math.max(...expected.abs().to1DArray())).toBeLessThan(1e-13);
    // And the sum of the shards feeds `layer --gram`.
    const layer = await runInProcess(['layer', '--weights', `${fixture('mlp.onnx')}:fc2.weight`, '--gram', merged, '--out', join(root, 'layer'), '--no-figures', '--json', '-q']);
    expect(layer.code, layer.stderr).toBe(0);
    expect(JSON.parse(layer.stdout).layers[0].sampleCount).toBe(rows);
  });

  it('merge-gram refuses .gram files of descramble 0.1, which do not say where they came from', async () => {
    const root = temporaryDirectory('gram-mismatch');
    const a = join(root, 'a.gram');
    const b = join(root, 'b.gram');
    writeFileSync(a, new GramAccumulator(3).addRowsFlat(Float64Array.from([1, 2, 3]), 1).toBytes());
    writeFileSync(b, new GramAccumulator(4).addRowsFlat(Float64Array.from([1, 2, 3, 4]), 1).toBytes());
    const result = await runInProcess(['merge-gram', a, b, '--out', join(root, 'sum.gram')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${a}: written by descramble 0.1 without provenance (model, layer, bias, rows)`);
  });
});
