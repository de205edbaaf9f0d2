import { describe, expect, it } from 'vitest';
import { CliError, InputError, InterruptedError } from './cli-errors.js';
import { DescrambleError, NotSymmetricError, serializeError } from '@descramble/core';
import { DescramblerError } from '@descramble/descramblers';
import { reviveError, splitRange } from './parallel-gram.js';

describe('splitRange', () => {
  it('cuts a range into contiguous parts that cover it exactly, sizes differing by at most one', () => {
    for (const [start, end, parts] of [[0, 203, 4], [17, 18, 1], [100, 1_000_003, 7], [5, 9, 4]] as const) {
      const ranges = splitRange({ start, end }, parts);
      expect(ranges).toHaveLength(parts);
      expect(ranges[0]?.start).toBe(start);
      expect(ranges[parts - 1]?.end).toBe(end);
      for (let i = 1; i < parts; i++) expect(ranges[i]?.start).toBe(ranges[i - 1]?.end);
      const sizes = ranges.map((r) => r.end - r.start);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
  });
});

describe('reviveError', () => {
  it('gives back the class, message, exit code and location a worker reported', () => {
    const input = reviveError({ name: 'InputError', message: 'x.npy: bad', exitCode: 1, file: 'x.npy', tensor: 'x' });
    expect(input).toBeInstanceOf(InputError);
    expect(input).toMatchObject({ message: 'x.npy: bad', exitCode: 1, file: 'x.npy', tensor: 'x' });
    expect(reviveError({ name: 'InterruptedError', message: '', exitCode: 130 })).toBeInstanceOf(InterruptedError);
    const cli = reviveError({ name: 'CliError', message: 'failed', exitCode: 1 });
    expect(cli).toBeInstanceOf(CliError);
    const typed = reviveError({ name: 'NonFiniteInputError', message: 'linalg: NaN at [2, 3]' });
    expect(typed).not.toBeInstanceOf(CliError);
    expect([typed.name, typed.message]).toEqual(['NonFiniteInputError', 'linalg: NaN at [2, 3]']);
  });

  it('revives a package error as one that passes the isInstance of every class of the original', () => {
    const original = new NotSymmetricError({ scope: 'descramblers', operation: 'checkSymmetric', asymmetry: 0.5, tolerance: 1e-10, location: 'gram[0, 2]' });
    // What gram-worker.ts posts, through the structured clone of postMessage.
    const typed = serializeError(original) ?? expect.unreachable('a DescrambleError serialises');
    const posted = structuredClone({ name: original.name, message: original.message, typed });
    const revived = reviveError(posted);
    expect(NotSymmetricError.isInstance(revived)).toBe(true);
    expect(DescrambleError.isInstance(revived)).toBe(true);
    expect(DescramblerError.isInstance(revived)).toBe(true);
    expect(revived).toMatchObject({ name: 'NotSymmetricError', message: original.message, scope: 'descramblers', operation: 'checkSymmetric', location: 'gram[0, 2]' });
    expect(revived).toMatchObject({ detail: { asymmetry: 0.5, tolerance: 1e-10, location: 'gram[0, 2]' } });
  });
});
