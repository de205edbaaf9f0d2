/**
 * Every ```ts block of packages/<pkg>/README.md is an example a user will paste: each is written
 * to a file inside its package (so `@descramble/*` and `ml-matrix` resolve as they do for that
 * package; source-first through the `@descramble/source` condition, no build needed), type-checked
 * together with the repository's strict compiler options, then run with tsx in a scratch folder
 * holding a link to the repository's `fixtures/` (examples read `fixtures/pytorch/...` and may
 * write files).
 *
 * Info strings: ```ts is checked and run; ```ts browser is type-checked only (it needs a page);
 * ```ts reference is a listing of types for reading (it is neither, and may elide with `...`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './workspace.js';

interface Example {
  readonly id: string;
  readonly packageDir: string;
  readonly mode: 'run' | 'typecheck';
  readonly code: string;
  file: string;
}

const scratchName = '.readme-examples';
const examples: Example[] = [];
for (const group of ['packages', 'apps']) {
  for (const entry of readdirSync(join(repoRoot, group)).sort()) {
    const readme = join(repoRoot, group, entry, 'README.md');
    if (!existsSync(readme)) continue;
    const text = readFileSync(readme, 'utf8');
    let index = 0;
    for (const match of text.matchAll(/^```ts([^\n]*)\n([\s\S]*?)^```$/gm)) {
      const info = (match[1] ?? '').trim();
      index++;
      if (info === 'reference') continue;
      if (info !== '' && info !== 'browser') throw new Error(`${group}/${entry}/README.md: unknown info string 'ts ${info}'`);
      examples.push({
        id: `${group}/${entry}/README.md #${index}`,
        packageDir: join(repoRoot, group, entry),
        mode: info === 'browser' ? 'typecheck' : 'run',
        code: match[2] ?? '',
        file: '',
      });
    }
  }
}

const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');
const tsx = join(repoRoot, 'node_modules/.bin/tsx');
let workDir = '';
let typecheck: { status: number | null; output: string } = { status: null, output: '' };

beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'descramble-readme-'));
  symlinkSync(join(repoRoot, 'fixtures'), join(workDir, 'fixtures'));
  for (const example of examples) {
    const dir = join(example.packageDir, scratchName);
    mkdirSync(dir, { recursive: true });
    example.file = join(dir, `${example.id.replace(/.*#/, 'example-')}.ts`);
    // `export {}` keeps a block without imports a module (its names stay its own).
    writeFileSync(example.file, `${example.code}\nexport {};\n`);
  }
  // In tooling/, so that `types: ['node']` resolves from the repository's node_modules.
  const tsconfig = join(repoRoot, 'tooling', `${scratchName}.tsconfig.json`);
  writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: join(repoRoot, 'tooling/tsconfig.base.json'),
      compilerOptions: { noEmit: true, declaration: false, declarationMap: false, sourceMap: false },
      files: examples.map((e) => e.file),
    }),
  );
  const result = spawnSync(process.execPath, [tsc, '-p', tsconfig, '--pretty', 'false'], { cwd: repoRoot, encoding: 'utf8' });
  rmSync(tsconfig, { force: true });
  typecheck = { status: result.status, output: `${result.stdout}${result.stderr}` };
});

afterAll(() => {
  for (const dir of new Set(examples.map((e) => join(e.packageDir, scratchName)))) rmSync(dir, { recursive: true, force: true });
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('README examples', () => {
  it('finds examples in the package READMEs', () => {
    expect(examples.filter((e) => e.mode === 'run').length).toBeGreaterThanOrEqual(10);
  });

  it.each(examples.map((e) => [e.id, e]))('%s type-checks', (_id, example) => {
    // tsc names files relative to its working directory, the repository root.
    const errors = typecheck.output.split('\n').filter((line) => line.startsWith(relative(repoRoot, example.file)));
    expect(errors).toEqual([]);
  });

  it.each(examples.filter((e) => e.mode === 'run').map((e) => [e.id, e]))('%s runs', (_id, example) => {
    const result = spawnSync(tsx, ['--conditions=@descramble/source', example.file], { cwd: workDir, encoding: 'utf8' });
    expect(result.status, `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-12).join('\n')).toBe(0);
  });

  it('the type check as a whole passes', () => {
    expect(typecheck.output.trim()).toBe('');
    expect(typecheck.status).toBe(0);
  });
});
