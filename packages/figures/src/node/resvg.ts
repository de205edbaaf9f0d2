// @resvg/resvg-js is an optional peer dependency (a native binary): loaded on the first PNG
// render, not when the node entry is imported. Loaded with require rather than import() so that
// the PNG renderers stay synchronous (`pngFigureHtml` is a synchronous `renderFigure`); the
// package is CommonJS.
import { createRequire } from 'node:module';
import { MissingDependencyError } from '../errors.js';

/** The part of @resvg/resvg-js this package uses. */
export type ResvgModule = typeof import('@resvg/resvg-js');

/** The npm package name, as the install hint spells it. */
export const resvgPackage = '@resvg/resvg-js';

const requireHere = createRequire(import.meta.url);

/**
 * The resvg module through `load` (Node's require, which caches it; tests inject a failing
 * loader). A failure to load becomes a {@link MissingDependencyError} saying how to install it.
 */
export function loadResvg(operation: string, load: () => ResvgModule = () => requireHere(resvgPackage) as ResvgModule): ResvgModule {
  try {
    return load();
  } catch (cause) {
    throw new MissingDependencyError({ dependency: resvgPackage, purpose: 'rendering figures to PNG', operation, cause });
  }
}
