/**
 * Child process of test/streaming.test.ts: captures the Gram matrix of a dense layer's
 * preactivations from a `.npy` file far larger than this process may use, streaming it with
 * io's `readNpyBlocks`, and prints the Gram, the sample count and the peak resident memory as
 * JSON on stdout. Run with `node --import tsx --conditions=@descramble/source`.
 *
 * Usage: stream-capture.ts <file.npy> <seed> <features> <hidden> <rowsPerBlock>
 */
import { readFileSync } from 'node:fs';
import { readNpyBlocks } from '@descramble/io/node';
import { capture } from '../../src/capture.js';
import { streamingModel } from './streaming-model.js';

const [path, seedText, featuresText, hiddenText, rowsText] = process.argv.slice(2);
const model = streamingModel(Number(seedText), Number(featuresText), Number(hiddenText));
let reports = 0;
const result = await capture(model, readNpyBlocks(path!, Number(rowsText)), 'fc1', {
  at: 'preactivation',
  // the reference Gram is of W x + b
  bias: 'include',
  onProgress: () => {
    reports++;
  },
});
const status = readFileSync('/proc/self/status', 'utf8');
const hwm = /VmHWM:\s+(\d+)\s+kB/.exec(status);
process.stdout.write(
  JSON.stringify({
    count: result.accumulator!.count,
    samples: result.samples,
    reports,
    gram: result.gram!.to1DArray(),
    maxRssKb: process.resourceUsage().maxRSS,
    vmHwmKb: hwm === null ? null : Number(hwm[1]),
  }),
);
