/**
 * Memory budgets: every reader counts what it allocates for one file (inflated members,
 * decoded tensors widened to float64, copies made by libraries) and refuses an allocation
 * that would take the total beyond the budget, before making it.
 */
import { type FileFormat, MemoryBudgetError, ReaderUsageError } from './errors.js';

/** Default budget where the machine's memory is unknown (browsers): 1 GiB. */
export const BROWSER_DEFAULT_MEMORY_BUDGET = 1024 * 1024 * 1024;

let processDefault: number | undefined;
let platformDefault: number | undefined;

/**
 * The budget readers use when none is given: the one set by `setDefaultMemoryBudget`, else the
 * platform's (`@descramble/io/node` sets a quarter of the machine's memory when it loads), else 1 GiB.
 */
export function defaultMemoryBudget(): number {
  return processDefault ?? platformDefault ?? BROWSER_DEFAULT_MEMORY_BUDGET;
}

/** The platform's default (internal: `@descramble/io/node` calls it with the machine's memory). */
export function setPlatformMemoryBudget(bytes: number): void {
  checkBudget(bytes, '<platform>');
  platformDefault = bytes;
}

/**
 * Sets the default budget of every reader in this process (bytes), or restores the built-in
 * default with `undefined`.
 *
 * @throws ReaderUsageError when `bytes` is not a positive safe integer.
 */
export function setDefaultMemoryBudget(bytes: number | undefined): void {
  if (bytes !== undefined) checkBudget(bytes, '<default>');
  processDefault = bytes;
}

function checkBudget(bytes: number, file: string): void {
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new ReaderUsageError({ format: 'unknown', file, field: 'memoryBudget', reason: `must be a positive integer number of bytes, got ${bytes}` });
  }
}

/** The option every reader takes. */
export interface MemoryBudgetOptions {
  /** Most bytes one read may hold at once (default `defaultMemoryBudget()`). */
  readonly memoryBudget?: number;
}

/** Internal: carries an enclosing read's running count inside a reader's options (not in the public type). */
const SHARED_BUDGET = Symbol('descramble.io.memoryBudget');

/** Options that make a reader count against `budget` (the file bytes a Node reader holds, say). */
export function sharedBudget(budget: MemoryBudget): MemoryBudgetOptions {
  return { [SHARED_BUDGET]: budget } as MemoryBudgetOptions;
}

/** The running count of one read. Readers of nested formats share one (npz members, v7.3 .mat). */
export class MemoryBudget {
  private used = 0;

  constructor(
    readonly limit: number,
    private formatName: FileFormat,
    readonly file: string,
  ) {}

  /** The format named in errors (a budget opened before the format was known takes the reader's). */
  get format(): FileFormat {
    return this.formatName;
  }

  /** From a reader's options (or the shared budget of an enclosing reader). */
  static of(options: MemoryBudgetOptions | MemoryBudget | undefined, format: FileFormat, file: string): MemoryBudget {
    if (options instanceof MemoryBudget) return options;
    const shared = (options as { [SHARED_BUDGET]?: unknown } | undefined)?.[SHARED_BUDGET];
    if (shared instanceof MemoryBudget) {
      if (shared.formatName === 'unknown') shared.formatName = format;
      return shared;
    }
    const limit = options?.memoryBudget ?? defaultMemoryBudget();
    checkBudget(limit, file);
    return new MemoryBudget(limit, format, file);
  }

  /** Bytes held now. */
  get inUse(): number {
    return this.used;
  }

  /** Throws unless `bytes` more would fit (nothing is counted). */
  check(what: string, bytes: number): void {
    const needed = this.used + bytes;
    if (!(needed <= this.limit)) throw new MemoryBudgetError({ format: this.format, file: this.file, what, needed, budget: this.limit });
  }

  /** Counts `bytes` about to be allocated; throws MemoryBudgetError first when they do not fit. */
  reserve(what: string, bytes: number): void {
    this.check(what, bytes);
    this.used += bytes;
  }

  /** Gives back bytes of a temporary buffer that is no longer referenced. */
  release(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }
}
