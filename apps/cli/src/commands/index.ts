import type { Command } from '../command.js';
import { explainCommand } from './explain.js';
import { gramCommand } from './gram.js';
import { layerCommand } from './layer.js';
import { matchCommand } from './match.js';
import { mergeGramCommand } from './merge-gram.js';
import { permuteCommand } from './permute.js';
import { reproduceCommand } from './reproduce.js';
import { spectrumCommand } from './spectrum.js';

/** Every command, in the order `descramble --help` lists them. */
export const commands: readonly Command[] = [
  explainCommand,
  layerCommand,
  gramCommand,
  mergeGramCommand,
  permuteCommand,
  matchCommand,
  spectrumCommand,
  reproduceCommand,
];
