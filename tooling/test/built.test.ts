/**
 * The built packages as a consumer sees them (needs `build`; turbo runs it first):
 *
 * - `require()` of every public entry works (Node >= 20.19 loads ES modules synchronously, through
 *   each export's `default` condition) and yields the same names as `import`;
 * - the published declarations compile with TypeScript 5.4 (`typescript-5.4`, the oldest
 *   compiler the packages aim at) with `skipLibCheck: false`. Known failures are listed in
 *   tooling/ts54-known-errors.json: a new error fails, and so does a listed one that is gone
 *   (then the list shrinks).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { publicEntries, repoRoot, workspacePackages } from './workspace.js';

const published = workspacePackages().filter((p) => !p.manifest.private);
const entries = published.flatMap(publicEntries);
// apps/cli depends on every published package, so every entry resolves from there (the CLI's own by self-reference).
const consumerDir = join(repoRoot, 'apps/cli');

describe('require() of the built packages', () => {
  it('covers every published package', () => {
    expect(published.length).toBe(11);
  });

  it.each(entries.map((e) => [e]))('require(%s) gives the names import gives', (entry) => {
    const script = `const required = Object.keys(require(${JSON.stringify(entry)})).sort();
import(${JSON.stringify(entry)}).then((m) => {
  const imported = Object.keys(m).filter((k) => k !== 'module.exports').sort();
  console.log(JSON.stringify({ required, imported }));
});`;
    const result = spawnSync(process.execPath, ['-e', script], { cwd: consumerDir, encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    const { required, imported } = JSON.parse(result.stdout) as { required: string[]; imported: string[] };
    expect(required.length).toBeGreaterThan(0);
    expect(required.filter((k) => k !== 'module.exports')).toEqual(imported);
  });
});

describe('the built declarations under TypeScript 5.4', () => {
  const scratch = mkdtempSync(join(consumerDir, '.ts54-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('compile with skipLibCheck false, apart from the listed known errors', () => {
    const consumer = entries.map((entry, i) => `export * as entry${i} from ${JSON.stringify(entry)};`).join('\n');
    writeFileSync(join(scratch, 'consumer.ts'), `${consumer}\n`);
    writeFileSync(
      join(scratch, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          lib: ['ES2022', 'DOM'],
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ['node'],
        },
        files: ['consumer.ts'],
      }),
    );
    const tsc = join(repoRoot, 'node_modules/typescript-5.4/bin/tsc');
    const version = spawnSync(process.execPath, [tsc, '--version'], { encoding: 'utf8' }).stdout.trim();
    expect(version).toBe('Version 5.4.5');
    const result = spawnSync(process.execPath, [tsc, '-p', join(scratch, 'tsconfig.json'), '--pretty', 'false'], { cwd: repoRoot, encoding: 'utf8' });
    // `file: TSxxxx message`, without line numbers (they move with unrelated edits).
    const errors = [...new Set(
      `${result.stdout}${result.stderr}`
        .split('\n')
        .map((line) => /^(.+?)\(\d+,\d+\): error (TS\d+): (.*)$/.exec(line))
        .filter((m): m is RegExpExecArray => m !== null)
        .map(([, file = '', code, message]) => `${relative(repoRoot, join(repoRoot, file))}: ${code} ${message}`),
    )].sort();
    const known = (JSON.parse(readFileSync(join(repoRoot, 'tooling/ts54-known-errors.json'), 'utf8')) as { errors: string[] }).errors;
    expect(errors).toEqual([...known].sort());
    expect(result.status === 0).toBe(known.length === 0);
  });
});
