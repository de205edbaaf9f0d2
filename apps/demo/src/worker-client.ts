/**
 * The page's side of the compute worker: one request at a time, progress and partial results
 * through callbacks, and a real cancel (the worker is terminated and a fresh one started).
 */
import type { Request, Response } from './protocol.js';

type RequestBody = Request extends infer R ? (R extends Request ? Omit<R, 'id'> : never) : never;

export interface Job {
  readonly done: Promise<void>;
  cancel(): void;
}

/** Raised (as the job's rejection) when the job was cancelled. */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';
  constructor() {
    super('cancelled');
  }
}

/** Raised when the worker reports a failure; `errorName` is the class of the original error. */
export class WorkerError extends Error {
  override readonly name = 'WorkerError';
  constructor(
    message: string,
    readonly errorName: string,
  ) {
    super(message);
  }
}

export class ComputeClient {
  private worker: Worker | undefined;
  private nextId = 1;
  private current: { id: number; reject: (error: Error) => void } | undefined;

  private spawn(): Worker {
    this.worker ??= new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'descramble-compute' });
    return this.worker;
  }

  /** Starts the worker now, so that the first request does not pay for loading it. */
  warm(): void {
    this.spawn();
  }

  /** Cancels the running job, if any (terminates the worker). */
  cancel(): void {
    if (this.current === undefined) return;
    const { reject } = this.current;
    this.current = undefined;
    this.worker?.terminate();
    this.worker = undefined;
    reject(new CancelledError());
  }

  get busy(): boolean {
    return this.current !== undefined;
  }

  /** Runs one request; a running one is cancelled first. `onMessage` sees every response. */
  run(body: RequestBody, onMessage: (response: Response) => void, transfer: Transferable[] = []): Job {
    this.cancel();
    const id = this.nextId++;
    const worker = this.spawn();
    const done = new Promise<void>((resolve, reject) => {
      this.current = { id, reject };
      const finish = () => {
        worker.removeEventListener('message', listener);
        worker.removeEventListener('error', onError);
        if (this.current?.id === id) this.current = undefined;
      };
      const listener = (event: MessageEvent<Response>) => {
        const response = event.data;
        if (response.id !== id) return;
        if (response.kind === 'done') {
          finish();
          resolve();
        } else if (response.kind === 'error') {
          finish();
          reject(new WorkerError(response.message, response.errorName));
        } else {
          onMessage(response);
        }
      };
      const onError = (event: ErrorEvent) => {
        finish();
        this.worker?.terminate();
        this.worker = undefined;
        reject(new WorkerError(event.message || 'the compute worker failed to start', 'WorkerStartError'));
      };
      worker.addEventListener('message', listener);
      worker.addEventListener('error', onError);
      worker.postMessage({ ...body, id } as Request, transfer);
    });
    return { done, cancel: () => this.cancel() };
  }
}
