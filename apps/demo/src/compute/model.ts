/**
 * "Your model": descramble one 2-D tensor of a user's file, with the user's input data
 * (Lemma 1 on the Gram matrix of `W X^T`) or without (isotropic inputs, Theorem 2), and
 * produce the files to download. Runs in the worker; nothing leaves the page.
 */
import { descramble, isotropicDescrambler, type LayerReport, layerReport, type ReportedDescrambler } from '@descramble/descramblers';
import { writeNpy, writeSafetensors } from '@descramble/io';
import { weightSpectrum } from '@descramble/spectral';
import { Matrix } from 'ml-matrix';
import type { InputFile, ModelPayload, ModelRequest, TensorSummary } from '../protocol.js';
import { type LoadedTensor, readTensorFile, tensorFloat64, UnreadableFileError } from './files.js';
import { certificateOf } from './tour.js';
import { REPORT_TOOL } from './report-tool.js';
import { toWire } from './wire.js';

export { REPORT_TOOL } from './report-tool.js';

// Each file is parsed once: the worker keeps the same InputFile objects between requests.
const parsed = new WeakMap<InputFile, Promise<Map<string, LoadedTensor>>>();

function tensorsOf(file: InputFile, others: readonly InputFile[] = []): Promise<Map<string, LoadedTensor>> {
  let tensors = parsed.get(file);
  if (tensors === undefined) {
    tensors = readTensorFile(file, others);
    parsed.set(file, tensors);
    tensors.catch(() => parsed.delete(file));
  }
  return tensors;
}

/** Records tensors already read from `file` (an ONNX graph's initializers, parsed with the graph). */
export function rememberTensors(file: InputFile, tensors: ReadonlyMap<string, LoadedTensor>): void {
  parsed.set(file, Promise.resolve(new Map(tensors)));
}

/** The tensors of the chosen files (the first file is the model; the others may be ONNX external data). */
export async function inspectFiles(files: readonly InputFile[]): Promise<TensorSummary[]> {
  const [model, ...others] = files;
  if (model === undefined) throw new UnreadableFileError('(no file)', 'choose a model file');
  const tensors = await tensorsOf(model, others);
  return [...tensors].map(([name, t]) => ({ name, shape: [...t.shape], dtype: t.dtype }));
}

function matrixOf(tensor: LoadedTensor, transpose: boolean): Matrix {
  const [rows, columns] = tensor.shape as [number, number];
  const data = tensorFloat64(tensor);
  const m = transpose ? new Matrix(columns, rows) : new Matrix(rows, columns);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < columns; j++) {
      if (transpose) m.set(j, i, data[i * columns + j]!);
      else m.set(i, j, data[i * columns + j]!);
    }
  }
  return m;
}

/** Input data as an `N x in` matrix: a 2-D tensor with `in` columns, or one sample of length `in`. */
function dataMatrix(tensors: Map<string, LoadedTensor>, fileName: string, inputs: number, wanted?: string): { name: string; x: Matrix } {
  const candidates = wanted !== undefined ? [[wanted, tensors.get(wanted)] as const] : [...tensors];
  for (const [name, tensor] of candidates) {
    if (tensor === undefined) continue;
    const shape = tensor.shape;
    if (shape.length === 2 && shape[1] === inputs) return { name, x: matrixOf(tensor, false) };
    if (shape.length === 1 && shape[0] === inputs) return { name, x: new Matrix([Array.from(tensorFloat64(tensor))]) };
  }
  const shapes = [...tensors].map(([name, t]) => `${name} [${t.shape.join(', ')}]`).join(', ');
  throw new UnreadableFileError(
    fileName,
    `no tensor with ${inputs} columns (samples x inputs, as the layer has ${inputs} inputs); found ${shapes || 'no tensors'}`,
  );
}

