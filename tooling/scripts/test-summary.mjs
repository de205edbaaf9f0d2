#!/usr/bin/env node
// Prints one closing line for the whole monorepo, "tests: N passed, M failed",
// summed from every package's vitest JSON reports (test-results/vitest*.json).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;
let passed = 0;
let failed = 0;
let skipped = 0;
const perPackage = [];
// tooling/: the repository-wide checks (layering, README examples, built packages).
for (const group of ['packages', 'apps', '.']) {
  const dir = join(root, group);
  if (!existsSync(dir)) continue;
  for (const name of group === '.' ? ['tooling'] : readdirSync(dir).sort()) {
    // vitest.json, and vitest-<suite>.json of a package's further suites (the CLI's built binary).
    const results = join(dir, name, 'test-results');
    if (!existsSync(results)) continue;
    for (const file of readdirSync(results).filter((f) => /^vitest(-[a-z]+)?\.json$/.test(f)).sort()) {
      const json = JSON.parse(readFileSync(join(results, file), 'utf8'));
      passed += json.numPassedTests;
      failed += json.numFailedTests;
      skipped += json.numPendingTests + json.numTodoTests;
      perPackage.push(`${group === '.' ? '' : `${group}/`}${name}${file === 'vitest.json' ? '' : ` (${file.slice(7, -5)})`}: ${json.numPassedTests} passed, ${json.numFailedTests} failed`);
    }
  }
}
for (const line of perPackage) console.log(line);
console.log(`tests: ${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
