import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  eigenvalueBound,
  gilmoreLawlerBound,
  quadraticAssignmentValue,
  readQaplib,
  readQaplibSolution,
  solveQuadraticAssignment,
} from '../src/index.js';
import faqFixture from './fixtures/faq-scipy.json' with { type: 'json' };

const directory = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'qaplib');

interface IndexRow {
  readonly name: string;
  readonly n: number;
  readonly optimum: number;
  readonly symmetric: boolean;
  readonly hasSolution: boolean;
  /** Optimum proved (not merely "best known", not "opt unverified"). */
  readonly verified: boolean;
}

function readIndex(): IndexRow[] {
  const rows: IndexRow[] = [];
  for (const line of readFileSync(join(directory, 'index.tsv'), 'utf8').split('\n')) {
    if (line.startsWith('#') || line.startsWith('name\t') || line.trim() === '') continue;
    const [name, n, optimum, , , symmetric, check, note] = line.split('\t');
    rows.push({
      name: name!,
      n: Number(n),
      optimum: Number(optimum),
      symmetric: symmetric === 'True',
      hasSolution: (check ?? '').startsWith('perm_ok'),
      verified: !(note ?? '').includes('opt unverified'),
    });
  }
  return rows;
}

const index = readIndex();
const small = index.filter((row) => row.n <= 30);
const load = (name: string) => readQaplib(readFileSync(join(directory, `${name}.dat`), 'utf8'));

describe('QAPLIB', () => {
  it('parses every instance with n <= 30; .sln permutations evaluate to the stated optimum', () => {
    expect(small.length).toBeGreaterThanOrEqual(100);
    for (const row of small) {
      const instance = load(row.name);
      expect(instance.n).toBe(row.n);
      if (!row.hasSolution) continue;
      const solution = readQaplibSolution(readFileSync(join(directory, `${row.name}.sln`), 'utf8'));
      // the shared .sln files hold p itself (index.tsv: "verified to evaluate to opt")
      expect(quadraticAssignmentValue(instance.a, instance.b, solution.permutation)).toBe(row.optimum);
      expect(solution.value).toBe(row.optimum);
    }
  });

  it('lower bounds never exceed the known optima', () => {
    for (const row of small.filter((r) => r.verified)) {
      const { a, b } = load(row.name);
      const bound = Math.max(gilmoreLawlerBound(a, b), eigenvalueBound(a, b));
      expect(bound).toBeLessThanOrEqual(row.optimum * (1 + 1e-12) + 1e-9);
    }
  });

  it("'auto' with its default budget is never worse than scipy FAQ's default run (n <= 30)", () => {
    const faq = new Map(faqFixture.instances.map((x) => [x.name, x]));
    let ours = 0;
    let theirs = 0;
    let counted = 0;
    const lines: string[] = [];
    for (const row of small) {
      const reference = faq.get(row.name);
      expect(reference, row.name).toBeDefined();
      const { a, b } = load(row.name);
      const result = solveQuadraticAssignment(a, b, { bound: 'none' });
      expect(result.value, row.name).toBeLessThanOrEqual(reference!.value);
      expect(result.value, row.name).toBeGreaterThanOrEqual(row.verified ? row.optimum : Number.NEGATIVE_INFINITY);
      if (row.optimum > 0) {
        ours += (result.value - row.optimum) / row.optimum;
        theirs += (reference!.value - row.optimum) / row.optimum;
        counted++;
      }
      lines.push(`${row.name}\t${result.value}\t${reference!.value}\t${row.optimum}`);
    }
    const meanOurs = ours / counted;
    const meanTheirs = theirs / counted;
    console.log(
      `QAPLIB n <= 30 (${counted} instances with optimum > 0): mean gap to optimum auto ${(100 * meanOurs).toFixed(2)}%, scipy FAQ ${(100 * meanTheirs).toFixed(2)}%`,
    );
    expect(meanOurs).toBeLessThan(meanTheirs);
  });

  it('branch and bound reaches the known optimum for every instance with n <= 12', () => {
    for (const row of index.filter((r) => r.n <= 12 && r.verified)) {
      const { a, b } = load(row.name);
      const result = solveQuadraticAssignment(a, b, { method: 'branch-and-bound' });
      expect(result.proved, row.name).toBe(true);
      expect(result.value, row.name).toBe(row.optimum);
    }
  });
});
