import { InterruptedError, UsageError } from '../cli-errors.js';
import {
  type Command,
  type CommandContext,
  type OptionValues,
  OUTPUT_PATH_OPTIONS,
  outputFileHelp,
} from '../command.js';
import { encodeGramFile, GRAM_FILE_MAGIC, type GramFile, isGramFile, mergeGramFiles, readGramFile } from '../gram-file.js';
import { stringOption } from '../options.js';
import { runInputs, writeFileAtomic } from '../output-directory.js';
import { toJson } from '../report-file.js';

export const mergeGramCommand: Command = {
  name: 'merge-gram',
  summary: "sum .gram files written by 'descramble gram' (shards of the same layer)",
  usage: 'merge-gram FILE.gram... --out FILE.gram',
  description: [
    'Adds the Gram matrices and sample counts of shards computed anywhere (the accumulators are',
    'exact sums, so the order of the shards does not matter beyond round-off). Every file must come',
    'from the same model file (its SHA-256) and layer, or weights, with the same --bias and data file,',
    'and the row ranges must not overlap: a shard given twice, or shards of another layer, are refused.',
  ].join('\n'),
  options: { ...OUTPUT_PATH_OPTIONS },
  optionHelp: outputFileHelp('the merged .gram file (required)'),
  examples: ['descramble merge-gram fc1-shard-*.gram --out fc1.gram', 'descramble merge-gram a.gram b.gram -o both.gram --json'],
  run: runMergeGram,
};

async function runMergeGram(values: OptionValues, positionals: readonly string[], context: CommandContext): Promise<void> {
  if (positionals.length === 0) throw new UsageError('merge-gram: give the .gram files to merge');
  const out = stringOption(values, 'out');
  if (out === undefined) throw new UsageError('merge-gram: --out FILE is required');
  const files: Array<{ file: string } & GramFile> = [];
  for (const file of positionals) {
    if (context.signal.aborted) throw new InterruptedError();
    files.push({ file, ...(await readGramFile(file)) });
  }
  const { accumulator, provenance } = mergeGramFiles(files);
  const path = await writeFileAtomic(out, encodeGramFile(provenance, accumulator), {
    force: values.force === true,
    inputs: runInputs(context.cwd, positionals),
    isOurs: isGramFile,
    magicLength: GRAM_FILE_MAGIC.length,
  });
  const summary = { file: path, inputs: positionals, ...provenance };
  if (context.json) context.stdout.write(toJson(summary));
  else {
    const rows = provenance.ranges.map((r) => `${r.start}..${r.end}`).join(', ');
    context.stdout.write(`merged ${positionals.length} files: Gram matrix ${accumulator.dimension} x ${accumulator.dimension} of ${accumulator.count} samples (rows ${rows} of ${provenance.data.rows})\nwrote ${path}\n`);
  }
}
