/**
 * Every descramblers error class, table-driven: built from its options object, it has its name,
 * kind, message and detail; `isInstance` holds for it (and for its revived twin from another
 * thread) and fails for a sibling class.
 */
import { DescrambleError, reviveError, serializeError } from '@descramble/core';
import { describe, expect, it } from 'vitest';
import { DescramblerError, type DescramblersFailure, EmptyDataError, NotPositiveSemidefiniteError, ZeroMatrixError } from './index.js';

interface ErrorClass {
  readonly name: string;
  isInstance(value: unknown): boolean;
}

interface Case {
  readonly make: (cause?: unknown) => DescramblersFailure;
  readonly errorClass: ErrorClass;
  readonly kind: DescramblersFailure['kind'];
  readonly message: string;
  readonly detail: Record<string, unknown>;
  readonly sibling: ErrorClass;
}

const cases: readonly Case[] = [
  {
    make: (cause) => new EmptyDataError({ operation: 'descrambleLayer', cause }),
    errorClass: EmptyDataError,
    kind: 'EmptyData',
    message: 'descramblers: descrambleLayer: data: expected at least one sample (row), got none',
    detail: { samples: 0 },
    sibling: ZeroMatrixError,
  },
  {
    make: (cause) => new ZeroMatrixError({ operation: 'exactDescrambler', what: 'gram', why: 'an all-zero layer or all-zero data', cause }),
    errorClass: ZeroMatrixError,
    kind: 'ZeroMatrix',
    message: 'descramblers: exactDescrambler: gram: is the zero matrix (an all-zero layer or all-zero data); every P is optimal, so there is nothing to descramble',
    detail: { what: 'gram', why: 'an all-zero layer or all-zero data' },
    sibling: NotPositiveSemidefiniteError,
  },
  {
    make: (cause) => new NotPositiveSemidefiniteError({ operation: 'exactDescrambler', index: 3, eigenvalue: -0.5, roundoff: 1e-12, cause }),
    errorClass: NotPositiveSemidefiniteError,
    kind: 'NotPositiveSemidefinite',
    message: 'descramblers: exactDescrambler: gram: eigenvalue 3 is -0.5, below -1e-12 (the roundoff bound), so the matrix is not a Gram matrix S S^T',
    detail: { index: 3, eigenvalue: -0.5, roundoff: 1e-12 },
    sibling: EmptyDataError,
  },
];

describe('descramblers errors', () => {
  it.each(cases.map((c) => [c.errorClass.name, c] as const))('%s: options, name, kind, message, detail, isInstance', (_, c) => {
    const error = c.make();
    expect(error.name).toBe(c.errorClass.name);
    expect(error.kind).toBe(c.kind);
    expect(error.message).toBe(c.message);
    expect(error.detail).toEqual(c.detail);
    expect(error.scope).toBe('descramblers');
    expect(error.cause).toBeUndefined();
    expect(c.errorClass.isInstance(error)).toBe(true);
    expect(c.sibling.isInstance(error)).toBe(false);
    expect(DescramblerError.isInstance(error)).toBe(true);
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

  it('each class has its own kind', () => {
    const kinds = cases.map((c) => c.kind);
    expect(new Set(kinds).size).toBe(kinds.length);
  });
});
