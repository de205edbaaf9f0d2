import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** How to start one of the CLI's worker entries (`new Worker(specifier, options)`). */
export interface WorkerLaunch {
  readonly specifier: URL | string;
  readonly options: { eval?: boolean; execArgv?: string[] };
}

/**
 * How to start the worker entry `name` (a file beside this one): from dist, the `.js` file as
 * it is; from src (tsx, vitest), the `.ts` file through tsx's loader with the source-first
 * condition. Node 20 does not apply loader hooks registered by `--import tsx` in a worker's
 * execArgv to the worker's own entry module (ERR_UNKNOWN_FILE_EXTENSION), so a two-line
 * bootstrap registers tsx in the worker (resolved from this package, so the working directory
 * does not matter) and imports it.
 */
export function workerLaunch(name: string): WorkerLaunch {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(`./${name}.${fromSource ? 'ts' : 'js'}`, import.meta.url);
  if (!fromSource) return { specifier: entry, options: {} };
  const require = createRequire(import.meta.url);
  const manifestPath = require.resolve('tsx/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  const api = pathToFileURL(join(dirname(manifestPath), manifest.exports['./esm/api']?.import.default ?? 'dist/esm/api/index.mjs')).href;
  const bootstrap = `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return { specifier: bootstrap, options: { eval: true, execArgv: ['--conditions=@descramble/source'] } };
}
