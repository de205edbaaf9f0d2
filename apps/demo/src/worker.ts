/// <reference lib="webworker" />
/**
 * The compute worker (a module worker): every computation of the page runs here, so the UI
 * never freezes. Stateless between requests, so the page cancels by terminating it.
 */
import type { BandpassContext } from './compute/bandpass.js';
import type { DeerNetContext } from './compute/deernet.js';
import { tourExact, tourFirstLook, tourStrategies } from './compute/tour.js';
import { FIRST_LOOK_TRACES } from './compute/tour-constants.js';
import type { ExactPayload, FirstLookPayload, ModelPayload, Request, Response, StrategiesPayload } from './protocol.js';

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
      const { inspectFiles } = await import('./compute/model.js');
      const tensors = await inspectFiles(request.request.files);
      scope.postMessage({ id, kind: 'tensors', payload: tensors });
      break;
    }
    case 'model': {
      const { descrambleModel } = await import('./compute/model.js');
      const payload = await descrambleModel(request.request, progress);
      scope.postMessage({ id, kind: 'model', payload }, modelTransfer(payload));
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
