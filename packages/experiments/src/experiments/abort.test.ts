import { describe, expect, it } from 'vitest';
import { bandpass } from './bandpass.js';
import { EXPERIMENT_NAMES } from './experiment.js';
import { linearNetwork } from './linear-network.js';
import { runExperiment } from './run.js';

/** A signal that trips on its n-th check: only checks inside the loops reach n. */
function tripping(n: number, reason: Error): { signal: AbortSignal; checks: () => number } {
  let checks = 0;
  const signal = {
    aborted: false,
    reason,
    throwIfAborted() {
      checks++;
      if (checks >= n) throw reason;
    },
  } as unknown as AbortSignal;
  return { signal, checks: () => checks };
}

describe('experiments: AbortSignal', () => {
  it('a pre-aborted signal throws its reason before any work, for every experiment', () => {
    const reason = new Error('ctrl-c');
    for (const name of EXPERIMENT_NAMES) expect(() => runExperiment(name, { signal: AbortSignal.abort(reason) })).toThrow(reason);
  });

  it('training loops check the signal every epoch / recorded step', () => {
    const reason = new Error('stop');
    const epochs = tripping(4, reason);
    expect(() => bandpass({ samples: 128, epochs: 20, signal: epochs.signal })).toThrow(reason);
    expect(epochs.checks()).toBe(4);
    const steps = tripping(5, reason);
    expect(() => linearNetwork({ size: 8, hidden: 2, samples: 400, operators: ['blur'], signal: steps.signal })).toThrow(reason);
    expect(steps.checks()).toBe(5);
  });
});
