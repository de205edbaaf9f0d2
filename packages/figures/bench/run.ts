// Rendering benchmarks for @descramble/figures. Median of several repeats after a warm-up.
// There is no numpy/scipy equivalent of these renderers (matplotlib would be, and it is not
// installed here), so this prints our numbers only and says so.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { type Figure, renderFigureToPng, renderFigureToSvg, renderReportNode, zlibDeflate } from '../src/node/index.js';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const table: string[] = [];

function time(label: string, repeats: number, run: () => { length: number }): void {
  run(); // warm-up
  const times: number[] = [];
  let size = 0;
  for (let k = 0; k < repeats; k++) {
    const start = performance.now();
    size = run().length;
    times.push(performance.now() - start);
  }
  table.push(`| ${label} | ${median(times).toFixed(1)} ms | ${(size / 1e6).toFixed(2)} MB |`);
  console.log(table.at(-1));
}

function heatmap(n: number): Figure {
  const data = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) data[i * n + j] = Math.sin(i / 17) * Math.cos(j / 29);
  return { kind: 'heatmap', title: `${n} x ${n}`, values: { rows: n, columns: n, data }, colourMap: 'diverging' };
}

const lines: Figure = {
  kind: 'lines',
  title: '10 series x 2000 points',
  logY: true,
  series: Array.from({ length: 10 }, (_, s) => {
    const x = Array.from({ length: 2000 }, (_, k) => k);
    return { label: `v${s}`, x, y: x.map((v) => Math.exp(-v / (100 * (s + 1))) + 1e-3) };
  }),
};

const python = spawnSync('/usr/bin/python3', ['-c', 'import matplotlib'], { encoding: 'utf8' });
console.log(
  python.status === 0
    ? 'matplotlib found, but no comparison is wired up yet: our numbers only.'
    : 'No Python reference: matplotlib is not installed (numpy/scipy do not render), so our numbers only.',
);
table.push('| task | median | output |', '| --- | --- | --- |');
const h256 = heatmap(256);
const h1000 = heatmap(1000);
time('heatmap 256x256 -> SVG (stored raster, browser path)', 7, () => renderFigureToSvg(h256));
time('heatmap 1000x1000 -> SVG (stored raster, browser path)', 5, () => renderFigureToSvg(h1000));
time('heatmap 1000x1000 -> SVG (zlib raster)', 5, () => renderFigureToSvg(h1000, { deflate: zlibDeflate }));
time('heatmap 1000x1000 -> PNG 560x460 (resvg)', 5, () => renderFigureToPng(h1000));
time('heatmap 256x256 -> PNG 1120x920 (resvg, scale 2)', 5, () => renderFigureToPng(h256, { scale: 2 }));
time('line plot 10x2000 -> SVG', 7, () => renderFigureToSvg(lines));
time('line plot 10x2000 -> PNG (resvg)', 5, () => renderFigureToPng(lines));
time('report: 1000x1000 heatmap + line plot -> HTML', 3, () =>
  renderReportNode({ title: 'bench', sections: [{ heading: 'figures', figures: [h1000, lines] }] }),
);
const machine = `Machine: ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}, ${process.platform}/${process.arch}, load average ${loadavg().map((v) => v.toFixed(1)).join(' ')}. No Python reference (matplotlib is not installed; numpy/scipy do not render).`;
console.log(`\n${machine}`);
writeFileSync(new URL('latest.md', import.meta.url), `# @descramble/figures benchmark\n\n${machine}\n\n${table.join('\n')}\n`);
