import type { BiasMode } from '@descramble/nets';
import type { LayerDescrambler } from '@descramble/descramblers';
import type { Figure, ReportSection } from '@descramble/figures';
import type { IterationLogEntry } from '@descramble/orthogonal';
import { bandEdges, notchDepth, weightSpectrum } from '@descramble/spectral';
import type { Matrix } from 'ml-matrix';

/** Numbers read off the centred 2-D spectrum of the descrambled weights (THEORY.md section 8). */
export interface SpectralSummary {
  /** Notch at zero input frequency, dB against the two neighbouring columns each side. */
  readonly notchDepthDb: number;
  /** Smallest |k| along the input axis holding 90% of the energy. */
  readonly inputBand90: number;
  /** Smallest |k| along the hidden axis holding 90% of the energy. */
  readonly hiddenBand90: number;
}

export function spectralSummary(weights: Matrix): SpectralSummary {
  const spectrum = weightSpectrum(weights);
  return {
    notchDepthDb: notchDepth(spectrum).depthDb,
    inputBand90: bandEdges(spectrum, 1, 0.9).halfWidth,
    hiddenBand90: bandEdges(spectrum, 0, 0.9).halfWidth,
  };
}

/** The per-layer record of report.json (see report.schema.json). */
export interface LayerRecord {
  readonly name: string;
  readonly weights: { readonly file: string; readonly tensor: string; readonly shape: readonly [number, number] };
  readonly source: LayerDescrambler['source'] | 'isotropic';
  readonly sampleCount: number | null;
  readonly operator: string;
  readonly group: string;
  readonly strategy: string;
  readonly rescale: boolean;
  /** Whether the data S included the layer's bias (`--bias`); unknown for a Gram file that does not say. */
  readonly bias: BiasMode | 'unknown';
  readonly value: number;
  readonly optimum: number;
  readonly gap: number;
  readonly gapNormalisation: 'optimum' | 'norms';
  readonly familyDimension: number;
  readonly gramRank: number;
  readonly ties: {
    readonly a: ReadonlyArray<{ readonly indices: readonly number[]; readonly value: number }>;
    readonly b: ReadonlyArray<{ readonly indices: readonly number[]; readonly value: number }>;
  };
  readonly eigengaps: { readonly smallestA: number; readonly smallestB: number };
  readonly spectrum: SpectralSummary;
  readonly timings: Readonly<Record<string, number>>;
  readonly solver?: Readonly<Record<string, unknown>>;
}

export interface LayerRecordInput {
  readonly name: string;
  readonly file: string;
  readonly tensor: string;
  readonly weights: Matrix;
  readonly result: LayerDescrambler;
  readonly source: LayerRecord['source'];
  readonly operator: string;
  readonly strategy: string;
  /** Group searched, when not the exact result's (permutation groups). */
  readonly group?: string;
  readonly rescale: boolean;
  readonly bias: BiasMode | 'unknown';
  readonly timings: Readonly<Record<string, number>>;
  readonly solver?: Readonly<Record<string, unknown>>;
  /** Value of the strategy's descrambler when it is not the exact one. */
  readonly value?: number;
  readonly gap?: number;
  readonly descrambledWeights: Matrix;
}

export function layerRecord(input: LayerRecordInput): LayerRecord {
  const { result } = input;
  const record: LayerRecord = {
    name: input.name,
    weights: { file: input.file, tensor: input.tensor, shape: [input.weights.rows, input.weights.columns] },
    source: input.source,
    sampleCount: result.sampleCount,
    operator: input.operator,
    group: input.group ?? result.group,
    strategy: input.strategy,
    rescale: input.rescale,
    bias: input.bias,
    value: input.value ?? result.value,
    optimum: result.optimum,
    gap: input.gap ?? result.gap,
    gapNormalisation: result.gapNormalisation,
    familyDimension: result.familyDimension,
    gramRank: result.gramRank,
    ties: {
      a: result.ties.a.map((t) => ({ indices: [...t.indices], value: t.value })),
      b: result.ties.b.map((t) => ({ indices: [...t.indices], value: t.value })),
    },
    eigengaps: { smallestA: result.eigengaps.smallestA, smallestB: result.eigengaps.smallestB },
    spectrum: spectralSummary(input.descrambledWeights),
    timings: input.timings,
  };
  return input.solver === undefined ? record : { ...record, solver: input.solver };
}

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

export function layerSection(record: LayerRecord, figures: Record<string, Figure>): ReportSection {
  const ties = record.ties.a.length + record.ties.b.length;
  return {
    heading: `Layer ${record.name}`,
    text: [
      `Weights \`${record.weights.tensor}\` of \`${record.weights.file}\`, ${record.weights.shape[0]} x ${record.weights.shape[1]};`,
      `Gram matrix from ${record.source}${record.sampleCount === null ? '' : ` (${record.sampleCount} samples)`}, rank ${record.gramRank}, ${record.bias === 'unknown' ? 'bias in the data S not recorded by the Gram file' : `bias ${record.bias === 'include' ? 'included in' : 'excluded from'} the data S`}.`,
      `Smoothness operator **${record.operator}**, group ${record.group}, strategy ${record.strategy}.`,
      '',
      `- value ${formatNumber(record.value)}, Lemma 1 optimum ${formatNumber(record.optimum)}, relative gap ${formatNumber(record.gap)}`,
      `- ${ties} groups of tied eigenvalues; the optimal descramblers form a family of dimension ${record.familyDimension}`,
      `- notch at zero input frequency ${formatNumber(record.spectrum.notchDepthDb)} dB; 90% of the energy within |k| <= ${record.spectrum.inputBand90} (input) and |k| <= ${record.spectrum.hiddenBand90} (hidden)`,
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
