/// <reference lib="webworker" />
/**
 * The compute worker (a module worker): every computation of the page runs here, so the UI
 * never freezes. The page cancels by terminating it. It keeps the visitor's files, read and
 * parsed once, between requests (by the page's key: a fresh worker reads them again).
 */
import type { BandpassContext } from './compute/bandpass.js';
import type { DeerNetContext } from './compute/deernet.js';
import { tourExact, tourFirstLook, tourStrategies } from './compute/tour.js';
import { FIRST_LOOK_TRACES } from './compute/tour-constants.js';
import type { LayerReport } from '@descramble/descramblers';
import type { GraphSession } from './compute/graph.js';
import { isOnnxFile } from './compute/onnx-file.js';
import type {
  ChosenFiles,
  ExactPayload,
  FirstLookPayload,
  GraphDataRequest,
  GraphLayerPayload,
  GraphSummary,
  InputFile,
  ModelPayload,
  Request,
  Response,
  StrategiesPayload,
  TensorSummary,
} from './protocol.js';

interface WorkerScope {
  postMessage(message: Response, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<Request>) => void) | null;
}
const scope = self as unknown as WorkerScope;

function exactTransfer(p: ExactPayload): Transferable[] {
  return [p.weights, p.descrambled, p.descrambler, p.rawSpectrum, p.descrambledSpectrum].map((m) => m.data.buffer as ArrayBuffer);
}

function firstLookTransfer(p: FirstLookPayload): Transferable[] {
  return [p.weights, p.descrambled, p.descrambler].map((m) => m.data.buffer as ArrayBuffer);
}

function strategiesTransfer(p: StrategiesPayload): Transferable[] {
  return [p.chosen.data.buffer as ArrayBuffer, ...p.rows.map((r) => r.gapLog.buffer as ArrayBuffer)];
}

function modelTransfer(p: ModelPayload): Transferable[] {
  const d = p.downloads;
  return [...exactTransfer(p), d.descramblerNpy.buffer as ArrayBuffer, d.descrambledNpy.buffer as ArrayBuffer, d.safetensors.buffer as ArrayBuffer];
}

function graphLayerTransfer(p: GraphLayerPayload): Transferable[] {
  return [p.weights.data.buffer as ArrayBuffer, p.descrambled.data.buffer as ArrayBuffer];
}

/** The visitor's model files, read once per key; an ONNX model's parsed graph with them. */
interface LoadedModel {
  readonly key: number;
  readonly files: readonly InputFile[];
  graph?: { readonly session: GraphSession; readonly summary: GraphSummary };
  /** Key of the data file the graph session holds. */
  dataKey?: number;
}

let loadedModel: LoadedModel | undefined;
let loadedData: { readonly key: number; readonly file: InputFile } | undefined;

async function read(chosen: ChosenFiles): Promise<InputFile[]> {
  return Promise.all(chosen.files.map(async (file) => ({ name: file.name, bytes: await file.arrayBuffer() })));
}

async function modelOf(chosen: ChosenFiles): Promise<LoadedModel> {
  if (loadedModel?.key !== chosen.key) loadedModel = { key: chosen.key, files: await read(chosen) };
  return loadedModel;
}

async function dataOf(chosen: ChosenFiles): Promise<InputFile> {
  if (loadedData?.key !== chosen.key) {
    const [file] = await read(chosen);
    if (file === undefined) throw new Error('no data file chosen');
    loadedData = { key: chosen.key, file };
  }
  return loadedData.file;
}

/** Opens the graph of an ONNX model (once per key); undefined for other formats. */
async function graphOf(model: LoadedModel): Promise<LoadedModel['graph']> {
  const [main, ...others] = model.files;
  if (main === undefined || !isOnnxFile(main.name)) return undefined;
  if (model.graph === undefined) {
    const { openGraph } = await import('./compute/graph.js');
    model.graph = openGraph(main, others);
    // The single-tensor form reads the same initializers: not parsed a second time.
    const { rememberTensors } = await import('./compute/model.js');
    rememberTensors(main, model.graph.session.model.graph.initializers);
  }
  return model.graph;
}

/** The graph with the visitor's data in it (checked against the graph input once per data file). */
async function graphWithData(request: GraphDataRequest): Promise<GraphSession> {
  const model = await modelOf(request.model);
  const session = (await graphOf(model))?.session;
  if (session === undefined) throw new Error(`${model.files[0]?.name ?? 'the model'} is not an ONNX graph`);
  const data = await dataOf(request.data);
  if (model.dataKey !== request.data.key) {
    const { graphData } = await import('./compute/graph.js');
    graphData(session, data);
    model.dataKey = request.data.key;
  }
  return session;
}

