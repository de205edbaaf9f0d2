import { readFileSync } from 'node:fs';
import { readOnnx } from '@descramble/io';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import { loadOnnxRuntime, valueShapes, withGraphOutputs } from './onnx-runtime.js';

const resnet = readOnnx(readFileSync(new URL('../../../../fixtures/real-models/resnet/a.onnx', import.meta.url)));

describe('loadOnnxRuntime', () => {
  it('loads onnxruntime-node (a dev dependency here) with the API this package uses', async () => {
    const runtime = await loadOnnxRuntime();
    expect(typeof runtime.InferenceSession.create).toBe('function');
    expect(typeof runtime.Tensor).toBe('function');
  });
});

describe('withGraphOutputs', () => {
  it('adds intermediate values as outputs and refuses a name no node produces', () => {
    expect(() => withGraphOutputs(resnet, ['no such value'])).toThrow(InvalidArgumentError);
    const bytes = withGraphOutputs(resnet, ['/stem/stem.2/Relu_output_0', 'output']);
    expect(readOnnx(bytes).graph.outputs.map((o) => o.name)).toEqual(['output', '/stem/stem.2/Relu_output_0']);
  });
});

describe('valueShapes', () => {
  it('reads the shape of every value from one run', async () => {
    const runtime = await loadOnnxRuntime();
    const input = new runtime.Tensor('float32', new Float32Array(2 * 3 * 12 * 12), [2, 3, 12, 12]);
    const shapes = await valueShapes(runtime, resnet, { input });
    expect(shapes.get('input')).toEqual([2, 3, 12, 12]);
    expect(shapes.get('output')).toEqual([2, 5]);
    expect(shapes.get('/stem/stem.2/Relu_output_0')).toEqual([2, 8, 12, 12]);
  });
});
