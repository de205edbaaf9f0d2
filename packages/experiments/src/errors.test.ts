import { DescrambleError } from '@descramble/core';
import { describe, expect, it } from 'vitest';
import { ExperimentsError, MalformedModelError } from './errors.js';

describe('experiments errors (options-object constructors)', () => {
  it('MalformedModelError: message, kind, detail, cause, isInstance', () => {
    const cause = new Error('inner');
    const error = new MalformedModelError({ operation: 'bandpass', reason: 'the model has no dense layer 1', cause });
    expect(error.message).toBe('experiments: bandpass: the model has no dense layer 1');
    expect(error.kind).toBe('MalformedModel');
    expect(error.detail).toEqual({ reason: 'the model has no dense layer 1' });
    expect(error.cause).toBe(cause);
    expect(MalformedModelError.isInstance(error)).toBe(true);
    expect(ExperimentsError.isInstance(error)).toBe(true);
    expect(DescrambleError.isInstance(error)).toBe(true);
    expect(MalformedModelError.isInstance(new Error('x'))).toBe(false);
  });
});
