/// <reference lib="webworker" />
/**
 * The compute worker (a module worker): every computation of the page runs here, so the UI
 * never freezes. Stateless between requests, so the page cancels by terminating it.
 */
import type { BandpassContext } from './compute/bandpass.js';
import type { DeerNetContext } from './compute/deernet.js';
import { descrambleModel, inspectFiles } from './compute/model.js';
import { tourExact, tourStrategies } from './compute/tour.js';
import type { ExactPayload, ModelPayload, Request, Response, StrategiesPayload } from './protocol.js';

interface WorkerScope {
  postMessage(message: Response, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<Request>) => void) | null;
}
const scope = self as unknown as WorkerScope;

function exactTransfer(p: ExactPayload): Transferable[] {
  return [p.weights, p.descrambled, p.descrambler, p.rawSpectrum, p.descrambledSpectrum].map((m) => m.data.buffer as ArrayBuffer);
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
      progress('Exact descrambler', 0.02);
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
      const tensors = await inspectFiles(request.request.files);
      scope.postMessage({ id, kind: 'tensors', payload: tensors });
      break;
    }
    case 'model': {
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
