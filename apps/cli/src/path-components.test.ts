import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PathComponents, safeComponent } from './path-components.js';

function isSafe(component: string): boolean {
  return component.length > 0 && component.length <= 120 && /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(component) && component !== '.' && component !== '..';
}

describe('PathComponents: names from files as path components', () => {
  it('never produces ., .., separators, hidden names or empty names', () => {
    for (const name of ['.', '..', '...', '', '/', 'a/b', 'a\\b', '../../etc/passwd', '.hidden', 'x\u0000y', 'é', ' ']) {
      expect(isSafe(safeComponent(name)), JSON.stringify(name)).toBe(true);
    }
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (name) => isSafe(safeComponent(name))));
  });

  it('gives distinct names distinct components, case-insensitively, and lists what it renamed', () => {
    const components = new PathComponents();
    const names = ['a/b', 'a_b', 'A_B', 'fc1', '..', 'fc1'];
    const out = names.map((name) => components.component(name));
    expect(out).toEqual(['a_b', 'a_b-2', 'A_B-3', 'fc1', '_.', 'fc1']);
    expect(components.renamed).toEqual([
      { name: 'a/b', component: 'a_b' },
      { name: 'a_b', component: 'a_b-2' },
      { name: 'A_B', component: 'A_B-3' },
      { name: '..', component: '_.' },
    ]);
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ maxLength: 20 }), { maxLength: 40 }), (unique) => {
        const namer = new PathComponents();
        const made = unique.map((name) => namer.component(name).toLowerCase());
        return new Set(made).size === made.length && made.every((c) => isSafe(c));
      }),
    );
  });

  it('cuts long names and keeps them distinct with a hash', () => {
    const long = 'x'.repeat(500);
    const other = `${'x'.repeat(499)}y`;
    expect(safeComponent(long)).toHaveLength(120);
    expect(safeComponent(long)).not.toBe(safeComponent(other));
  });
});
