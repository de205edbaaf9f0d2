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
    const own = new DimensionMismatchError('gemm', 'a columns', 3, 4);
    const spectral = new DimensionMismatchError('weightSpectrum', 'w shape', 'a non-empty matrix', '0 x 3', {
      scope: 'spectral',
    });
    expect(own.message).toBe('linalg: gemm: a columns: expected 3, got 4');
    expect(spectral.message).toBe('spectral: weightSpectrum: w shape: expected a non-empty matrix, got 0 x 3');
    expect(spectral).toMatchObject({
      name: 'DimensionMismatchError',
      scope: 'spectral',
      operation: 'weightSpectrum',
      expected: 'a non-empty matrix',
      actual: '0 x 3',
    });
    const symmetric = new NotSymmetricError('checkSymmetric', 0.5, 1e-10, 'gram[0, 2]', { scope: 'descramblers' });
    expect(symmetric.message).toMatch(/^descramblers: checkSymmetric: matrix is not symmetric: .* at gram\[0, 2\]/);
    expect(symmetric).toMatchObject({ asymmetry: 0.5, tolerance: 1e-10, location: 'gram[0, 2]' });
  });

  it('are one class whichever package throws, and belong to that package by scope', () => {
    const spectral = new NonFiniteInputError('rfft', 'x[2]', Number.NaN, { scope: 'spectral' });
    const nets = new InvalidArgumentError('train', 'epochs', 'expected a positive integer', { scope: 'nets' });
    const own = new InvalidArgumentError('secondDerivative', 'kind', 'unknown');
    expect(spectral).toBeInstanceOf(NonFiniteInputError);
    expect(spectral).toBeInstanceOf(DescrambleError);
    expect(spectral).toBeInstanceOf(SpectralError);
    expect(spectral).not.toBeInstanceOf(NetsError);
    expect(spectral).not.toBeInstanceOf(LinalgError);
    expect(nets).toBeInstanceOf(NetsError);
    expect(nets).not.toBeInstanceOf(SpectralError);
    expect(own).toBeInstanceOf(LinalgError);
    expect(own).not.toBeInstanceOf(SpectralError);
    expect(new Error('plain')).not.toBeInstanceOf(SpectralError);
  });

  it('package bases and their subclasses: scope prefix, ordinary instanceof below the base', () => {
    const base = new SpectralError('bandedness', 'total energy is zero');
    const degenerate = new DegenerateInputError('spectralCentroid', 'total energy is zero');
    expect(base.message).toBe('spectral: bandedness: total energy is zero');
    expect(base.name).toBe('SpectralError');
    expect(degenerate.name).toBe('DegenerateInputError');
    expect(degenerate.scope).toBe('spectral');
    expect(degenerate).toBeInstanceOf(SpectralError);
    expect(degenerate).toBeInstanceOf(DegenerateInputError);
    // A subclass tests by prototype, not by scope.
    expect(base).not.toBeInstanceOf(DegenerateInputError);
    expect(new DimensionMismatchError('op', 'x', 1, 2, { scope: 'spectral' })).not.toBeInstanceOf(DegenerateInputError);
    expect(new LinalgError('op', 'detail').message).toBe('linalg: op: detail');
  });
});
