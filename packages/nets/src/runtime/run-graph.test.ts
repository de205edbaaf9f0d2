import { readOnnx, writeOnnx } from '@descramble/io';
import { describe, expect, it } from 'vitest';
import { ShapeMismatchError } from '../errors.js';
import { captureGrams } from './capture-grams.js';
import { loadOnnxRuntime } from './onnx-runtime.js';
import { runGraph } from './run-graph.js';

const runtime = await loadOnnxRuntime();
// a float64 graph: y = x W^T + b, z = Shape(y) (an int64 output)
const model = readOnnx(
  writeOnnx({
    graph: {
      nodes: [
        { opType: 'Gemm', inputs: ['x', 'w', 'b'], outputs: ['y'], attributes: { transB: { type: 'int', value: 1 } } },
        { opType: 'Shape', inputs: ['y'], outputs: ['z'] },
      ],
      initializers: { w: { dtype: 'float64', shape: [2, 2], data: Float64Array.of(1, 2, 3, 4) }, b: { dtype: 'float64', shape: [2], data: Float64Array.of(0.5, -1) } },
      inputs: [{ name: 'x', dtype: 'float64', shape: ['batch', 2] }],
      outputs: [
        { name: 'y', dtype: 'float64', shape: ['batch', 2] },
        { name: 'z', dtype: 'int64', shape: [2] },
      ],
    },
  }),
);

describe('runGraph', () => {
  it('feeds float32 data to a float64 input and returns float and integer outputs', async () => {
    const outputs = await runGraph(runtime, model, { data: Float32Array.of(1, 1, 0.25, -1), dims: [2, 2] });
    expect(outputs.y).toEqual({ data: Float64Array.of(3.5, 6, -1.25, -4.25), dims: [2, 2] });
    expect(outputs.z).toEqual({ data: Float64Array.of(2, 2), dims: [2] });
  });

  it('validates the feeds like captureGrams', async () => {
    await expect(runGraph(runtime, model, { data: new Float32Array(3), dims: [1, 3] })).rejects.toThrow(ShapeMismatchError);
  });

  it('captures a float64 graph without a loss of precision', async () => {
    const x = Float64Array.of(0.1, 0.2, 0.3, 0.4);
    const result = await captureGrams(runtime, model, [{ name: 'fc', output: 'y', bias: 'b', biasScale: 1, biasIncluded: true, channelAxis: 1, units: 2 }], { data: x, dims: [2, 2] });
    // S = x W^T: [0.5, 1.1; 1.1, 2.5] in exact arithmetic, float64 roundoff here
    const s = [0.1 + 2 * 0.2, 3 * 0.1 + 4 * 0.2, 0.3 + 2 * 0.4, 3 * 0.3 + 4 * 0.4];
    const expected = [s[0]! ** 2 + s[2]! ** 2, s[0]! * s[1]! + s[2]! * s[3]!, s[0]! * s[1]! + s[2]! * s[3]!, s[1]! ** 2 + s[3]! ** 2];
    result.grams[0]!.gram.to1DArray().forEach((v, k) => {
      expect(Math.abs(v - expected[k]!)).toBeLessThan(1e-14 * Math.abs(expected[k]!));
    });
  });
});
