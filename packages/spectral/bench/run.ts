/**
 * Benchmark: `weightSpectrum` (|fftshift(fft2(W))|, optionally symmetrised) and `fft2` on
 * 256 x 256 and 1000 x 1000, against numpy's `abs(fftshift(fft2(W)))` / `fft2(W)` on the same
 * input in the same run (when /usr/bin/python3 with numpy exists). Median of several
 * repeats after a warm-up. Writes bench/latest.md.
 *
 *   node tooling/scripts/pnpm.mjs --filter @descramble/spectral run bench
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Matrix } from 'ml-matrix';
import { fft2, weightSpectrum } from '../src/index.js';

const PYTHON = '/usr/bin/python3';
const ROUNDS = 3;

/** The fixture formula (integer arithmetic: identical in Python). */
function input(rows: number, columns: number): Matrix {
  const m = new Matrix(rows, columns);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < columns; j++) {
      const k = (13 * i * i + 7 * j * j + 31 * i * j + 7919 * i + 104729 * j) % 1009;
      m.set(i, j, k / 1009 - 0.5);
    }
  }
  return m;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function time(run: () => unknown, warmup: number, repeats: number): number {
  for (let i = 0; i < warmup; i++) run();
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = process.hrtime.bigint();
    run();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(samples);
}

const PYTHON_SCRIPT = `
import json, sys, time
import numpy as np
path, rows, cols, warmup, repeats, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
x = np.fromfile(path, dtype='<f8').reshape(rows, cols)
def median_ms(f):
    for _ in range(warmup): f()
    samples = []
    for _ in range(repeats):
        t = time.perf_counter(); f(); samples.append((time.perf_counter() - t) * 1e3)
    return float(np.median(samples))
spectrum = lambda: np.abs(np.fft.fftshift(np.fft.fft2(x)))
symmetrised = lambda: (lambda a: a + np.roll(np.fliplr(a), 1, axis=1))(np.abs(np.fft.fftshift(np.fft.fft2(x))))
result = {
  'numpy': np.__version__,
  'spectrum': median_ms(spectrum),
  'symmetrised': median_ms(symmetrised),
  'fft2': median_ms(lambda: np.fft.fft2(x)),
}
spectrum().astype('<f8').tofile(out)
print(json.dumps(result))
`;

interface PythonResult {
  numpy: string;
  spectrum: number;
  symmetrised: number;
  fft2: number;
}

function runPython(w: Matrix, warmup: number, repeats: number, directory: string): { result: PythonResult; spectrum: Float64Array } | undefined {
  if (!existsSync(PYTHON)) return undefined;
  const path = join(directory, `w-${w.rows}x${w.columns}.bin`);
  const out = join(directory, `s-${w.rows}x${w.columns}.bin`);
  const data = new Float64Array(w.rows * w.columns);
  for (let i = 0; i < w.rows; i++) for (let j = 0; j < w.columns; j++) data[i * w.columns + j] = w.get(i, j);
  writeFileSync(path, new Uint8Array(data.buffer));
  const run = spawnSync(PYTHON, ['-c', PYTHON_SCRIPT, path, String(w.rows), String(w.columns), String(warmup), String(repeats), out], {
    encoding: 'utf8',
    // Same thread budget as ours: numpy's pocketfft is single-threaded anyway.
    env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' },
  });
  if (run.status !== 0) {
    console.warn(`python failed: ${run.stderr}`);
    return undefined;
  }
  const bytes = readFileSync(out);
  return {
    result: JSON.parse(run.stdout) as PythonResult,
    spectrum: new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8),
  };
}

