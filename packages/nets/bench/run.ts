/**
 * Benchmarks of @descramble/nets against numpy / PyTorch on the same inputs, in the same run:
 * - dense forward + Gram of the preactivations (the capture hot path),
 * - 2-D convolution forward (direct loops),
 * - one epoch of minibatch Adam on an MLP,
 * - `captureGrams` (ONNX Runtime) against PyTorch hooks on a 784-1024-1024-10 MLP (bench/capture.ts).
 * Python runs single-threaded (OMP/MKL/torch threads = 1) in float64 for a like-for-like
 * comparison. Timings: CPU time (user + system) of the process, median of REPEATS runs after one
 * warm-up: on a shared machine, wall-clock time measures the neighbours. Run:
 *   pnpm --filter @descramble/nets run bench
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeNpy } from '@descramble/io';
import { createRng } from '@descramble/linalg';
import { activation, capture, conv2d, createMlp, dense, forward, sequential, type Tensor, trainMlp } from '../src/index.js';
import { captureBenchmark } from './capture.js';

const REPEATS = 5;

async function median(run: () => unknown): Promise<number> {
  await run();
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const start = process.cpuUsage();
    await run();
    const used = process.cpuUsage(start);
    times.push((used.user + used.system) / 1000);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(REPEATS / 2)]!;
}

function random(shape: number[], seed: number, scale = 1): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return { shape, data: createRng(seed).normalArray(size).map((v) => v * scale) };
}

const folder = mkdtempSync(join(tmpdir(), 'nets-bench-'));
const save = (name: string, t: Tensor): string => {
  const path = join(folder, `${name}.npy`);
  writeFileSync(path, writeNpy({ dtype: 'float64', shape: t.shape, data: t.data }));
  return path;
};

// ---- cases ----
const denseX = random([20_000, 256], 1);
const denseW = random([80, 256], 2, 1 / 16);
const denseB = random([80], 3);
const denseModel = sequential([256], [dense({ name: 'fc1', weight: denseW, bias: denseB.data }), activation('tanh', 'act1')]);

const images = random([64, 3, 32, 32], 4);
const k1 = random([16, 3, 3, 3], 5, 0.3);
const k2 = random([16, 16, 3, 3], 6, 0.1);
const convModel = sequential(
  [3, 32, 32],
  [conv2d({ name: 'conv1', weight: k1, padding: 1 }), activation('relu'), conv2d({ name: 'conv2', weight: k2, padding: 1 })],
);

const trainX = random([4096, 256], 7);
const trainY = random([4096, 32], 8);
const mlp = createMlp({ sizes: [256, 80, 32], seed: 9 });
const fc1 = mlp.layers[0]!;
const fc2 = mlp.layers[2]!;
if (fc1.kind !== 'dense' || fc2.kind !== 'dense') throw new Error('unexpected MLP layout');

const ours = {
  'dense 20000x256 -> 80, forward + Gram': await median(() => capture(denseModel, denseX, 'fc1', { batchSize: 4096 })),
  'conv2d 64x3x32x32, 3->16->16, k3': await median(() => forward(convModel, images)),
  'Adam epoch, MLP 256-80-32, 4096 samples, batch 64': await median(() =>
    trainMlp(mlp, { inputs: trainX, targets: trainY, optimizer: { kind: 'adam', learningRate: 1e-3 }, epochs: 1, batchSize: 64, seed: 1 }),
  ),
};

const python = `
import json, os, sys, time
os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np
folder = sys.argv[1]
load = lambda n: np.load(os.path.join(folder, n + ".npy"))
def median(f, repeats=${REPEATS}):
    f(); ts = []
    for _ in range(repeats):
        t = time.process_time(); f(); ts.append((time.process_time() - t) * 1000)
    return sorted(ts)[len(ts) // 2]
out = {}
X, W, b = load("denseX"), load("denseW"), load("denseB")
def dense_gram():
    S = X @ W.T + b
    return S.T @ S
out["dense 20000x256 -> 80, forward + Gram"] = ["numpy", median(dense_gram)]
try:
    import torch
    torch.set_num_threads(1)
    imgs, k1, k2 = (torch.from_numpy(load(n)) for n in ("images", "k1", "k2"))
    F = torch.nn.functional
    with torch.no_grad():
        out["conv2d 64x3x32x32, 3->16->16, k3"] = ["torch", median(lambda: F.conv2d(F.relu(F.conv2d(imgs, k1, padding=1)), k2, padding=1))]
    tx, ty = torch.from_numpy(load("trainX")), torch.from_numpy(load("trainY"))
    model = torch.nn.Sequential(torch.nn.Linear(256, 80), torch.nn.Tanh(), torch.nn.Linear(80, 32)).double()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    def epoch():
        perm = torch.randperm(4096)
        for s in range(0, 4096, 64):
            idx = perm[s:s + 64]
            opt.zero_grad()
            loss = 0.5 * ((model(tx[idx]) - ty[idx]) ** 2).sum(1).mean()
            loss.backward(); opt.step()
    out["Adam epoch, MLP 256-80-32, 4096 samples, batch 64"] = ["torch", median(epoch)]
except ImportError:
    pass
print(json.dumps(out))
`;

let theirs: Record<string, [string, number]> | null = null;
try {
  save('denseX', denseX);
  save('denseW', denseW);
  save('denseB', denseB);
  save('images', images);
  save('k1', k1);
  save('k2', k2);
  save('trainX', trainX);
  save('trainY', trainY);
  const result = spawnSync('/usr/bin/python3', ['-c', python, folder], {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' },
  });
  if (result.status === 0) theirs = JSON.parse(result.stdout) as Record<string, [string, number]>;
  else console.log(`python3 with numpy not available (${result.error?.message ?? result.stderr.split('\n').at(-2) ?? 'failed'}); printing our numbers only`);
} finally {
  rmSync(folder, { recursive: true, force: true });
}

const table = [
  `CPU time (user + system), median of 5 after a warm-up; Python single-threaded (OMP/MKL/OpenBLAS = 1), float64, same inputs. Machine: ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}, load average ${loadavg().map((v) => v.toFixed(1)).join(' ')}.`,
  '',
  '| case | ours (CPU ms) | python (CPU ms) | ours / python |',
  '| --- | ---: | ---: | ---: |',
];
for (const [name, time] of Object.entries(ours)) {
  const other = theirs?.[name];
  const ratio = other === undefined ? 'n/a' : (time / other[1]).toFixed(2);
  table.push(`| ${name} | ${time.toFixed(1)} | ${other === undefined ? 'n/a' : `${other[1].toFixed(1)} (${other[0]})`} | ${ratio} |`);
}
console.log(table.join('\n'));
const captureSection = captureBenchmark();
console.log(captureSection);
writeFileSync(new URL('latest.md', import.meta.url), `# @descramble/nets benchmark\n\n${table.join('\n')}\n\n${captureSection}`);
