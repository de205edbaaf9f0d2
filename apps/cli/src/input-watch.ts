import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InputError } from './cli-errors.js';
import { parseFileSpec } from './inputs.js';

interface Identity {
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
}

async function identity(path: string): Promise<Identity | undefined> {
  try {
    const s = await stat(path);
    return { dev: s.dev, ino: s.ino, size: s.size, mtimeMs: s.mtimeMs };
  } catch {
    return undefined;
  }
}

/**
 * The input files of a run, as they were when it began. `check()` before the output is
 * committed: a file replaced, rewritten or removed while the run read it (its device, inode,
 * size or modification time changed) would make a report that mixes two files under one
 * name, so it is an error and nothing is written.
 */
export class InputWatch {
  private readonly files: string[];
  private readonly initial: Promise<Array<Identity | undefined>>;

  constructor(cwd: string, files: ReadonlyArray<string | undefined>) {
    // `FILE[:TENSOR]` specs name the file part.
    this.files = files.filter((file): file is string => file !== undefined && file.length > 0).map((file) => resolve(cwd, parseFileSpec(file, 'input').file));
    this.initial = Promise.all(this.files.map(identity));
  }

  async check(): Promise<void> {
    const before = await this.initial;
    for (const [index, file] of this.files.entries()) {
      const was = before[index];
      if (was === undefined) continue;
      const now = await identity(file);
      if (now === undefined || now.dev !== was.dev || now.ino !== was.ino || now.size !== was.size || now.mtimeMs !== was.mtimeMs) {
        throw new InputError(`${file}: changed while descramble was reading it (${now === undefined ? 'removed' : 'replaced or rewritten'}); nothing was written. Run again on a file that stays put`, { file });
      }
    }
  }
}
