/**
 * A tiny Vite plugin that writes the service worker: the list of every built file is known
 * only after bundling, so `sw.js` is generated in `generateBundle` with that list and a
 * version derived from it (a new build gets a new cache and drops the old one). Files matching
 * `exclude` are left out: ONNX Runtime Web (a 15 MB .wasm and its loader) is fetched only by a
 * visitor who captures a model, never on a first visit.
 */
import { createHash } from 'node:crypto';
import type { Plugin } from 'vite';

/** The service worker's source for a precache list (paths relative to the site's base). */
export function serviceWorkerSource(files: readonly string[], version: string): string {
  return `// Generated at build time by build/precache.ts. Precaches the whole site; cache first.
const CACHE = ${JSON.stringify(`descramble-demo-${version}`)};
const FILES = ${JSON.stringify(['./', ...files.map((f) => `./${f}`)])};
self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(FILES)).then(() => self.skipWaiting()));
});
self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('descramble-demo-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});
self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(
    caches.open(CACHE).then(async (cache) => {
      const key = request.mode === 'navigate' ? './' : request;
      const cached = await cache.match(key, { ignoreSearch: request.mode === 'navigate' });
      if (cached) return cached;
      return fetch(request);
    }),
  );
});
`;
}

/** ONNX Runtime Web's files as Vite names them (`assets/ort-wasm-simd-threaded-<hash>.wasm`, `assets/ort.wasm.bundle.min-<hash>.js`). */
export const ONNX_RUNTIME_ASSETS = /^assets\/ort[-.]/;

/** The built files the service worker precaches: all but the page itself, source maps and `exclude`d ones. */
export function precacheList(files: readonly string[], serviceWorker: string, exclude: readonly RegExp[]): string[] {
  return files
    .filter((f) => f !== serviceWorker && f !== 'index.html' && !f.endsWith('.map') && !exclude.some((pattern) => pattern.test(f)))
    .sort();
}

export function precacheServiceWorker({ fileName = 'sw.js', exclude = [] }: { fileName?: string; exclude?: readonly RegExp[] } = {}): Plugin {
  return {
    name: 'descramble-precache-service-worker',
    apply: 'build',
    enforce: 'post',
    generateBundle(_options, bundle) {
      const files = precacheList(Object.keys(bundle), fileName, exclude);
      const version = createHash('sha256').update(files.join('\n')).digest('hex').slice(0, 12);
      this.emitFile({ type: 'asset', fileName, source: serviceWorkerSource(files, version) });
    },
  };
}
