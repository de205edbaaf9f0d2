import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeNpy } from '@descramble/io';
import { describe, expect, it } from 'vitest';
import { fixture, listing, runInProcess, temporaryDirectory } from './helpers.js';

const WEIGHTS = `${fixture('mlp_float64.safetensors')}:fc1.weight`;
const DATA = fixture('mlp_input.npy');

/** Runs a failing command line; checks the exit code, the message and that nothing was written. */
async function expectFailure(args: string[], root: string, code: number, message: RegExp | string) {
  const before = listing(root);
  const result = await runInProcess([...args, '-q']);
  expect(result.code).toBe(code);
  expect(result.stdout).toBe('');
  if (typeof message === 'string') expect(result.stderr).toContain(message);
  else expect(result.stderr).toMatch(message);
  // One sentence on one line, prefixed by the program name.
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr.startsWith('descramble: ')).toBe(true);
  // The output directory was never created and no staging directory is left behind.
  expect(listing(root)).toEqual(before);
  return result;
}

describe('bad input: exit 1, one sentence naming the file (and tensor), no output left behind', () => {
  const root = temporaryDirectory('errors');
  const out = join(root, 'out');
  const layer = (weights: string, data: string) => ['layer', '--weights', weights, '--data', data, '--out', out, '--no-figures'];

  it('missing file', async () => {
    const missing = join(root, 'nope.safetensors');
    await expectFailure(layer(`${missing}:fc1.weight`, DATA), root, 1, `${missing}: no such file`);
  });

  it('unknown format', async () => {
    const text = join(root, 'notes.bin');
    writeFileSync(text, 'these are not weights\n');
    await expectFailure(layer(text, DATA), root, 1, new RegExp(`${text}: .*not a safetensors, npy, npz, ONNX, HDF5 or MATLAB file`));
  });

  it('wrong tensor name (lists the tensors the file has)', async () => {
    await expectFailure(
      layer(`${fixture('mlp_float64.safetensors')}:fc9.weight`, DATA),
      root,
      1,
      `mlp_float64.safetensors: no tensor named 'fc9.weight' (it has fc1.weight (12 x 16), fc1.bias (12)`,
    );
  });

  it('shape mismatch between weights and data', async () => {
    await expectFailure(
      layer(`${fixture('mlp_float64.safetensors')}:fc2.weight`, DATA),
      root,
      1,
      "mlp_input.npy: data tensor 'mlp_input' has 16 features per sample (5 x 16), but weights 'fc2.weight' of",
    );
  });

  it('shape mismatch between a model and its data', async () => {
    await expectFailure(
      ['explain', fixture('mlp.onnx'), '--data', fixture('cnn_input.npy'), '--out', out, '--no-figures'],
      root,
      1,
      "cnn_input.npy: data 'cnn_input' has samples of shape [2, 16], but model",
    );
  });

  it('NaN in the data (names the row and column)', async () => {
    const data = new Float64Array(5 * 16).fill(0.25);
    data[2 * 16 + 5] = Number.NaN;
    const file = join(root, 'nan.npy');
    writeFileSync(file, writeNpy({ dtype: 'float64', shape: [5, 16], data }));
    await expectFailure(layer(WEIGHTS, file), root, 1, `${file}: data 'nan' has a non-finite value (NaN) at row 2, column 5`);
  });

  it('truncated file', async () => {
    const file = join(root, 'truncated.safetensors');
    writeFileSync(file, readFileSync(fixture('mlp_float64.safetensors')).subarray(0, 1000));
    await expectFailure(layer(`${file}:fc1.weight`, DATA), root, 1, new RegExp(`${file}: .*truncated`));
  });

  it('unknown layer of a model (lists its layers)', async () => {
    await expectFailure(
      ['gram', '--model', fixture('mlp.onnx'), '--layer', 'fc7', '--data', DATA, '--out', join(root, 'x.gram')],
      root,
      1,
      "mlp.onnx: no layer named 'fc7' (its dense and convolution layers are fc1, fc2, fc3)",
    );
  });

  it('safetensors without an architecture given as a model', async () => {
    await expectFailure(['permute', fixture('mlp_float64.safetensors'), '--out', out], root, 1, /mlp_float64\.safetensors: .*architecture/);
  });

  it('output directory exists: refused without --force, left exactly as it was', async () => {
    const existing = join(root, 'existing');
    mkdirSync(existing);
    writeFileSync(join(existing, 'keep.txt'), 'mine');
    await expectFailure(['layer', '--weights', WEIGHTS, '--data', DATA, '--out', existing, '--no-figures'], root, 1, `output directory ${existing} already exists; pass --force to replace it`);
    expect(listing(existing)).toEqual(['keep.txt']);
    expect(readFileSync(join(existing, 'keep.txt'), 'utf8')).toBe('mine');
    // --force does not replace it either: descramble did not write it.
    await expectFailure(['layer', '--weights', WEIGHTS, '--data', DATA, '--out', existing, '--no-figures', '--force'], root, 1, /refusing to replace .*existing with --force: descramble did not write it/);
    expect(listing(existing)).toEqual(['keep.txt']);
    // A folder descramble wrote is replaced as a whole under --force.
    const ours = join(root, 'ours');
    expect((await runInProcess(['layer', '--weights', WEIGHTS, '--data', DATA, '--out', ours, '--no-figures', '-q'])).code).toBe(0);
    writeFileSync(join(ours, 'stale.txt'), 'from before');
    const forced = await runInProcess(['layer', '--weights', WEIGHTS, '--data', DATA, '--out', ours, '--no-figures', '--force', '-q']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(listing(ours)).toEqual(['.descramble-output.json', 'descrambled-weights.npy', 'descrambled.safetensors', 'descrambler.npy', 'report.json']);
  });
});

describe('usage errors: exit 2', () => {
  const root = temporaryDirectory('usage');
  it.each([
    [['frobnicate'], "unknown command 'frobnicate'"],
    [['layer', '--weights', WEIGHTS], 'give exactly one of --data, --gram, --second-moment, --isotropic'],
    [['layer', '--weights', WEIGHTS, '--data', DATA, '--strategy', 'magic'], '--strategy must be one of exact, cayley-pgd, warm-start'],
    [['layer', '--weights', WEIGHTS, '--data', DATA, '--bogus'], "Unknown option '--bogus'"],
    [['gram', '--model', fixture('mlp.onnx'), '--layer', 'fc1', '--data', DATA, '--shard', '4/4'], '--shard expects i/n with 0 <= i < n'],
    [['explain', fixture('mlp.onnx'), fixture('cnn.onnx')], "explain: unexpected argument '"],
    [['explain', '--traces', '0'], '--traces expects a positive integer'],
    [['explain', '--data', DATA], 'explain: --data and --architecture need a MODEL'],
    [['reproduce', 'everything'], 'reproduce: the experiment must be one of isotropic,'],
    [['match', fixture('mlp.onnx')], 'match: give two model files'],
  ])('%j', async (args, message) => {
    await expectFailure([...args, '--out', join(root, 'out')], root, 2, message);
  });
});
