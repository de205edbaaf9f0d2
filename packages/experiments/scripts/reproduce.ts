/**
 * Regenerates docs/reproduction.md and docs/reproduction/*.png from the bundled DEERNet and
 * fixed seeds: `pnpm --filter @descramble/experiments run reproduce [name]`.
 */
import { fileURLToPath } from 'node:url';
import { EXPERIMENT_NAMES, type ExperimentName } from '../src/experiments/experiment.js';
import { reproduce } from '../src/node/reproduce.js';

const argument = process.argv[2] ?? 'all';
if (argument !== 'all' && !(EXPERIMENT_NAMES as readonly string[]).includes(argument)) {
  console.error(`usage: reproduce [all|${EXPERIMENT_NAMES.join('|')}]`);
  process.exit(2);
}
const outDir = fileURLToPath(new URL('../../../docs/', import.meta.url));
const result = reproduce(argument as ExperimentName | 'all', { outDir, log: (message) => console.log(message) });
console.log(`wrote ${result.markdownPath} and ${result.figurePaths.length} figures in ${result.seconds.toFixed(1)} s`);
