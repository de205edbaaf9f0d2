/**
 * `--threads` benchmark: `descramble gram --weights W --data X` on a 256-input layer (256 x 256
 * weights) over 2e5 float32 samples, with --threads 1 and 2, as child processes of the built
 * CLI (dist/, run `pnpm --filter @descramble/cli build` first; falls back to src/ through tsx).
 * Median of 3 after a warm-up; the time is the command's own `seconds` (worker start-up
 * included). With /usr/bin/python3 and numpy, the same Gram (S = X W^T, S^T S in float64) by
 * numpy in the same run, as a ratio. The machine's load is printed: on shared cores threads
 * cannot run in parallel.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeNpy } from '@descramble/io';
import { createRng } from '@descramble/linalg';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist/bin.js');
const command = existsSync(dist) ? [dist] : ['--import', 'tsx', '--conditions=@descramble/source', join(root, 'src/bin.ts')];
const rows = Number(process.env.BENCH_ROWS ?? 200_000);
const inputs = 256;
const repeats = 3;

const folder = mkdtempSync(join(tmpdir(), 'descramble-threads-bench-'));
try {
  const rng = createRng(1);
  writeFileSync(join(folder, 'w.npy'), writeNpy({ dtype: 'float64', shape: [inputs, inputs], data: Float64Array.from({ length: inputs * inputs }, () => rng.normal()) }));
  const x = new Float64Array(rows * inputs);
  for (let k = 0; k < x.length; k++) x[k] = Math.fround(rng.normal());
  writeFileSync(join(folder, 'x.npy'), writeNpy({ dtype: 'float32', shape: [rows, inputs], data: x }));

  const run = (threads: number): number => {
    const out = execFileSync(process.execPath, [...command, 'gram', '--weights', join(folder, 'w.npy'), '--data', join(folder, 'x.npy'), '--threads', String(threads), '--out', join(folder, 'g.gram'), '--force', '--json', '-q'], { cwd: root, encoding: 'utf8' });
    return (JSON.parse(out) as { seconds: number }).seconds;
  };
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
  run(1);
  run(2);
  const times = new Map<number, number[]>([[1, []], [2, []]]);
  for (let r = 0; r < repeats; r++) for (const threads of [1, 2]) times.get(threads)?.push(run(threads));
  const one = median(times.get(1) ?? []);
  const two = median(times.get(2) ?? []);

  let numpy: number | undefined;
  const python = spawnSync('/usr/bin/python3', ['-c', `
import numpy as np, time
w = np.load('${join(folder, 'w.npy')}'); x = np.load('${join(folder, 'x.npy')}')
ts = []
for _ in range(${repeats + 1}):
    t = time.perf_counter(); s = x.astype(np.float64) @ w.T; g = s.T @ s; ts.append(time.perf_counter() - t)
print(sorted(ts[1:])[${Math.floor(repeats / 2)}])
`], { encoding: 'utf8' });
  if (python.status === 0) numpy = Number(python.stdout.trim());

  const [load1] = loadavg();
  const lines = [
    `gram --weights (256 x 256) --data (${rows} x ${inputs} float32), ${existsSync(dist) ? 'dist' : 'src via tsx'}; ${availableParallelism()} cores, Node ${process.version}, load average ${load1?.toFixed(1)} at the end. Wall time of the whole command (worker start-up included), median of ${repeats} after a warm-up; numpy: \`x.astype(float64) @ w.T\` then \`s.T @ s\` on the same data.`,
    '',
    '| --threads | median seconds | speed-up vs 1 | numpy (BLAS) seconds | ours / numpy |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const [threads, seconds] of [[1, one], [2, two]] as const) {
    lines.push(`| ${threads} | ${seconds.toFixed(2)} | ${(one / seconds).toFixed(2)} | ${numpy === undefined ? 'python absent' : numpy.toFixed(2)} | ${numpy === undefined ? '-' : (seconds / numpy).toFixed(1)} |`);
  }
  lines.push('', `All runs (s): 1 thread ${times.get(1)?.map((t) => t.toFixed(2)).join(', ')}; 2 threads ${times.get(2)?.map((t) => t.toFixed(2)).join(', ')}.`);
  console.log(lines.join('\n'));
  writeFileSync(join(root, 'bench', 'latest.md'), `# @descramble/cli: Gram accumulation over threads\n\n${lines.join('\n')}\n`);
} finally {
  rmSync(folder, { recursive: true, force: true });
}
