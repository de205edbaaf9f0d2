import { type OnnxModelDescription, readOnnx, writeOnnx } from '@descramble/io';
import { createRng } from '@descramble/linalg';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, UnsupportedOperatorError } from './errors.js';
import { forward } from './forward.js';
import { modelFromOnnx, readOnnxModel, writeOnnxModel } from './onnx.js';

const rng = createRng(3);
const w1 = rng.normalArray(6 * 4); // MatMul weight, [in = 6, out = 4]
const b1 = rng.normalArray(4);
const w2 = rng.normalArray(4 * 2); // Gemm weight with transB = 0, [in = 4, out = 2]
const b2 = rng.normalArray(2);
const x = { shape: [5, 2, 3], data: rng.normalArray(30) };

function graph(nodes: OnnxModelDescription['graph']['nodes'], extra: Record<string, { dtype: 'float64' | 'int64'; shape: number[]; data: Float64Array | BigInt64Array }> = {}): OnnxModelDescription {
  return {
    graph: {
      nodes,
      initializers: {
        'w1': { dtype: 'float64', shape: [6, 4], data: w1 },
        'b1': { dtype: 'float64', shape: [4], data: b1 },
        'w2': { dtype: 'float64', shape: [4, 2], data: w2 },
        'b2': { dtype: 'float64', shape: [1, 2], data: b2 },
        ...extra,
      },
      inputs: [{ name: 'x', dtype: 'float64', shape: ['N', 2, 3] }],
      outputs: [{ name: 'y', dtype: 'float64', shape: ['N', 2] }],
    },
  };
}

/** y = sigmoid(reshape(x) W1 + b1) (alpha W2) + beta b2, by hand. */
function expected(alpha: number, beta: number): number[] {
  const out: number[] = [];
  for (let n = 0; n < 5; n++) {
    const h: number[] = [];
    for (let j = 0; j < 4; j++) {
      let s = b1[j]!;
      for (let i = 0; i < 6; i++) s += x.data[n * 6 + i]! * w1[i * 4 + j]!;
      h.push(1 / (1 + Math.exp(-s)));
    }
    for (let k = 0; k < 2; k++) {
      let s = beta * b2[k]!;
      for (let j = 0; j < 4; j++) s += alpha * h[j]! * w2[j * 2 + k]!;
      out.push(s);
    }
  }
  return out;
}

