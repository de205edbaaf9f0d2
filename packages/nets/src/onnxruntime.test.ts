import { describe, expect, it } from 'vitest';
import { OptionalDependencyError } from './errors.js';
import { loadOnnxRuntime, ONNX_RUNTIME_INSTRUCTIONS } from './onnxruntime.js';

describe('loadOnnxRuntime', () => {
  it('is not installed here, and the error says how to add it', async () => {
    try {
      await loadOnnxRuntime();
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(OptionalDependencyError);
      expect((error as OptionalDependencyError).dependency).toBe('onnxruntime-node');
      expect((error as Error).message).toContain('ONNXRUNTIME_NODE_INSTALL=skip');
      expect((error as OptionalDependencyError).instructions).toBe(ONNX_RUNTIME_INSTRUCTIONS);
    }
  });
});
