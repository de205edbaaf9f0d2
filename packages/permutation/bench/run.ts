/**
 * `pnpm bench` for @descramble/permutation: linear assignment at n = 100 / 500 / 1000 / 2000
 * (uniform random costs) and QAP 'auto' on QAPLIB, beside scipy (`linear_sum_assignment`,
 * `quadratic_assignment(method='faq')`) measured in the same run on the same inputs (LAP
 * costs are written as raw float64 files to a temp folder; QAPLIB files are read by both).
 * Timings are medians after a warm-up. Prints markdown and writes bench/latest.md.
 * `--quick` runs fewer repeats and instances.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRng } from '@descramble/linalg';
import { Matrix } from 'ml-matrix';
import { readQaplib, solveLinearAssignment, solveQuadraticAssignment } from '../src/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes('--quick');
const python = '/usr/bin/python3';
const dir = mkdtempSync(path.join(os.tmpdir(), 'permutation-bench-'));
const qaplibDir = path.join(here, '..', 'test', 'fixtures', 'qaplib');

function median(fn: () => void, repeats: number): number {
  fn();
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  times.sort((x, y) => x - y);
  return times[Math.floor(times.length / 2)]!;
}

/** Mean process CPU time (user + system, all threads) per call, after a warm-up. */
function cpuMs(fn: () => void, repeats: number): number {
  fn();
  const start = process.cpuUsage();
  for (let r = 0; r < repeats; r++) fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / repeats;
}

