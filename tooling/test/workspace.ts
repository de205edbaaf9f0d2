import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(fileURLToPath(import.meta.url), '../../..');

export interface WorkspacePackage {
  readonly name: string;
  /** Folder relative to the repository root, e.g. `packages/linalg`. */
  readonly dir: string;
  readonly manifest: {
    readonly name: string;
    readonly private?: boolean;
    readonly exports?: Record<string, string | { readonly types?: string }>;
    readonly dependencies?: Record<string, string>;
    readonly peerDependencies?: Record<string, string>;
  };
}

export function workspacePackages(): WorkspacePackage[] {
  const found: WorkspacePackage[] = [];
  for (const group of ['packages', 'apps']) {
    for (const entry of readdirSync(join(repoRoot, group)).sort()) {
      const file = join(repoRoot, group, entry, 'package.json');
      if (!existsSync(file)) continue;
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as WorkspacePackage['manifest'];
      found.push({ name: manifest.name, dir: `${group}/${entry}`, manifest });
    }
  }
  return found;
}

/** Every import specifier a consumer can use: the package name and its declared subpaths. */
export function publicEntries(pkg: WorkspacePackage): string[] {
  return Object.entries(pkg.manifest.exports ?? {})
    .filter(([, target]) => typeof target === 'object' && typeof target.types === 'string')
    .map(([subpath]) => (subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`));
}
