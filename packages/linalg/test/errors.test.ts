import { describe, expect, it } from 'vitest';
import {
  DescrambleError,
  DimensionMismatchError,
  InvalidArgumentError,
  LinalgError,
  NonFiniteInputError,
  NotSymmetricError,
  scopedErrorBase,
} from '../src/index.js';

// Two package bases as the other packages declare them.
const SpectralError = scopedErrorBase('spectral', 'SpectralError');
const NetsError = scopedErrorBase('nets', 'NetsError');

class DegenerateInputError extends SpectralError {
  override readonly name = 'DegenerateInputError';
}

describe('shared errors with a scope', () => {
  it('prefix the message with the scope, linalg by default, and keep their fields', () => {
    const own = new DimensionMismatchError({ operation: 'gemm', what: 'a columns', expected: 3, actual: 4, scope: 'linalg' });
    const spectral = new DimensionMismatchError({ operation: 'weightSpectrum', what: 'w shape', expected: 'a non-empty matrix', actual: '0 x 3', scope: 'spectral' });
    expect(own.message).toBe('linalg: gemm: a columns: expected 3, got 4');
    expect(spectral.message).toBe('spectral: weightSpectrum: w shape: expected a non-empty matrix, got 0 x 3');
    expect(spectral).toMatchObject({
      name: 'DimensionMismatchError',
      scope: 'spectral',
      operation: 'weightSpectrum',
      expected: 'a non-empty matrix',
      actual: '0 x 3',
    });
    const symmetric = new NotSymmetricError({ operation: 'checkSymmetric', asymmetry: 0.5, tolerance: 1e-10, location: 'gram[0, 2]', scope: 'descramblers' });
    expect(symmetric.message).toMatch(/^descramblers: checkSymmetric: matrix is not symmetric: .* at gram\[0, 2\]/);
    expect(symmetric).toMatchObject({ asymmetry: 0.5, tolerance: 1e-10, location: 'gram[0, 2]' });
  });

  it('are one class whichever package throws, and belong to that package by scope', () => {
    const spectral = new NonFiniteInputError({ operation: 'rfft', location: 'x[2]', value: Number.NaN, scope: 'spectral' });
    const nets = new InvalidArgumentError({ operation: 'train', argument: 'epochs', what: 'expected a positive integer', scope: 'nets' });
    const own = new InvalidArgumentError({ operation: 'secondDerivative', argument: 'kind', what: 'unknown', scope: 'linalg' });
    expect(spectral).toBeInstanceOf(NonFiniteInputError);
    expect(spectral).toBeInstanceOf(DescrambleError);
    // A package base holds by scope through isInstance (instanceof is left to mean the prototype).
    expect(SpectralError.isInstance(spectral)).toBe(true);
    expect(NetsError.isInstance(spectral)).toBe(false);
    expect(LinalgError.isInstance(spectral)).toBe(false);
    expect(NetsError.isInstance(nets)).toBe(true);
    expect(SpectralError.isInstance(nets)).toBe(false);
    expect(LinalgError.isInstance(own)).toBe(true);
    expect(SpectralError.isInstance(own)).toBe(false);
    expect(SpectralError.isInstance(new Error('plain'))).toBe(false);
  });

  it('package bases and their subclasses: scope prefix, ordinary instanceof below the base', () => {
    const base = new SpectralError({ operation: 'bandedness', reason: 'total energy is zero' });
    const degenerate = new DegenerateInputError({ operation: 'spectralCentroid', reason: 'total energy is zero' });
    expect(base.message).toBe('spectral: bandedness: total energy is zero');
    expect(base.name).toBe('SpectralError');
    expect(degenerate.name).toBe('DegenerateInputError');
    expect(degenerate.scope).toBe('spectral');
    expect(degenerate).toBeInstanceOf(SpectralError);
    expect(degenerate).toBeInstanceOf(DegenerateInputError);
    // A subclass tests by prototype, not by scope.
    expect(base).not.toBeInstanceOf(DegenerateInputError);
    expect(new DimensionMismatchError({ operation: 'op', what: 'x', expected: 1, actual: 2, scope: 'spectral' })).not.toBeInstanceOf(DegenerateInputError);
    expect(new LinalgError({ operation: 'op', reason: 'detail' }).message).toBe('linalg: op: detail');
  });
});
