import { readFileSync } from 'node:fs';
import { type OnnxModel, readNpy, readOnnx, writeOnnx } from '@descramble/io';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import { loadOnnxRuntime } from '../runtime/onnx-runtime.js';
import { interpolateGraphs } from './interpolate-graphs.js';
import { interpolationPath } from './interpolation-path.js';

const fixture = (name: string, file: string) => readFileSync(new URL(`../../../../fixtures/real-models/${name}/${file}`, import.meta.url));
const model = (name: string, copy: 'a' | 'b') => readOnnx(fixture(name, `${copy}.onnx`));
const batch = async (name: string) => {
  const runtime = await loadOnnxRuntime();
  const tensor = readNpy(fixture(name, 'inputs.npy'));
  return { input: new runtime.Tensor('float32', Float32Array.from(tensor.data as Float64Array), tensor.shape) };
};

function gemmModel(weight: number[], bias: number[]): OnnxModel {
  return readOnnx(
    writeOnnx({
      graph: {
        nodes: [{ opType: 'Gemm', inputs: ['x', 'w', 'b'], outputs: ['y'], attributes: { transB: { type: 'int', value: 1 } } }],
        initializers: { w: { dtype: 'float32', shape: [2, 3], data: Float64Array.from(weight) }, b: { dtype: 'float32', shape: [2], data: Float64Array.from(bias) } },
        inputs: [{ name: 'x', dtype: 'float32', shape: ['batch', 3] }],
        outputs: [{ name: 'y', dtype: 'float32', shape: ['batch', 2] }],
      },
    }),
  );
}

describe('interpolateGraphs', () => {
  it('gives a at alpha 0, b at alpha 1 and the average at 1/2, weight by weight', () => {
    const a = model('resnet', 'a');
    const b = model('resnet', 'b');
    for (const [alpha, pick] of [[0, (x: number) => x], [1, (_: number, y: number) => y], [0.5, (x: number, y: number) => (x + y) / 2]] as const) {
      const mixed = interpolateGraphs(a, b, alpha);
      for (const [name, tensor] of a.graph.initializers) {
        const other = b.graph.initializers.get(name);
        const got = mixed.graph.initializers.get(name);
        expect(got?.shape).toEqual(tensor.shape);
        if (other === undefined || got === undefined) throw new Error(`missing ${name}`);
        for (let i = 0; i < tensor.data.length; i += 7) {
          expect(got.data[i]).toBeCloseTo(pick(tensor.data[i] as number, other.data[i] as number), 14);
        }
      }
    }
  });

  it('refuses two different architectures, naming the node', () => {
    expect(() => interpolateGraphs(model('resnet', 'a'), model('cnn-pools', 'a'), 0.5)).toThrow(InvalidArgumentError);
    expect(() => interpolateGraphs(model('resnet', 'a'), model('resnet', 'b'), Number.NaN)).toThrow(/alpha/);
  });

  it('pairs weights by position, so b may split a shared initializer', () => {
    const a = model('transformer', 'a');
    const b = model('transformer', 'b');
    // rename one of b's initializers everywhere: the pairing is by position, not by name
    expect(b.graph.initializers.has('encoder.linear1.bias')).toBe(true);
    const renamed = new Map([...b.graph.initializers].map(([name, t]) => [name === 'encoder.linear1.bias' ? 'renamed' : name, t]));
    const nodes = b.graph.nodes.map((node) => ({ ...node, inputs: node.inputs.map((i) => (i === 'encoder.linear1.bias' ? 'renamed' : i)) }));
    const mixed = interpolateGraphs(a, { ...b, graph: { ...b.graph, nodes, initializers: renamed } }, 1);
    expect([...mixed.graph.initializers.keys()].sort()).toEqual([...a.graph.initializers.keys()].sort());
  });
});

describe('interpolationPath', () => {
  it('is flat for a network linear in its weights (one Gemm), with the exact loss line', async () => {
    const runtime = await loadOnnxRuntime();
    const a = gemmModel([1, 2, 3, 4, 5, 6], [0.5, -1]);
    const b = gemmModel([-1, 0, 2, 1, -3, 0.5], [1, 2]);
    const data = Float32Array.from({ length: 30 }, (_, i) => Math.sin(i));
    const targets = new Float64Array(20);
    const path = await interpolationPath(runtime, a, b, { x: new runtime.Tensor('float32', data, [10, 3]) }, { steps: 5, targets });
    expect(path.points.map((p) => p.alpha)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(path.outputBarrier).toBeLessThan(1e-6);
    // the loss of a linear path is a convex quadratic in alpha: below its chord, so the barrier is <= 0
    expect(path.lossBarrier).toBeLessThanOrEqual(1e-6);
  });

  it('leaves the straight line inside a trained network, zero at both ends', async () => {
    const runtime = await loadOnnxRuntime();
    const input = await batch('mlp-activations');
    const path = await interpolationPath(runtime, model('mlp-activations', 'a'), model('mlp-activations', 'b'), input, { steps: 3 });
    expect(path.points[0]?.outputDeviation).toBe(0);
    expect(path.points[2]?.outputDeviation).toBe(0);
    expect(path.outputBarrier).toBeGreaterThan(1e-3);
    expect(path.samples).toBe(64);
  });

  it("reproduces PyTorch's outputs at alpha 0", async () => {
    const runtime = await loadOnnxRuntime();
    const input = await batch('cnn-pools');
    const expected = readNpy(fixture('cnn-pools', 'outputs-a.npy')).data as Float64Array;
    const path = await interpolationPath(runtime, model('cnn-pools', 'a'), model('cnn-pools', 'b'), input, { steps: 2, targets: expected });
    expect(path.points[0]?.loss).toBeLessThan(1e-10);
    expect(path.points[1]?.loss).toBeGreaterThan(1e-6);
  });
});
