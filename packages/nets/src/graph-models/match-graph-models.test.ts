import { readFileSync } from 'node:fs';
import { readNpy, readOnnx } from '@descramble/io';
import { describe, expect, it } from 'vitest';
import { inputFeed, realModel, realSamples } from '../../test/real-models.js';
import { GraphMismatchError, InvalidArgumentError } from '../errors.js';
import { compareGraphOutputs } from '../graph/compare-outputs.js';
import { loadOnnxRuntime } from '../runtime/onnx-runtime.js';
import { matchGraphModels } from './match-graph-models.js';
import type { GraphModelStage } from './permute-graph-model.js';

/** PyTorch's outputs of a.onnx on inputs.npy: targets whose loss is 0 at a. */
function pytorchOutputs(name: string): { values: Float64Array; rows: number } {
  const outputs = readNpy(new Uint8Array(readFileSync(new URL(`../../../../fixtures/real-models/${name}/outputs-a.npy`, import.meta.url))));
  return { values: Float64Array.from(outputs.data as Float64Array), rows: outputs.shape[0] as number };
}

describe('matchGraphModels on the real PyTorch networks (fixtures/real-models)', () => {
  it.each(['mlp-activations', 'resnet', 'transformer'])('%s: at least as good as scipy, b aligned and still b, the path and its loss', async (name) => {
    const runtime = await loadOnnxRuntime();
    const fixture = realModel(name);
    const targets = pytorchOutputs(name);
    const stages: GraphModelStage['stage'][] = [];
    const result = await matchGraphModels(runtime, fixture.a, fixture.b, { samples: realSamples(fixture, name, 17), targets, seed: 1, onStage: (stage) => stages.push(stage.stage) });
    expect(stages).toEqual(['channel-groups', 'channel-groups', 'match', 'verify', 'interpolation']);
    const { matching } = fixture.reference;
    const scale = Math.abs(matching.objectiveScipy);
    expect(Math.abs(result.objective.before - matching.objectiveIdentity)).toBeLessThanOrEqual(1e-12 * scale);
    expect(result.objective.after).toBeGreaterThanOrEqual(matching.objectiveScipy - 1e-9 * scale);
    expect(result.similarity.after).toBeGreaterThan(result.similarity.before);
    expect(result.restarts.count).toBe(4);
    expect(result.restarts.objectives[result.restarts.best]).toBe(result.objective.after);
    for (const group of result.groups) {
      expect([...group.permutation].sort((x, y) => x - y)).toEqual(Array.from({ length: group.channels }, (_, i) => i));
    }
    // the aligned b computes b's function on every sample, read back from the bytes returned
    expect(result.sameFunction).toBe(true);
    const comparison = await compareGraphOutputs(runtime, fixture.b, readOnnx(result.bytes), inputFeed(runtime, fixture));
    expect(comparison.maxRelativeDifference).toBeLessThan(1e-5);
    const { before, after, inputs } = result.interpolation!;
    expect(inputs).toBe(`the first 64 samples of ${name}`);
    expect(before.points).toHaveLength(11);
    expect(after.points).toHaveLength(11);
    // the targets are a's outputs (from PyTorch: ONNX Runtime agrees to ~1e-7 relative), so the loss at a is float32
    // roundoff; at alpha = 1 both paths end at b's function, so the same loss
    const meanSquare = targets.values.reduce((sum, v) => sum + v * v, 0) / targets.values.length;
    expect(before.points[0]!.loss!).toBeLessThanOrEqual(1e-10 * meanSquare);
    expect(after.points[0]!.loss!).toBeLessThanOrEqual(1e-10 * meanSquare);
    expect(Math.abs(after.points[10]!.loss! - before.points[10]!.loss!)).toBeLessThanOrEqual(1e-4 * before.points[10]!.loss!);
    expect(before.lossBarrier).toBeDefined();
  });

  it('two different architectures: GraphMismatchError, after both graphs were analysed', async () => {
    const runtime = await loadOnnxRuntime();
    const stages: GraphModelStage['stage'][] = [];
    const error = await matchGraphModels(runtime, realModel('resnet').a, realModel('mlp-activations').b, { onStage: (stage) => stages.push(stage.stage) }).catch((e: unknown) => e);
    expect(GraphMismatchError.isInstance(error)).toBe(true);
    expect(stages).toEqual(['channel-groups', 'channel-groups', 'match']);
  });

  it('targets without samples are refused before any work', async () => {
    const runtime = await loadOnnxRuntime();
    const fixture = realModel('mlp-activations');
    const error = await matchGraphModels(runtime, fixture.a, fixture.b, { targets: pytorchOutputs('mlp-activations') }).catch((e: unknown) => e);
    expect(InvalidArgumentError.isInstance(error) && error.argument).toBe('targets');
  });
});
