import { describe, expect, it } from 'vitest';
import { staticClosure } from '../build/budget.js';
import { serviceWorkerSource } from '../build/precache.js';

describe('bundle budget', () => {
  it('counts entries and their static imports, never dynamic-only chunks', () => {
    const chunks = [
      { fileName: 'index.js', imports: ['shared.js'], isEntry: true },
      { fileName: 'shared.js', imports: ['deep.js'], isEntry: false },
      { fileName: 'deep.js', imports: [], isEntry: false },
      { fileName: 'onnx.js', imports: ['shared.js'], isEntry: false },
    ];
    expect(staticClosure(chunks)).toEqual(['deep.js', 'index.js', 'shared.js']);
  });
});

describe('service worker', () => {
  it('precaches the page and every listed file, under a versioned cache', () => {
    const source = serviceWorkerSource(['assets/a.js', 'assets/b.css'], 'abc123');
    expect(source).toContain('"descramble-demo-abc123"');
    expect(source).toContain('["./","./assets/a.js","./assets/b.css"]');
    // It parses as JavaScript.
    expect(() => new Function(source)).not.toThrow();
  });
});
