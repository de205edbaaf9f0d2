import { describe, expect, it } from 'vitest';
import { inputFeed, REAL_MODELS, realModel } from '../../test/real-models.js';
import { GraphMismatchError } from '../errors.js';
import { loadOnnxRuntime, valueShapes } from '../runtime/onnx-runtime.js';
import { channelGroups } from './channel-groups.js';
import { compareGraphOutputs } from './compare-outputs.js';
import { graphLayers, layerWeightMatrix } from './graph-layers.js';
import { matchGraphs } from './match-graphs.js';
import { permuteGraph } from './permute-graph.js';

describe('matchGraphs', () => {
  for (const name of REAL_MODELS) {
    it(`matches b onto a at least as well as scipy's coordinate descent on ${name}, and the permuted b is the same function`, async () => {
      const runtime = await loadOnnxRuntime();
      const fixture = realModel(name);
      const { a, b, reference } = fixture;
      const two = inputFeed(runtime, fixture, 2);
      const analysisA = channelGroups(a, await valueShapes(runtime, a, two));
      const result = matchGraphs(a, b, analysisA, { restarts: 4, seed: 1 });
      const scale = Math.abs(reference.matching.objectiveScipy);
      expect(Math.abs(result.objectiveBefore - reference.matching.objectiveIdentity)).toBeLessThanOrEqual(1e-12 * scale);
      expect(result.objectiveAfter).toBeGreaterThanOrEqual(reference.matching.objectiveScipy - 1e-9 * scale);
      expect(result.cosineAfter).toBeGreaterThanOrEqual(result.cosineBefore);
      expect(result.cosineAfter).toBeLessThanOrEqual(1);
      expect(result.restartObjectives[result.bestRestart]).toBe(result.objectiveAfter);
      // the permutations, written into b, give the objective claimed and keep b's function
      const analysisB = channelGroups(b, await valueShapes(runtime, b, two));
      const permuted = permuteGraph(b, analysisB, result.permutations);
      const layersA = graphLayers(a);
      const layersB = graphLayers(permuted);
      let value = 0;
      layersA.forEach((layer, k) => {
        const x = layerWeightMatrix(a, layer).data;
        const y = layerWeightMatrix(permuted, layersB[k]!).data;
        for (let i = 0; i < x.length; i++) value += x[i]! * y[i]!;
      });
      expect(Math.abs(value - result.objectiveAfter)).toBeLessThanOrEqual(1e-12 * scale);
      const comparison = await compareGraphOutputs(runtime, b, permuted, inputFeed(runtime, fixture));
      expect(comparison.maxRelativeDifference).toBeLessThan(1e-5);
    });
  }

  it('is reproducible for a seed, and the identity run alone equals its first run', async () => {
    const runtime = await loadOnnxRuntime();
    const fixture = realModel('resnet');
    const shapes = await valueShapes(runtime, fixture.a, inputFeed(runtime, fixture, 2));
    const first = matchGraphs(fixture.a, fixture.b, shapes, { restarts: 3, seed: 9 });
    const again = matchGraphs(fixture.a, fixture.b, shapes, { restarts: 3, seed: 9 });
    expect(again.restartObjectives).toEqual(first.restartObjectives);
    expect([...again.permutations.values()].map((p) => [...p])).toEqual([...first.permutations.values()].map((p) => [...p]));
    const single = matchGraphs(fixture.a, fixture.b, shapes, { restarts: 1 });
    expect(single.restartObjectives).toEqual([first.restartObjectives[0]]);
  });

  it('refuses graphs of different architectures', async () => {
    const runtime = await loadOnnxRuntime();
    const fixture = realModel('mlp-activations');
    const other = realModel('mlp-batchnorm');
    const shapes = await valueShapes(runtime, fixture.a, inputFeed(runtime, fixture, 2));
    expect(() => matchGraphs(fixture.a, other.b, shapes)).toThrow(GraphMismatchError);
  });
});
