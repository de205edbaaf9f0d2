import { randomBytes } from 'node:crypto';
import { type Stats, lstatSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { InputError, OutputError } from './cli-errors.js';
import { parseFileSpec } from './inputs.js';
import { reportStaging } from './staging-registry.js';
import { VERSION } from './version.js';

/**
 * The marker file in every output directory this tool writes. `--force` replaces a directory
 * only when it holds this marker: a folder that descramble did not write is never removed.
 */
export const OUTPUT_MARKER = '.descramble-output.json';

/** What a command reads, so that no output may replace or remove any of it. */
export interface RunInputs {
  /** The input files as the user gave them (resolved against `cwd`). */
  readonly files: readonly string[];
  readonly cwd: string;
}

/** The input files of a run, from file options (`FILE[:TENSOR]` specs allowed) and positionals. */
export function runInputs(cwd: string, files: ReadonlyArray<string | undefined>): RunInputs {
  const given = files.filter((file): file is string => file !== undefined && file.length > 0);
  // `FILE[:TENSOR]` specs name the file part.
  return { cwd, files: given.map((file) => resolve(cwd, parseFileSpec(file, 'input').file)) };
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

function realOrResolved(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/** True when `inner` is `outer` or lies inside it (both absolute). */
function within(inner: string, outer: string): boolean {
  const rel = relative(outer, inner);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * Every path by which an input can be reached: as given, and with symbolic links resolved (a
 * link to the input inside the output folder protects the input, not the link).
 */
function inputPaths(inputs: RunInputs): string[] {
  const paths = new Set<string>();
  for (const file of inputs.files) {
    paths.add(file);
    paths.add(realOrResolved(file));
  }
  return [...paths];
}

/**
 * Why `path` may not be replaced by this run's output (undefined when it may): it is the
 * working folder or an ancestor of it, an input, or holds an input.
 */
function protectedReason(path: string, inputs: RunInputs): string | undefined {
  const candidates = [path, realOrResolved(path)];
  const cwd = realOrResolved(inputs.cwd);
  for (const candidate of candidates) {
    if (within(cwd, candidate)) return candidate === cwd ? 'it is the current folder' : 'it holds the current folder';
  }
  for (const input of inputPaths(inputs)) {
    for (const candidate of candidates) {
      if (input === candidate) return `it is an input of this run (${input})`;
      if (within(input, candidate)) return `it holds an input of this run (${input})`;
    }
  }
  return undefined;
}

/** Reads the marker of an existing output directory; true when it is descramble's. */
function hasMarker(directory: string): boolean {
  const marker = join(directory, OUTPUT_MARKER);
  const stats = statOrUndefined(marker);
  if (stats === undefined || !stats.isFile()) return false;
  try {
    const parsed = JSON.parse(readFileSync(marker, 'utf8')) as { tool?: unknown };
    return parsed.tool === 'descramble';
  } catch {
    return false;
  }
}

/** A sentence for a failed file-system call on an output path, instead of a raw errno. */
export function describeWriteFailure(error: unknown, target: string, making?: 'folder'): OutputError {
  const raw = (error as NodeJS.ErrnoException | undefined)?.code;
  // mkdir -p says EEXIST when a part of the path is a file.
  const code = making === 'folder' && raw === 'EEXIST' ? 'ENOTDIR' : raw;
  const reasons: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'the file system is read-only',
    ENOSPC: 'no space left on the device',
    EDQUOT: 'disk quota exceeded',
    ENOTDIR: 'a part of the path is a file, not a folder',
    EISDIR: 'it is a folder',
    ENAMETOOLONG: 'the path is too long',
    EEXIST: 'something appeared there while working',
    EXDEV: 'the staging folder is on another file system',
  };
  const reason = (code !== undefined && reasons[code]) || (error instanceof Error ? error.message : String(error));
  return new OutputError(`cannot write ${target}: ${reason}; nothing was written`, { file: target });
}

/** Staging names: `.<target>.partial-<pid>-<hex>`, beside the target. */
const STAGING = /^\.(.+)\.partial-(\d+)-[0-9a-f]{8}(\.previous)?$/;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes staging left beside `path` by runs of this tool that were killed (SIGKILL, power
 * loss): only entries named like ours, of a process that no longer runs, holding our marker
 * (directories) or our own magic (files). A killed `--force` commit that had moved the old
 * output aside and not yet put the new one in place gets the old one back.
 */
export async function removeStaleStaging(path: string, isOurs: (entry: string) => boolean): Promise<void> {
  const parent = dirname(path);
  let entries: string[];
  try {
    entries = readdirSync(parent);
  } catch {
    return;
  }
  for (const entry of entries) {
    const match = STAGING.exec(entry);
    if (!match || match[1] !== basename(path)) continue;
    if (processAlive(Number(match[2])) && Number(match[2]) !== process.pid) continue;
    const full = join(parent, entry);
    if (!isOurs(full)) continue;
    if (match[3] !== undefined && statOrUndefined(path) === undefined) {
      await rename(full, path).catch(() => undefined);
      continue;
    }
    await rm(full, { recursive: true, force: true });
  }
}

/**
 * Checks `relativePath` (from a command, possibly built from names in a user's file) names a
 * file inside the output: components neither empty, `.`, `..` nor holding a separator or NUL.
 * Names from files reach here only through `PathComponents`; this is the last line of defence.
 */
function checkRelativePath(relativePath: string): void {
  const parts = relativePath.split('/');
  for (const part of parts) {
    if (part.length === 0 || part === '.' || part === '..' || part.includes('\\') || part.includes('\0')) {
      throw new OutputError(`internal: refusing to write '${relativePath}', which would leave the output folder`, {});
    }
  }
}

/**
 * An output directory written atomically: every file goes into a hidden staging directory
 * beside the target, which is renamed into place only when the command has succeeded. A
 * failed or interrupted run leaves the target exactly as it was. `force` replaces an existing
 * target only when descramble wrote it (its marker file), and never when it is the current
 * folder, an ancestor of it, an input of the run or holds one.
 */
export class OutputDirectory {
  readonly path: string;
  private readonly staging: string;
  private readonly force: boolean;
  private readonly inputs: RunInputs;
  private readonly written: string[] = [];
  private settled = false;

  private constructor(path: string, staging: string, force: boolean, inputs: RunInputs) {
    this.path = path;
    this.staging = staging;
    this.force = force;
    this.inputs = inputs;
  }

  static async open(target: string, options: { force: boolean; inputs: RunInputs }): Promise<OutputDirectory> {
    const path = resolve(options.inputs.cwd, target);
    checkReplaceable(path, target, options.force, options.inputs);
    const parent = dirname(path);
    try {
      await mkdir(parent, { recursive: true });
    } catch (error) {
      throw describeWriteFailure(error, target, 'folder');
    }
    await removeStaleStaging(path, (entry) => (statOrUndefined(entry)?.isDirectory() ?? false) && hasMarker(entry));
    const staging = join(parent, `.${basename(path)}.partial-${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      await mkdir(staging);
      reportStaging({ type: 'staging', staging, target: path });
      await writeFile(join(staging, OUTPUT_MARKER), `${JSON.stringify({ tool: 'descramble', version: VERSION, createdAt: new Date().toISOString() }, null, 2)}\n`);
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      reportStaging({ type: 'settled', staging });
      throw describeWriteFailure(error, target);
    }
    return new OutputDirectory(path, staging, options.force, options.inputs);
  }

  /** The hidden staging directory, for writers that create files themselves (then `record` them). */
  get stagingPath(): string {
    return this.staging;
  }

  /** Records a file that was written into `stagingPath` by someone else. */
  record(relativePath: string): void {
    checkRelativePath(relativePath);
    this.written.push(relativePath);
  }

  /** Files written so far, relative to the directory. */
  get files(): readonly string[] {
    return this.written;
  }

  async write(relativePath: string, contents: Uint8Array | string): Promise<void> {
    checkRelativePath(relativePath);
    if (this.written.includes(relativePath)) {
      throw new OutputError(`internal: '${relativePath}' would be written twice into ${this.path}`, { file: this.path });
    }
    const file = join(this.staging, relativePath);
    if (!within(file, this.staging) || file === this.staging) {
      throw new OutputError(`internal: refusing to write '${relativePath}', which would leave the output folder`, {});
    }
    try {
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, contents, { flag: 'wx' });
    } catch (error) {
      throw describeWriteFailure(error, join(this.path, relativePath));
    }
    this.written.push(relativePath);
  }

  /**
   * Moves the staged files into place. An existing target (which appeared while working, or is
   * replaced under `force`) is checked again, as at `open`, before anything moves.
   */
  async commit(): Promise<void> {
    if (this.settled) return;
    this.settled = true;
    try {
      checkReplaceable(this.path, this.path, this.force, this.inputs, true);
      reportStaging({ type: 'commit', staging: this.staging });
      if (statOrUndefined(this.path) !== undefined) {
        const previous = `${this.staging}.previous`;
        await rename(this.path, previous);
        await rename(this.staging, this.path);
        await rm(previous, { recursive: true, force: true });
      } else {
        await rename(this.staging, this.path);
      }
    } catch (error) {
      await rm(this.staging, { recursive: true, force: true });
      throw error instanceof InputError || error instanceof OutputError ? error : describeWriteFailure(error, this.path);
    } finally {
      reportStaging({ type: 'settled', staging: this.staging });
    }
  }

  /** Removes everything staged; the target is untouched. */
  async discard(): Promise<void> {
    if (this.settled) return;
    this.settled = true;
    await rm(this.staging, { recursive: true, force: true });
    reportStaging({ type: 'settled', staging: this.staging });
  }
}

/**
 * Throws unless the directory at `path` may receive this run's output: absent, or (under
 * `force`) a real directory with descramble's marker that is neither the current folder nor
 * an ancestor of it, nor an input nor a holder of one.
 */
function checkReplaceable(path: string, shown: string, force: boolean, inputs: RunInputs, appeared = false): void {
  const stats = statOrUndefined(path);
  if (stats === undefined) return;
  if (stats.isSymbolicLink()) {
    throw new OutputError(`output directory ${shown} is a symbolic link; descramble replaces only folders it wrote. Choose another --out`, { file: shown });
  }
  if (!stats.isDirectory()) {
    throw new OutputError(`output directory ${shown} exists and is a file, not a folder; choose another --out`, { file: shown });
  }
  if (!force) {
    throw new OutputError(
      appeared ? `output directory ${shown} appeared while working; pass --force to replace it` : `output directory ${shown} already exists; pass --force to replace it`,
      { file: shown },
    );
  }
  const reason = protectedReason(path, inputs);
  if (reason !== undefined) throw new OutputError(`refusing to replace ${shown} with --force: ${reason}. Choose another --out`, { file: shown });
  if (!hasMarker(path)) {
    throw new OutputError(`refusing to replace ${shown} with --force: descramble did not write it (it has no ${OUTPUT_MARKER}). Choose another --out`, {
      file: shown,
    });
  }
}

/** The first bytes of a file (fewer when it is shorter). */
async function head(path: string, length: number): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buffer = new Uint8Array(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * Writes one file atomically: a hidden temporary file beside the target, renamed into place.
 * An existing target is replaced only with `force`, only when it is a regular file that this
 * tool wrote (`isOurs` recognises its leading bytes), and never when it is an input of the run.
 */
export async function writeFileAtomic(
  target: string,
  contents: Uint8Array | string,
  options: { force: boolean; inputs: RunInputs; isOurs: (leading: Uint8Array) => boolean; magicLength: number },
): Promise<string> {
  const path = resolve(options.inputs.cwd, target);
  const checkTarget = async (appeared: boolean): Promise<void> => {
    const stats = statOrUndefined(path);
    const reason = protectedReason(path, options.inputs);
    if (reason !== undefined && (stats !== undefined || reason.startsWith('it is an input'))) {
      throw new OutputError(`refusing to write ${target}: ${reason}. Choose another --out`, { file: target });
    }
    if (stats === undefined) return;
    if (stats.isDirectory()) throw new OutputError(`output file ${target} exists and is a folder; choose another --out`, { file: target });
    if (!stats.isFile()) throw new OutputError(`output file ${target} exists and is not a regular file; choose another --out`, { file: target });
    if (!options.force) {
      throw new OutputError(appeared ? `output file ${target} appeared while working; pass --force to replace it` : `output file ${target} already exists; pass --force to replace it`, {
        file: target,
      });
    }
    if (!options.isOurs(await head(path, options.magicLength))) {
      throw new OutputError(`refusing to replace ${target} with --force: descramble did not write it. Choose another --out`, { file: target });
    }
  };
  await checkTarget(false);
  try {
    await mkdir(dirname(path), { recursive: true });
  } catch (error) {
    throw describeWriteFailure(error, target, 'folder');
  }
  await removeStaleStaging(path, (entry) => {
    const stats = statOrUndefined(entry);
    return stats?.isFile() === true && stats.size >= options.magicLength && options.isOurs(readFileSync(entry).subarray(0, options.magicLength));
  });
  const staging = join(dirname(path), `.${basename(path)}.partial-${process.pid}-${randomBytes(4).toString('hex')}`);
  reportStaging({ type: 'staging', staging, target: path });
  try {
    await writeFile(staging, contents, { flag: 'wx' });
    await checkTarget(true);
    reportStaging({ type: 'commit', staging });
    await rename(staging, path);
  } catch (error) {
    await rm(staging, { force: true });
    throw error instanceof OutputError ? error : describeWriteFailure(error, target);
  } finally {
    reportStaging({ type: 'settled', staging });
  }
  return path;
}
