import { describe, expect, it } from 'vitest';
import {
  DescrambleError,
  DimensionMismatchError,
  errorMarker,
  InvalidArgumentError,
  markErrorClass,
  NonFiniteInputError,
  NotSymmetricError,
  reviveError,
  type SharedFailure,
  scopedErrorBase,
  serializeError,
} from '../src/index.js';

const SpectralError = scopedErrorBase('spectral', 'SpectralError');
const NetsError = scopedErrorBase('nets', 'NetsError');

class DegenerateInputError extends SpectralError {
  override readonly name = 'DegenerateInputError';
  static {
    markErrorClass(DegenerateInputError, 'DegenerateInputError');
  }
}

describe('the error base', () => {
  it('reads <scope>: <operation>: <reason> and carries the reason as detail', () => {
    const error = new DimensionMismatchError({ scope: 'linalg', operation: 'gemm', what: 'a columns', expected: 3, actual: 4 });
    expect(error.message).toBe('linalg: gemm: a columns: expected 3, got 4');
    expect(error).toMatchObject({ name: 'DimensionMismatchError', kind: 'DimensionMismatch', scope: 'linalg', operation: 'gemm' });
    expect(error.detail).toEqual({ what: 'a columns', expected: '3', actual: '4' });
    expect(error.summary).toBe('a columns: expected 3, got 4');
    const symmetric = new NotSymmetricError({ scope: 'descramblers', operation: 'checkSymmetric', asymmetry: 0.5, tolerance: 1e-10, location: 'gram[0, 2]' });
    expect(symmetric.message).toMatch(/^descramblers: checkSymmetric: matrix is not symmetric: .* at gram\[0, 2\]/);
    expect(symmetric.detail).toEqual({ asymmetry: 0.5, tolerance: 1e-10, location: 'gram[0, 2]' });
  });

  it('keeps the cause', () => {
    const cause = new Error('underlying');
    const error = new InvalidArgumentError({ scope: 'nets', operation: 'train', argument: 'epochs', what: 'expected a positive integer', cause });
    expect(error.cause).toBe(cause);
    expect(new InvalidArgumentError({ scope: 'nets', operation: 'train', argument: 'epochs', what: 'x' }).cause).toBeUndefined();
  });

  it('isInstance tests the class marker, not the prototype, so a second copy of a class agrees', () => {
    const error = new NonFiniteInputError({ scope: 'spectral', operation: 'rfft', location: 'x[2]', value: Number.NaN });
    expect(NonFiniteInputError.isInstance(error)).toBe(true);
    expect(DescrambleError.isInstance(error)).toBe(true);
    expect(DimensionMismatchError.isInstance(error)).toBe(false);
    expect(DescrambleError.isInstance(new Error('plain'))).toBe(false);
    expect(DescrambleError.isInstance(null)).toBe(false);
    // A class declared again (as a second installed copy would) under the same name: different prototype, same marker.
    class DimensionMismatchErrorCopy extends DescrambleError {}
    markErrorClass(DimensionMismatchErrorCopy, 'DimensionMismatchError');
    const fromCopy = new DimensionMismatchErrorCopy({ scope: 'io', operation: 'read', reason: 'r' });
    expect(fromCopy instanceof DimensionMismatchError).toBe(false);
    expect(DimensionMismatchError.isInstance(fromCopy)).toBe(true);
    expect((fromCopy as unknown as Record<symbol, unknown>)[errorMarker('DimensionMismatchError')]).toBe(true);
  });

  it('package bases: the scope fixed, isInstance by scope, instanceof by prototype', () => {
    const spectral = new NonFiniteInputError({ scope: 'spectral', operation: 'rfft', location: 'x[2]', value: Number.NaN });
    expect(SpectralError.isInstance(spectral)).toBe(true);
    expect(NetsError.isInstance(spectral)).toBe(false);
    const degenerate = new DegenerateInputError({ operation: 'spectralCentroid', reason: 'total energy is zero' });
    expect(degenerate.message).toBe('spectral: spectralCentroid: total energy is zero');
    expect(degenerate).toBeInstanceOf(SpectralError);
    expect(SpectralError.isInstance(degenerate)).toBe(true);
    expect(new SpectralError({ operation: 'op', reason: 'r' })).not.toBeInstanceOf(DegenerateInputError);
  });

  it('the shared kinds form a closed union discriminated by kind', () => {
    const describe = (failure: SharedFailure): string => {
      switch (failure.kind) {
        case 'DimensionMismatch':
          return `${failure.expected} vs ${failure.actual}`;
        case 'NonFiniteInput':
          return failure.location;
        default:
          return failure.kind;
      }
    };
    expect(describe(new DimensionMismatchError({ scope: 's', operation: 'o', what: 'w', expected: 2, actual: 3 }))).toBe('2 vs 3');
  });
});

describe('serializeError and reviveError', () => {
  it('round-trip through structuredClone: message, fields, detail and every class marker', () => {
    const original = new DimensionMismatchError({ scope: 'linalg', operation: 'gemm', what: 'a columns', expected: 3, actual: 4 });
    const data = serializeError(original);
    expect(data?.classes).toEqual(['DescrambleError', 'DimensionMismatchError']);
    const revived = reviveError(structuredClone(data ?? expect.unreachable()));
    expect(revived.message).toBe(original.message);
    expect(revived).toMatchObject({ name: 'DimensionMismatchError', kind: 'DimensionMismatch', scope: 'linalg', operation: 'gemm', expected: '3', actual: '4' });
    expect(DimensionMismatchError.isInstance(revived)).toBe(true);
    expect(DescrambleError.isInstance(revived)).toBe(true);
    expect(InvalidArgumentError.isInstance(revived)).toBe(false);
  });

  it('serialise nothing but DescrambleErrors', () => {
    expect(serializeError(new Error('plain'))).toBeUndefined();
    expect(serializeError('text')).toBeUndefined();
  });
});
