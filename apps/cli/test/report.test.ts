import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reportDocument } from '../src/report-file.js';
import { CLI_ROOT, schemaErrors } from './helpers.js';

const manifest = (folder: string) => JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string> };

describe('report.json tool.packages', () => {
  const report = reportDocument({ command: 'layer', arguments: [], seed: 1, layers: [], files: ['report.json'] });

  it('records the version of every @descramble package, as each package.json states it', () => {
    const dependencies = Object.keys(manifest(CLI_ROOT).dependencies).filter((name) => name.startsWith('@descramble/'));
    expect(dependencies.length).toBeGreaterThanOrEqual(9);
    const packages = report.tool.packages;
    expect(Object.keys(packages).sort()).toEqual(expect.arrayContaining(dependencies.sort()));
    for (const name of Object.keys(packages)) {
      // The workspace layout: @descramble/<x> lives in packages/<x>.
      const folder = join(CLI_ROOT, '../../packages', name.slice('@descramble/'.length));
      expect(packages[name], name).toBe(manifest(folder).version);
    }
    expect(schemaErrors(report)).toBe('');
  });

  it('the schema requires the packages and refuses versions that are not versions', () => {
    const { packages: _, ...withoutPackages } = report.tool;
    expect(schemaErrors({ ...report, tool: withoutPackages })).toContain("must have required property 'packages'");
    expect(schemaErrors({ ...report, tool: { ...report.tool, packages: { '@descramble/linalg': 'latest' } } })).toContain('must match pattern');
    expect(schemaErrors({ ...report, tool: { ...report.tool, packages: { lodash: '1.0.0' } } })).not.toBe('');
  });
});