describe('modelFromOnnx', () => {
  it('translates Constant + Reshape, MatMul + Add, Sigmoid, Dropout and Gemm (transB = 0, alpha, beta)', () => {
    const bytes = writeOnnx(
      graph([
        { opType: 'Constant', inputs: [], outputs: ['shape'], attributes: { value: { type: 'tensor', value: { dtype: 'int64', shape: [2], data: new BigInt64Array([0n, -1n]) } } } },
        { opType: 'Reshape', name: '/flat', inputs: ['x', 'shape'], outputs: ['f'] },
        { opType: 'MatMul', inputs: ['f', 'w1'], outputs: ['m'] },
        { opType: 'Add', inputs: ['m', 'b1'], outputs: ['a'] },
        { opType: 'Sigmoid', name: '/act', inputs: ['a'], outputs: ['s'] },
        { opType: 'Dropout', inputs: ['s'], outputs: ['d'] },
        { opType: 'Gemm', inputs: ['d', 'w2', 'b2'], outputs: ['y'], attributes: { alpha: { type: 'float', value: 0.5 }, beta: { type: 'float', value: 2 } } },
      ]),
    );
    const model = modelFromOnnx(readOnnx(bytes));
    expect(model.layers.map((l) => l.kind)).toEqual(['flatten', 'dense', 'activation', 'dense']);
    expect(model.layers.map((l) => l.name)).toEqual(['flat', 'w1', 'act', 'w2']);
    expect(model.inputShape).toEqual([2, 3]);
    expect(model.precision).toBe('float64');
    const y = forward(model, x);
    const reference = expected(0.5, 2);
    for (let i = 0; i < reference.length; i++) expect(Math.abs(y.data[i]! - reference[i]!)).toBeLessThan(1e-14);
  });

  it('refuses operators it cannot translate, and graphs that are not chains', () => {
    const lstm = writeOnnx(graph([{ opType: 'Flatten', inputs: ['x'], outputs: ['f'] }, { opType: 'Softmax', name: 'sm', inputs: ['f'], outputs: ['y'] }]));
    try {
      modelFromOnnx(readOnnx(lstm));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(UnsupportedOperatorError);
      expect((error as UnsupportedOperatorError).operator).toBe('Softmax');
    }
    const branching = writeOnnx(
      graph([
        { opType: 'Flatten', inputs: ['x'], outputs: ['f'] },
        { opType: 'Relu', inputs: ['f'], outputs: ['r'] },
        { opType: 'Add', inputs: ['f', 'r'], outputs: ['y'] },
      ]),
    );
    expect(() => modelFromOnnx(readOnnx(branching))).toThrow(UnsupportedOperatorError);
  });

  it('needs an input shape when the file leaves it symbolic', () => {
    const description = graph([{ opType: 'Flatten', inputs: ['x'], outputs: ['f'] }, { opType: 'Gemm', inputs: ['f', 'w1', 'b1'], outputs: ['y'] }]);
    const symbolic: OnnxModelDescription = { graph: { ...description.graph, inputs: [{ name: 'x', dtype: 'float64', shape: ['N', 'C', 3] }] } };
    const parsed = readOnnx(writeOnnx(symbolic));
    expect(() => modelFromOnnx(parsed)).toThrow(InvalidArgumentError);
    expect(modelFromOnnx(parsed, { inputShape: [2, 3] }).inputShape).toEqual([2, 3]);
  });

  it('names every layer, never empty and never twice, deterministically, and keeps the names through a round trip', () => {
    const square = (seed: number) => ({ dtype: 'float64' as const, shape: [3, 3], data: createRng(seed).normalArray(9) });
    const transB = { transB: { type: 'int' as const, value: 1 } };
    const description: OnnxModelDescription = {
      graph: {
        nodes: [
          { opType: 'Gemm', name: '/fc', inputs: ['x', '...weight'], outputs: ['h1'], attributes: transB },
          { opType: 'Relu', name: '/a/b', inputs: ['h1'], outputs: ['h2'] },
          { opType: 'Relu', name: 'a_b', inputs: ['h2'], outputs: ['h3'] },
          { opType: 'Gemm', inputs: ['h3', '.weight'], outputs: ['h4'], attributes: transB },
          { opType: 'Tanh', name: 'dense3', inputs: ['h4'], outputs: ['h5'] },
          { opType: 'Gemm', name: '/blk/fc', inputs: ['h5', '.weight'], outputs: ['h6'], attributes: transB },
          { opType: 'Relu', inputs: ['h6'], outputs: ['h7'] },
          { opType: 'Gemm', inputs: ['h7', 'w.weight'], outputs: ['h8'], attributes: transB },
          { opType: 'Gemm', inputs: ['h8', 'w'], outputs: ['h9'], attributes: transB },
          { opType: 'Sigmoid', name: '/', inputs: ['h9'], outputs: ['y'] },
        ],
        initializers: { '...weight': square(1), '.weight': square(2), 'w.weight': square(3), w: square(4) },
        inputs: [{ name: 'x', dtype: 'float64', shape: ['N', 3] }],
        outputs: [{ name: 'y', dtype: 'float64', shape: ['N', 3] }],
      },
    };
    const model = modelFromOnnx(readOnnx(writeOnnx(description)));
    const names = model.layers.map((l) => l.name);
    // '...weight' loses its suffix; an empty weight name falls back to the node's name, then to
    // <kind><position>; a taken name gets #2; '/a/b' reads 'a.b', distinct from 'a_b'
    expect(names).toEqual(['..', 'a.b', 'a_b', 'dense3', 'dense3#2', 'blk.fc', 'relu6', 'w', 'w#2', 'logistic9']);
    expect(new Set(names).size).toBe(names.length);
    expect(modelFromOnnx(readOnnx(writeOnnx(description))).layers.map((l) => l.name)).toEqual(names);
    const again = readOnnxModel(writeOnnxModel(model));
    expect(again.layers.map((l) => l.name)).toEqual(names);
    const input = { shape: [4, 3], data: createRng(5).normalArray(12) };
    expect(Array.from(forward(again, input).data)).toEqual(Array.from(forward(model, input).data));
  });
});
