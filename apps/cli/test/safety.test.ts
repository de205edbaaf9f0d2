import { copyFileSync, mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeNpy } from '@descramble/io';
import { dense, sequential, writeOnnxModel, activation } from '@descramble/nets';
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { InputWatch } from '../src/input-watch.js';
import { fixture, listing, runChild, runInProcess, snapshot, temporaryDirectory } from './helpers.js';

/** A folder holding copies of the inputs: a model, its weights and data, and a file of the user's. */
function workspace(prefix: string): { root: string; model: string; weights: string; data: string } {
  const root = temporaryDirectory(prefix);
  const model = join(root, 'mlp.onnx');
  const weights = join(root, 'mlp.safetensors');
  const data = join(root, 'inputs.npy');
  copyFileSync(fixture('mlp.onnx'), model);
  copyFileSync(fixture('mlp_float64.safetensors'), weights);
  copyFileSync(fixture('mlp_input.npy'), data);
  writeFileSync(join(root, 'notes.txt'), 'my notes');
  return { root, model, weights, data };
}

/** Runs a command that must be refused: exit 1, one line naming the problem, the tree untouched. */
async function expectRefused(args: string[], tree: string, message: RegExp, cwd?: string): Promise<void> {
  const before = snapshot(tree);
  const result = await runInProcess([...args, '-q'], cwd === undefined ? {} : { cwd });
  expect(result.code, result.stderr).toBe(1);
  expect(result.stderr).toMatch(message);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(snapshot(tree)).toEqual(before);
}

describe('--force replaces only a folder that descramble wrote, and never an input', () => {
  it('refuses the current folder, an ancestor of it, a folder holding an input, a regular file, a folder it did not write', async () => {
    const { root, model, data } = workspace('force');
    const explain = (out: string) => ['explain', model, '--data', data, '--out', out, '--force', '--no-figures'];
    await expectRefused(explain('.'), root, /refusing to replace .* with --force: it is the current folder/, root);
    const inner = join(root, 'inner');
    mkdirSync(inner);
    await expectRefused(explain(root), root, /it holds the current folder/, inner);
    await expectRefused(explain(root), root, /refusing to replace .* with --force: it holds an input of this run/);
    await expectRefused(explain(join(root, 'notes.txt')), root, /exists and is a file, not a folder/);
    const users = join(root, 'results');
    mkdirSync(users);
    writeFileSync(join(users, 'thesis.tex'), 'chapter 1');
    await expectRefused(explain(users), root, /descramble did not write it \(it has no \.descramble-output\.json\)/);
  });

  it('refuses a folder that holds an input reached through a symbolic link, and a symbolic link as --out', async () => {
    const { root, model, data } = workspace('force-links');
    const out = join(root, 'out');
    expect((await runInProcess(['explain', model, '--data', data, '--out', out, '--no-figures', '-q'])).code).toBe(0);
    // The data given through a link that lives inside the output folder.
    symlinkSync(data, join(out, 'data-link.npy'));
    await expectRefused(['explain', model, '--data', join(out, 'data-link.npy'), '--out', out, '--force', '--no-figures'], root, /it holds an input of this run/);
    // --out itself a link to a folder descramble wrote.
    symlinkSync(out, join(root, 'out-link'));
    await expectRefused(['explain', model, '--data', data, '--out', join(root, 'out-link'), '--force', '--no-figures'], root, /is a symbolic link/);
    // The model reached through a link to the folder that holds it.
    symlinkSync(root, join(out, 'all-inputs'));
    await expectRefused(['explain', join(out, 'all-inputs', 'mlp.onnx'), '--data', data, '--out', out, '--force', '--no-figures'], root, /it holds an input of this run/);
  });

  it('replaces its own earlier output as a whole, leaving everything else as it was', async () => {
    const { root, model, data } = workspace('force-ours');
    const out = join(root, 'out');
    expect((await runInProcess(['explain', model, '--data', data, '--out', out, '--no-figures', '-q'])).code).toBe(0);
    writeFileSync(join(out, 'stale.txt'), 'from an earlier run');
    const others = Object.fromEntries(Object.entries(snapshot(root)).filter(([key]) => !key.startsWith('out/')));
    const result = await runInProcess(['explain', model, '--data', data, '--out', out, '--no-figures', '--force', '-q']);
    expect(result.code, result.stderr).toBe(0);
    expect(listing(out)).not.toContain('stale.txt');
    expect(listing(out)).toContain('.descramble-output.json');
    expect(Object.fromEntries(Object.entries(snapshot(root)).filter(([key]) => !key.startsWith('out/')))).toEqual(others);
  });

  it('gram --out never overwrites the data, a folder, or a file it did not write', async () => {
    const { root, model, data } = workspace('force-gram');
    const gram = (out: string) => ['gram', '--model', model, '--layer', 'fc1', '--data', data, '--out', out, '--force'];
    await expectRefused(gram(data), root, /refusing to write .*inputs\.npy: it is an input of this run/);
    await expectRefused(gram(model), root, /it is an input of this run/);
    await expectRefused(gram(join(root, 'notes.txt')), root, /refusing to replace .*notes\.txt with --force: descramble did not write it/);
    mkdirSync(join(root, 'folder.gram'));
    await expectRefused(gram(join(root, 'folder.gram')), root, /exists and is a folder/);
    // Its own .gram file is replaced.
    const own = join(root, 'fc1.gram');
    expect((await runInProcess([...gram(own), '-q'])).code).toBe(0);
    expect((await runInProcess([...gram(own), '-q'])).code).toBe(0);
  });
});

