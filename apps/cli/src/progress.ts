/**
 * Progress on stderr: a redrawn bar with rate and ETA on a terminal, plain lines (every 10%
 * or 5 s) otherwise, nothing under --quiet.
 */
export interface Progress {
  start(label: string, total?: number): void;
  update(done: number): void;
  finish(): void;
  /** A one-line message (not redrawn). */
  note(message: string): void;
}

export interface ProgressOptions {
  readonly stream: NodeJS.WriteStream;
  readonly quiet: boolean;
  readonly color: boolean;
  readonly now?: () => number;
}

export function createProgress(options: ProgressOptions): Progress {
  const { stream, quiet } = options;
  const now = options.now ?? (() => performance.now());
  const terminal = stream.isTTY === true;
  let label = '';
  let total: number | undefined;
  let startedAt = 0;
  let lastDrawn = 0;
  let lastFraction = -1;
  let active = false;

  const describe = (done: number): string => {
    const elapsed = (now() - startedAt) / 1000;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const parts = [label];
    if (total !== undefined && total > 0) {
      const fraction = Math.min(1, done / total);
      const width = 24;
      const filled = Math.round(fraction * width);
      const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
      parts.push(options.color ? `\u001b[36m${bar}\u001b[0m` : bar, `${(fraction * 100).toFixed(0)}%`);
      if (rate > 0 && done < total) parts.push(`ETA ${formatSeconds((total - done) / rate)}`);
    } else {
      parts.push(`${done}`);
    }
    if (rate > 0) parts.push(`${formatRate(rate)}/s`);
    return parts.join(' ');
  };

  return {
    start(nextLabel, nextTotal) {
      label = nextLabel;
      total = nextTotal;
      startedAt = now();
      lastDrawn = 0;
      lastFraction = -1;
      active = true;
      if (!quiet && !terminal) stream.write(`${label}...\n`);
    },
    update(done) {
      if (quiet || !active) return;
      const time = now();
      if (terminal) {
        if (time - lastDrawn < 100) return;
        lastDrawn = time;
        stream.write(`\r\u001b[2K${describe(done)}`);
        return;
      }
      const fraction = total ? Math.floor((10 * done) / total) / 10 : 0;
      if (fraction > lastFraction || time - lastDrawn > 5000) {
        lastFraction = fraction;
        lastDrawn = time;
        stream.write(`${describe(done)}\n`);
      }
    },
    finish() {
      if (!active) return;
      active = false;
      if (quiet) return;
      const seconds = (now() - startedAt) / 1000;
      stream.write(`${terminal ? '\r\u001b[2K' : ''}${label}: done in ${formatSeconds(seconds)}\n`);
    },
    note(message) {
      if (!quiet) stream.write(`${message}\n`);
    },
  };
}

function formatSeconds(seconds: number): string {
  if (seconds < 1) return `${(seconds * 1000).toFixed(0)} ms`;
  if (seconds < 90) return `${seconds.toFixed(1)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

function formatRate(rate: number): string {
  if (rate >= 1e6) return `${(rate / 1e6).toFixed(1)}M`;
  if (rate >= 1e3) return `${(rate / 1e3).toFixed(1)}k`;
  return rate.toFixed(rate < 10 ? 1 : 0);
}
