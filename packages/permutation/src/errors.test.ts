/**
 * The permutation error class, table-driven like every package's: built from its options object,
 * it has its name, kind, message and detail; `isInstance` holds for it (and for its revived twin
 * from another thread) and fails for a sibling class.
 */
import { DescrambleError, reviveError, serializeError } from '@descramble/core';
import { describe, expect, it } from 'vitest';
import { DimensionMismatchError, InfeasibleAssignmentError, PermutationError, type PermutationFailure } from './index.js';

interface ErrorClass {
  readonly name: string;
  isInstance(value: unknown): boolean;
}

interface Case {
  readonly make: (cause?: unknown) => PermutationFailure;
  readonly errorClass: ErrorClass;
  readonly kind: PermutationFailure['kind'];
  readonly message: string;
  readonly detail: Record<string, unknown>;
  readonly sibling: ErrorClass;
}

const cases: readonly Case[] = [
  {
    make: (cause) => new InfeasibleAssignmentError({ operation: 'linearAssignment', axis: 'column', index: 4, cause }),
    errorClass: InfeasibleAssignmentError,
    kind: 'InfeasibleAssignment',
    message: 'permutation: linearAssignment: infeasible: column 4 cannot be assigned without a forbidden (infinite-cost) pair',
    detail: { axis: 'column', index: 4 },
    sibling: DimensionMismatchError,
  },
];

describe('permutation errors', () => {
  it.each(cases.map((c) => [c.errorClass.name, c] as const))('%s: options, name, kind, message, detail, isInstance', (_, c) => {
    const error = c.make();
    expect(error.name).toBe(c.errorClass.name);
    expect(error.kind).toBe(c.kind);
    expect(error.message).toBe(c.message);
    expect(error.detail).toEqual(c.detail);
    expect(error.scope).toBe('permutation');
    expect(error.cause).toBeUndefined();
    expect(c.errorClass.isInstance(error)).toBe(true);
    expect(c.sibling.isInstance(error)).toBe(false);
    expect(PermutationError.isInstance(error)).toBe(true);
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

  it('the fields say the facts of the message', () => {
    const error = new InfeasibleAssignmentError({ operation: 'linearAssignment', axis: 'row', index: 0 });
    expect(error).toMatchObject({ axis: 'row', index: 0 });
    expect(error.message).toBe('permutation: linearAssignment: infeasible: row 0 cannot be assigned without a forbidden (infinite-cost) pair');
  });
});
