import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { readNpy, writeNpy } from '@descramble/io';
import Ajv from 'ajv';
import { Matrix } from 'ml-matrix';
import type { GramAccumulator } from '@descramble/linalg';
import { readGramFile } from '../src/gram-file.js';
import { main } from '../src/main.js';

export const CLI_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const FIXTURES = resolve(CLI_ROOT, '../../fixtures/pytorch');
export const fixture = (name: string): string => join(FIXTURES, name);

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command line in this process through `main` (the same code path as the binary). */
export async function runInProcess(args: readonly string[], options: { signal?: AbortSignal; cwd?: string } = {}): Promise<RunResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk) => {
    out += String(chunk);
  });
  stderr.on('data', (chunk) => {
    err += String(chunk);
  });
  const code = await main(args, {
    stdout,
    stderr: stderr as unknown as NodeJS.WriteStream,
    env: { ...process.env, NO_COLOR: '1' },
    cwd: options.cwd ?? process.cwd(),
    signal: options.signal ?? new AbortController().signal,
  });
  return { code, stdout: out, stderr: err };
}

/**
 * Runs the real binary as a child process: `node --import tsx --conditions=@descramble/source
 * src/bin.ts` (source-first, so the test run needs no build), or with `built` dist/bin.js.
 */
export function runChild(
  args: readonly string[],
  options: { onStderr?: (text: string, child: ReturnType<typeof spawn>) => void; env?: NodeJS.ProcessEnv; cwd?: string; built?: boolean } = {},
): Promise<RunResult & { signalled: boolean }> {
  // `built`: the compiled binary as published (dist/bin.js, on the packages' dist builds).
  const entry = options.built === true ? [join(CLI_ROOT, 'dist/bin.js')] : ['--import', 'tsx', '--conditions=@descramble/source', join(CLI_ROOT, 'src/bin.ts')];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [...entry, ...args], {
      cwd: options.cwd ?? CLI_ROOT,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += String(chunk);
    });
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
      options.onStderr?.(stderr, child);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code: code ?? -1, stdout, stderr, signalled: signal !== null }));
  });
}

export function temporaryDirectory(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `descramble-cli-${prefix}-`));
}

/**
 * Every file and folder under `root` with a digest of each file's bytes (symbolic links as
 * their targets' text): equal snapshots mean nothing was created, removed or changed.
 */
export function snapshot(root: string): Record<string, string> {
  const entries: Record<string, string> = {};
  const walk = (folder: string, prefix: string) => {
    for (const name of readdirSync(folder).sort()) {
      const path = join(folder, name);
      const stats = lstatSync(path);
      const key = `${prefix}${name}`;
      if (stats.isSymbolicLink()) entries[key] = `-> ${readlinkSync(path)}`;
      else if (stats.isDirectory()) {
        entries[`${key}/`] = 'folder';
        walk(path, `${key}/`);
      } else entries[key] = createHash('sha256').update(readFileSync(path)).digest('hex');
    }
  };
  walk(root, '');
  return entries;
}

/** Entries of a directory (hidden staging directories included). */
export function listing(directory: string): string[] {
  return existsSync(directory) ? readdirSync(directory).sort() : [];
}

/**
 * A `layer` command whose iterative solve runs for minutes (48 units, an unreachable gradient
 * tolerance), in a fresh folder holding only its two inputs: for interrupting mid-solver.
 */
export function longSolve(prefix: string): { root: string; args: string[] } {
  const root = temporaryDirectory(prefix);
  const units = 48;
  const rows = 400;
  const weights = new Float64Array(units * units);
  for (let k = 0; k < weights.length; k++) weights[k] = Math.sin(1 + k * 0.731);
  const data = new Float64Array(rows * units);
  for (let k = 0; k < data.length; k++) data[k] = Math.cos(k * 0.173) * (1 + (k % units));
  writeFileSync(join(root, 'w.npy'), writeNpy({ dtype: 'float64', shape: [units, units], data: weights }));
  writeFileSync(join(root, 'x.npy'), writeNpy({ dtype: 'float64', shape: [rows, units], data }));
  const args = ['layer', '--weights', join(root, 'w.npy'), '--data', join(root, 'x.npy'), '--strategy', 'steepest-descent', '--max-iterations', '100000000', '--gradient-tolerance', '1e-300', '--out', join(root, 'out'), '--no-figures'];
  return { root, args };
}

/**
 * Sends `signal` to the binary 300 ms into the solver loop of {@link longSolve}; returns the
 * result and how long the process took to end after the signal.
 */