const cases = [
  { rows: 256, columns: 256, warmup: 5, repeats: 31 },
  { rows: 1000, columns: 1000, warmup: 2, repeats: 11 },
];
const loadAtStart = loadavg()[0] ?? 0;
const directory = mkdtempSync(join(tmpdir(), 'spectral-bench-'));
const rows: string[] = [];
let numpyVersion = 'absent';
try {
  for (const c of cases) {
    const w = input(c.rows, c.columns);
    // Alternate ours and numpy for a few rounds and keep the median of each side's medians,
    // so that load from other processes on a shared machine hits both sides alike.
    const samples = { spectrum: [] as number[], symmetrised: [] as number[], fft2: [] as number[] };
    const theirs = { spectrum: [] as number[], symmetrised: [] as number[], fft2: [] as number[] };
    let python: ReturnType<typeof runPython>;
    for (let round = 0; round < ROUNDS; round++) {
      samples.spectrum.push(time(() => weightSpectrum(w), c.warmup, c.repeats));
      samples.symmetrised.push(time(() => weightSpectrum(w, { symmetrise: true }), c.warmup, c.repeats));
      samples.fft2.push(time(() => fft2(w), c.warmup, c.repeats));
      python = runPython(w, c.warmup, c.repeats, directory);
      if (python !== undefined) {
        theirs.spectrum.push(python.result.spectrum);
        theirs.symmetrised.push(python.result.symmetrised);
        theirs.fft2.push(python.result.fft2);
      }
    }
    const ours = { spectrum: median(samples.spectrum), symmetrised: median(samples.symmetrised), fft2: median(samples.fft2) };
    const numpy =
      python === undefined
        ? undefined
        : { spectrum: median(theirs.spectrum), symmetrised: median(theirs.symmetrised), fft2: median(theirs.fft2) };
    let agreement = 'n/a';
    if (python !== undefined) {
      numpyVersion = python.result.numpy;
      const magnitude = weightSpectrum(w).magnitude;
      let worst = 0;
      let largest = 0;
      for (let i = 0; i < c.rows; i++) {
        for (let j = 0; j < c.columns; j++) {
          const reference = python.spectrum[i * c.columns + j]!;
          worst = Math.max(worst, Math.abs(magnitude.get(i, j) - reference));
          largest = Math.max(largest, Math.abs(reference));
        }
      }
      agreement = (worst / largest).toExponential(1);
    }
    const shape = `${c.rows} x ${c.columns}`;
    const line = (what: string, ms: number, theirs: number | undefined): string =>
      `| ${what} | ${shape} | ${ms.toFixed(2)} | ${theirs === undefined ? 'n/a' : theirs.toFixed(2)} | ${
        theirs === undefined ? 'n/a' : (ms / theirs).toFixed(2)
      } | ${agreement} |`;
    rows.push(line('`weightSpectrum(W)` vs `abs(fftshift(fft2(W)))`', ours.spectrum, numpy?.spectrum));
    rows.push(line('`weightSpectrum(W, { symmetrise: true })` vs the same + `roll(fliplr)`', ours.symmetrised, numpy?.symmetrised));
    rows.push(line('`fft2(W)` (complex Matrix pair) vs `fft2(W)`', ours.fft2, numpy?.fft2));
  }
} finally {
  rmSync(directory, { recursive: true, force: true });
}

const machine = `${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores), Node ${process.version}, numpy ${numpyVersion}`;
const table = [
  '| operation | size | ours (ms) | numpy (ms) | ours / numpy | max rel. diff of the magnitude |',
  '| --- | --- | --- | --- | --- | --- |',
  ...rows,
].join('\n');
const note =
  numpyVersion === 'absent'
    ? 'Python with numpy was not found: only our numbers are shown.'
    : 'numpy (single-threaded pocketfft) runs in the same bench run on the same input.';
const report = `# @descramble/spectral benchmark\n\nMachine: ${machine}; 1-minute load average ${loadAtStart.toFixed(1)} at start (other jobs inflate absolute times; the alternation keeps ratios fairer). Median of repeated runs after warm-up, ours and numpy alternated over ${ROUNDS} rounds. ${note}\n\n${table}\n`;
console.log(report);
writeFileSync(new URL('./latest.md', import.meta.url), report);
