import type { LayerReport } from '@descramble/descramblers';
import type { Figure, ReportSection } from '@descramble/figures';
import type { IterationLogEntry } from '@descramble/orthogonal';
import { weightSpectrum } from '@descramble/spectral';
import type { Matrix } from 'ml-matrix';

function heatmap(title: string, matrix: Matrix, colourMap: 'diverging' | 'magma'): Figure {
  return {
    kind: 'heatmap',
    title,
    values: matrix,
    colourMap,
    ...(colourMap === 'diverging' ? { domain: 'symmetric' as const } : {}),
    xLabel: 'input',
    yLabel: 'neuron',
    colourBar: true,
  };
}

function spectrumFigure(title: string, weights: Matrix): Figure {
  const spectrum = weightSpectrum(weights);
  const columns = spectrum.columnFrequencies;
  const rows = spectrum.rowFrequencies;
  return {
    kind: 'heatmap',
    title,
    values: spectrum.magnitude,
    colourMap: 'magma',
    xRange: [columns[0] as number, columns[columns.length - 1] as number],
    yRange: [rows[0] as number, rows[rows.length - 1] as number],
    xLabel: 'input frequency',
    yLabel: 'hidden frequency',
    colourBar: true,
    colourBarLabel: '|DFT|',
    annotations: [{ kind: 'line', axis: 'x', at: 0, label: 'zero input frequency' }],
  };
}

/** The four pictures of a layer: weights before and after, and their centred spectra. */
export function layerFigures(name: string, weights: Matrix, descrambled: Matrix): Record<string, Figure> {
  return {
    weights: heatmap(`${name}: weights W (as trained)`, weights, 'diverging'),
    descrambled: heatmap(`${name}: descrambled weights P W`, descrambled, 'diverging'),
    'weights-spectrum': spectrumFigure(`${name}: centred 2-D DFT of W`, weights),
    'descrambled-spectrum': spectrumFigure(`${name}: centred 2-D DFT of P W`, descrambled),
  };
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return Math.abs(value) >= 1e-3 && Math.abs(value) < 1e6 ? String(Number(value.toPrecision(6))) : value.toExponential(4);
}

/** The gap as a person reads it: "0 (equal to the optimum within roundoff)", or a relative number. */
export function describeGap(report: Pick<LayerReport, 'gap' | 'withinRoundoff' | 'gapNormalisation'>): string {
  if (report.withinRoundoff) return '0 (equal to the optimum within roundoff)';
  return `${formatNumber(report.gap)} (relative to ${report.gapNormalisation === 'optimum' ? 'the optimum' : 'the roundoff bound, the optimum being below it'})`;
}

/** The one line a command prints per layer (without --json). */
export function summaryLine(record: LayerReport): string {
  const gap = record.withinRoundoff ? '0 (optimal within roundoff)' : record.gap.toExponential(2);
  return `${record.name}: value ${record.value.toPrecision(8)}, optimum ${record.optimum.toPrecision(8)}, gap ${gap}, family dimension ${record.familyDimension}${record.warnings.length > 0 ? `, ${record.warnings.length} warning${record.warnings.length === 1 ? '' : 's'}` : ''}`;
}

/** Prints a layer's warnings on stderr (also under --quiet: they qualify the result, they are not progress). */
export function warnAbout(record: LayerReport, context: { readonly stderr: NodeJS.WritableStream }): void {
  for (const warning of record.warnings) context.stderr.write(`descramble: warning: ${record.name}: ${warning.message}\n`);
}

export function layerSection(record: LayerReport, figures: Record<string, Figure>): ReportSection {
  const ties = record.ties.a.length + record.ties.b.length;
  const bias = record.bias === 'unknown' ? 'bias in the data S not recorded by the Gram file' : `bias ${record.bias === 'include' ? 'included in' : 'excluded from'} the data S`;
  return {
    heading: `Layer ${record.name}`,
    text: [
      `Weights \`${record.weights.tensor}\` of \`${record.weights.file}\`, ${record.weights.shape[0]} x ${record.weights.shape[1]};`,
      `Gram matrix from ${record.source}${record.sampleCount === null ? '' : ` (${record.sampleCount} samples)`}, rank ${record.gramRank}, ${bias}.`,
      `Smoothness operator **${record.operator}**, group ${record.group}, strategy ${record.strategy}.`,
      '',
      ...record.warnings.map((warning) => `- **warning**: ${warning.message}`),
      `- value ${formatNumber(record.value)}, Lemma 1 optimum ${formatNumber(record.optimum)}, gap ${describeGap(record)}`,
      `- ${ties} groups of tied eigenvalues; the descramblers the data cannot tell apart form a family of dimension ${record.familyDimension} (${record.exactFamilyDimension} from exact ties). ${record.tieRule}`,
      `- notch at zero input frequency ${record.spectrum.notchDepthDb === null ? `undefined (${record.spectrum.notchUndefined ?? 'no energy beside zero frequency'})` : `${formatNumber(record.spectrum.notchDepthDb)} dB (positive: the zero-frequency column is weaker than its neighbours)`}; 90% of the energy within |k| <= ${record.spectrum.inputBand90} (input) and |k| <= ${record.spectrum.hiddenBand90} (hidden)`,
    ].join('\n'),
    figures: Object.values(figures),
  };
}

/** Cost above the exact optimum against iteration, on a log scale (an iterative strategy's log). */
export function convergenceFigure(title: string, log: readonly IterationLogEntry[], optimum: number): Figure {
  const scale = Math.max(Math.abs(optimum), Number.MIN_VALUE);
  const x = log.map((entry) => entry.iteration);
  // Relative excess cost, floored at 1e-16 so that a converged run stays on the log axis.
  const y = log.map((entry) => Math.max((entry.cost - optimum) / scale, 1e-16));
  const gradient = log.map((entry) => Math.max(entry.gradientNorm, 1e-16));
  return {
    kind: 'lines',
    title,
    series: [
      { label: '(cost - optimum) / |optimum|', x, y },
      { label: 'Riemannian gradient norm', x, y: gradient, dashed: true },
    ],
    xLabel: 'iteration',
    yLabel: 'value',
    logY: true,
    legend: true,
  };
}
