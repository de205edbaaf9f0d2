import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeNpy, writeSafetensors } from '@descramble/io';
import type { GramAccumulator } from '@descramble/linalg';
import { describe, expect, it } from 'vitest';
import { fixture, listing, maxAbsDifference, readGramAccumulator, runChild, runInProcess, temporaryDirectory } from './helpers.js';

// --threads N splits the rows into N contiguous ranges, one worker thread each (started from
// src/ through tsx here), and merges the workers' GramAccumulator bytes. The sum is the same
// sum of the same preactivations, only cut into blocks at other rows: it agrees with one
// thread to a few ulps of the largest entry, far inside 1e-12 relative.
const TOLERANCE = 1e-12;

function relativeDifference(a: GramAccumulator, b: GramAccumulator): number {
  const scale = Math.max(...a.gram().abs().to1DArray());
  return maxAbsDifference(a.gram(), b.gram()) / scale;
}

/** 30 000 samples of 16 features (several 4096-row blocks per worker), deterministic. */
function samples(rows: number): Float64Array {
  const data = new Float64Array(rows * 16);
  for (let k = 0; k < data.length; k++) data[k] = Math.sin(0.37 * k) + 0.25 * Math.cos(0.011 * k * (k % 7));
  return data;
}

describe('--threads N (worker threads for the Gram matrices)', () => {
  const root = temporaryDirectory('threads');
  const rows = 30_000;
  const data = samples(rows);
  const npy = join(root, 'inputs.npy');
  writeFileSync(npy, writeNpy({ dtype: 'float64', shape: [rows, 16], data }));
  // The same rows as a safetensors tensor: read whole, handed to the workers in memory.
  const safetensors = join(root, 'inputs.safetensors');
  writeFileSync(safetensors, writeSafetensors({ x: { dtype: 'float64', shape: [rows, 16], data } }));
  // The worker pool serves the sequential engine (safetensors with an architecture); an ONNX
  // model runs in ONNX Runtime, where --threads sets its intra-op threads instead.
  const architecture = join(root, 'mlp-architecture.json');
  writeFileSync(
    architecture,
    JSON.stringify({ inputShape: [16], layers: [{ type: 'dense', name: 'fc1' }, { type: 'tanh' }, { type: 'dense', name: 'fc2' }, { type: 'tanh' }, { type: 'dense', name: 'fc3' }] }),
  );
  const sequentialModel = [fixture('mlp_float64.safetensors'), '--architecture', architecture];

  it('gram --model (streamed .npy) and gram --weights (in-memory data): --threads 2 equals --threads 1', async () => {
    const cases = [
      ['model', ['--model', fixture('mlp.onnx'), '--layer', 'fc2', '--data', npy]],
      ['weights', ['--weights', `${fixture('mlp_float64.safetensors')}:fc1.weight`, '--data', `${safetensors}:x`]],
    ] as const;
    for (const [name, args] of cases) {
      const files = [1, 2].map((threads) => join(root, `${name}-${threads}.gram`));
      for (const [index, file] of files.entries()) {
        const result = await runInProcess(['gram', ...args, '--threads', String(index + 1), '--out', file, '-q']);
        expect(result.code, result.stderr).toBe(0);
      }
      const [one, two] = (await Promise.all(files.map(readGramAccumulator))) as [GramAccumulator, GramAccumulator];
      expect(two.count).toBe(rows);
      expect(two.dimension).toBe(one.dimension);
      expect(relativeDifference(one, two), name).toBeLessThan(TOLERANCE);
    }
  });

  it('explain --data (two layers, one pass each per worker): the same descrambler values', async () => {
    const reports = [];
    for (const threads of ['1', '2']) {
      const explain = await runInProcess(['explain', ...sequentialModel, '--data', npy, '--threads', threads, '--out', join(root, `explain-${threads}`), '--no-figures', '--json', '-q']);
      expect(explain.code, explain.stderr).toBe(0);
      reports.push(JSON.parse(explain.stdout).layers);
    }
    const [one, two] = reports as [Array<Record<string, number>>, Array<Record<string, number>>];
    expect(two.map((l) => l.sampleCount)).toEqual([rows, rows]);
    one.forEach((record, i) => {
      const other = two[i] as Record<string, number>;
      // Lemma 1 values from Gram matrices equal to ~1e-16: well inside 1e-12 for these
      // well-conditioned 12 x 12 and 8 x 8 layers (see the 2e-16 Gram agreement above).
      for (const key of ['value', 'optimum'] as const) {
        expect(Math.abs((other[key] as number) - (record[key] as number)) / Math.abs(record[key] as number), `${record.name} ${key}`).toBeLessThan(TOLERANCE);
      }
    });
  });

  it('bad data found by a worker: exit 1 with the same message as one thread, nothing written', async () => {
    const bad = Float64Array.from(data);
    bad[25_000 * 16 + 3] = Number.NaN; // in the second worker's rows
    const file = join(root, 'nan.npy');
    writeFileSync(file, writeNpy({ dtype: 'float64', shape: [rows, 16], data: bad }));
    const before = listing(root);
    const results = [];
    for (const threads of ['1', '2']) {
      results.push(await runInProcess(['layer', '--weights', `${fixture('mlp_float64.safetensors')}:fc1.weight`, '--data', file, '--threads', threads, '--out', join(root, 'nan-out'), '--no-figures', '-q']));
    }
    const [one, two] = results as [(typeof results)[0], (typeof results)[0]];
    expect(one.stderr).toBe(`descramble: ${file}: data 'nan' has a non-finite value (NaN) at row 25000, column 3\n`);
    expect(two.code).toBe(1);
    expect(two.stderr).toBe(one.stderr);
    expect(listing(root)).toEqual(before);
  });

  it('--threads must be a positive integer; commands without a data pass say they ignore it', async () => {
    const zero = await runInProcess(['gram', '--model', fixture('mlp.onnx'), '--layer', 'fc1', '--data', npy, '--threads', '0', '-q']);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain('--threads expects a positive integer');
    for (const command of ['spectrum', 'match', 'merge-gram', 'reproduce']) {
      expect((await runInProcess([command, '--help'])).stdout).toMatch(/--threads N\s+ignored by this command/);
    }
    expect((await runInProcess(['gram', '--help'])).stdout).toMatch(/--threads N\s+worker threads/);
  });

  it('Ctrl-C while the workers stream the data: exit 130, workers stopped, nothing left (child process)', async () => {
    const folder = temporaryDirectory('threads-interrupt');
    // Enough rows that the workers are still busy when the first 10% line arrives.
    const big = 200_000;
    const values = new Float64Array(big * 16);
    for (let k = 0; k < values.length; k++) values[k] = Math.fround(Math.sin(k * 0.37));
    const file = join(folder, 'big.npy');
    writeFileSync(file, writeNpy({ dtype: 'float32', shape: [big, 16], data: values }));
    let sent = false;
    const result = await runChild(['explain', ...sequentialModel, '--data', file, '--threads', '2', '--out', join(folder, 'out'), '--no-figures'], {
      onStderr: (text, child) => {
        // The first progress line with a percentage: the workers are running.
        if (!sent && /\(2 threads\) \[[#.]+\] \d+%/.test(text)) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(sent).toBe(true);
    expect(result.code).toBe(130);
    expect(result.stderr).toContain('descramble: interrupted by SIGINT; nothing was written');
    expect(listing(folder)).toEqual(['big.npy']);
  });
});
