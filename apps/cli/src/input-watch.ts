import { resolve } from 'node:path';
import { assertFileUnchanged, type FileIdentity, fileIdentity } from '@descramble/io/node';
import { asInputError, parseFileSpec } from './inputs.js';

/**
 * The input files of a run, as they were when it began (io's file identity: device, inode,
 * size, modification time). `check()` before the output is committed: a file replaced,
 * rewritten or removed while the run read it would make a report that mixes two files under
 * one name, so it is an error and nothing is written. (A streamed `.npy` is also checked by
 * io before every block.)
 */
export class InputWatch {
  private readonly files: string[];
  private readonly initial: Promise<Array<FileIdentity | undefined>>;

  constructor(cwd: string, files: ReadonlyArray<string | undefined>) {
    // `FILE[:TENSOR]` specs name the file part; a missing file is reported by the reader.
    this.files = files.filter((file): file is string => file !== undefined && file.length > 0).map((file) => resolve(cwd, parseFileSpec(file, 'input').file));
    this.initial = Promise.all(this.files.map((file) => fileIdentity(file).catch(() => undefined)));
  }

  async check(): Promise<void> {
    const before = await this.initial;
    for (const [index, file] of this.files.entries()) {
      const identity = before[index];
      if (identity === undefined) continue;
      try {
        await assertFileUnchanged(file, identity);
      } catch (error) {
        throw asInputError(error, file);
      }
    }
  }
}