function hasScipy(): boolean {
  if (!existsSync(python)) return false;
  try {
    execFileSync(python, ['-c', 'import numpy, scipy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

interface ScipyResult {
  readonly ms: number;
  readonly cpuMs?: number;
  readonly cost?: number;
  readonly value?: number;
}

function runScipy(tasks: object[]): ScipyResult[] | undefined {
  if (!hasScipy()) return undefined;
  const output = execFileSync(python, [path.join(here, 'scipy-reference.py')], {
    input: JSON.stringify(tasks),
    maxBuffer: 1 << 26,
  });
  return JSON.parse(output.toString()) as ScipyResult[];
}

const fmt = (x: number, digits = 2): string => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');
const lines: string[] = [];
const print = (line: string): void => {
  console.log(line);
  lines.push(line);
};

// ---- linear assignment -------------------------------------------------------------
const lapSizes = quick ? [100, 500, 1000] : [100, 500, 1000, 2000];
const lapInputs = lapSizes.map((n) => {
  const data = createRng(1000 + n).uniformArray(n * n);
  const file = path.join(dir, `lap-${n}.f64`);
  writeFileSync(file, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  const matrix = new Matrix(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) matrix.set(i, j, data[i * n + j]!);
  return { n, file, matrix, repeats: n >= 2000 ? (quick ? 3 : 5) : n <= 100 ? 51 : quick ? 5 : 9 };
});
// Interleaved rounds (ours, then scipy on the same file) so that both see the same load on a
// shared machine; each side reports the best of its per-round medians.
const lapRounds = quick ? 1 : 3;
print('### Linear assignment (uniform random costs in [0, 1))');
print('');
print(
  `Wall: best of ${lapRounds} interleaved rounds, each the median of several runs after a warm-up. CPU: process CPU time per call (user + system; for Node all threads, GC and JIT included), best of the rounds; steadier than wall time on a shared machine.`,
);
print('');
print('| n | ours wall (ms) | scipy wall (ms) | ours / scipy wall | ours CPU (ms) | scipy CPU (ms) | ours / scipy CPU | same optimal cost |');
print('|---:|---:|---:|---:|---:|---:|---:|:---:|');
let lapHasScipy = false;
for (const { n, file, matrix, repeats } of lapInputs) {
  let ours = Number.POSITIVE_INFINITY;
  let theirs = Number.POSITIVE_INFINITY;
  let oursCpu = Number.POSITIVE_INFINITY;
  let theirsCpu = Number.POSITIVE_INFINITY;
  let cost = 0;
  let reference: number | undefined;
  for (let round = 0; round < lapRounds; round++) {
    const solve = (): void => {
      cost = solveLinearAssignment(matrix).cost;
    };
    ours = Math.min(ours, median(solve, repeats));
    oursCpu = Math.min(oursCpu, cpuMs(solve, repeats));
    const ref = runScipy([{ kind: 'lap', n, file, repeats }])?.[0];
    if (ref) {
      lapHasScipy = true;
      theirs = Math.min(theirs, ref.ms);
      theirsCpu = Math.min(theirsCpu, ref.cpuMs ?? Number.POSITIVE_INFINITY);
      reference = ref.cost;
    }
  }
  const same = reference === undefined ? 'n/a' : Math.abs(reference - cost) <= 1e-9 * n ? 'yes' : `NO (${reference})`;
  const hasRef = Number.isFinite(theirs);
  print(
    `| ${n} | ${fmt(ours)} | ${hasRef ? fmt(theirs) : 'n/a'} | ${hasRef ? fmt(ours / theirs) : 'n/a'} | ${fmt(oursCpu)} | ${hasRef ? fmt(theirsCpu) : 'n/a'} | ${hasRef ? fmt(oursCpu / theirsCpu) : 'n/a'} | ${same} |`,
  );
}

// ---- quadratic assignment on QAPLIB ------------------------------------------------
interface Row {
  readonly name: string;
  readonly n: number;
  readonly optimum: number;
}
const index: Row[] = readFileSync(path.join(qaplibDir, 'index.tsv'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '' && !l.startsWith('#') && !l.startsWith('name\t'))
  .map((l) => l.split('\t'))
  .map(([name, n, optimum]) => ({ name: name!, n: Number(n), optimum: Number(optimum) }))
  .filter((r) => existsSync(path.join(qaplibDir, `${r.name}.dat`)) && r.optimum > 0);
const instances = quick ? index.filter((r) => r.n >= 25) : index.filter((r) => r.n >= 20);
const qapRepeats = quick ? 1 : 3;

print('');
print(`### Quadratic assignment on QAPLIB (${instances.length} instances with ${quick ? 25 : 20} <= n <= 50 and optimum > 0)`);
print('');
print("gap = (value - optimum) / optimum. 'auto' = default budget (deterministic); 'auto @ FAQ time' = `timeLimitMs` set to scipy's FAQ time on that instance.");
print('');
print('| instance | n | scipy FAQ gap | scipy FAQ ms | auto gap | auto ms | auto @ FAQ time gap | ms |');
print('|---|---:|---:|---:|---:|---:|---:|---:|');
const sums = { faqGap: 0, faqMs: 0, autoGap: 0, autoMs: 0, matchedGap: 0, matchedMs: 0, count: 0 };
for (const row of instances) {
  const { a, b } = readQaplib(readFileSync(path.join(qaplibDir, `${row.name}.dat`), 'utf8'));
  let value = 0;
  const ms = median(() => {
    value = solveQuadraticAssignment(a, b, { bound: 'none' }).value;
  }, qapRepeats);
  // scipy right after ours on the same file (same machine load)
  const ref = runScipy([{ kind: 'qap', file: path.join(qaplibDir, `${row.name}.dat`), repeats: qapRepeats }])?.[0];
  let matchedValue = Number.NaN;
  let matchedMs = Number.NaN;
  if (ref) {
    matchedMs = median(() => {
      matchedValue = solveQuadraticAssignment(a, b, { bound: 'none', timeLimitMs: ref.ms }).value;
    }, qapRepeats);
  }
  const gap = (value - row.optimum) / row.optimum;
  const faqGap = ref?.value === undefined ? Number.NaN : (ref.value - row.optimum) / row.optimum;
  const matchedGap = (matchedValue - row.optimum) / row.optimum;
  sums.faqGap += faqGap;
  sums.faqMs += ref?.ms ?? Number.NaN;
  sums.autoGap += gap;
  sums.autoMs += ms;
  sums.matchedGap += matchedGap;
  sums.matchedMs += matchedMs;
  sums.count++;
  print(
    `| ${row.name} | ${row.n} | ${fmt(100 * faqGap)}% | ${ref ? fmt(ref.ms, 1) : 'n/a'} | ${fmt(100 * gap)}% | ${fmt(ms, 1)} | ${fmt(100 * matchedGap)}% | ${fmt(matchedMs, 1)} |`,
  );
}
const c = sums.count;
print(
  `| **mean** | | **${fmt((100 * sums.faqGap) / c)}%** | **${fmt(sums.faqMs / c, 1)}** | **${fmt((100 * sums.autoGap) / c)}%** | **${fmt(sums.autoMs / c, 1)}** | **${fmt((100 * sums.matchedGap) / c)}%** | **${fmt(sums.matchedMs / c, 1)}** |`,
);
if (!lapHasScipy) print('\n(python3 with numpy/scipy not found: scipy columns are n/a)');

const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, load average ${os
  .loadavg()
  .map((x) => x.toFixed(1))
  .join(' ')}, Node ${process.version}`;
const header = `# @descramble/permutation benchmark\n\nMachine: ${machine}. Date: ${new Date().toISOString()}.${quick ? ' (--quick)' : ''}\n\n`;
writeFileSync(path.join(here, 'latest.md'), header + lines.join('\n') + '\n');
rmSync(dir, { recursive: true, force: true });
