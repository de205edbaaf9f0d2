import { describe, expect, it } from 'vitest';
import { inputFeed, realModel } from '../../test/real-models.js';
import { loadOnnxRuntime } from '../runtime/onnx-runtime.js';
import { compareGraphOutputs } from './compare-outputs.js';

describe('compareGraphOutputs', () => {
  it('reports zero for a model against itself and the size of a real change', async () => {
    const runtime = await loadOnnxRuntime();
    const fixture = realModel('mlp-activations');
    const same = await compareGraphOutputs(runtime, fixture.a, fixture.a, inputFeed(runtime, fixture));
    expect(same.maxAbsDifference).toBe(0);
    expect(same.maxRelativeDifference).toBe(0);
    const other = await compareGraphOutputs(runtime, fixture.a, fixture.b, inputFeed(runtime, fixture));
    expect(other.maxRelativeDifference).toBeGreaterThan(0.01);
    expect(other.outputs[0]!.relativeDifference).toBeCloseTo(other.outputs[0]!.maxAbsDifference / other.outputs[0]!.scale, 12);
  });
});