async function handle(request: Request): Promise<void> {
  const { id } = request;
  const progress = (stage: string, fraction: number) => scope.postMessage({ id, kind: 'progress', stage, fraction });
  switch (request.type) {
    case 'tour': {
      const { params } = request;
      let deer: DeerNetContext | undefined;
      let band: BandpassContext | undefined;
      if (params.view === 'deernet') {
        progress('Loading the bundled DEERNet', 0);
        const { deernetContext } = await import('./compute/deernet.js');
        deer = await deernetContext(params);
      } else if (params.view === 'bandpass') {
        progress(`Training the band-pass network (${params.epochs} epochs of Adam)`, 0);
        const { bandpassContext } = await import('./compute/bandpass.js');
        band = await bandpassContext(params);
      }
      if (deer !== undefined && params.samples > FIRST_LOOK_TRACES) {
        // Generating thousands of DEER traces takes a while: draw the exact descrambler of the
        // first ones at once, then the one of all the requested traces.
        const first = tourFirstLook(params, deer.source, FIRST_LOOK_TRACES, progress);
        scope.postMessage({ id, kind: 'first-look', payload: first }, firstLookTransfer(first));
      }
      progress('Exact descrambler', deer !== undefined ? 0.1 : 0.02);
      const tour = tourExact(params, progress, deer?.source ?? band?.source);
      scope.postMessage({ id, kind: 'exact', payload: tour.payload }, exactTransfer(tour.payload));
      if (deer !== undefined) {
        progress('Notch, band and the Chebyshev matrix (Figure 4)', 0.88);
        const { deernetExtra } = await import('./compute/deernet.js');
        scope.postMessage({ id, kind: 'extra', payload: deernetExtra(deer, tour) });
      } else if (band !== undefined) {
        const { bandpassExtra } = await import('./compute/bandpass.js');
        scope.postMessage({ id, kind: 'extra', payload: bandpassExtra(band, tour) });
      }
      progress('Strategy comparison (iterative solvers)', 0.9);
      const strategies = tourStrategies(tour, params);
      scope.postMessage({ id, kind: 'strategies', payload: strategies }, strategiesTransfer(strategies));
      break;
    }
    case 'inspect': {
      progress('Reading the file', 0.1);
      // "Your model" (io's readers and writers) loads on the first file, never in the first view.
      const model = await modelOf(request.request.model);
      const graph = await graphOf(model);
      let tensors: TensorSummary[];
      if (graph !== undefined) {
        // An ONNX graph: its layers are drawn at once, from the file alone (no runtime yet).
        scope.postMessage({ id, kind: 'graph', payload: graph.summary });
        tensors = [...graph.session.model.graph.initializers].map(([name, t]) => ({ name, shape: [...t.shape], dtype: t.dtype ?? 'float64' }));
      } else {
        const { inspectFiles } = await import('./compute/model.js');
        tensors = await inspectFiles(model.files);
      }
      scope.postMessage({ id, kind: 'tensors', payload: tensors });
      break;
    }
    case 'model': {
      const { descrambleModel } = await import('./compute/model.js');
      const { model, data, ...rest } = request.request;
      const files = (await modelOf(model)).files;
      const payload = await descrambleModel({ ...rest, files, ...(data !== undefined && { data: await dataOf(data) }) }, progress);
      scope.postMessage({ id, kind: 'model', payload }, modelTransfer(payload));
      break;
    }
    case 'graph-data': {
      progress('Reading the samples', 0.1);
      const { data } = await graphWithData(request.request);
      if (data === undefined) throw new Error('no samples');
      scope.postMessage({ id, kind: 'graph-data', payload: { file: data.file, samples: data.samples, shape: data.shape, dtype: data.dtype } });
      break;
    }
    case 'descramble-graph':
    case 'grams': {
      const session = await graphWithData(request.request);
      const graph = await import('./compute/graph.js');
      if (session.grams === undefined) {
        progress('Loading ONNX Runtime Web (WebAssembly)', 0.02);
        const { webRuntime } = await import('./compute/onnx-runtime-web.js');
        const { runtime, info } = await webRuntime();
        scope.postMessage({ id, kind: 'runtime', payload: info });
        const started = performance.now();
        const grams = await graph.captureGraph(session, runtime, (done, total) =>
          progress(`ONNX Runtime: ${done} of ${total} samples through the graph`, 0.05 + 0.45 * (done / total)),
        );
        const layers = grams.map((g) => ({ name: g.name, units: g.dimension, rows: g.count, positions: g.positions }));
        scope.postMessage({ id, kind: 'captured', payload: { layers, samples: session.data?.samples ?? 0, ms: performance.now() - started } });
      }
      if (request.type === 'grams') {
        const { toWire } = await import('./compute/wire.js');
        const grams = [...(session.grams ?? new Map()).values()].map((g) => ({ name: g.name, gram: toWire(g.gram), rows: g.count }));
        scope.postMessage({ id, kind: 'grams', payload: { grams } }, grams.map((g) => g.gram.data.buffer as ArrayBuffer));
        break;
      }
      const { layerCost } = await import('./compute/layer-cost.js');
      const hidden = session.layers.map((layer, index) => ({ layer, index })).filter(({ layer }) => !layer.isOutput);
      const reports: LayerReport[] = [];
      for (const [k, { layer, index }] of hidden.entries()) {
        progress(`Descrambling ${layer.name} (${layer.units} units)`, 0.5 + 0.45 * (k / hidden.length));
        if (layerCost(layer.name, layer.units, layer.fanIn).refusal !== null) continue;
        const { payload, report } = graph.descrambleGraphLayer(session, index, request.request.operator);
        reports.push(report);
        scope.postMessage({ id, kind: 'graph-layer', payload }, graphLayerTransfer(payload));
      }
      progress('Permuted ONNX: channel groups, the permutation nearest each descrambler, and a check that its outputs are unchanged', 0.95);
      const { webRuntime } = await import('./compute/onnx-runtime-web.js');
      const { runtime, info } = await webRuntime();
      const permuted = await graph.permutedGraph(session, runtime, request.request.operator);
      const json = graph.graphReport(session, reports, permuted, info);
      scope.postMessage({ id, kind: 'permuted', payload: permuted }, [permuted.bytes.buffer as ArrayBuffer]);
      scope.postMessage({ id, kind: 'graph-report', payload: { json } });
      break;
    }
  }
  scope.postMessage({ id, kind: 'done' });
}

scope.onmessage = (event) => {
  const request = event.data;
  handle(request).catch((error: unknown) => {
    const e = error instanceof Error ? error : new Error(String(error));
    scope.postMessage({ id: request.id, kind: 'error', message: e.message, errorName: e.name });
  });
};
