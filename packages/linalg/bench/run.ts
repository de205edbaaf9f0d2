/**
 * `pnpm bench`: times @descramble/linalg against numpy on the same inputs in the same run.
 * Inputs are generated from fixed seeds, written as raw little-endian float64 files to a temp
 * folder, and read by bench/numpy-reference.py. Prints a markdown table and writes
 * bench/latest.md. Timings are medians after a warm-up; the machine is shared, so compare the
 * ratios of one run rather than absolute times across runs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createRng,
  fromFloat64Array,
  GramAccumulator,
  kernelBackend,
  multiplyFlat,
  svd,
  symmetricEigen,
} from '@descramble/linalg';

const here = path.dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes('--quick');

interface Case {
  name: string;
  kind: 'gram' | 'gemm' | 'eigh' | 'svd';
  input: string;
  shape: number[];
  input2?: string;
  shape2?: number[];
  repeats: number;
  run: () => void;
}

function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** Median wall-clock and median CPU milliseconds of `repeats` runs after warm-up runs. */
function medianMs(fn: () => void, repeats: number): { wall: number; cpu: number } {
  for (let w = 0; w < Math.max(1, Math.floor(repeats / 3)); w++) fn();
  const times: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const start = performance.now();
    const startCpu = cpuMs();
    fn();
    cpu.push(cpuMs() - startCpu);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  return { wall: times[Math.floor(times.length / 2)]!, cpu: cpu[Math.floor(cpu.length / 2)]! };
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'linalg-bench-'));
function write(name: string, data: Float64Array): void {
  writeFileSync(path.join(dir, `${name}.f64`), new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

const cases: Case[] = [];
{
  const d = 80;
  const n = quick ? 20_000 : 100_000;
  const s = createRng(1).normalArray(d * n);
  write('gram_s', s);
  cases.push({
    name: `Gram S S^T (S ${d} x ${n})`,
    kind: 'gram',
    input: 'gram_s',
    shape: [d, n],
    repeats: 5,
    run: () => {
      new GramAccumulator(d).addColumnsFlat(s, n).gram();
    },
  });
}
{
  const m = 80;
  const k = 256;
  const n = quick ? 20_000 : 100_000;
  const w = createRng(2).normalArray(m * k);
  const x = createRng(3).normalArray(k * n);
  write('gemm_w', w);
  write('gemm_x', x);
  cases.push({
    name: `W X (${m} x ${k} times ${k} x ${n})`,
    kind: 'gemm',
    input: 'gemm_w',
    shape: [m, k],
    input2: 'gemm_x',
    shape2: [k, n],
    repeats: 5,
    run: () => {
      multiplyFlat(w, x, m, k, n);
    },
  });
}
for (const d of quick ? [80, 256] : [80, 256, 1024]) {
  const g = createRng(10 + d).normalArray(d * d);
  const a = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) a[i * d + j] = g[i * d + j]! + g[j * d + i]!;
  write(`sym_${d}`, a);
  const am = fromFloat64Array(a, d, d);
  const repeats = d >= 1024 ? 3 : d >= 256 ? 7 : 21;
  cases.push({
    name: `symmetricEigen d = ${d}`,
    kind: 'eigh',
    input: `sym_${d}`,
    shape: [d, d],
    repeats,
    run: () => {
      symmetricEigen(am);
    },
  });
}
for (const d of quick ? [80, 256] : [80, 256, 1024]) {
  const g = createRng(20 + d).normalArray(d * d);
  write(`gen_${d}`, g);
  const gm = fromFloat64Array(g, d, d);
  const repeats = d >= 1024 ? 3 : d >= 256 ? 7 : 21;
  cases.push({
    name: `svd d = ${d}`,
    kind: 'svd',
    input: `gen_${d}`,
    shape: [d, d],
    repeats,
    run: () => {
      svd(gm);
    },
  });
}

// Ours and numpy alternate case by case, so both see the same machine load (it is shared).
const python = '/usr/bin/python3';
let pythonNote = existsSync(python) ? '' : 'python3 with numpy not found: only our timings are shown';
const ours: Record<string, number> = {};
const oursCpu: Record<string, number> = {};
const theirs: Record<string, number> = {};
const theirsSingle: Record<string, number> = {};
let numpyVersion = '';
for (const c of cases) {
  const timing = medianMs(c.run, c.repeats);
  ours[c.name] = timing.wall;
  oursCpu[c.name] = timing.cpu;
  let line = `ours  ${c.name}: ${timing.wall.toFixed(2)} ms (CPU ${timing.cpu.toFixed(2)} ms)`;
  if (!pythonNote) {
    try {
      const { run: _run, ...spec } = c;
      const out = execFileSync(python, [path.join(here, 'numpy-reference.py'), dir, JSON.stringify([spec])], {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      });
      const parsed = JSON.parse(out) as Record<string, number | string>;
      const value = parsed[c.name];
      if (typeof value === 'number') theirs[c.name] = value;
      numpyVersion = String(parsed.numpyVersion ?? '');
      // The same with OpenBLAS on one thread: a like-for-like view of the algorithms (we use one core).
      const single = execFileSync(python, [path.join(here, 'numpy-reference.py'), dir, JSON.stringify([spec])], {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
        env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' },
      });
      const singleValue = (JSON.parse(single) as Record<string, number | string>)[c.name];
      if (typeof singleValue === 'number') theirsSingle[c.name] = singleValue;
      line += `, numpy ${Number(value).toFixed(2)} ms, numpy 1 thread ${Number(singleValue).toFixed(2)} ms`;
    } catch (error) {
      pythonNote = `numpy run failed: ${(error as Error).message.split('\n')[0]}`;
    }
  }
  process.stderr.write(`${line}\n`);
}
rmSync(dir, { recursive: true, force: true });

const cpu = (() => {
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    return /model name\s*:\s*(.*)/.exec(info)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  } catch {
    return os.cpus()[0]?.model ?? 'unknown';
  }
})();

