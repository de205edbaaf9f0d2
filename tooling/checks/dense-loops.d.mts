export interface DenseLoopFinding {
  readonly package: string;
  readonly file: string;
  readonly line: number;
  readonly fn: string;
  /** The allowlist's reason, when allowed. */
  readonly allowed: string | undefined;
  /** In a package not yet moved onto linalg's kernels (reported, not failed). */
  readonly pending: boolean;
}
export const ALLOWLIST: ReadonlyArray<{ file: string; fn: string; reason: string }>;
export const PENDING: ReadonlySet<string>;
export function scanFile(path: string): Array<{ line: number; fn: string }>;
export function findDenseLoops(root?: string): DenseLoopFinding[];