export async function interruptSolver(signal: 'SIGINT' | 'SIGTERM', options: { built?: boolean } = {}): Promise<{ root: string; result: RunResult; stoppedAfterMs: number }> {
  const { root, args } = longSolve(`solver-${signal}`);
  let sentAt = 0;
  let scheduled = false;
  const result = await runChild([...args, '--json'], {
    ...options,
    onStderr: (text, child) => {
      if (!scheduled && text.includes('steepest-descent on the Brockett problem')) {
        scheduled = true;
        setTimeout(() => {
          sentAt = performance.now();
          child.kill(signal);
        }, 300);
      }
    },
  });
  if (sentAt === 0) throw new Error(`the solver never started: ${result.stderr}`);
  return { root, result, stoppedAfterMs: performance.now() - sentAt };
}

/**
 * The 1 s a signal may take to stop a command, stretched by how oversubscribed the machine is
 * (load average per core above 1): on a shared, busy machine the process itself waits for a
 * core, which is not the tool's latency.
 */
export function signalBudgetMs(): number {
  return 1000 * Math.max(1, (loadavg()[0] ?? 0) / cpus().length);
}

/** The Gram matrix of a `.gram` file written by `descramble gram` or `merge-gram`. */
export async function readGramAccumulator(file: string): Promise<GramAccumulator> {
  return (await readGramFile(file)).accumulator;
}

export function readMatrixNpy(file: string): Matrix {
  const tensor = readNpy(readFileSync(file));
  const [rows, columns] = tensor.shape as [number, number];
  const data = tensor.data as Float64Array;
  return new Matrix(Array.from({ length: rows }, (_, i) => Array.from(data.subarray(i * columns, (i + 1) * columns))));
}

const ajv = new Ajv({ allErrors: true, strict: true });
const validate = ajv.compile(JSON.parse(readFileSync(join(CLI_ROOT, 'report.schema.json'), 'utf8')));

/** Validates a report against the published report.schema.json; returns the errors as text. */
export function schemaErrors(report: unknown): string {
  return validate(report) ? '' : ajv.errorsText(validate.errors);
}

export interface ReferenceTensor {
  readonly shape: number[];
  readonly data: number[];
}

/** fixtures/pytorch/reference.json and weights.json (committed PyTorch values). */
export const reference = JSON.parse(readFileSync(fixture('reference.json'), 'utf8')) as {
  mlp: { input: ReferenceTensor; float64: Record<'z1' | 'z2' | 'output', ReferenceTensor> };
  cnn: { input: ReferenceTensor; float64: Record<'conv' | 'bn' | 'output', ReferenceTensor> };
};
export const weightsJson = JSON.parse(readFileSync(fixture('weights.json'), 'utf8')) as Record<string, Record<string, ReferenceTensor>>;

export function referenceMatrix(tensor: ReferenceTensor): Matrix {
  const rows = tensor.shape[0] as number;
  const columns = tensor.data.length / rows;
  return new Matrix(Array.from({ length: rows }, (_, i) => tensor.data.slice(i * columns, (i + 1) * columns)));
}

/** tr(A P B P^T). */
export function brockettValue(a: Matrix, p: Matrix, b: Matrix): number {
  return a.mmul(p).mmul(b).mmul(p.transpose()).trace();
}

/** Lemma 1, computed here from eigenvalues alone: sum of ascending eig(A) times descending eig(B). */
export function lemma1Optimum(a: Matrix, b: Matrix, eigenvalues: (m: Matrix) => ArrayLike<number>): number {
  const omega = Array.from(eigenvalues(a)).sort((x, y) => x - y);
  const sigma = Array.from(eigenvalues(b)).sort((x, y) => y - x);
  return omega.reduce((sum, w, i) => sum + w * (sigma[i] as number), 0);
}

/** max |P^T P - I|. */
export function orthogonalityDefect(p: Matrix): number {
  const product = p.transpose().mmul(p);
  let worst = 0;
  for (let i = 0; i < p.rows; i++) for (let j = 0; j < p.columns; j++) worst = Math.max(worst, Math.abs(product.get(i, j) - (i === j ? 1 : 0)));
  return worst;
}

/** max |a - b| over all entries. */
export function maxAbsDifference(x: Matrix, y: Matrix): number {
  let worst = 0;
  for (let i = 0; i < x.rows; i++) for (let j = 0; j < x.columns; j++) worst = Math.max(worst, Math.abs(x.get(i, j) - y.get(i, j)));
  return worst;
}
