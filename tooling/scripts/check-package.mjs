#!/usr/bin/env node
/**
 * `check:package` of one workspace package (run in its folder, after its build): packs it once
 * (`npm pack --ignore-scripts`, so prepack does not rebuild under turbo) and lints the tarball
 * with publint --strict and with attw (are the types wrong) under the `esm-only` profile.
 *
 * Why esm-only: the packages ship ES modules only. `require()` works through Node's
 * require(esm) (Node >= 20.19, the declared engine) via each export's `default` condition, but
 * attw's node10 and node16-from-CJS resolution modes model older loaders, which these packages
 * do not support; the profile leaves those two modes out and keeps every other rule.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../..');
const bin = (name) => join(repoRoot, 'node_modules/.bin', name);
const work = mkdtempSync(join(tmpdir(), 'descramble-check-package-'));

function run(command, args) {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  process.stdout.write(result.stdout ?? '');
  process.stderr.write(result.stderr ?? '');
  return result.status === 0;
}

let ok = false;
try {
  const packed = spawnSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', work], { encoding: 'utf8' });
  if (packed.status !== 0) throw new Error(`npm pack failed:\n${packed.stderr}`);
  const [tarball] = readdirSync(work).filter((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error('npm pack wrote no tarball');
  const file = join(work, tarball);
  const publint = run(bin('publint'), ['run', file, '--strict']);
  const attw = run(bin('attw'), [file, '--profile', 'esm-only', '--format', 'ascii']);
  ok = publint && attw;
  if (!ok) console.error(`check:package: ${!publint ? 'publint' : ''}${!publint && !attw ? ' and ' : ''}${!attw ? 'attw' : ''} failed for ${tarball}`);
} catch (error) {
  console.error(`check:package: ${error.message}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.exit(ok ? 0 : 1);
