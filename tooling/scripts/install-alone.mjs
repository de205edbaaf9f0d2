#!/usr/bin/env node
/**
 * Installs ONE published package from its tarball into an empty project, as a consumer would,
 * and checks what that consumer can do with it:
 *
 *   1. `pnpm pack`s the package and the workspace packages it depends on (pnpm rewrites
 *      `workspace:*` to real versions, as publishing does), from their built dist/;
 *   2. writes a throwaway project whose only dependency is that package (the other workspace
 *      tarballs come in through `overrides`, since they are not on the registry), installs it
 *      with npm (default) or pnpm (`--pm pnpm`);
 *   3. runs a consumer that imports the package and `ml-matrix` (every README example builds
 *      its inputs with `Matrix`), and one that `require()`s the package.
 *
 * `--with-peer` adds `ml-matrix` to the consumer's own dependencies (what the README's install
 * line says) and checks that the consumer and every installed @descramble package resolve the
 * same copy (functions check `instanceof Matrix`).
 *
 * Usage: node tooling/scripts/install-alone.mjs @descramble/spectral [--pm npm|pnpm] [--with-peer] [--keep]
 * Needs the build (`pnpm run build`). Prints one line per check; exit 1 if any failed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../..');
const argv = process.argv.slice(2);
const target = argv.find((a) => a.startsWith('@descramble/'));
const pm = argv.includes('--pm') ? argv[argv.indexOf('--pm') + 1] : 'npm';
if (!target || !['npm', 'pnpm'].includes(pm)) {
  console.error('usage: install-alone.mjs @descramble/<pkg> [--pm npm|pnpm] [--keep]');
  process.exit(2);
}
const { packageManager } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

const workspace = new Map();
for (const group of ['packages', 'apps']) {
  for (const entry of readdirSync(join(repoRoot, group))) {
    const file = join(repoRoot, group, entry, 'package.json');
    if (existsSync(file)) workspace.set(JSON.parse(readFileSync(file, 'utf8')).name, join(repoRoot, group, entry));
  }
}
function closure(name, seen = new Set()) {
  if (seen.has(name)) return seen;
  seen.add(name);
  const manifest = JSON.parse(readFileSync(join(workspace.get(name), 'package.json'), 'utf8'));
  for (const [dependency, range] of Object.entries(manifest.dependencies ?? {})) {
    if (String(range).startsWith('workspace:')) closure(dependency, seen);
  }
  return seen;
}

const work = mkdtempSync(join(tmpdir(), 'descramble-alone-'));
let failed = 0;
function report(label, { ok, output }) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${label}`);
  if (!ok) {
    failed++;
    const lines = output.trim().split('\n');
    console.log(lines.filter((l) => /Error|error|ERR_/.test(l)).slice(0, 4).map((l) => `       ${l.trim()}`).join('\n') || lines.slice(-4).join('\n'));
  }
}
try {
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);
  const files = new Map();
  for (const name of closure(target)) {
    const before = new Set(readdirSync(tarballs));
    // --ignore-scripts: dist/ is already built; prepack would rebuild it.
    const packed = run('npx', ['-y', packageManager, 'pack', '--pack-destination', tarballs, '--config.ignore-scripts=true'], workspace.get(name));
    if (!packed.ok) throw new Error(`${name}: pack failed\n${packed.output}`);
    const [made] = readdirSync(tarballs).filter((f) => !before.has(f));
    files.set(name, `file:${join(tarballs, made)}`);
  }
  const project = join(work, 'project');
  mkdirSync(project);
  const overrides = Object.fromEntries(files);
  const manifest = { name: 'consumer', private: true, type: 'module', dependencies: { [target]: files.get(target) } };
  if (argv.includes('--with-peer')) manifest.dependencies['ml-matrix'] = '^6.15.1';
  if (pm === 'npm') manifest.overrides = overrides;
  writeFileSync(join(project, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  // pnpm reads overrides from pnpm-workspace.yaml only.
  if (pm === 'pnpm') {
    const lines = Object.entries(overrides).map(([name, spec]) => `  '${name}': '${spec}'`);
    writeFileSync(join(project, 'pnpm-workspace.yaml'), `overrides:\n${lines.join('\n')}\n`);
  }
  const install =
    pm === 'npm'
      ? run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts'], project)
      : run('npx', ['-y', packageManager, 'install', '--ignore-scripts', '--config.confirmModulesPurge=false'], project);
  report(`${pm} install ${target} alone`, install);
  if (!install.ok) throw new Error('install failed');
  writeFileSync(join(project, 'esm.mjs'), `import * as m from '${target}';\nconsole.log(Object.keys(m).length);\n`);
  report(`import '${target}'`, run(process.execPath, ['esm.mjs'], project));
  const targetManifest = JSON.parse(readFileSync(join(workspace.get(target), 'package.json'), 'utf8'));
  const usesMatrix = 'ml-matrix' in { ...targetManifest.dependencies, ...targetManifest.peerDependencies };
  if (usesMatrix) {
    // Every installed package's ml-matrix, by real path, beside the consumer's own.
    const script = `import { createRequire } from 'node:module';
import { realpathSync } from 'node:fs';
import { Matrix } from 'ml-matrix';
import '${target}';
const own = realpathSync(createRequire(import.meta.url).resolve('ml-matrix'));
const copies = new Set([own]);
// pnpm links each package's dependencies beside it only: resolve each from the ones found so far.
const found = [realpathSync(createRequire(import.meta.url).resolve('${target}'))];
const pending = new Set(${JSON.stringify([...files.keys()])}.filter((n) => n !== '${target}'));
for (let progress = true; progress && pending.size > 0; ) {
  progress = false;
  for (const name of [...pending]) {
    for (const from of found) {
      try { found.push(realpathSync(createRequire(from).resolve(name))); pending.delete(name); progress = true; break; } catch {}
    }
  }
}
for (const dir of found) copies.add(realpathSync(createRequire(dir).resolve('ml-matrix')));
if (copies.size !== 1) { console.error('Error: ' + copies.size + ' copies of ml-matrix: ' + [...copies].join(', ')); process.exit(1); }
console.log(Matrix.eye(2).trace());
`;
    writeFileSync(join(project, 'matrix.mjs'), script);
    report(`import { Matrix } from 'ml-matrix' beside it, one copy`, run(process.execPath, ['matrix.mjs'], project));
  }
  writeFileSync(join(project, 'cjs.cjs'), `const m = require('${target}');\nconsole.log(Object.keys(m).length);\n`);
  report(`require('${target}')`, run(process.execPath, ['cjs.cjs'], project));
} catch (error) {
  failed++;
  console.log(`FAIL ${error.message}`);
} finally {
  if (argv.includes('--keep')) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
process.exit(failed > 0 ? 1 : 0);
