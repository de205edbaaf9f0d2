import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { staticClosure } from '../build/budget.js';
import { ONNX_RUNTIME_ASSETS, precacheList, serviceWorkerSource } from '../build/precache.js';

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

  it('leaves out the page, source maps and ONNX Runtime Web', () => {
    const built = ['index.html', 'sw.js', 'assets/index-1.js', 'assets/index-1.js.map', 'assets/ort-wasm-simd-threaded-x.wasm', 'assets/ort.wasm.bundle.min-y.js', 'assets/onnx-z.js'];
    expect(precacheList(built, 'sw.js', [ONNX_RUNTIME_ASSETS])).toEqual(['assets/index-1.js', 'assets/onnx-z.js']);
  });
});

describe('the built site (dist/, built by the test script)', () => {
  const assets = join(new URL('..', import.meta.url).pathname, 'dist', 'assets');
  const files = readdirSync(assets).filter((f) => f.endsWith('.js'));
  const text = (prefix: string) => {
    // Vite names chunks <name>-<8-character hash>.js ('onnx' must not find 'onnx-runtime-web').
    const file = files.find((f) => f.startsWith(`${prefix}-`) && /^[\w-]{8}\.js$/.test(f.slice(prefix.length + 1)));
    if (file === undefined) throw new Error(`no ${prefix}-*.js in dist/assets`);
    return readFileSync(join(assets, file), 'utf8');
  };

  it('keeps ONNX, HDF5 and .mat out of the first view, and out of the "your model" chunks themselves', () => {
    // Markers: the ONNX reader's protobuf schema, the HDF5 reader's in-memory file names, MATLAB v7.3.
    const markers = ['ModelProto', 'descramble-io-'];
    // The chunks that reach the readers by dynamic import (io's readTensors; Rollup names a shared chunk after any of its modules).
    const importers = (reader: string) => files.filter((f) => new RegExp(`import\\("\\./${reader}-[\\w-]{8}\\.js"\\)`).test(readFileSync(join(assets, f), 'utf8')));
    expect(importers('onnx').length).toBeGreaterThan(0);
    expect(importers('hdf5')).toEqual(importers('onnx'));
    const chunks = [...new Set(['index', 'worker', 'model'].map((c) => files.find((f) => f.startsWith(`${c}-`) && /^[\w-]{8}\.js$/.test(f.slice(c.length + 1)))!).concat(importers('onnx')))];
    for (const chunk of chunks) {
      const source = readFileSync(join(assets, chunk), 'utf8');
      for (const marker of markers) expect(source.includes(marker), `${chunk} contains ${marker}`).toBe(false);
    }
    expect(text('onnx')).toContain('ModelProto');
    expect(text('hdf5')).toContain('descramble-io-');
    expect(text('worker')).toMatch(/import\("\.\/model-[\w-]+\.js"\)/);
    // The ONNX graph (layers, capture) loads only for an ONNX file.
    expect(text('worker')).toMatch(/import\("\.\/graph-[\w-]+\.js"\)/);
  });

  it('ships ONNX Runtime Web as files of the site, loaded by the capture only and never precached', () => {
    const all = readdirSync(assets);
    const wasm = all.filter((f) => /^ort-wasm-simd-threaded-[\w-]+\.wasm$/.test(f));
    expect(wasm).toHaveLength(1);
    const loader = text('onnx-runtime-web');
    // wasmPaths points at the site's own copy, relative to the worker's URL: no CDN.
    expect(loader).toContain(wasm[0]);
    expect(loader).toMatch(/import\("\.\/ort\.wasm\.bundle\.min-[\w-]+\.js"\)/);
    for (const chunk of ['index', 'worker', 'model', 'graph']) expect(text(chunk).includes('ort-wasm-simd-threaded'), chunk).toBe(false);
    const sw = readFileSync(join(assets, '..', 'sw.js'), 'utf8');
    expect(sw).not.toMatch(/assets\/ort[-.]/);
    expect(sw).toContain('onnx-runtime-web-');
  });
});
