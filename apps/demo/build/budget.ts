/**
 * The bundle budget, checked in every build: the JavaScript the first view loads (the entry
 * chunk and its static imports, plus the compute worker's entry and its static imports) must
 * stay under a gzip budget. Dynamic imports (file formats, ONNX, h5wasm) are not counted:
 * they load only when a file needs them. The build fails above the budget.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Plugin, ResolvedConfig, Rollup } from 'vite';

interface ChunkInfo {
  readonly fileName: string;
  readonly imports: readonly string[];
  readonly isEntry: boolean;
}

export interface BudgetReport {
  readonly files: readonly { file: string; bytes: number; gzip: number }[];
  readonly totalGzip: number;
  readonly budget: number;
}

function chunksOf(bundle: Rollup.OutputBundle): ChunkInfo[] {
  return Object.values(bundle).flatMap((item) =>
    item.type === 'chunk' ? [{ fileName: item.fileName, imports: item.imports, isEntry: item.isEntry }] : [],
  );
}

/** Entry chunks and everything they import statically. */
export function staticClosure(chunks: readonly ChunkInfo[]): string[] {
  const byName = new Map(chunks.map((c) => [c.fileName, c]));
  const seen = new Set<string>();
  const stack = chunks.filter((c) => c.isEntry).map((c) => c.fileName);
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    for (const next of byName.get(name)?.imports ?? []) stack.push(next);
  }
  return [...seen].sort();
}

/**
 * Returns the plugin for the page build and the one for the worker build (`worker.plugins`);
 * they share what they saw.
 */
export function bundleBudget(budgetBytes: number): { page: Plugin; worker: () => Plugin } {
  const workerFirstView = new Set<string>();
  let pageFirstView: string[] = [];
  let config: ResolvedConfig | undefined;
  const page: Plugin = {
    name: 'descramble-bundle-budget',
    apply: 'build',
    configResolved(resolved) {
      config = resolved;
    },
    generateBundle(_options, bundle) {
      pageFirstView = staticClosure(chunksOf(bundle));
    },
    closeBundle() {
      if (config === undefined) return;
      const outDir = join(config.root, config.build.outDir);
      const files = [...pageFirstView, ...workerFirstView].map((file) => {
        const bytes = readFileSync(join(outDir, file));
        return { file, bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
      });
      const totalGzip = files.reduce((sum, f) => sum + f.gzip, 0);
      const report: BudgetReport = { files, totalGzip, budget: budgetBytes };
      const lines = files.map((f) => `  ${f.file.padEnd(48)} ${(f.bytes / 1024).toFixed(1).padStart(8)} KB ${(f.gzip / 1024).toFixed(1).padStart(8)} KB gzip`);
      const summary = `first-view JavaScript: ${(totalGzip / 1024).toFixed(1)} KB gzip of a ${(budgetBytes / 1024).toFixed(0)} KB budget`;
      config.logger.info(`\nbundle budget (page entry + worker entry, static imports only):\n${lines.join('\n')}\n${summary}`);
      if (workerFirstView.size === 0) throw new Error('bundle budget: the compute worker was not seen in the build');
      if (report.totalGzip > budgetBytes) throw new Error(`bundle budget exceeded: ${summary}`);
    },
  };
  const worker = (): Plugin => ({
    name: 'descramble-bundle-budget-worker',
    apply: 'build',
    generateBundle(_options, bundle) {
      for (const file of staticClosure(chunksOf(bundle))) workerFirstView.add(file);
    },
  });
  return { page, worker };
}