describe('output paths', () => {
  it('names from files become safe, distinct path components, listed in the report; nothing leaves the output folder', async () => {
    const root = temporaryDirectory('names');
    const w = (rows: number, columns: number, seed: number) =>
      new Matrix(Array.from({ length: rows }, (_, i) => Array.from({ length: columns }, (_, j) => Math.sin(seed + 7 * i + 3 * j))));
    const model = sequential(
      [4],
      [
        dense({ name: '..', weight: w(6, 4, 1) }),
        activation('tanh', 't1'),
        dense({ name: 'a/b', weight: w(5, 6, 2) }),
        activation('tanh', 't2'),
        dense({ name: 'a_b', weight: w(5, 5, 3) }),
        activation('tanh', 't3'),
        dense({ name: 'out', weight: w(2, 5, 4) }),
      ],
    );
    const file = join(root, 'hostile.onnx');
    writeFileSync(file, writeOnnxModel(model));
    const out = join(root, 'run', 'out');
    const result = await runInProcess(['explain', file, '--out', out, '--no-figures', '--json', '-q']);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.renamed).toEqual([
      { name: '..', component: '_.' },
      { name: 'a/b', component: 'a_b' },
      { name: 'a_b', component: 'a_b-2' },
    ]);
    expect(listing(join(root, 'run'))).toEqual(['out']);
    expect(listing(out)).toEqual(['.descramble-output.json', '_.', 'a_b', 'a_b-2', 'descrambled.safetensors', 'report.json']);
    expect(listing(root)).toEqual(['hostile.onnx', 'run']);
  });

  it('removes staging left by a killed run of descramble, and nothing that is not its own', async () => {
    const { root, model, data } = workspace('stale');
    const ours = join(root, '.out.partial-999999999-0badc0de');
    mkdirSync(ours);
    writeFileSync(join(ours, '.descramble-output.json'), JSON.stringify({ tool: 'descramble' }));
    const notOurs = join(root, '.out.partial-999999998-0badcafe');
    mkdirSync(notOurs);
    writeFileSync(join(notOurs, 'precious.txt'), 'keep');
    expect((await runInProcess(['explain', model, '--data', data, '--out', join(root, 'out'), '--no-figures', '-q'])).code).toBe(0);
    expect(listing(root)).toEqual(['.out.partial-999999998-0badcafe', 'inputs.npy', 'mlp.onnx', 'mlp.safetensors', 'notes.txt', 'out']);
  });

  it('says in words why an output path cannot be written', async () => {
    const { root, model, data } = workspace('words');
    await expectRefused(['explain', model, '--data', data, '--out', join(root, 'notes.txt', 'sub'), '--no-figures'], root, /cannot write .*notes\.txt\/sub: a part of the path is a file, not a folder; nothing was written/);
  });

  it('--json prints a JSON error object on stdout when a command fails', async () => {
    const root = temporaryDirectory('json-error');
    const missing = join(root, 'missing.onnx');
    const result = await runInProcess(['explain', missing, '--json', '-q']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({ error: { name: 'InputError', message: `${missing}: no such file`, exitCode: 1, file: missing } });
    const usage = await runInProcess(['layer', '--json']);
    expect(usage.code).toBe(2);
    expect(JSON.parse(usage.stdout).error).toMatchObject({ name: 'UsageError', exitCode: 2 });
  });
});