/** Descrambles the chosen layer and prepares the downloads. */
export async function descrambleModel(request: ModelRequest, onProgress: (stage: string, fraction: number) => void): Promise<ModelPayload> {
  const [modelFile, ...others] = request.files;
  if (modelFile === undefined) throw new UnreadableFileError('(no file)', 'choose a model file');
  onProgress(`Reading ${modelFile.name}`, 0.05);
  const tensors = await tensorsOf(modelFile, others);
  const tensor = tensors.get(request.layer);
  if (tensor === undefined) throw new UnreadableFileError(modelFile.name, `has no tensor named "${request.layer}"`);
  if (tensor.shape.length !== 2) {
    throw new UnreadableFileError(modelFile.name, `"${request.layer}" has shape [${tensor.shape.join(', ')}]; choose a 2-D tensor (a weight matrix)`);
  }
  const weights = matrixOf(tensor, request.transpose);
  const started = performance.now();
  const layer = { name: request.layer, file: modelFile.name, tensor: request.layer, bias: 'exclude' as const, weights, operator: request.operator };
  let computed: { readonly result: ReportedDescrambler & { readonly rankB?: number; readonly gramRank: number }; readonly report: LayerReport };
  let method: string;
  if (request.data !== undefined) {
    onProgress(`Reading ${request.data.name}`, 0.2);
    const dataTensors = await tensorsOf(request.data);
    const { name, x } = dataMatrix(dataTensors, request.data.name, weights.columns, request.dataTensor);
    onProgress(`Gram matrix of W X^T (${x.rows} samples)`, 0.4);
    computed = descramble({ ...layer, source: 'data', data: x });
    method = `With your data: Lemma 1 on the Gram matrix of W X^T (${x.rows} samples of "${name}" from ${request.data.name})`;
  } else {
    onProgress('Isotropic descrambler (Theorem 2)', 0.4);
    const result = isotropicDescrambler(weights, { operator: request.operator });
    computed = { result, report: layerReport(result, weights, { ...layer, source: 'isotropic', rescale: false }) };
    method = 'Without data: isotropic inputs assumed (Theorem 2), P W = T Sigma V^T from the SVD of W';
  }
  const { result: exact, report: descrambling } = computed;
  const descrambled = exact.descrambledWeights;
  const source = descrambling.source === 'data' ? 'data' : 'isotropic';
  const sampleCount = descrambling.sampleCount;
  const exactMs = performance.now() - started;
  onProgress('Centred spectra and downloads', 0.8);
  const p = toWire(exact.P);
  const pw = toWire(descrambled);
  const w = toWire(weights);
  const certificate = certificateOf(exact, exact.rankB ?? exact.gramRank);
  // The same layer report as the CLI's report.json (descramblers' LayerReport).
  const report = {
    tool: REPORT_TOOL,
    file: modelFile.name,
    layer: request.layer,
    transposed: request.transpose,
    method: source === 'data' ? 'data-gram' : 'isotropic-theorem-2',
    description: method,
    ...(request.data !== undefined && { dataFile: request.data.name }),
    criterion: 'smoothness tr(A P B P^T), A = D^T D',
    descrambling,
    files: {
      descrambler: 'descrambler.npy (P, rows x rows, float64)',
      descrambledWeights: 'descrambled_weights.npy (P W, float64)',
      safetensors: 'descrambled.safetensors (descrambler, descrambled_weight, weight; float64)',
    },
  };
  return {
    weights: w,
    descrambled: pw,
    descrambler: p,
    rawSpectrum: toWire(weightSpectrum(weights).magnitude),
    descrambledSpectrum: toWire(weightSpectrum(descrambled).magnitude),
    certificate,
    method,
    distanceToLimit: null,
    singularValues: new Float64Array(0),
    exactMs,
    layer: request.layer,
    source,
    sampleCount,
    downloads: {
      descramblerNpy: writeNpy({ dtype: 'float64', shape: [p.rows, p.columns], data: p.data }),
      descrambledNpy: writeNpy({ dtype: 'float64', shape: [pw.rows, pw.columns], data: pw.data }),
      safetensors: writeSafetensors(
        {
          descrambler: { dtype: 'float64', shape: [p.rows, p.columns], data: p.data },
          descrambled_weight: { dtype: 'float64', shape: [pw.rows, pw.columns], data: pw.data },
          weight: { dtype: 'float64', shape: [w.rows, w.columns], data: w.data },
        },
        { layer: request.layer, method: report.method, operator: request.operator },
      ),
      report: JSON.stringify(report, null, 2),
    },
  };
}
