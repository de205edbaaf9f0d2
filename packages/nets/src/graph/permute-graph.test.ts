import { createRng, type Rng } from '@descramble/linalg';
import type { OnnxModel } from '@descramble/io';
import { describe, expect, it } from 'vitest';
import { inputFeed, REAL_MODELS, realModel } from '../../test/real-models.js';
import { InvalidArgumentError, InvalidPermutationError } from '../errors.js';
import { loadOnnxRuntime, valueShapes } from '../runtime/onnx-runtime.js';
import { channelGroups } from './channel-groups.js';
import { compareGraphOutputs } from './compare-outputs.js';
import { graphLayers, layerWeightMatrix } from './graph-layers.js';
import { permuteGraph } from './permute-graph.js';

function randomPermutation(rng: Rng, n: number): Int32Array {
  const p = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}

// float32 networks of a few layers: a reordered sum differs by a few ulps per layer
const TOLERANCE = 1e-5;

describe('permuteGraph', () => {
  for (const name of REAL_MODELS) {
    it(`reorders every permutable group of ${name} without changing its outputs`, async () => {
      const runtime = await loadOnnxRuntime();
      const fixture = realModel(name);
      const { a } = fixture;
      const analysis = channelGroups(a, await valueShapes(runtime, a, inputFeed(runtime, fixture, 2)));
      const rng = createRng(name.length);
      const permutations = new Map(analysis.groups.filter((g) => g.permutable).map((g) => [g.id, randomPermutation(rng, g.size)] as const));
      const permuted = permuteGraph(a, analysis, permutations);
      const comparison = await compareGraphOutputs(runtime, a, permuted, inputFeed(runtime, fixture));
      expect(comparison.maxRelativeDifference).toBeLessThan(TOLERANCE);
      // the weights really moved: row i of every group's producing layer is old row p[i]
      const layers = graphLayers(permuted);
      for (const group of analysis.groups.filter((g) => g.permutable)) {
        const p = permutations.get(group.id)!;
        for (const side of group.layers.filter((s) => s.side === 'out')) {
          const before = layerWeightMatrix(a, analysis.layers.find((l) => l.name === side.layer)!);
          const after = layerWeightMatrix(permuted, layers.find((l) => l.name === side.layer)!);
          const fanIn = before.shape[1]!;
          for (let i = 0; i < group.size; i++) {
            // the input side may have moved too, so compare sorted rows
            const row = (m: Float64Array, r: number) => Array.from(m.subarray(r * fanIn, (r + 1) * fanIn)).sort((x, y) => x - y);
            expect(row(after.data, i)).toEqual(row(before.data, p[i]!));
          }
        }
      }
      // the model itself is untouched
      expect(a.graph.initializers).toBe(fixture.a.graph.initializers);
    });
  }

  it('duplicates a constant shared by two differently permuted groups (an Identity alias) instead of permuting it twice', async () => {
    const runtime = await loadOnnxRuntime();
    const fixture = realModel('mlp-activations');
    // layer 2's bias becomes an Identity of layer 0's (both 32 units, in different groups)
    const { a } = fixture;
    const initializers = new Map(a.graph.initializers);
    initializers.set('2.bias', a.graph.initializers.get('0.bias')!);
    const shared: OnnxModel = {
      ...a,
      graph: {
        ...a.graph,
        initializers: new Map([...initializers].filter(([key]) => key !== '2.bias')),
        nodes: [
          { name: 'alias', opType: 'Identity', domain: '', inputs: ['0.bias'], outputs: ['alias_of_0.bias'], attributes: {} },
          ...a.graph.nodes.map((n) => ({ ...n, inputs: n.inputs.map((i) => (i === '2.bias' ? 'alias_of_0.bias' : i)) })),
        ],
      },
    };
    const analysis = channelGroups(shared, await valueShapes(runtime, shared, inputFeed(runtime, fixture, 2)));
    const rng = createRng(5);
    const permutations = new Map(analysis.groups.filter((g) => g.permutable).map((g) => [g.id, randomPermutation(rng, g.size)] as const));
    expect(permutations.size).toBe(3);
    const permuted = permuteGraph(shared, analysis, permutations);
    expect([...permuted.graph.initializers.keys()].filter((k) => k.startsWith('0.bias')).sort()).toEqual(['0.bias', '0.bias.permuted']);
    const comparison = await compareGraphOutputs(runtime, shared, permuted, inputFeed(runtime, fixture));
    expect(comparison.maxRelativeDifference).toBeLessThan(TOLERANCE);
  });

  it('refuses a group that is not permutable, an unknown group and a malformed permutation', async () => {
    const runtime = await loadOnnxRuntime();
    const fixture = realModel('mlp-activations');
    const analysis = channelGroups(fixture.a, await valueShapes(runtime, fixture.a, inputFeed(runtime, fixture, 2)));
    const blocked = analysis.groups.find((g) => !g.permutable)!;
    expect(() => permuteGraph(fixture.a, analysis, new Map([[blocked.id, randomPermutation(createRng(1), blocked.size)]]))).toThrow(InvalidPermutationError);
    expect(() => permuteGraph(fixture.a, analysis, new Map([[99, [0]]]))).toThrow(InvalidArgumentError);
    expect(() => permuteGraph(fixture.a, analysis, new Map([[0, [0, 0, ...Array.from({ length: 30 }, (_, i) => i + 2)]]]))).toThrow(InvalidPermutationError);
    expect(() => permuteGraph(fixture.a, analysis, new Map([[0, [0, 1]]]))).toThrow(InvalidPermutationError);
  });
});
