#!/usr/bin/env node
/**
 * Checks that the packed CLI installs and runs on its own, outside the workspace:
 *
 *   1. builds dist/ of the CLI and every workspace package it depends on (`pnpm --filter
 *      @descramble/cli... run build`; skip with --no-build);
 *   2. packs each of them with `pnpm pack` (which rewrites `workspace:*` to real versions,
 *      as publishing does; `npm pack` would leave `workspace:*`, which npm cannot install);
 *   3. installs the tarballs with npm into a temporary folder: a throwaway project whose
 *      dependencies and `overrides` point every @descramble/* package at its tarball (the
 *      workspace packages are not on the registry; third-party ones come from it);
 *   4. runs `npx descramble --version`, a real command (`descramble layer` on the committed
 *      PyTorch fixtures; checks report.json and the files it lists) and `descramble explain`
 *      (the DEERNet bundled in @descramble/experiments).
 *
 * `npm install -g` of the CLI tarball alone cannot work before the workspace packages are
 * published (npm would look them up on the registry), hence the throwaway project: npm
 * installs the same files, and `npx descramble` runs its bin.
 *
 * Usage: node apps/cli/scripts/pack-install.mjs [--no-build] [--keep]
 * Exit 0 when everything worked; prints the temporary folder and the time taken.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const started = performance.now();
const cliRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = resolve(cliRoot, '../..');
const args = new Set(process.argv.slice(2));
const { packageManager } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));

function run(command, commandArgs, options = {}) {
  const shown = `${command} ${commandArgs.join(' ')}`;
  console.log(`$ ${shown}${options.cwd ? `   (in ${options.cwd})` : ''}`);
  const result = spawnSync(command, commandArgs, { stdio: options.capture ? 'pipe' : 'inherit', encoding: 'utf8', ...options });
  if (result.status !== 0) {
    if (options.capture) process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`);
    throw new Error(`failed (exit ${result.status ?? result.signal}): ${shown}`);
  }
  return result.stdout ?? '';
}

/** Workspace packages by name. */
function workspacePackages() {
  const found = new Map();
  for (const group of ['packages', 'apps']) {
    for (const entry of readdirSync(join(repoRoot, group))) {
      const file = join(repoRoot, group, entry, 'package.json');
      if (existsSync(file)) found.set(JSON.parse(readFileSync(file, 'utf8')).name, join(repoRoot, group, entry));
    }
  }
  return found;
}

/** The CLI and the workspace packages it needs at run time, transitively. */
function runtimeClosure(all, name, seen = new Set()) {
  if (seen.has(name)) return seen;
  seen.add(name);
  const manifest = JSON.parse(readFileSync(join(all.get(name), 'package.json'), 'utf8'));
  for (const [dependency, range] of Object.entries(manifest.dependencies ?? {})) {
    if (String(range).startsWith('workspace:')) runtimeClosure(all, dependency, seen);
  }
  return seen;
}

const work = mkdtempSync(join(tmpdir(), 'descramble-pack-'));
try {
  if (!args.has('--no-build')) {
    run(process.execPath, [join(repoRoot, 'tooling/scripts/pnpm.mjs'), '--filter', '@descramble/cli...', 'run', 'build'], { cwd: repoRoot });
  }
  const all = workspacePackages();
  const names = [...runtimeClosure(all, '@descramble/cli')];
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);
  const files = new Map();
  for (const name of names) {
    const dir = all.get(name);
    if (!existsSync(join(dir, 'dist'))) throw new Error(`${name}: no dist/ in ${dir}; run the build first`);
    const before = new Set(readdirSync(tarballs));
    run('npx', ['-y', packageManager, 'pack', '--pack-destination', tarballs], { cwd: dir, capture: true });
    const made = readdirSync(tarballs).filter((file) => !before.has(file));
    if (made.length !== 1) throw new Error(`${name}: expected one tarball, got ${made.join(', ')}`);
    files.set(name, join(tarballs, made[0]));
    console.log(`packed ${name} -> ${made[0]}`);
  }
  const project = join(work, 'project');
  mkdirSync(project);
  const spec = (name) => `file:${files.get(name)}`;
  writeFileSync(
    join(project, 'package.json'),
    `${JSON.stringify(
      {
        name: 'descramble-install-check',
        private: true,
        dependencies: { '@descramble/cli': spec('@descramble/cli') },
        overrides: Object.fromEntries(names.map((name) => [name, spec(name)])),
      },
      null,
      2,
    )}\n`,
  );
  run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: project });

  const version = run('npx', ['--no-install', 'descramble', '--version'], { cwd: project, capture: true });
  const expected = JSON.parse(readFileSync(join(cliRoot, 'package.json'), 'utf8')).version;
  if (version.trim() !== `descramble ${expected}`) throw new Error(`--version printed '${version.trim()}', expected 'descramble ${expected}'`);
  console.log(version.trim());

  const out = join(work, 'out');
  const fixtures = join(repoRoot, 'fixtures/pytorch');
  run(
    'npx',
    ['--no-install', 'descramble', 'layer', '--weights', `${join(fixtures, 'mlp_float64.safetensors')}:fc1.weight`, '--data', join(fixtures, 'mlp_input.npy'), '--out', out, '--quiet'],
    { cwd: project },
  );
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  const [layer] = report.layers;
  if (!(Math.abs(layer.value - layer.optimum) <= 1e-10 * Math.abs(layer.optimum))) throw new Error(`report.json: value ${layer.value} is not the optimum ${layer.optimum}`);
  for (const file of report.files) if (!existsSync(join(out, file))) throw new Error(`report.json lists ${file}, which was not written`);
  // The bundled DEERNet ships inside @descramble/experiments' dist: `explain` with no model.
  const deer = join(work, 'deernet');
  run('npx', ['--no-install', 'descramble', 'explain', '--traces', '200', '--no-figures', '--quiet', '--out', deer], { cwd: project });
  if (JSON.parse(readFileSync(join(deer, 'report.json'), 'utf8')).layers.length !== 1) throw new Error('explain: expected one hidden layer of DEERNet');
  if (!existsSync(join(project, 'node_modules/@descramble/cli/report.schema.json'))) throw new Error('report.schema.json is not in the package');
  console.log(`ok: installed ${names.length} packages from tarballs; 'descramble layer' wrote ${report.files.length} files (${((performance.now() - started) / 1000).toFixed(1)} s)`);
} finally {
  if (args.has('--keep')) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
