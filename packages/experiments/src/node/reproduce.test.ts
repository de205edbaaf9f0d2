import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import { reproduce } from './reproduce.js';

describe('reproduce (smoke test on one experiment)', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'reproduce-'));
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('writes the markdown with the claims table and one PNG per figure', () => {
    const result = reproduce('convolution', { outDir });
    const markdown = readFileSync(join(outDir, 'reproduction.md'), 'utf8');
    expect(markdown).toContain('| Experiment | Claim | Paper | Measured | Holds |');
    const convolution = result.results[0]!;
    for (const c of convolution.checks) expect(markdown).toContain(c.measured.replace(/\|/g, '\\|'));
    expect(result.figurePaths.length).toBe(convolution.figures.length);
    for (const path of result.figurePaths) {
      expect(existsSync(path)).toBe(true);
      expect(Array.from(readFileSync(path).subarray(0, 8))).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
      expect(markdown).toContain(`](reproduction/${path.split('/').pop()})`);
    }
  });

  it('rejects an unknown experiment', () => {
    expect(() => reproduce('nothing' as 'all', { outDir })).toThrow(InvalidArgumentError);
  });
});
