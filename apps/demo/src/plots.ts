/**
 * Figure descriptions for @descramble/figures, drawn on canvases. The page never draws by
 * hand: it describes and lets the figures package paint.
 */
import { type Figure, type HeatmapFigure, renderFigureToCanvas } from '@descramble/figures';
import type { StrategyRow, WireMatrix } from './protocol.js';

const HEATMAP_SIZE = { width: 440, height: 360 } as const;

function centred(n: number): [number, number] {
  const low = -Math.floor(n / 2);
  return [low, low + n - 1];
}

export function weightsFigure(title: string, m: WireMatrix): HeatmapFigure {
  return {
    kind: 'heatmap',
    title,
    values: { rows: m.rows, columns: m.columns, data: m.data },
    colourMap: 'diverging',
    domain: 'symmetric',
    xLabel: 'input',
    yLabel: 'neuron',
    colourBarLabel: 'weight',
    ...HEATMAP_SIZE,
  };
}

export function spectrumFigure(title: string, m: WireMatrix): HeatmapFigure {
  return {
    kind: 'heatmap',
    title,
    values: { rows: m.rows, columns: m.columns, data: m.data },
    colourMap: 'magma',
    xRange: centred(m.columns),
    yRange: centred(m.rows),
    xLabel: 'input-axis frequency',
    yLabel: 'neuron-axis frequency',
    colourBarLabel: '|DFT|',
    ...HEATMAP_SIZE,
  };
}

export function descramblerFigure(m: WireMatrix): HeatmapFigure {
  return {
    kind: 'heatmap',
    title: 'Descrambler P = T U^T',
    values: { rows: m.rows, columns: m.columns, data: m.data },
    colourMap: 'diverging',
    domain: 'symmetric',
    xLabel: 'column',
    yLabel: 'row',
    ...HEATMAP_SIZE,
  };
}

const STRATEGY_LABELS: Record<string, string> = {
  identity: '(a) Cayley PGD from I',
  'warm-start': '(b) warm start from T',
  rescaled: '(c) rescaled (diag Omega)',
  exact: '(d) exact (Lemma 1)',
};

export function strategyLabel(name: string): string {
  return STRATEGY_LABELS[name] ?? name;
}

/** Relative gap per iteration of the iterative strategies (log scale; the exact one is a point at 0 iterations). */
export function convergenceFigure(rows: readonly StrategyRow[]): Figure {
  const floor = 1e-16;
  const series = rows
    .filter((r) => r.gapLog.length > 0)
    .map((r) => ({
      label: strategyLabel(r.name),
      x: Float64Array.from(r.gapLog, (_, i) => i + 1),
      y: Float64Array.from(r.gapLog, (g) => Math.max(Math.abs(g), floor)),
    }));
  const exact = rows.find((r) => r.name === 'exact');
  const longest = Math.max(2, ...rows.map((r) => r.gapLog.length));
  const lines: { label: string; x: Float64Array; y: Float64Array; dashed?: boolean }[] = series;
  if (exact !== undefined) {
    const level = Math.max(Math.abs(exact.gap), floor);
    lines.push({ label: strategyLabel('exact'), x: Float64Array.of(1, longest), y: Float64Array.of(level, level), dashed: true });
  }
  return {
    kind: 'lines',
    title: 'Convergence: relative gap to the Lemma 1 optimum',
    series: lines,
    logX: true,
    logY: true,
    xLabel: 'iteration',
    yLabel: '(value - optimum) / |optimum|',
    width: 560,
    height: 360,
  };
}

export function singularValuesFigure(values: Float64Array): Figure {
  return {
    kind: 'lines',
    title: 'Singular values of W (rows of T Sigma V^T, in order)',
    series: [{ label: 'sigma_i', x: Float64Array.from(values, (_, i) => i + 1), y: values }],
    xLabel: 'i',
    yLabel: 'sigma_i',
    width: 560,
    height: 360,
  };
}

/** Draws a figure on a canvas at the device's pixel ratio. */
export function draw(canvas: HTMLCanvasElement, figure: Figure): void {
  renderFigureToCanvas(figure, canvas, { pixelRatio: Math.min(2, globalThis.devicePixelRatio || 1) });
}
