import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PermutationError } from './errors.js';
import { readQaplib, readQaplibSolution } from './qaplib.js';

/** What `f` throws (undefined when it returns): package bases are tested by `isInstance`, which holds by scope. */
function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('readQaplib', () => {
  it('reads n, A and B regardless of line breaks', () => {
    const instance = readQaplib('2\n\n 0 1\n 2 0\n\n0 5 7\n0\n');
    expect(instance.n).toBe(2);
    expect(instance.a.to2DArray()).toEqual([
      [0, 1],
      [2, 0],
    ]);
    expect(instance.b.to2DArray()).toEqual([
      [0, 5],
      [7, 0],
    ]);
    const solution = readQaplibSolution('3 42\n 3 1 2\n');
    expect(Array.from(solution.permutation)).toEqual([2, 0, 1]);
    expect(solution.value).toBe(42);
  });

  it('throws only typed errors on random text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        for (const parse of [readQaplib, readQaplibSolution]) {
          try {
            parse(text);
          } catch (error) {
            expect(PermutationError.isInstance(error)).toBe(true);
          }
        }
      }),
    );
    expect(PermutationError.isInstance(thrown(() => readQaplib('2 1 2 3')))).toBe(true);
    expect(PermutationError.isInstance(thrown(() => readQaplibSolution('3 10 1 1 2')))).toBe(true);
  });
});
