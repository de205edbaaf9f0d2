import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALLOWLIST, findDenseLoops, scanFile } from '../checks/dense-loops.mjs';

// "Only linalg loops over Float64Array": the check lives in tooling/checks/dense-loops.mjs and
// runs in the tooling suite (never cached) so that `npm test` enforces it whatever package changed.
describe('dense loops stay inside linalg', () => {
  it('recognises a hand-written dense kernel and ignores vector and diagonal loops', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dense-loops-'));
    const path = join(dir, 'sample.ts');
    writeFileSync(
      path,
      [
        'export function product(a: Float64Array, b: Float64Array, out: Float64Array, n: number): void {',
        '  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = a[i * n + j]! * b[j]!;',
        '}',
        'export function shift(a: Float64Array, n: number): void {',
        '  for (let i = 0; i < n * n; i++) a[i]! *= 2;',
        '  for (let k = 0; k < 3; k++) for (let i = 0; i < n; i++) a[i * n + i]! += 1;',
        '}',
      ].join('\n'),
    );
    expect(scanFile(path)).toEqual([{ line: 2, fn: 'product' }]);
  });

  it('finds none outside linalg except allowlisted ones and packages not yet moved (issue 18)', () => {
    const findings = findDenseLoops();
    const offending = findings.filter((f) => f.allowed === undefined && !f.pending);
    expect(offending).toEqual([]);
    // Every allowlist entry still matches something (a stale entry would hide nothing, but mislead).
    for (const entry of ALLOWLIST) {
      expect(findings.some((f) => f.file === entry.file && (entry.fn === '*' || f.fn === entry.fn))).toBe(true);
    }
  });
});
