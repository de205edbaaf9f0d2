/**
 * Benchmark: every solver of @descramble/orthogonal on Brockett costs at d = 100,
 * stopped at Riemannian gradient norm 1e-6 (or a time cap), from the same Haar start.
 * Prints a markdown table and writes it to bench/latest.md. Where /usr/bin/python3 has
 * numpy, the numpy Wen-Yin (bench/wen_yin.py, same algorithm, same start) runs on the
 * same input and the table gives ours/theirs.
 *
 * Usage: pnpm bench [-- d [maxSecondsPerSolver]]
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { brockettCertificate, brockettProblem, type MethodName, type MinimizeOptions, minimize, minimizeBrockett } from '../src/index.js';
import { randomOrthogonalFlat, seededNormalSource } from '../src/random.js';
import { flatToMatrix } from '../src/matrix-io.js';
import { type BenchmarkKind, benchmarkBrockett } from './problems.js';

const d = Number(process.argv[2] ?? 100);
const maxTime = Number(process.argv[3] ?? 20);
const tolerance = 1e-6;
const repeats = 3;

interface Row {
  kind: BenchmarkKind;
  solver: string;
  iterations: number;
  evaluations: string;
  time: number;
  converged: boolean;
  gradientNorm: number;
  relativeGap: number;
}

const solvers: Array<{ label: string; options: MinimizeOptions; rotate?: boolean }> = [
  { label: 'minimizeBrockett: B diagonalised once (eig in the time), trust-regions + Jacobi', options: { method: 'trust-regions' }, rotate: true },
  { label: 'trust-regions + Brockett Jacobi preconditioner', options: { method: 'trust-regions' } },
  { label: 'trust-regions (exact Hessian, tCG, no preconditioner)', options: { method: 'trust-regions', preconditioner: false } },
  { label: 'lbfgs (memory 30)', options: { method: 'lbfgs' } },
  { label: 'wen-yin (Cayley, BB, Zhang-Hager)', options: { method: 'wen-yin' } },
  { label: 'conjugate-gradient (HS+)', options: { method: 'conjugate-gradient' } },
  { label: 'steepest-descent (Armijo)', options: { method: 'steepest-descent' } },
  { label: 'cayley-pgd (2021 chart, from I)', options: { method: 'cayley-pgd' } },
];

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function python(A: number[][], B: number[][], P0: number[][]): { iterations: number; time: number; gradientNorm: number } | undefined {
  try {
    const script = fileURLToPath(new URL('./wen_yin.py', import.meta.url));
    const out = execFileSync('/usr/bin/python3', [script], {
      input: JSON.stringify({ A, B, P0, tolerance, maxIterations: 100_000 }),
      encoding: 'utf8',
      timeout: 600_000,
    });
    return JSON.parse(out);
  } catch {
    return undefined;
  }
}

const loadAtStart = loadavg()[0]!;
const rows: Row[] = [];
const pythonRows: Array<{ kind: BenchmarkKind; iterations: number; time: number; gradientNorm: number } | undefined> = [];
for (const kind of ['descrambling', 'generic'] as const) {
  const { A, B } = benchmarkBrockett(kind, d, 1);
  const problem = brockettProblem(A, B);
  const P0 = flatToMatrix(randomOrthogonalFlat(d, seededNormalSource(3)), d);
  // det +1 start (the Cayley chart of cayley-pgd needs it; the others do not care)
  const identity = flatToMatrix(Float64Array.from({ length: d * d }, (_, i) => (i % (d + 1) === 0 ? 1 : 0)), d);
  // warm-up (JIT)
  minimize(problem, { method: 'lbfgs', P0, maxIterations: 30 });
  for (const solver of solvers) {
    const times: number[] = [];
    let last: ReturnType<typeof minimize> | undefined;
    const start = solver.options.method === ('cayley-pgd' satisfies MethodName) ? identity : P0;
    for (let r = 0; r < repeats; r++) {
      const options = { ...solver.options, P0: start, gradientTolerance: tolerance, maxIterations: 1e6, maxTime, recordLog: false };
      last = solver.rotate === true ? minimizeBrockett(A, B, options) : minimize(problem, options);
      times.push(last.time);
      if (!last.converged) break; // capped runs are not repeated
    }
    const result = last!;
    rows.push({
      kind,
      solver: solver.label,
      iterations: result.iterations,
      evaluations: `${result.functionEvaluations} f, ${result.hessianEvaluations} Hv`,
      time: median(times),
      converged: result.converged,
      gradientNorm: result.gradientNorm,
      relativeGap: brockettCertificate(A, B, result.P).relativeGap,
    });
    console.error(`${kind} ${solver.label}: ${result.stoppedBy} after ${result.iterations} iterations, ${median(times).toFixed(2)} s`);
  }
  pythonRows.push(
    (() => {
      const r = python(A.to2DArray(), B.to2DArray(), P0.to2DArray());
      return r === undefined ? undefined : { kind, ...r };
    })(),
  );
}

const lines: string[] = [];
lines.push(`Brockett tr(A P B P^T), d = ${d}, stop at Riemannian gradient norm ${tolerance} (cap ${maxTime} s per run), median of up to ${repeats} runs after a warm-up.`);
lines.push('descrambling: A = D^T D (linalg Fourier second derivative), B = S S^T (S d x 2d Gaussian); generic: A, B Wishart (X X^T, X d x 2d); both scaled to ||A||_2 = ||B||_2 = 1. Same Haar start for all (cayley-pgd starts at I).');
lines.push(
  `Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}; 1-minute load average ${loadAtStart.toFixed(1)} at start, ${loadavg()[0]!.toFixed(1)} at end (shared machine: times scale with load).`,
);
lines.push('');
lines.push('| problem | solver | iterations | evaluations | time (s) | converged | gradient norm | relative gap |');
lines.push('|---|---|---:|---|---:|---|---:|---:|');
for (const r of rows) {
  lines.push(
    `| ${r.kind} | ${r.solver} | ${r.iterations} | ${r.evaluations} | ${r.time.toFixed(2)} | ${r.converged ? 'yes' : 'no (time cap)'} | ${r.gradientNorm.toExponential(1)} | ${r.relativeGap.toExponential(1)} |`,
  );
}
lines.push('');
for (const p of pythonRows) {
  if (p === undefined) {
    lines.push('numpy reference: /usr/bin/python3 with numpy not available; our numbers only.');
    break;
  }
  const ours = rows.find((r) => r.kind === p.kind && r.solver.startsWith('wen-yin'))!;
  const perIteration = ours.time / Math.max(ours.iterations, 1) / (p.time / Math.max(p.iterations, 1));
  lines.push(
    `numpy Wen-Yin (bench/wen_yin.py, same algorithm and start), ${p.kind}: ${p.iterations} iterations, ${p.time.toFixed(2)} s, gradient norm ${p.gradientNorm.toExponential(1)}. ` +
      `Ours: ${ours.iterations} iterations in ${ours.time.toFixed(2)} s (${ours.converged ? 'converged' : 'time cap'}); time per iteration ours/theirs ${perIteration.toFixed(2)}` +
      (ours.converged ? `; total time ours/theirs ${(ours.time / p.time).toFixed(2)}` : ''),
  );
}
const table = lines.join('\n');
console.log(table);
writeFileSync(new URL('./latest.md', import.meta.url), `${table}\n`);
