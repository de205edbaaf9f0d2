import { renderFigureToSvg, renderReport, type Figure } from '@descramble/figures';
import { renderFigureToPng } from '@descramble/figures/node';
import { writeFileSync } from 'node:fs';

const n = 80;
const spectrum: Figure = {
  kind: 'heatmap',
  title: 'Centred 2-D DFT of the descrambled weights',
  values: { rows: n, columns: n, data: Array.from({ length: n * n }, (_, k) => Math.cos(k / 9)) },
  colourMap: 'magma',
  xRange: [-40, 39],            // frequencies of the first and last column
  yRange: [-40, 39],
  xLabel: 'input frequency',
  yLabel: 'output frequency',
  colourBarLabel: '|DFT|',
  annotations: [
    { kind: 'band', axis: 'x', from: -10, to: 10, label: 'pass band' },
    { kind: 'line', axis: 'x', at: 0, label: 'notch' },
  ],
};
const spectra: Figure = {
  kind: 'lines',
  title: 'Singular vector spectra',
  logY: true,
  xLabel: 'frequency',
  yLabel: 'power',
  series: [
    { label: 'v1', x: [1, 2, 3, 4], y: [1, 0.3, 0.1, 0.02] },
    { label: 'v2', x: [1, 2, 3, 4], y: [0.5, 0.4, 0.1, 0.05], dashed: true },
  ],
};

writeFileSync('spectrum.svg', renderFigureToSvg(spectrum));
writeFileSync('spectrum.png', renderFigureToPng(spectrum, { scale: 2 }));
writeFileSync(
  'report.html',
  renderReport({
    title: 'Layer 1',
    sections: [
      { heading: 'Spectrum', text: 'The notch at `k = 0` is **31 dB** deep.', figures: [spectrum, spectra] },
      { heading: 'Numbers', table: { columns: ['layer', 'notch (dB)'], rows: [['fc1', -31.2]] } },
    ],
  }),
);

export {};
