/**
 * The spectral error class, table-driven like every package's: built from its options object,
 * it has its name, kind, message and detail; `isInstance` holds for it (and for its revived twin
 * from another thread) and fails for a sibling class.
 */
import { DescrambleError, reviveError, serializeError } from '@descramble/core';
import { describe, expect, it } from 'vitest';
import { DegenerateInputError, NonFiniteInputError, SpectralError, type SpectralFailure } from './index.js';

interface ErrorClass {
  readonly name: string;
  isInstance(value: unknown): boolean;
}

interface Case {
  readonly make: (cause?: unknown) => SpectralFailure;
  readonly errorClass: ErrorClass;
  readonly kind: SpectralFailure['kind'];
  readonly message: string;
  readonly detail: Record<string, unknown>;
  readonly sibling: ErrorClass;
}

const cases: readonly Case[] = [
  {
    make: (cause) => new DegenerateInputError({ operation: 'bandEnergyFraction', reason: 'total energy is zero', cause }),
    errorClass: DegenerateInputError,
    kind: 'DegenerateInput',
    message: 'spectral: bandEnergyFraction: total energy is zero',
    detail: { reason: 'total energy is zero' },
    sibling: NonFiniteInputError,
  },
];

describe('spectral errors', () => {
  it.each(cases.map((c) => [c.errorClass.name, c] as const))('%s: options, name, kind, message, detail, isInstance', (_, c) => {
    const error = c.make();
    expect(error.name).toBe(c.errorClass.name);
    expect(error.kind).toBe(c.kind);
    expect(error.message).toBe(c.message);
    expect(error.detail).toEqual(c.detail);
    expect(error.scope).toBe('spectral');
    expect(error.cause).toBeUndefined();
    expect(c.errorClass.isInstance(error)).toBe(true);
    expect(c.sibling.isInstance(error)).toBe(false);
    expect(SpectralError.isInstance(error)).toBe(true);
    expect(DescrambleError.isInstance(error)).toBe(true);
    // A twin from another thread (or another installed copy) passes the same tests.
    const revived = reviveError(serializeError(error)!);
    expect(revived.message).toBe(c.message);
    expect(c.errorClass.isInstance(revived)).toBe(true);
    expect(c.sibling.isInstance(revived)).toBe(false);
  });

  it.each(cases.map((c) => [c.errorClass.name, c] as const))('%s keeps its cause', (_, c) => {
    const cause = new Error('underlying');
    const error = c.make(cause);
    expect(error.cause).toBe(cause);
    expect(error.message).toBe(c.message);
  });
});