describe('--memory-budget', () => {
  it('bounds what any one input file may make the readers hold, with a sentence naming the option', async () => {
    const { root, model, data } = workspace('budget');
    await expectRefused(
      ['explain', model, '--data', data, '--out', join(root, 'out'), '--memory-budget', '1K'],
      root,
      /mlp\.onnx: reading .* needs 2\.01 KiB of memory, beyond the memory budget of 1 KiB; nothing was read\. If you trust the file, raise the budget with --memory-budget/,
    );
    const fine = await runInProcess(['explain', model, '--data', data, '--out', join(root, 'out'), '--memory-budget', '64M', '--no-figures', '-q']);
    expect(fine.code, fine.stderr).toBe(0);
    const usage = await runInProcess(['explain', model, '--memory-budget', 'lots']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("--memory-budget expects a size such as 512M or 2G, got 'lots'");
  });
});

describe('inputs that change while a run reads them', () => {
  it('InputWatch notices a file replaced, rewritten or removed', async () => {
    const root = temporaryDirectory('watch');
    const file = join(root, 'x.npy');
    writeFileSync(file, 'one');
    const replaced = new InputWatch(root, [file]);
    await replaced.check();
    writeFileSync(join(root, 'y.npy'), 'two');
    renameSync(join(root, 'y.npy'), file);
    await expect(replaced.check()).rejects.toThrow(/x\.npy: changed while descramble was reading it \(replaced by another file\)/);
    const rewritten = new InputWatch(root, [`${file}:tensor`]);
    await rewritten.check();
    writeFileSync(file, 'three!');
    await expect(rewritten.check()).rejects.toThrow(/changed while descramble was reading it/);
  });

  it('a data file replaced during explain: exit 1, nothing written (child process)', async () => {
    const { root, model } = workspace('replaced');
    const rows = 400_000;
    const values = new Float64Array(rows * 16);
    for (let k = 0; k < values.length; k++) values[k] = Math.fround(Math.cos(k * 0.11));
    const data = join(root, 'big.npy');
    writeFileSync(data, writeNpy({ dtype: 'float32', shape: [rows, 16], data: values }));
    writeFileSync(join(root, 'other.npy'), readFileSync(data));
    let swapped = false;
    const result = await runChild(['explain', model, '--data', data, '--out', join(root, 'out'), '--no-figures'], {
      onStderr: (text) => {
        if (!swapped && text.includes('capturing 2 layers in ONNX Runtime')) {
          swapped = true;
          renameSync(join(root, 'other.npy'), data);
        }
      },
    });
    expect(swapped).toBe(true);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/big\.npy: .*changed/);
    expect(listing(root)).toEqual(['big.npy', 'inputs.npy', 'mlp.onnx', 'mlp.safetensors', 'notes.txt']);
  });
});

