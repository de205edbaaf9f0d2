#!/usr/bin/env node
// Assembles docs/performance.md from the tables each benchmark writes to
// packages/<name>/bench/latest.md (and apps/<name>/bench/latest.md), so the document always
// shows the latest measured run, ratios against numpy/scipy taken in the same run.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;
const order = ['linalg', 'descramblers', 'orthogonal', 'spectral', 'permutation', 'io', 'nets', 'figures', 'experiments'];
const sections = [];
for (const group of ['packages', 'apps']) {
  const dir = join(root, group);
  if (!existsSync(dir)) continue;
  const names = readdirSync(dir).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  for (const name of names) {
    const file = join(dir, name, 'bench', 'latest.md');
    if (!existsSync(file)) continue;
    const body = readFileSync(file, 'utf8').trim().replace(/^# .*\n+/, '');
    sections.push(`## ${group}/${name}\n\n${body}\n`);
  }
}

function rank(name) {
  const index = order.indexOf(name);
  return index === -1 ? order.length : index;
}

const preamble = readFileSync(join(root, 'docs', 'performance.intro.md'), 'utf8').trim();
writeFileSync(join(root, 'docs', 'performance.md'), `${preamble}\n\n${sections.join('\n')}`);
console.log(`docs/performance.md: ${sections.length} sections`);
