import { createRng } from '@descramble/linalg';
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { descrambleChannels, smoothnessMatrix } from './channel-descrambling.js';
import { solveLinearAssignment } from './linear-assignment.js';
import { type QuadraticAssignmentMethod, solveQuadraticAssignment } from './quadratic-assignment.js';
import { type Cnn, matchCnnWeights, matchMlpWeights } from './weight-matching.js';

/**
 * A signal that counts its checks and aborts at the `abortAt`-th (never when undefined): it
 * stands in for an abort arriving mid-run where the solver has no callback between checks.
 */
function countingSignal(reason: Error, abortAt?: number): AbortSignal & { checks: number } {
  const fake = {
    checks: 0,
    aborted: false,
    reason,
    throwIfAborted(): void {
      fake.checks++;
      if (abortAt !== undefined && fake.checks >= abortAt) throw reason;
    },
  };
  return fake as unknown as AbortSignal & { checks: number };
}

/**
 * Runs `solve` once with a signal that never aborts (counting its checks, which must be more
 * than two, so the run has checks inside it and not only on entry), then with one that aborts
 * at the middle check: that run must throw the reason exactly there, making no further check.
 */
function expectStopsMidRun(solve: (signal: AbortSignal) => unknown): void {
  const reason = new Error('cancelled');
  const counting = countingSignal(reason);
  solve(counting);
  expect(counting.checks).toBeGreaterThan(2);
  const middle = Math.ceil(counting.checks / 2);
  const aborting = countingSignal(reason, middle);
  expect(() => solve(aborting)).toThrow(reason);
  expect(aborting.checks).toBe(middle);
}

function randomMatrix(rows: number, columns: number, seed: number): Matrix {
  const rng = createRng(seed);
  return new Matrix(Array.from({ length: rows }, () => Array.from(rng.normalArray(columns))));
}

/** A random Gram matrix G G^T (c x c). */
function randomGram(c: number, seed: number): Matrix {
  const g = randomMatrix(c, 2 * c, seed);
  return g.mmul(g.transpose());
}

describe('cancellation: a pre-aborted signal throws its reason at once', () => {
  const reason = new Error('stop');
  const signal = AbortSignal.abort(reason);

  it('linear assignment', () => {
    expect(() => solveLinearAssignment(randomMatrix(6, 6, 1), { signal })).toThrow(reason);
    const controller = new AbortController();
    controller.abort();
    expect(() => solveLinearAssignment(randomMatrix(6, 6, 1), { signal: controller.signal })).toThrow(expect.objectContaining({ name: 'AbortError' }));
  });

  it('quadratic assignment, every method', () => {
    const a = smoothnessMatrix(7, 'fourier');
    const b = randomGram(7, 2);
    for (const method of ['auto', 'branch-and-bound', 'lemma1-rounding', 'faq', 'two-opt', 'tabu'] as QuadraticAssignmentMethod[]) {
      expect(() => solveQuadraticAssignment(a, b, { method, signal })).toThrow(reason);
    }
  });

  it('channel descrambling and weight matching', () => {
    expect(() => descrambleChannels(randomGram(6, 3), { signal })).toThrow(reason);
    expect(() => descrambleChannels(randomGram(6, 3), { solver: { signal } })).toThrow(reason);
    const mlp = [{ weight: randomMatrix(5, 4, 4) }, { weight: randomMatrix(3, 5, 5) }];
    expect(() => matchMlpWeights(mlp, mlp, { signal })).toThrow(reason);
  });
});

describe('cancellation: an abort mid-run stops at the next check', () => {
  it('linear assignment: between augmenting paths', () => {
    // rectangular, so every row is placed by an augmenting path (no square-only reductions)
    const cost = randomMatrix(12, 20, 6);
    expectStopsMidRun((signal) => solveLinearAssignment(cost, { signal }));
    // a signal that never aborts changes nothing
    expect(Array.from(solveLinearAssignment(cost, { signal: new AbortController().signal }).assignment)).toEqual(Array.from(solveLinearAssignment(cost).assignment));
  });

  it('quadratic assignment: FAQ iterations, 2-opt passes, tabu moves, branch-and-bound nodes, auto restarts', () => {
    const a12 = smoothnessMatrix(12, 'fourier');
    const b12 = randomGram(12, 7);
    for (const method of ['faq', 'two-opt', 'tabu', 'auto'] as QuadraticAssignmentMethod[]) {
      expectStopsMidRun((signal) => solveQuadraticAssignment(a12, b12, { method, signal, tolerance: 0 }));
    }
    const a8 = smoothnessMatrix(8, 'fourier');
    const b8 = randomGram(8, 8);
    for (const method of ['branch-and-bound', 'auto'] as QuadraticAssignmentMethod[]) {
      expectStopsMidRun((signal) => solveQuadraticAssignment(a8, b8, { method, signal, initial: Int32Array.from({ length: 8 }, (_, i) => i) }));
    }
  });

  it('channel descrambling (signed: several QAP solves and sign rounds)', () => {
    const gram = randomGram(10, 9);
    expectStopsMidRun((signal) => descrambleChannels(gram, { signed: true, activation: 'odd', signal }));
  });

  it('weight matching of MLPs and CNNs: between layer assignments', () => {
    const mlpA = [{ weight: randomMatrix(6, 4, 10) }, { weight: randomMatrix(7, 6, 11) }, { weight: randomMatrix(3, 7, 12) }];
    const mlpB = [{ weight: randomMatrix(6, 4, 13) }, { weight: randomMatrix(7, 6, 14) }, { weight: randomMatrix(3, 7, 15) }];
    expectStopsMidRun((signal) => matchMlpWeights(mlpA, mlpB, { signal }));
    const cnn = (seed: number): Cnn => {
      const rng = createRng(seed);
      return {
        conv: [{ weight: { shape: [4, 2, 3], data: rng.normalArray(24) } }, { weight: { shape: [5, 4, 3], data: rng.normalArray(60) } }],
        dense: [{ weight: randomMatrix(3, 5 * 6, seed + 1) }],
      };
    };
    expectStopsMidRun((signal) => matchCnnWeights(cnn(20), cnn(30), { signal }));
  });
});
