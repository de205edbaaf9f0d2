import { join, relative } from 'node:path';
import { EXPERIMENT_NAMES, type ExperimentName, reproduce } from '@descramble/experiments/node';
import { InterruptedError, UsageError } from '../cli-errors.js';
import {
  type Command,
  type CommandContext,
  type OptionValues,
  OUTPUT_PATH_OPTIONS,
  outputDirectoryHelp,
} from '../command.js';
import { choice, stringOption } from '../options.js';
import { OutputDirectory, runInputs } from '../output-directory.js';
import { reportDocument, toJson } from '../report-file.js';

export const reproduceCommand: Command = {
  name: 'reproduce',
  summary: "re-run the paper's experiments from fixed seeds; claims, measurements and figures",
  usage: `reproduce [${[...EXPERIMENT_NAMES, 'all'].join('|')}] [--out DIR]`,
  description: [
    "Runs one of the paper's experiments (or all of them) with @descramble/experiments' reproduce():",
    'each claim of the paper next to what we measured and whether it holds, in reproduction.md with',
    'its PNG figures under reproduction/, and the same checks in report.json. The DEERNet experiment',
    'uses the DEERNet bundled with @descramble/experiments. Exit 0 even when a claim does not hold:',
    'that is a finding, reported as measured.',
  ].join('\n'),
  options: { ...OUTPUT_PATH_OPTIONS },
  optionHelp: outputDirectoryHelp('./descramble-out/reproduce-<experiment>'),
  examples: ['descramble reproduce isotropic', 'descramble reproduce all --out reproduction --json > checks.json'],
  run: runReproduce,
};

async function runReproduce(values: OptionValues, positionals: readonly string[], context: CommandContext): Promise<void> {
  if (positionals.length > 1) throw new UsageError(`reproduce: unexpected argument '${positionals[1]}'`);
  const name = choice(positionals[0], [...EXPERIMENT_NAMES, 'all'] as const, 'reproduce: the experiment', 'all') as ExperimentName | 'all';
  const out = await OutputDirectory.open(stringOption(values, 'out') ?? join(context.cwd, 'descramble-out', `reproduce-${name}`), {
    force: values.force === true,
    inputs: runInputs(context.cwd, []),
  });
  try {
    context.progress.note(`reproducing ${name === 'all' ? `all ${EXPERIMENT_NAMES.length} experiments` : name}`);
    const result = reproduce(name, { outDir: out.stagingPath, log: (message) => context.progress.note(message) });
    if (context.signal.aborted) throw new InterruptedError();
    const files = [relative(out.stagingPath, result.markdownPath), ...result.figurePaths.map((path) => relative(out.stagingPath, path))];
    for (const file of files) out.record(file);
    const experiments = result.results.map((r) => ({
      name: r.name,
      title: r.title,
      setup: r.setup,
      seconds: r.seconds,
      checks: r.checks.map((c) => ({ claim: c.claim, paperStatement: c.paperStatement, measured: c.measured, value: c.value, holds: c.holds })),
    }));
    const holding = experiments.reduce((sum, e) => sum + e.checks.filter((c) => c.holds).length, 0);
    const total = experiments.reduce((sum, e) => sum + e.checks.length, 0);
    const json = toJson(
      reportDocument({
        command: 'reproduce',
        arguments: context.argv.slice(1),
        seed: context.seed,
        layers: [],
        files: [...files, 'report.json'],
        // Every experiment descrambles S = W X (the default --bias exclude of the other commands).
        extra: { bias: 'exclude', reproduction: { experiments, checks: total, holding, seconds: result.seconds } },
      }),
    );
    await out.write('report.json', json);
    await out.commit();
    if (context.json) context.stdout.write(json);
    else context.stdout.write(`${holding} of ${total} checks hold (${result.seconds.toFixed(1)} s)\nwrote ${join(out.path, 'reproduction.md')}\n`);
  } catch (error) {
    await out.discard();
    throw error;
  }
}
