import { readdirSync, readFileSync } from 'node:fs';
import { readNpy, readNpz, readOnnx } from '@descramble/io';
import { describe, expect, it } from 'vitest';
import { captureGrams } from './capture-grams.js';
import { capture } from '../capture.js';
import { graphLayers } from '../graph/graph-layers.js';
import { isLinearLayer } from '../layers.js';
import { modelFromOnnx } from '../onnx.js';
import { loadOnnxRuntime } from './onnx-runtime.js';
import { relativeFrobenius } from '../../test/real-models.js';

const REAL = new URL('../../../../fixtures/real-models/', import.meta.url);
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
    // layer discovery supplies the targets: its layers are capture targets
    const targets = graphLayers(model);
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

describe('captureGrams against the Float64 sequential executor (an independent oracle)', () => {
  it.each(['mlp', 'cnn'])('%s.onnx: the same Gram of every linear layer from both engines', async (name) => {
    const runtime = await loadOnnxRuntime();
    const folder = new URL('../../../../fixtures/pytorch/', import.meta.url);
    const bytes = readFileSync(new URL(`${name}.onnx`, folder));
    const inputs = readNpy(readFileSync(new URL(`${name}_input.npy`, folder)));
    const onnx = readOnnx(bytes);
    const sequential = modelFromOnnx(onnx);
    const layers = graphLayers(onnx);
    const result = await captureGrams(runtime, onnx, layers, { data: inputs.data as Float64Array, dims: inputs.shape });
    expect(layers.length).toBe(sequential.layers.filter(isLinearLayer).length);
    for (const gram of result.grams) {
      const oracle = await capture(sequential, { rows: inputs.shape[0] as number, data: inputs.data as Float64Array }, gram.name, { at: 'output', bias: 'exclude' });
      expect(oracle.channels).toBe(gram.dimension);
      // float32 forward (ONNX Runtime) against float64 (ours): a few float32 ulps
      expect(relativeFrobenius(gram.gram.to1DArray(), (oracle.gram as NonNullable<typeof oracle.gram>).to1DArray()), gram.name).toBeLessThan(16 * 2 ** -24);
    }
  });
});

describe('captureGrams on a token model (int64 ids, fixtures/token-models)', () => {
  it('text-transformer: the Grams of every layer equal PyTorch\'s, fed from exact float ids', async () => {
    const runtime = await loadOnnxRuntime();
    const at = new URL('../../../../fixtures/token-models/text-transformer/', import.meta.url);
    const model = readOnnx(readFileSync(new URL('a.onnx', at)));
    const ids = readNpy(readFileSync(new URL('inputs.npy', at)));
    expect(ids.dtype).toBe('int64');
    const expected = readNpz(readFileSync(new URL('grams-a.npz', at)));
    const data = Float64Array.from(ids.data as BigInt64Array, Number);
    const result = await captureGrams(runtime, model, graphLayers(model), { data, dims: ids.shape });
    expect(result.grams.map((g) => g.name).sort()).toEqual([...expected.keys()].sort());
    for (const gram of result.grams) {
      expect(relativeFrobenius(gram.gram.to1DArray(), expected.get(gram.name)!.data as Float64Array), gram.name).toBeLessThan(16 * 2 ** -24);
    }
    // a fractional id is refused, naming the sample
    const fractional = Float64Array.from(data);
    fractional[7] = 2.5;
    await expect(captureGrams(runtime, model, graphLayers(model), { data: fractional, dims: ids.shape })).rejects.toThrow(/takes int64 values, but sample 1 holds 2\.5/);
  });
});
