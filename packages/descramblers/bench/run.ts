// Benchmark: descrambleLayer for W 80 x 256 and N = 1e5 samples, against numpy doing
// `S = W @ X.T; B = S @ S.T; eigh(B)` on the same inputs in the same run.
// Run: pnpm --filter @descramble/descramblers run bench
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng, fromFloat64Array } from '@descramble/linalg';
import { descrambleLayer } from '../src/index.js';

const out = 80;
const inputs = 256;
const samples = 100_000;
const blockRows = 4096;
const repeats = 5;

const rng = createRng(2021);
const weightsData = rng.normalArray(out * inputs);
const weights = fromFloat64Array(weightsData, out, inputs);
const data = rng.normalArray(samples * inputs);

function* blocks(): Generator<Float64Array> {
  for (let start = 0; start < samples; start += blockRows) {
    const end = Math.min(start + blockRows, samples);
    yield data.subarray(start * inputs, end * inputs);
  }
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function timeOurs(): { seconds: number; top: number } {
  let top = 0;
  descrambleLayer({ weights, data: blocks() }); // warm-up
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const start = performance.now();
    const result = descrambleLayer({ weights, data: blocks() });
    times.push((performance.now() - start) / 1000);
    top = result.gramEigenvalues[0]!;
  }
  return { seconds: median(times), top };
}

const PYTHON = `
import json, sys, time
import numpy as np
d, n, N, repeats = ${out}, ${inputs}, ${samples}, ${repeats}
W = np.fromfile(sys.argv[1], dtype='<f8').reshape(d, n)
X = np.fromfile(sys.argv[2], dtype='<f8').reshape(N, n)
def run():
    S = W @ X.T
    B = S @ S.T
    return np.linalg.eigh(B)
run()
times = []
for _ in range(repeats):
    t = time.perf_counter(); w, v = run(); times.append(time.perf_counter() - t)
print(json.dumps({'seconds': sorted(times)[len(times) // 2], 'top': float(w[-1]), 'numpy': np.__version__}))
`;

function timeNumpy(weightsFile: string, dataFile: string, threads?: number) {
  const env = { ...process.env };
  if (threads !== undefined) {
    for (const name of ['OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS']) env[name] = String(threads);
  }
  const result = spawnSync('/usr/bin/python3', ['-c', PYTHON, weightsFile, dataFile], { encoding: 'utf8', env });
  if (result.status !== 0 || result.error) return undefined;
  return JSON.parse(result.stdout) as { seconds: number; top: number; numpy: string };
}

const loadAtStart = loadavg()[0]!;
const ours = timeOurs();
console.log(`ours  descrambleLayer W ${out}x${inputs}, N = ${samples}: ${(ours.seconds * 1000).toFixed(0)} ms (median of ${repeats})`);

const dir = mkdtempSync(join(tmpdir(), 'descramblers-bench-'));
let theirs: ReturnType<typeof timeNumpy>;
let theirsSingle: ReturnType<typeof timeNumpy>;
try {
  const weightsFile = join(dir, 'w.f64');
  const dataFile = join(dir, 'x.f64');
  writeFileSync(weightsFile, new Uint8Array(weightsData.buffer, weightsData.byteOffset, weightsData.byteLength));
  writeFileSync(dataFile, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  theirs = timeNumpy(weightsFile, dataFile);
  theirsSingle = theirs === undefined ? undefined : timeNumpy(weightsFile, dataFile, 1);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const machine = `${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores), Node ${process.version}, load average ${loadAtStart.toFixed(1)} at start (shared machine)`;
let table = '| Task | ours (ms) | numpy (ms) | ratio ours/numpy |\n|---|---:|---:|---:|\n';
if (theirs === undefined) {
  console.log('numpy: /usr/bin/python3 with numpy not found; our numbers only');
  table += `| descrambleLayer W 80x256, N = 1e5 (S = W X^T blockwise, B = S S^T, eigh, P = T U^T) | ${(ours.seconds * 1000).toFixed(0)} | n/a | n/a |\n`;
} else {
  const ratio = ours.seconds / theirs.seconds;
  console.log(`numpy S = W @ X.T; B = S @ S.T; eigh: ${(theirs.seconds * 1000).toFixed(0)} ms (numpy ${theirs.numpy}, default threads)`);
  console.log(`ratio ours/numpy: ${ratio.toFixed(2)}`);
  table += `| descrambleLayer W 80x256, N = 1e5 vs numpy \`S = W @ X.T; B = S @ S.T; eigh\` | ${(ours.seconds * 1000).toFixed(0)} | ${(theirs.seconds * 1000).toFixed(0)} | ${ratio.toFixed(2)} |\n`;
  if (theirsSingle !== undefined) {
    const single = ours.seconds / theirsSingle.seconds;
    console.log(`numpy, one BLAS thread: ${(theirsSingle.seconds * 1000).toFixed(0)} ms; ratio ${single.toFixed(2)}`);
    table += `| same, numpy limited to one BLAS thread | ${(ours.seconds * 1000).toFixed(0)} | ${(theirsSingle.seconds * 1000).toFixed(0)} | ${single.toFixed(2)} |\n`;
  }
  // Same inputs: the largest eigenvalue of B must agree (ours is sigma_1^2 = gramEigenvalues[0]).
  console.log(`check (same inputs): largest eigenvalue of B, ours ${ours.top.toExponential(12)}, numpy ${theirs.top.toExponential(12)}`);
}
const text = `# @descramble/descramblers benchmark\n\nMachine: ${machine}. Median of ${repeats} runs after a warm-up; same inputs for both (written to a temporary file).\n\n${table}`;
writeFileSync(new URL('./latest.md', import.meta.url), text);
console.log(`\n${text}`);
