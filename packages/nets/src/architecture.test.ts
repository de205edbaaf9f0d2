import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { modelFromTensors, modelToSpec, modelToTensors, parseArchitectureSpec } from './architecture.js';
import { MissingTensorError, NetsError, ShapeMismatchError, UnsupportedOperatorError } from './errors.js';
import { forward } from './forward.js';

const tensors = new Map([
  ['a.weight', { dtype: 'float32', shape: [3, 2], data: new Float64Array([1, 2, 3, 4, 5, 6]) }],
  ['a.bias', { dtype: 'float32', shape: [3], data: new Float64Array([0.5, 0, -0.5]) }],
  ['head', { dtype: 'float32', shape: [1, 3], data: new Float64Array([1, -1, 2]) }],
  ['steps', { dtype: 'int64', shape: [], data: new BigInt64Array([3n]) }],
]);

describe('modelFromTensors', () => {
  it('builds a model from PyTorch-style names, explicit names and no-bias layers', () => {
    const model = modelFromTensors(tensors, {
      inputShape: [2],
      layers: [{ type: 'dense', name: 'a' }, { type: 'relu' }, { type: 'dense', weight: 'head', bias: null }],
    });
    expect(model.layers.map((l) => l.name)).toEqual(['a', 'relu1', 'head']);
    expect(model.precision).toBe('float32');
    // relu([1 - 2 + 0.5, 3 - 4, 5 - 6 - 0.5]) = [0, 0, 0]; x = [1, 1]: [3.5, 7, 10.5] -> 3.5 - 7 + 21
    expect(Array.from(forward(model, { shape: [2, 2], data: new Float64Array([1, -1, 1, 1]) }).data)).toEqual([0, 17.5]);
    // and the tensors it writes are the ones it read, under its own names
    const written = modelToTensors(model);
    expect([...written.keys()]).toEqual(['a.weight', 'a.bias', 'head.weight']);
    expect(written.get('a.weight')!.dtype).toBe('float32');
    expect(modelToSpec(model).layers[2]).toEqual({ type: 'dense', name: 'head', weight: 'head.weight', bias: null });
  });

  it('names the missing or unusable tensor', () => {
    try {
      modelFromTensors(tensors, { inputShape: [2], layers: [{ type: 'dense', name: 'b' }] });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(MissingTensorError);
      expect((error as MissingTensorError).tensor).toBe('b.weight');
    }
    expect(() => modelFromTensors(tensors, { inputShape: [2], layers: [{ type: 'dense', weight: 'steps' }] })).toThrow(MissingTensorError);
    expect(() => modelFromTensors(tensors, { inputShape: [5], layers: [{ type: 'dense', name: 'a' }] })).toThrow(ShapeMismatchError);
  });

  it('parses JSON specs with typed errors, never a crash', () => {
    expect(() => parseArchitectureSpec({ inputShape: [2], layers: [{ type: 'lstm' }] })).toThrow(UnsupportedOperatorError);
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        try {
          parseArchitectureSpec(value);
        } catch (error) {
          expect(NetsError.isInstance(error)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
