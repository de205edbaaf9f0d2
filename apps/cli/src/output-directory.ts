import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from './cli-errors.js';

/**
 * An output directory written atomically: every file goes into a hidden staging directory
 * beside the target, which is renamed into place only when the command has succeeded. A
 * failed or interrupted run leaves the target exactly as it was; an existing target is
 * replaced only with `force`.
 */
export class OutputDirectory {
  readonly path: string;
  private readonly staging: string;
  private readonly force: boolean;
  private readonly written: string[] = [];
  private settled = false;

  private constructor(path: string, staging: string, force: boolean) {
    this.path = path;
    this.staging = staging;
    this.force = force;
  }

  static async open(target: string, options: { force: boolean }): Promise<OutputDirectory> {
    const path = resolve(target);
    if (existsSync(path) && !options.force) {
      throw new InputError(`output directory ${target} already exists; pass --force to replace it`, {
        file: target,
      });
    }
    const parent = dirname(path);
    await mkdir(parent, { recursive: true });
    const staging = join(parent, `.${basename(path)}.partial-${process.pid}-${randomBytes(4).toString('hex')}`);
    await mkdir(staging);
    return new OutputDirectory(path, staging, options.force);
  }

  /** The hidden staging directory, for writers that create files themselves (then `record` them). */
  get stagingPath(): string {
    return this.staging;
  }

  /** Records a file that was written into `stagingPath` by someone else. */
  record(relativePath: string): void {
    this.written.push(relativePath);
  }

  /** Files written so far, relative to the directory. */
  get files(): readonly string[] {
    return this.written;
  }

  async write(relativePath: string, contents: Uint8Array | string): Promise<void> {
    const file = join(this.staging, relativePath);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, contents);
    this.written.push(relativePath);
  }

  /** Moves the staged files into place; replaces an existing directory only under `force`. */
  async commit(): Promise<void> {
    if (this.settled) return;
    this.settled = true;
    if (existsSync(this.path)) {
      if (!this.force) {
        await rm(this.staging, { recursive: true, force: true });
        throw new InputError(`output directory ${this.path} appeared while working; pass --force to replace it`, {
          file: this.path,
        });
      }
      const previous = `${this.staging}.previous`;
      await rename(this.path, previous);
      await rename(this.staging, this.path);
      await rm(previous, { recursive: true, force: true });
      return;
    }
    await rename(this.staging, this.path);
  }

  /** Removes everything staged; the target is untouched. */
  async discard(): Promise<void> {
    if (this.settled) return;
    this.settled = true;
    await rm(this.staging, { recursive: true, force: true });
  }
}

/**
 * Writes one file atomically: a hidden temporary file beside the target, renamed into place.
 * An existing target is replaced only with `force`.
 */
export async function writeFileAtomic(target: string, contents: Uint8Array | string, options: { force: boolean }): Promise<string> {
  const path = resolve(target);
  if (existsSync(path) && !options.force) {
    throw new InputError(`output file ${target} already exists; pass --force to replace it`, { file: target });
  }
  await mkdir(dirname(path), { recursive: true });
  const staging = join(dirname(path), `.${basename(path)}.partial-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await writeFile(staging, contents);
    await rename(staging, path);
  } catch (error) {
    await rm(staging, { force: true });
    throw error;
  }
  return path;
}
