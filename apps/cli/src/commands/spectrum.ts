import { basename, extname, join } from 'node:path';
import type { Figure } from '@descramble/figures';
import { renderFigureToPng, renderReportNode } from '@descramble/figures/node';
import { singularVectorSpectra } from '@descramble/spectral';
import { InterruptedError, UsageError } from '../cli-errors.js';
import {
  type Command,
  type CommandContext,
  type OptionValues,
  OUTPUT_OPTIONS,
  outputHelp,
} from '../command.js';
import { loadMatrix, parseFileSpec } from '../inputs.js';
import { type SpectralSummary, spectralSummary } from '@descramble/descramblers';
import { layerFigures } from '../layer-analysis.js';
import { noPositionals, positiveInteger, stringOption } from '../options.js';
import { OutputDirectory, runInputs } from '../output-directory.js';
import { safeComponent } from '../path-components.js';
import { InputWatch } from '../input-watch.js';
import { reportDocument, toJson } from '../report-file.js';

export const spectrumCommand: Command = {
  name: 'spectrum',
  summary: 'spectral diagnostics of any matrix: centred 2-D DFT, notch, bands, singular vectors',
  usage: 'spectrum --weights FILE[:TENSOR] [--vectors K] [--out DIR]',
  description: [
    'The centred 2-D DFT of a matrix (rows: hidden frequency, columns: input frequency), the notch',
    'depth at zero input frequency, the band holding 90% of the energy along each axis, the',
    'singular values, and the DFT magnitudes of the K leading left and right singular vectors.',
    'A descrambled weight matrix shows its structure here; a scrambled one looks like noise.',
    'The notch is in dB, positive when the zero-input-frequency column is weaker than its',
    'neighbours (a deeper notch is a larger number); negative means no notch.',
  ].join('\n'),
  options: {
    weights: { type: 'string' },
    vectors: { type: 'string' },
    ...OUTPUT_OPTIONS,
  },
  optionHelp: [
    '--weights FILE[:TENSOR]    any matrix (safetensors, npy, npz, ONNX, .h5, .mat)',
    '--vectors K                leading singular vectors to transform (default min(4, rank))',
    ...outputHelp('./descramble-out/<name>-spectrum'),
  ],
  examples: [
    'descramble spectrum --weights out/descrambled-weights.npy',
    'descramble spectrum --weights model.safetensors:fc1.weight --vectors 8 --json',
  ],
  run: runSpectrum,
};

async function runSpectrum(values: OptionValues, positionals: readonly string[], context: CommandContext): Promise<void> {
  noPositionals('spectrum', positionals);
  const weightsText = stringOption(values, 'weights');
  if (weightsText === undefined) throw new UsageError('spectrum: --weights FILE[:TENSOR] is required');
  const spec = parseFileSpec(weightsText, '--weights');
  const stem = basename(spec.file, extname(spec.file)) + (spec.tensor ? `-${spec.tensor}` : '');
  const watch = new InputWatch(context.cwd, [weightsText]);
  const out = await OutputDirectory.open(stringOption(values, 'out') ?? join(context.cwd, 'descramble-out', safeComponent(`${stem}-spectrum`)), {
    force: values.force === true,
    inputs: runInputs(context.cwd, [weightsText]),
  });
  try {
    const started = performance.now();
    const { matrix, tensor } = await loadMatrix(spec, 'matrix');
    const rank = Math.min(matrix.rows, matrix.columns);
    const k = Math.min(positiveInteger(values.vectors, '--vectors', Math.min(4, rank)), rank);
    const summary = spectralSummary(matrix);
    const vectors = singularVectorSpectra(matrix, k);
    const record = {
      file: spec.file,
      tensor,
      shape: [matrix.rows, matrix.columns],
      ...summary,
      singularValues: Array.from(vectors.singularValues),
      vectors: k,
      seconds: (performance.now() - started) / 1000,
    };
    const figures: Record<string, Figure> = {
      weights: layerFigures(stem, matrix, matrix).weights as Figure,
      spectrum: layerFigures(stem, matrix, matrix)['weights-spectrum'] as Figure,
      'left-vector-spectra': { kind: 'heatmap', title: `${stem}: |DFT| of the ${k} leading left singular vectors`, values: vectors.leftVectorSpectra, colourMap: 'magma', xLabel: 'frequency', yLabel: 'vector', colourBar: true },
      'right-vector-spectra': { kind: 'heatmap', title: `${stem}: |DFT| of the ${k} leading right singular vectors`, values: vectors.rightVectorSpectra, colourMap: 'magma', xLabel: 'frequency', yLabel: 'vector', colourBar: true },
    };
    const files = ['report.json'];
    if (values['no-figures'] !== true) {
      for (const [key, figure] of Object.entries(figures)) {
        if (context.signal.aborted) throw new InterruptedError();
        await out.write(`${key}.png`, renderFigureToPng(figure));
        files.push(`${key}.png`);
      }
      files.push('report.html');
    }
    const json = toJson(reportDocument({ command: 'spectrum', arguments: context.argv.slice(1), seed: context.seed, layers: [], files, extra: { spectrum: record } }));
    await out.write('report.json', json);
    if (values['no-figures'] !== true) {
      await out.write(
        'report.html',
        renderReportNode({
          title: `Spectrum of ${stem}`,
          sections: [
            {
              heading: `${tensor} (${matrix.rows} x ${matrix.columns})`,
              text: `- notch at zero input frequency ${notchText(summary)}\n- 90% of the energy within |k| <= ${summary.inputBand90} (input) and |k| <= ${summary.hiddenBand90} (hidden)\n- leading singular values ${record.singularValues.slice(0, 6).map((s) => s.toPrecision(4)).join(', ')}`,
              figures: Object.values(figures),
            },
          ],
        }),
      );
    }
    if (context.signal.aborted) throw new InterruptedError();
    await watch.check();
    await out.commit();
    if (context.json) context.stdout.write(json);
    else context.stdout.write(`${stem}: notch ${notchText(summary)}, 90% band |k| <= ${summary.inputBand90} (input), ${summary.hiddenBand90} (hidden)\nwrote ${out.path}\n`);
  } catch (error) {
    await out.discard();
    throw error;
  }
}

/** The notch depth in dB, or why there is none. */
function notchText(summary: SpectralSummary): string {
  return summary.notchDepthDb === null ? `undefined (${summary.notchUndefined ?? 'no energy beside zero frequency'})` : `${summary.notchDepthDb.toPrecision(4)} dB`;
}
