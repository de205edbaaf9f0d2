import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress } from './progress.js';

function stream(tty: boolean) {
  const target = new PassThrough() as unknown as NodeJS.WriteStream & { text: string };
  target.text = '';
  (target as unknown as PassThrough).on('data', (chunk) => {
    target.text += String(chunk);
  });
  Object.defineProperty(target, 'isTTY', { value: tty });
  return target;
}

describe('progress', () => {
  it('plain lines off a terminal: start, every 10%, done; no escape codes', () => {
    let time = 0;
    const target = stream(false);
    const progress = createProgress({ stream: target, quiet: false, color: false, now: () => time });
    progress.start('capturing', 100);
    for (let done = 1; done <= 100; done++) {
      time += 10;
      progress.update(done);
    }
    progress.finish();
    const lines = target.text.trim().split('\n');
    expect(lines[0]).toBe('capturing...');
    // The first update, then one line per 10%: 0%, 10%, ..., 100%.
    expect(lines).toHaveLength(1 + 11 + 1);
    expect(lines[2]).toMatch(/^capturing \[##\.+\] 10% ETA 900 ms 100\/s$/);
    expect(lines.at(-1)).toBe('capturing: done in 1.0 s');
    expect(target.text).not.toContain('\u001b');
  });

  it('a redrawn bar on a terminal, coloured only when asked (NO_COLOR turns colour off)', () => {
    let time = 0;
    for (const color of [true, false]) {
      const target = stream(true);
      const progress = createProgress({ stream: target, quiet: false, color, now: () => time });
      progress.start('rendering', 4);
      time += 500;
      progress.update(1);
      expect(target.text.startsWith('\r\u001b[2K')).toBe(true);
      expect(target.text.includes('\u001b[36m')).toBe(color);
      expect(target.text).toContain('25% ETA 1.5 s 2.0/s');
    }
  });

  it('--quiet writes nothing', () => {
    const target = stream(false);
    const progress = createProgress({ stream: target, quiet: true, color: false });
    progress.start('x', 10);
    progress.update(5);
    progress.note('hello');
    progress.finish();
    expect(target.text).toBe('');
  });
});
