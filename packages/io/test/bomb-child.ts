/**
 * Run in a child process by node-hostile.test.ts: reads the worst hostile files with a 256 MiB
 * budget, then with the Node default (at most 4 GiB, less than each bomb needs), and prints, as
 * JSON, each one's error class and the process's peak resident memory (which includes building
 * the files).
 */
import { hdf5Bomb, matBomb, npzBomb, npzManyEntries, npzUnderstated } from './bombs.js';
import { readHdf5, readMatV5, readNpz } from '../src/node.js';

const files = {
  npz: npzBomb(3.9e9).file,
  liar: npzUnderstated(3.9e9),
  many: npzManyEntries(300, true),
  fill: await hdf5Bomb(100, 15_000_000, true),
  mat: matBomb(2e9),
};
const results: { name: string; error: string; message: string }[] = [];
for (const [budget, options] of [['256 MiB', { memoryBudget: 256 * 1024 * 1024 }], ['default', {}]] as const) {
  const cases: [string, () => Promise<unknown>][] = [
    ['npz 3.9 GB member', async () => readNpz(files.npz, 'bomb.npz', options)],
    ['npz understated member', async () => readNpz(files.liar, 'liar.npz', options)],
    ['npz 300 entries, one member', async () => readNpz(files.many, 'many.npz', options)],
    ['hdf5 100 fill-value datasets', async () => readHdf5(files.fill, 'fill.h5', options)],
    ['mat 2 GB compressed element', async () => readMatV5(files.mat, 'bomb.mat', options)],
  ];
  for (const [name, run] of cases) {
    const label = `${name} (${budget})`;
    try {
      await run();
      results.push({ name: label, error: 'none', message: '' });
    } catch (error) {
      results.push({ name: label, error: (error as Error).name, message: (error as Error).message });
    }
  }
}
console.log(JSON.stringify({ results, maxRssBytes: process.resourceUsage().maxRSS * 1024 }));
