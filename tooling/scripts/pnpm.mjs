#!/usr/bin/env node
// Runs the pinned pnpm without assuming a global install or corepack
// (corepack fails on signature keys on our machines): `npx -y pnpm@<pinned>`.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const root = new URL('../../', import.meta.url);
const { packageManager } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const result = spawnSync(npx, ['-y', packageManager, ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
if (result.error) {
  console.error(`could not start ${packageManager} through npx: ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status ?? 1);