describe('merge-gram refuses shards that do not belong together', () => {
  it('a shard given twice, another layer, another bias, a file without provenance', async () => {
    const { root, model, data } = workspace('merge');
    const gram = async (out: string, ...extra: string[]) => {
      const result = await runInProcess(['gram', '--model', model, '--data', data, '--out', out, '-q', ...extra]);
      expect(result.code, result.stderr).toBe(0);
      return out;
    };
    const first = await gram(join(root, 'a0.gram'), '--layer', 'fc1', '--shard', '0/2');
    const second = await gram(join(root, 'a1.gram'), '--layer', 'fc1', '--shard', '1/2');
    const fc2 = await gram(join(root, 'b1.gram'), '--layer', 'fc2', '--shard', '1/2');
    const withBias = await gram(join(root, 'c1.gram'), '--layer', 'fc1', '--shard', '1/2', '--bias', 'include');
    const merge = (...files: string[]) => ['merge-gram', ...files, '--out', join(root, 'sum.gram')];
    await expectRefused(merge(first, second, second), root, /a1\.gram: rows 2\.\.5 overlap rows 2\.\.5 already merged \(a shard given twice\?\)/);
    await expectRefused(merge(first, fc2), root, /b1\.gram: is of layer 'fc2' of mlp\.onnx .* but .*a0\.gram has layer 'fc1'/);
    await expectRefused(merge(first, withBias), root, /c1\.gram: has bias include, but .*a0\.gram has exclude/);
    const old = join(root, 'old.gram');
    writeFileSync(old, readFileSync(first).subarray(12 + readFileSync(first).readUInt32LE(8)));
    await expectRefused(merge(first, old), root, /old\.gram: written by descramble 0\.1 without provenance/);
    const merged = await runInProcess([...merge(second, first), '--json', '-q']);
    expect(merged.code, merged.stderr).toBe(0);
    expect(JSON.parse(merged.stdout)).toMatchObject({ ranges: [{ start: 0, end: 5 }], bias: 'exclude', count: 5 });
  });
});

describe('degenerate data: refused, or flagged, never a plain success', () => {
  const root = temporaryDirectory('degenerate');
  const matrix = (name: string, rows: number, columns: number, value: (i: number, j: number) => number) => {
    const file = join(root, `${name}.npy`);
    const data = new Float64Array(rows * columns);
    for (let i = 0; i < rows; i++) for (let j = 0; j < columns; j++) data[i * columns + j] = value(i, j);
    writeFileSync(file, writeNpy({ dtype: 'float64', shape: [rows, columns], data }));
    return file;
  };
  const weights = matrix('w', 8, 6, (i, j) => Math.sin(1 + 3 * i + 7 * j));
  const layer = (w: string, data: string, ...extra: string[]) => ['layer', '--weights', w, '--data', data, '--out', join(root, 'out'), '--no-figures', ...extra];

  it('empty data and all-zero weights are refused, naming the file and the layer', async () => {
    await expectRefused(layer(weights, matrix('empty', 0, 6, () => 0)), root, /layer w of .*w\.npy.*at least one sample/);
    await expectRefused(layer(matrix('zero', 8, 6, () => 0), matrix('ok', 50, 6, (i, j) => Math.cos(i * j + i))), root, /layer zero of .*zero\.npy.*zero matrix/);
  });

  it('a sample that overflows the accumulation is refused, naming its row', async () => {
    await expectRefused(layer(weights, matrix('overflow', 100, 6, (i, j) => (i === 5 && j === 1 ? 1e300 : Math.cos(i + j)))), root, /overflow\.npy: row 5 of data 'overflow' makes the Gram matrix overflow/);
  });

  it('one sample for eight neurons: a result, with the warnings on stderr and in the report', async () => {
    const result = await runInProcess([...layer(weights, matrix('one', 1, 6, (_, j) => j - 2.5)), '--json', '-q']);
    expect(result.code, result.stderr).toBe(0);
    const [record] = JSON.parse(result.stdout).layers;
    const kinds = record.warnings.map((w: { kind: string }) => w.kind);
    expect(kinds).toContain('fewer-samples-than-neurons');
    expect(kinds).toContain('rank-deficient');
    expect(record.gramRank).toBe(1);
    expect(record.value).toBeGreaterThanOrEqual(0);
    expect(record.optimum).toBeGreaterThanOrEqual(0);
    expect(result.stderr).toMatch(/descramble: warning: w: B comes from 1 samples for 8 neurons/);
  });
});
