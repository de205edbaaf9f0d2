import type { OnnxModel } from '@descramble/io';
import { describe, expect, it } from 'vitest';
import { handBuiltModel, inputFeed, node, REAL_MODELS, realModel, smoothTensor } from '../../test/real-models.js';
import { loadOnnxRuntime, valueShapes } from '../runtime/onnx-runtime.js';
import { type ChannelGroup, type ChannelGroupAnalysis, channelGroups } from './channel-groups.js';

async function analyse(name: string, model: 'a' | 'b' = 'a'): Promise<{ analysis: ChannelGroupAnalysis; onnx: OnnxModel }> {
  const runtime = await loadOnnxRuntime();
  const fixture = realModel(name);
  const onnx = fixture[model];
  return { analysis: channelGroups(onnx, await valueShapes(runtime, onnx, inputFeed(runtime, fixture, 2))), onnx };
}

const sideKey = (module: string, side: string, offset: number) => `${module}:${side}:${offset}`;

/** Whether a group holds only part of a layer's units (a slice, the dims of attention heads). */
const isPart = (analysis: ChannelGroupAnalysis, group: ChannelGroup) =>
  group.layers.some((s) => s.side === 'out' && (s.offset !== 0 || analysis.layers.find((l) => l.name === s.layer)!.units !== group.size));

const memberKeys = (group: ChannelGroup) => group.members.map((m) => `${m.initializer}:${m.axis}:${m.offset}:${m.block}:${m.role}`).sort();

