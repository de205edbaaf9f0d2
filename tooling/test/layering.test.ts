/**
 * docs/architecture.md's layering table is the contract; the manifests must obey it. Each row
 * `| package | may depend on |` is parsed (short names such as `linalg` mean `@descramble/linalg`,
 * "everything above" means every package in the rows above, parentheses are commentary), and every
 * runtime edge of every workspace manifest (`dependencies` and `peerDependencies`) must be allowed.
 * Separately, the workspace graph must be acyclic and agree with the intended layering of the
 * project conventions (tooling/layering.json).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, workspacePackages } from './workspace.js';

const packages = workspacePackages();
const byDir = new Map(packages.map((p) => [p.dir, p]));
const workspaceNames = new Set(packages.map((p) => p.name));

function runtimeDependencies(name: string): string[] {
  const pkg = packages.find((p) => p.name === name);
  if (!pkg) throw new Error(`no workspace package ${name}`);
  return [...Object.keys(pkg.manifest.dependencies ?? {}), ...Object.keys(pkg.manifest.peerDependencies ?? {})].sort();
}

/** The doc's table: package name -> the names it may depend on. */
function documentedLayering(): Map<string, Set<string>> {
  const doc = readFileSync(join(repoRoot, 'docs/architecture.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Layering'), doc.indexOf('\n## ', doc.indexOf('## Layering') + 1));
  const rows = section.split('\n').filter((line) => /^\|\s*`/.test(line));
  const allowed = new Map<string, Set<string>>();
  const above: string[] = [];
  for (const row of rows) {
    const [subjects = '', targets = ''] = row.split('|').slice(1, 3);
    const names = [...subjects.matchAll(/`([^`]+)`/g)].map(([, subject = '']) =>
      subject.startsWith('@') ? subject : (byDir.get(subject)?.name ?? subject),
    );
    const set = new Set<string>();
    const text = targets.replace(/\([^)]*\)/g, '').replace(/\bonly\b/g, '');
    for (const word of text.split(/,|\bwith\b/).map((w) => w.trim()).filter(Boolean)) {
      if (word === 'everything above') for (const n of above) set.add(n);
      else set.add(workspaceNames.has(`@descramble/${word}`) ? `@descramble/${word}` : word);
    }
    for (const name of names) {
      allowed.set(name, set);
      above.push(name);
    }
  }
  return allowed;
}

/**
 * ml-matrix is the boundary type of every package ("Public functions ... take and return
 * ml-matrix `Matrix`", docs/architecture.md, Numerical code), so it is allowed everywhere even
 * though the table names it only for linalg and io; this exception holds only while the doc says so.
 */
const boundaryType = 'ml-matrix';
const boundarySentence = 'take and return ml-matrix\n`Matrix`';

describe('docs/architecture.md layering table against the manifests', () => {
  const documented = documentedLayering();

  it('names ml-matrix as the boundary type of public functions', () => {
    const doc = readFileSync(join(repoRoot, 'docs/architecture.md'), 'utf8').replace(/\s+/g, ' ');
    expect(doc).toContain(boundarySentence.replace(/\s+/g, ' '));
  });

  it('lists every workspace package, and only those', () => {
    expect([...documented.keys()].sort()).toEqual([...workspaceNames].sort());
  });

  it.each(packages.map((p) => [p.name]))('%s depends only on what the table allows', (name) => {
    const allowed = documented.get(name) ?? new Set<string>();
    const violations = runtimeDependencies(name).filter((dependency) => !allowed.has(dependency) && dependency !== boundaryType);
    expect(violations, `${name} may depend on: ${[...allowed].join(', ')}`).toEqual([]);
  });
});

describe('the workspace graph against the intended layering (tooling/layering.json)', () => {
  const intended = JSON.parse(readFileSync(join(repoRoot, 'tooling/layering.json'), 'utf8')) as {
    layers: Record<string, number>;
  };

  it('ranks every workspace package', () => {
    expect(Object.keys(intended.layers).sort()).toEqual([...workspaceNames].sort());
  });

  it.each(packages.map((p) => [p.name]))('%s depends only on packages of a strictly lower layer', (name) => {
    const rank = intended.layers[name] ?? Number.NaN;
    const upward = runtimeDependencies(name)
      .filter((dependency) => workspaceNames.has(dependency))
      .filter((dependency) => !((intended.layers[dependency] ?? Number.POSITIVE_INFINITY) < rank))
      .map((dependency) => `${dependency} (layer ${intended.layers[dependency]}, ${name} is layer ${rank})`);
    expect(upward).toEqual([]);
  });

  it('core depends on nothing; linalg, io and figures on core alone', () => {
    expect(runtimeDependencies('@descramble/core')).toEqual([]);
    for (const name of ['@descramble/linalg', '@descramble/io', '@descramble/figures']) {
      expect(runtimeDependencies(name).filter((d) => workspaceNames.has(d)), name).toEqual(['@descramble/core']);
    }
  });
});