const lines: string[] = [];
lines.push(`# @descramble/linalg benchmark${quick ? ' (quick)' : ''}`);
lines.push('');
lines.push(
  `Machine: ${cpu}, nproc = ${os.availableParallelism()}, Node ${process.version}` +
    (numpyVersion ? `, numpy ${numpyVersion}` : '') +
    `, load average at the end ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}` +
    `. Median of repeats after a warm-up, ours and numpy timed case by case in the same run;` +
    ` ratio = ours / numpy (lower is better, goal <= 8). Our kernels: ${kernelBackend()}, one thread;` +
    ` "ours CPU" is our median CPU time (on a loaded machine wall time can be several times larger).`,
);
if (pythonNote) lines.push('', pythonNote);
lines.push('');
lines.push(
  '| benchmark | ours (ms) | numpy (ms) | ours / numpy | numpy 1 thread (ms) | ours / numpy 1 thread | ours CPU (ms) |',
);
lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const c of cases) {
  const mine = ours[c.name]!;
  const ref = theirs[c.name];
  const refText = typeof ref === 'number' ? ref.toFixed(2) : 'n/a';
  const ratio = typeof ref === 'number' ? (mine / ref).toFixed(1) + 'x' : 'n/a';
  const single = theirsSingle[c.name];
  const singleText = typeof single === 'number' ? single.toFixed(2) : 'n/a';
  const singleRatio = typeof single === 'number' ? (mine / single).toFixed(1) + 'x' : 'n/a';
  const cpu = oursCpu[c.name]!.toFixed(2);
  lines.push(`| ${c.name} | ${mine.toFixed(2)} | ${refText} | ${ratio} | ${singleText} | ${singleRatio} | ${cpu} |`);
}
lines.push('');
const table = lines.join('\n');
process.stdout.write(table);
if (!quick) writeFileSync(path.join(here, 'latest.md'), table);
