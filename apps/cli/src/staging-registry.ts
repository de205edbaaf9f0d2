import { isMainThread, parentPort } from 'node:worker_threads';

/**
 * What the output writers tell the process that supervises a run (bin.ts, on the main thread,
 * while the command runs in a worker): a staging path was made, its commit began, it is gone.
 * On Ctrl-C the supervisor stops the worker at once and cleans exactly these paths, so an
 * interrupted run leaves nothing behind however busy the worker was.
 */
export type StagingEvent =
  | { readonly type: 'staging'; readonly staging: string; readonly target: string }
  | { readonly type: 'commit'; readonly staging: string }
  | { readonly type: 'settled'; readonly staging: string };

/** The message a command worker posts for a staging event. */
export interface StagingMessage {
  readonly kind: 'staging';
  readonly event: StagingEvent;
}

/** Posts the event to the supervisor; a no-op when the command runs on the main thread. */
export function reportStaging(event: StagingEvent): void {
  if (isMainThread || parentPort === null) return;
  const message: StagingMessage = { kind: 'staging', event };
  parentPort.postMessage(message);
}
