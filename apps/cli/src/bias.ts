import { type BiasMode, DEFAULT_BIAS } from '@descramble/nets';
import { type OptionSpec, optionLine } from './command.js';
import { choice } from './options.js';

/**
 * Whether a layer's data S include its bias: `exclude` (the default of every command) takes
 * S = W H, the paper's preactivation data; `include` takes S = W H + b 1^T, what the next
 * activation actually sees (nets' capture has the same default). The choice changes B = S S^T,
 * hence the descrambler, so every report and .gram file records it.
 */
export const BIAS_CHOICES: readonly BiasMode[] = ['exclude', 'include'];

export const BIAS_OPTIONS = {
  bias: { type: 'string' },
} as const satisfies OptionSpec;

export const BIAS_HELP = optionLine('--bias include|exclude', "whether the layer's data S include its bias (default exclude: S = W H)");

export function biasChoice(value: unknown): BiasMode {
  return choice(value, BIAS_CHOICES, '--bias', DEFAULT_BIAS);
}
