import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, parse } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly dependencies?: Readonly<Record<string, string>>;
}

/** The CLI's version, read from its package.json (src/ and dist/ both sit one level below it). */
export const VERSION: string = (require('../package.json') as Manifest).version;

const SCOPE = '@descramble/';

/**
 * The folder of package `name` as Node finds it from `directory`: the first
 * `node_modules/<name>` on the way up. (The packages' `exports` maps do not list
 * `./package.json`, so `require.resolve('<name>/package.json')` is refused; the folder lookup
 * needs no exports entry and holds in the workspace, in pnpm and in npm installs alike.)
 */
function packageFolder(name: string, directory: string): string | undefined {
  let current = directory;
  for (;;) {
    const candidate = join(current, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    if (current === parse(current).root) return undefined;
    current = dirname(current);
  }
}

function readManifest(folder: string): Manifest {
  return JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as Manifest;
}

let versions: Readonly<Record<string, string | null>> | undefined;

/**
 * Version of every @descramble package the CLI runs on: its dependencies and theirs, read
 * from each package's own package.json (null if a package cannot be found, e.g. bundled).
 */
export function packageVersions(): Readonly<Record<string, string | null>> {
  if (versions !== undefined) return versions;
  const found: Record<string, string | null> = {};
  const cliFolder = realpathSync(join(dirname(fileURLToPath(import.meta.url)), '..'));
  const queue: Array<[string, string]> = Object.keys(readManifest(cliFolder).dependencies ?? {})
    .filter((name) => name.startsWith(SCOPE))
    .map((name) => [name, cliFolder]);
  while (queue.length > 0) {
    const [name, from] = queue.shift() as [string, string];
    if (name in found) continue;
    const folder = packageFolder(name, from);
    if (folder === undefined) {
      found[name] = null;
      continue;
    }
    const manifest = readManifest(folder);
    found[name] = manifest.version;
    for (const dependency of Object.keys(manifest.dependencies ?? {})) {
      if (dependency.startsWith(SCOPE) && !(dependency in found)) queue.push([dependency, folder]);
    }
  }
  versions = Object.fromEntries(Object.entries(found).sort(([a], [b]) => a.localeCompare(b)));
  return versions;
}
