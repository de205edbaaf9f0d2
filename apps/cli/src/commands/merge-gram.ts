import { readFile } from 'node:fs/promises';
import { GramAccumulator } from '@descramble/linalg';
import { InputError, InterruptedError, UsageError } from '../cli-errors.js';
import {
  type Command,
  type CommandContext,
  type OptionValues,
  OUTPUT_PATH_OPTIONS,
  outputFileHelp,
} from '../command.js';
import { requireFile } from '../inputs.js';
import { stringOption } from '../options.js';
import { writeFileAtomic } from '../output-directory.js';
import { toJson } from '../report-file.js';

export const mergeGramCommand: Command = {
  name: 'merge-gram',
  summary: "sum .gram files written by 'descramble gram' (shards of the same layer)",
  usage: 'merge-gram FILE.gram... --out FILE.gram',
  description: [
    'Adds the Gram matrices and sample counts of shards computed anywhere (the accumulators are',
    'exact sums, so the order of the shards does not matter beyond round-off). All files must',
    'belong to the same layer (same dimension).',
  ].join('\n'),
  options: { ...OUTPUT_PATH_OPTIONS },
  optionHelp: outputFileHelp('the merged .gram file (required)'),
  examples: ['descramble merge-gram fc1-shard-*.gram --out fc1.gram', 'descramble merge-gram a.gram b.gram -o both.gram --json'],
  run: runMergeGram,
};

async function readGram(file: string): Promise<GramAccumulator> {
  requireFile(file);
  const bytes = await readFile(file);
  try {
    return GramAccumulator.fromBytes(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (error) {
    throw new InputError(`${file}: not a Gram file written by 'descramble gram' (${(error as Error).message})`, { file });
  }
}

async function runMergeGram(values: OptionValues, positionals: readonly string[], context: CommandContext): Promise<void> {
  if (positionals.length === 0) throw new UsageError('merge-gram: give the .gram files to merge');
  const out = stringOption(values, 'out');
  if (out === undefined) throw new UsageError('merge-gram: --out FILE is required');
  let total: GramAccumulator | undefined;
  let first = '';
  for (const file of positionals) {
    if (context.signal.aborted) throw new InterruptedError();
    const next = await readGram(file);
    if (total === undefined) {
      total = next;
      first = file;
    } else if (next.dimension !== total.dimension) {
      throw new InputError(`${file}: Gram matrix is ${next.dimension} x ${next.dimension}, but ${first} is ${total.dimension} x ${total.dimension}: shards must come from the same layer`, {
        file,
      });
    } else total.merge(next);
  }
  const merged = total as GramAccumulator;
  const path = await writeFileAtomic(out, merged.toBytes(), { force: values.force === true });
  const summary = { format: 'descramble-gram', file: path, inputs: positionals, dimension: merged.dimension, count: merged.count };
  if (context.json) context.stdout.write(toJson(summary));
  else context.stdout.write(`merged ${positionals.length} files: Gram matrix ${merged.dimension} x ${merged.dimension} of ${merged.count} samples\nwrote ${path}\n`);
}
