import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const src = new URL('../src/', import.meta.url).pathname;

function browserSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node' ? [] : browserSources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('the main entry is browser-safe', () => {
  it('no source outside src/node imports Node built-ins, pngjs or resvg, or uses Buffer/process', () => {
    const files = browserSources(src);
    expect(files.length).toBeGreaterThan(8);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const imports = [...text.matchAll(/from\s+'([^']+)'/g)].map((m) => m[1]!);
      // Relative imports only, and @descramble/core, which has no dependencies at all.
      for (const specifier of imports) expect(specifier, `${file} imports ${specifier}`).toMatch(/^(\.\.?\/|@descramble\/core$)/);
      expect(imports.some((s) => s.includes('/node/')), file).toBe(false);
      expect(text, file).not.toMatch(/\bBuffer\b|\bprocess\.|\brequire\(/);
    }
  });

  it('package.json maps "." and "./node" with the source condition first', () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(Object.keys(manifest.exports)).toEqual(['.', './node']);
    expect(Object.keys(manifest.exports['.'])[0]).toBe('@descramble/source');
    expect(manifest.exports['./node']['@descramble/source']).toBe('./src/node/index.ts');
  });
});
