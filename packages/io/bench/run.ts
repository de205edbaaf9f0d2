/**
 * Benchmarks of @descramble/io (not tests): streaming a 512 MB .npy in blocks of rows (peak RSS
 * and throughput), and whole-file reads of safetensors and .npy. Where /usr/bin/python3 with
 * numpy exists, the numpy equivalent runs on the same files in the same run and the ratio
 * ours/theirs is printed. Median of 5 timed repeats after one warm-up (3 for the 512 MB file).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeNpyHeader, readNpy, readSafetensors, writeNpy, writeSafetensors } from '@descramble/io';
import { readNpyBlocks } from '@descramble/io/node';

const folder = mkdtempSync(join(tmpdir(), 'descramble-io-bench-'));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function time(repeats: number, run: () => unknown): Promise<number> {
  await run();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    await run();
    times.push((performance.now() - start) / 1000);
  }
  return median(times);
}

function python(script: string): Record<string, number> | undefined {
  if (!existsSync('/usr/bin/python3')) return undefined;
  const result = spawnSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (result.status !== 0) {
    console.log(`python failed: ${result.stderr.split('\n').slice(-3).join(' ')}`);
    return undefined;
  }
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as Record<string, number>;
}

const rows: string[] = [];
function report(name: string, ours: number, theirs: number | undefined, note = ''): void {
  const ratio = theirs === undefined ? 'n/a (no python)' : (ours / theirs).toFixed(2);
  rows.push(`| ${name} | ${ours.toFixed(3)} s | ${theirs === undefined ? '-' : `${theirs.toFixed(3)} s`} | ${ratio} | ${note} |`);
  console.log(`${name}: ours ${ours.toFixed(3)} s, numpy ${theirs?.toFixed(3) ?? '-'} s, ratio ${ratio} ${note}`);
}

// ---- 1. a 512 MB float32 .npy streamed in blocks of rows --------------------------------
const bigRows = 262_144;
const bigColumns = 512;
const bigPath = join(folder, 'big.npy');
{
  const fd = openSync(bigPath, 'w');
  writeSync(fd, encodeNpyHeader('float32', [bigRows, bigColumns]));
  const chunkRows = 8192;
  const chunk = new Float32Array(chunkRows * bigColumns);
  for (let start = 0; start < bigRows; start += chunkRows) {
    for (let i = 0; i < chunk.length; i++) chunk[i] = Math.sin(start * bigColumns + i);
    writeSync(fd, new Uint8Array(chunk.buffer));
  }
  closeSync(fd);
}
let peakRss = 0;
const baseRss = process.memoryUsage().rss;
// each block is read and widened to float64 (what a Gram accumulator consumes); no compute
const streamSeconds = await time(3, async () => {
  let total = 0;
  for await (const { rows: count } of readNpyBlocks(bigPath, 4096)) {
    total += count;
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  return total;
});
const streamPython = python(`
import json, time, resource, numpy as np
a = np.load(${JSON.stringify(bigPath)}, mmap_mode='r')
def run():
    total = 0
    for i in range(0, a.shape[0], 4096):
        total += a[i:i+4096].astype(np.float64).shape[0]
    return total
run(); ts = []
for _ in range(3):
    t = time.perf_counter(); run(); ts.append(time.perf_counter() - t)
print(json.dumps({"seconds": sorted(ts)[1], "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
`);
report('stream 512 MB float32 .npy in blocks of 4096 rows to float64 (readNpyBlocks vs np.load mmap + astype)', streamSeconds, streamPython?.seconds,
  `peak RSS ours ${(peakRss / 2 ** 20).toFixed(0)} MB (start ${(baseRss / 2 ** 20).toFixed(0)} MB), numpy ${streamPython ? (streamPython.rss! / 2 ** 20).toFixed(0) : '-'} MB; ${(512 / streamSeconds).toFixed(0)} MB/s`);
rmSync(bigPath);

// ---- 2. whole-file reads: 64 MB safetensors and .npy ------------------------------------
const n = 4 * 1024 * 1024;
const tensors = new Map(
  [0, 1, 2, 3].map((k) => [`layer${k}.weight`, { dtype: 'float32' as const, shape: [2048, n / 2048], data: Float64Array.from({ length: n }, (_, i) => Math.cos(i + k)) }]),
);
const stPath = join(folder, 'w.safetensors');
writeFileSync(stPath, writeSafetensors(tensors));
const npyPath = join(folder, 'w.npy');
writeFileSync(npyPath, writeNpy(tensors.get('layer0.weight')!));
const stBytes = readFileSync(stPath);
const npyBytes = readFileSync(npyPath);
const stSeconds = await time(5, () => readSafetensors(stBytes));
const npySeconds = await time(5, () => readNpy(npyBytes));
const readPython = python(`
import json, time, struct, numpy as np
st = open(${JSON.stringify(stPath)}, 'rb').read(); nb = open(${JSON.stringify(npyPath)}, 'rb').read()
import io
def read_st():
    n = struct.unpack('<Q', st[:8])[0]; h = json.loads(st[8:8+n]); out = {}
    for k, v in h.items():
        if k == '__metadata__': continue
        b, e = v['data_offsets']
        out[k] = np.frombuffer(st[8+n+b:8+n+e], dtype='<f4').reshape(v['shape']).astype(np.float64)
    return out
def read_npy():
    return np.load(io.BytesIO(nb)).astype(np.float64)
def med(f):
    f(); ts = []
    for _ in range(5):
        t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
    return sorted(ts)[2]
print(json.dumps({"st": med(read_st), "npy": med(read_npy)}))
`);
report('readSafetensors 64 MB float32 -> float64 (vs struct + np.frombuffer.astype)', stSeconds, readPython?.st);
report('readNpy 16 MB float32 -> float64 (vs np.load + astype)', npySeconds, readPython?.npy);
rmSync(folder, { recursive: true, force: true });

const table = [
  `Median of repeats after a warm-up, same files for both. Machine: ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}, load average during the run ${loadavg().map((v) => v.toFixed(1)).join(' ')}.`,
  '',
  '| benchmark | ours | numpy | ours/numpy | note |',
  '| --- | --- | --- | --- | --- |',
  ...rows,
];
console.log(`\n${table.join('\n')}`);
writeFileSync(new URL('latest.md', import.meta.url), `# @descramble/io benchmark\n\n${table.join('\n')}\n`);
