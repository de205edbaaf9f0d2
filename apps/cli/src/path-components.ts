import { createHash } from 'node:crypto';

/** A name from a user's file that had to change to become a file or folder name. */
export interface RenamedComponent {
  readonly name: string;
  readonly component: string;
}

/** File-system limit on one name is 255 bytes; keep well inside it, with room for suffixes. */
const MAX_LENGTH = 120;

/**
 * The one way a name that comes from a file (a layer, a tensor, a model's stem) becomes a path
 * component: letters, digits, `.`, `_` and `-` kept, every other run of characters replaced by
 * `_`, a leading `.` replaced (no hidden files, never `.` or `..`), empty names named `_`, long
 * names cut and given a hash of the whole. Distinct names always get distinct components, even
 * on case-insensitive file systems: a later collision gets `-2`, `-3`, ... and every name
 * that changed is listed in `renamed` for the report.
 */
export class PathComponents {
  private readonly taken = new Map<string, string>();
  private readonly byName = new Map<string, string>();
  readonly renamed: RenamedComponent[] = [];

  /** The component of `name` (the same name always gets the same component). */
  component(name: string): string {
    const known = this.byName.get(name);
    if (known !== undefined) return known;
    const base = safeComponent(name);
    let component = base;
    for (let suffix = 2; this.taken.has(component.toLowerCase()); suffix++) component = `${base}-${suffix}`;
    this.taken.set(component.toLowerCase(), name);
    this.byName.set(name, component);
    if (component !== name) this.renamed.push({ name, component });
    return component;
  }
}

/** `name` as one safe path component (not yet unique: see PathComponents). */
export function safeComponent(name: string): string {
  let component = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\./, '_');
  if (component.length === 0) component = '_';
  if (component.length > MAX_LENGTH) {
    const hash = createHash('sha256').update(name).digest('hex').slice(0, 12);
    component = `${component.slice(0, MAX_LENGTH - 13)}-${hash}`;
  }
  return component;
}
