import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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

describe('the built site (dist/, built by the test script)', () => {
  const assets = join(new URL('..', import.meta.url).pathname, 'dist', 'assets');
  const files = readdirSync(assets).filter((f) => f.endsWith('.js'));
  const text = (prefix: string) => {
    const file = files.find((f) => f.startsWith(`${prefix}-`));
    if (file === undefined) throw new Error(`no ${prefix}-*.js in dist/assets`);
    return readFileSync(join(assets, file), 'utf8');
  };

  it('keeps ONNX, HDF5 and .mat out of the first view, and out of the "your model" chunk itself', () => {
    // Markers: the ONNX reader's protobuf schema, the HDF5 reader's in-memory file names, MATLAB v7.3.
    const markers = ['ModelProto', 'descramble-io-'];
    for (const chunk of ['index', 'worker', 'model']) {
      const source = text(chunk);
      for (const marker of markers) expect(source.includes(marker), `${chunk} contains ${marker}`).toBe(false);
    }
    expect(text('onnx')).toContain('ModelProto');
    expect(text('hdf5')).toContain('descramble-io-');
    // "your model" reaches them only through io's dynamic imports.
    expect(text('model')).toMatch(/import\("\.\/onnx-[\w-]+\.js"\)/);
    expect(text('model')).toMatch(/import\("\.\/hdf5-[\w-]+\.js"\)/);
    expect(text('worker')).toMatch(/import\("\.\/model-[\w-]+\.js"\)/);
  });
});
