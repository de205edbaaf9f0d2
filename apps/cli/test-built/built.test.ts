import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI_ROOT, fixture, interruptSolver, listing, signalBudgetMs, runChild, temporaryDirectory } from '../test/helpers.js';

// The published binary (dist/bin.js on the packages' dist builds), which turbo builds before
// this suite runs (`test:built` depends on `build`): what a user installing from npm runs.
describe('the built descramble binary', () => {
  it('is built', () => {
    expect(existsSync(join(CLI_ROOT, 'dist/bin.js'))).toBe(true);
  });

  it('explains a model and writes its output', async () => {
    const root = temporaryDirectory('built');
    const result = await runChild(['explain', fixture('mlp.onnx'), '--data', fixture('mlp_input.npy'), '--out', join(root, 'out'), '--no-figures', '-q'], { built: true });
    expect(result.code, result.stderr).toBe(0);
    expect(listing(join(root, 'out'))).toContain('report.json');
  });

  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`${signal} mid-solver stops it within 1 s with exit ${code}, nothing written`, async () => {
      const { root, result, stoppedAfterMs } = await interruptSolver(signal, { built: true });
      expect(result.code, result.stderr).toBe(code);
      expect(result.stderr).toContain(`descramble: interrupted by ${signal}; nothing was written`);
      expect(listing(root)).toEqual(['w.npy', 'x.npy']);
      process.stdout.write(`built, ${signal} mid-solver: stopped ${stoppedAfterMs.toFixed(0)} ms after the signal\n`);
      expect(stoppedAfterMs).toBeLessThan(signalBudgetMs());
    });
  }
});
