import { createRng, type Rng } from '@descramble/linalg';
import type { OnnxModel } from '@descramble/io';
import { describe, expect, it } from 'vitest';
import { inputFeed, node, REAL_MODELS, realModel, smoothTensor } from '../../test/real-models.js';
import { InvalidArgumentError, InvalidPermutationError } from '../errors.js';
import { loadOnnxRuntime, valueShapes } from '../runtime/onnx-runtime.js';
import { type ChannelGroup, type ChannelGroupAnalysis, channelGroups } from './channel-groups.js';
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
        // a part of the units (a slice, a head's dims) starts at the side's offset
        for (const side of group.layers.filter((s) => s.side === 'out')) {
          const before = layerWeightMatrix(a, analysis.layers.find((l) => l.name === side.layer)!);
          const after = layerWeightMatrix(permuted, layers.find((l) => l.name === side.layer)!);
          const fanIn = before.shape[1]!;
          for (let i = 0; i < group.size; i++) {
            // the input side may have moved too, so compare sorted rows
            const row = (m: Float64Array, r: number) => Array.from(m.subarray(r * fanIn, (r + 1) * fanIn)).sort((x, y) => x - y);
            expect(row(after.data, side.offset + i)).toEqual(row(before.data, side.offset + p[i]!));
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

  it('permutes the dims of attention heads exactly only with all their members, also when the q slice is read whole by a layer', async () => {
    const runtime = await loadOnnxRuntime();
    const fixture = realModel('transformer');
    // the q slice also feeds a linear layer whose output is a second graph output: a consistent use
    const probed: OnnxModel = {
      ...fixture.a,
      graph: {
        ...fixture.a.graph,
        nodes: [...fixture.a.graph.nodes, node('probe/MatMul', 'MatMul', ['/encoder/self_attn/Slice_output_0', 'probe.weight'], ['probe'])],
        initializers: new Map([...fixture.a.graph.initializers, ['probe.weight', smoothTensor([16, 4], 4)]]),
        outputs: [...fixture.a.graph.outputs, { name: 'probe', dtype: 'float32', shape: null }],
      },
    };
    const analysis = channelGroups(probed, await valueShapes(runtime, probed, inputFeed(runtime, fixture, 2)));
    const heads = analysis.groups.filter((g) => g.permutable && g.size === 8);
    expect(heads.length).toBe(2);
    const queriesKeys = heads.find((g) => g.members.some((m) => m.initializer === 'probe.weight'))!;
    expect(queriesKeys.members.filter((m) => m.initializer === 'probe.weight').map((m) => [m.axis, m.offset])).toEqual([[0, 0], [0, 8]]);
    const values = heads.find((g) => g !== queriesKeys)!;
    const rng = createRng(3);
    const permutations = new Map(heads.map((g) => [g.id, randomPermutation(rng, 8)] as const));
    const feeds = inputFeed(runtime, fixture);
    const exact = await compareGraphOutputs(runtime, probed, permuteGraph(probed, analysis, permutations), feeds);
    expect(exact.outputs.length).toBe(2);
    expect(exact.maxRelativeDifference).toBeLessThan(TOLERANCE);
    // the same permutations missing a side (keys, or out_proj's columns) change the function
    const without = (group: ChannelGroup, keep: (m: ChannelGroup['members'][number]) => boolean): ChannelGroupAnalysis => ({
      ...analysis,
      groups: analysis.groups.map((g) => (g.id === group.id ? { ...g, members: g.members.filter(keep) } : g)),
    });
    const noKeys = without(queriesKeys, (m) => m.initializer === 'probe.weight' || m.offset < 16);
    expect((await compareGraphOutputs(runtime, probed, permuteGraph(probed, noKeys, permutations), feeds)).maxRelativeDifference).toBeGreaterThan(1e-3);
    const noOutProjection = without(values, (m) => m.initializer !== 'encoder.self_attn.out_proj.weight');
    expect((await compareGraphOutputs(runtime, probed, permuteGraph(probed, noOutProjection, permutations), feeds)).maxRelativeDifference).toBeGreaterThan(1e-3);
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