describe('channelGroups', () => {
  for (const name of REAL_MODELS) {
    it(`finds the hand-written permutation groups of ${name}`, async () => {
      const { reference } = realModel(name);
      for (const copy of ['a', 'b'] as const) {
        const { analysis } = await analyse(name, copy);
        // the reference knows whole layers' units only; groups of parts (attention heads' dims) are tested below
        const found = analysis.groups
          .filter((g) => g.permutable && !isPart(analysis, g))
          .map((g) => g.layers.map((s) => sideKey(s.layer, s.side, s.offset / s.block)).sort().join(' '))
          .sort();
        const expected = reference.groups.map((g) => g.map((s) => sideKey(s.module, s.side, s.offset ?? 0)).sort().join(' ')).sort();
        expect(found).toEqual(expected);
        for (const group of analysis.groups) {
          expect(group.permutable).toBe(group.blockedBy === null);
          // every group's channels start at a layer's units
          expect(group.layers.filter((s) => s.side === 'out').length).toBeGreaterThan(0);
        }
      }
    });
  }

  it('follows attention heads: one group for the dims of queries and keys, one for values and the output projection', async () => {
    for (const copy of ['a', 'b'] as const) {
      const { analysis } = await analyse('transformer', copy);
      const parts = analysis.groups.filter((g) => isPart(analysis, g));
      const heads = parts.filter((g) => g.permutable);
      // d_model 16, 2 heads of 8 dims; in_proj's units are q | k | v, 16 each
      expect(heads.map((g) => g.size)).toEqual([8, 8]);
      const inProj = (offsets: number[]) => offsets.flatMap((o) => [`onnx::MatMul_136:1:${o}:1:weight`, `encoder.self_attn.in_proj_bias:0:${o}:1:parameter`]);
      const queriesKeys = heads.find((g) => g.layers.some((s) => s.layer === 'encoder.self_attn' && s.offset === 0))!;
      expect(memberKeys(queriesKeys)).toEqual(inProj([0, 8, 16, 24]).sort());
      expect(queriesKeys.layers.map((s) => sideKey(s.layer, s.side, s.offset)).sort()).toEqual([0, 8, 16, 24].map((o) => sideKey('encoder.self_attn', 'out', o)).sort());
      const values = heads.find((g) => g !== queriesKeys)!;
      expect(memberKeys(values)).toEqual([...inProj([32, 40]), 'encoder.self_attn.out_proj.weight:1:0:1:weight', 'encoder.self_attn.out_proj.weight:1:8:1:weight'].sort());
      expect(values.layers.filter((s) => s.side === 'in').map((s) => sideKey(s.layer, s.side, s.offset))).toEqual(
        [0, 8].map((o) => sideKey('encoder.self_attn.out_proj', 'in', o)),
      );
      // q, k and v whole (16 channels, two heads each) cannot be permuted: each is cut into heads
      const slices = parts.filter((g) => !g.permutable);
      expect(slices.map((g) => [g.size, g.blockedBy?.node])).toEqual([
        [16, '/encoder/self_attn/Reshape'],
        [16, '/encoder/self_attn/Reshape_1'],
        [16, '/encoder/self_attn/Reshape_2'],
      ]);
      for (const g of slices) expect(g.blockedBy!.reason).toContain('cuts these channels into parts');
    }
  });

  it('cuts the transformer\'s in-projection into q, k and v at the Slice, and moves the LayerNorm parameters with the stream', async () => {
    const { analysis } = await analyse('transformer');
    const inProjection = analysis.groups.find((g) => g.layers.some((s) => s.layer === 'encoder.self_attn' && s.side === 'out') && g.size === 48)!;
    expect(inProjection.permutable).toBe(false);
    expect(inProjection.blockedBy).toMatchObject({ opType: 'Slice' });
    expect(inProjection.blockedBy!.reason).toContain('/encoder/self_attn/Slice');
    expect(inProjection.blockedBy!.reason).toContain('cuts these channels into parts');
    const stream = analysis.groups.find((g) => g.layers.some((s) => s.layer === 'embed' && s.side === 'out'))!;
    expect(stream.permutable).toBe(true);
    const moved = new Set(stream.members.map((m) => m.initializer));
    for (const parameter of ['encoder.norm1.weight', 'encoder.norm1.bias', 'encoder.norm2.weight', 'encoder.norm2.bias', 'embed.bias', 'encoder.self_attn.out_proj.bias', 'encoder.linear2.bias']) {
      expect(moved.has(parameter), parameter).toBe(true);
    }
    const head = analysis.groups.find((g) => g.layers.some((s) => s.layer === 'head' && s.side === 'out'))!;
    expect(head.blockedBy).toMatchObject({ opType: 'graph output', node: 'output' });
  });

  it('refuses the heads of queries and keys when their slice overlaps another or is coupled whole, naming the node', async () => {
    const runtime = await loadOnnxRuntime();
    const fixture = realModel('transformer');
    const int64 = (values: number[]) => ({ dtype: 'int64' as const, shape: [values.length], data: BigInt64Array.from(values, BigInt) });
    const probe = (extra: OnnxModel['graph']['nodes'], constants: [string, ReturnType<typeof int64>][] = []): OnnxModel => ({
      ...fixture.a,
      graph: { ...fixture.a.graph, nodes: [...fixture.a.graph.nodes, ...extra], initializers: new Map([...fixture.a.graph.initializers, ...constants]) },
    });
    const headGroups = async (model: OnnxModel) => {
      const analysis = channelGroups(model, await valueShapes(runtime, model, inputFeed(runtime, fixture, 2)));
      const heads = analysis.groups.filter((g) => g.size === 8);
      const queriesKeys = heads.find((g) => g.layers.some((s) => s.layer === 'encoder.self_attn' && s.side === 'out' && s.offset === 0))!;
      return { queriesKeys, values: heads.find((g) => g !== queriesKeys)! };
    };
    // a second Slice of in_proj's output taking channels 8..24: half of q and half of k
    const overlapping = probe(
      [node('probe/Slice', 'Slice', ['/encoder/self_attn/Add_output_0', 'probe.starts', 'probe.ends', 'probe.axes'], ['probe/slice'])],
      [['probe.starts', int64([8])], ['probe.ends', int64([24])], ['probe.axes', int64([-1])]],
    );
    const first = await headGroups(overlapping);
    expect(first.queriesKeys.permutable).toBe(false);
    expect(first.queriesKeys.blockedBy).toMatchObject({ node: 'probe/Slice', opType: 'Slice' });
    expect(first.queriesKeys.blockedBy!.reason).toContain('"/encoder/self_attn/Slice"');
    expect(first.values.permutable).toBe(true);
    // the q slice also normalised whole by a Softmax over its channels
    const coupled = probe([node('probe/Softmax', 'Softmax', ['/encoder/self_attn/Slice_output_0'], ['probe/softmax'], { axis: { type: 'int', value: -1 } })]);
    const second = await headGroups(coupled);
    expect(second.queriesKeys.blockedBy).toMatchObject({ node: 'probe/Softmax', opType: 'Softmax' });
    expect(second.values.permutable).toBe(true);
  });

  it('moves BatchNorm parameters and the decomposed LayerNorm scale and shift', async () => {
    const batchNorm = (await analyse('mlp-batchnorm')).analysis;
    const first = batchNorm.groups.find((g) => g.layers.some((s) => s.layer === '0' && s.side === 'out'))!;
    expect(first.members.filter((m) => m.role === 'parameter').map((m) => m.input).sort()).toEqual([1, 2, 3, 4]);
    const decomposed = (await analyse('residual-mlp-layernorm-opset14')).analysis;
    const stream = decomposed.groups.find((g) => g.layers.some((s) => s.layer === 'embed' && s.side === 'out'))!;
    expect(stream.members.filter((m) => m.role === 'parameter').map((m) => m.initializer).sort()).toEqual(
      ['blocks.0.norm.bias', 'blocks.0.norm.weight', 'blocks.1.norm.bias', 'blocks.1.norm.weight', 'norm.bias', 'norm.weight'],
    );
  });

  it('sees a Flatten as blocks of the flattened axis and a Concat as slices', async () => {
    const flatten = (await analyse('cnn1d-flatten')).analysis;
    const conv = flatten.groups.find((g) => g.layers.some((s) => s.layer === '3' && s.side === 'out'))!;
    expect(conv.layers.find((s) => s.layer === '7')).toEqual({ layer: '7', side: 'in', offset: 0, block: 4 });
    const concat = (await analyse('cnn-concat')).analysis;
    const right = concat.groups.find((g) => g.layers.some((s) => s.layer === 'right' && s.side === 'out'))!;
    expect(right.layers.find((s) => s.layer === 'mix')).toEqual({ layer: 'mix', side: 'in', offset: 4, block: 1 });
  });

  it('blocks a group that meets an unknown op, a Softmax over it or an unpermuted computed value, and nothing else', async () => {
    const { onnx } = await analyse('mlp-activations');
    const runtime = await loadOnnxRuntime();
    const fixture = realModel('mlp-activations');
    const nodes = onnx.graph.nodes;
    const secondGemm = nodes.findIndex((n) => n.name === '/2/Gemm');
    const value = nodes[secondGemm]!.outputs[0]!;
    // a Softmax over the units of layer 2 whose result is added back: the group of layer 2 is coupled
    const softmax = { name: 'probe/Softmax', opType: 'Softmax', domain: '', inputs: [value], outputs: ['probe/softmax'], attributes: { axis: { type: 'int' as const, value: 1 } } };
    const add = { name: 'probe/Add', opType: 'Add', domain: '', inputs: [value, 'probe/softmax'], outputs: ['probe/sum'], attributes: {} };
    const rewired = nodes.slice(secondGemm + 1).map((n) => ({ ...n, inputs: n.inputs.map((i) => (i === value ? 'probe/sum' : i)) }));
    const probed: OnnxModel = { ...onnx, graph: { ...onnx.graph, nodes: [...nodes.slice(0, secondGemm + 1), softmax, add, ...rewired] } };
    const analysis = channelGroups(probed, await valueShapes(runtime, probed, inputFeed(runtime, fixture, 2)));
    const layer2 = analysis.groups.find((g) => g.layers.some((s) => s.layer === '2' && s.side === 'out'))!;
    expect(layer2.permutable).toBe(false);
    expect(layer2.blockedBy).toMatchObject({ node: 'probe/Softmax', opType: 'Softmax' });
    expect(analysis.groups.filter((g) => g.permutable).length).toBe(2);
  });

  it('blocks the channels read by a grouped convolution and those added to a graph input', async () => {
    const runtime = await loadOnnxRuntime();
    const grouped = handBuiltModel(
      [
        node('/a/Conv', 'Conv', ['input', 'a.weight'], ['h'], { kernel_shape: { type: 'ints', value: [1] } }),
        node('/b/Conv', 'Conv', ['h', 'b.weight'], ['g'], { group: { type: 'int', value: 2 }, kernel_shape: { type: 'ints', value: [1] } }),
        node('/c/Conv', 'Conv', ['g', 'c.weight'], ['output'], { kernel_shape: { type: 'ints', value: [1] } }),
      ],
      [['a.weight', smoothTensor([4, 4, 1], 1)], ['b.weight', smoothTensor([4, 2, 1], 2)], ['c.weight', smoothTensor([4, 4, 1], 3)]],
      [2, 4, 5],
    );
    const feed = { input: new runtime.Tensor('float32', new Float32Array(40), [2, 4, 5]) };
    const analysis = channelGroups(grouped, await valueShapes(runtime, grouped, feed));
    expect(analysis.groups.map((g) => [g.layers.map((s) => `${s.layer}:${s.side}`).join(' '), g.blockedBy?.opType ?? null])).toEqual([
      ['a:out', 'Conv'],
      ['b:out c:in', null],
      ['c:out', 'graph output'],
    ]);
    expect(analysis.groups[0]!.blockedBy!.reason).toContain('grouped convolution');
    const residual = handBuiltModel(
      [
        node('/a/Conv', 'Conv', ['input', 'a.weight'], ['h'], { kernel_shape: { type: 'ints', value: [1] } }),
        node('/Add', 'Add', ['h', 'input'], ['s']),
        node('/c/Conv', 'Conv', ['s', 'c.weight'], ['output'], { kernel_shape: { type: 'ints', value: [1] } }),
      ],
      [['a.weight', smoothTensor([4, 4, 1], 1)], ['c.weight', smoothTensor([4, 4, 1], 3)]],
      [2, 4, 5],
    );
    const second = channelGroups(residual, await valueShapes(runtime, residual, feed));
    expect(second.groups[0]!.blockedBy).toMatchObject({ node: '/Add', opType: 'Add' });
    expect(second.groups[0]!.blockedBy!.reason).toContain('"input"');
  });
});
