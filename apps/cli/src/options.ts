import { UsageError } from './cli-errors.js';
import type { OptionValues } from './command.js';

/** The value of a string option, or undefined. */
export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** A string option restricted to a list of names. */
export function choice<T extends string>(value: unknown, allowed: readonly T[], flag: string, fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${flag} must be one of ${allowed.join(', ')}; got '${String(value)}'`);
}

/** A positive integer option. */
export function positiveInteger(value: unknown, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (typeof value !== 'string' || !Number.isSafeInteger(parsed) || parsed < 1) {
    throw new UsageError(`${flag} expects a positive integer, got '${String(value)}'`);
  }
  return parsed;
}

/** A size in bytes, `123`, `512K`, `64M`, `2G` (powers of 1024). */
export function byteSize(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const match = typeof value === 'string' ? /^(\d+(?:\.\d+)?)([KMGT]?)i?B?$/i.exec(value.trim()) : null;
  const units: Record<string, number> = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };
  const bytes = match ? Math.floor(Number(match[1]) * (units[(match[2] ?? '').toUpperCase()] as number)) : Number.NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1) {
    throw new UsageError(`${flag} expects a size such as 512M or 2G, got '${String(value)}'`);
  }
  return bytes;
}

/** `--shard i/n`: shard i (0-based) of n; rows floor(i N / n) .. floor((i + 1) N / n). */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

export function parseShard(value: string | undefined): Shard | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+)\/(\d+)$/.exec(value);
  const index = match ? Number(match[1]) : Number.NaN;
  const count = match ? Number(match[2]) : Number.NaN;
  if (!match || count < 1 || index >= count) {
    throw new UsageError(`--shard expects i/n with 0 <= i < n (shard i of n, counted from 0), got '${value}'`);
  }
  return { index, count };
}

/** The contiguous rows of a shard. */
export function shardRows(shard: Shard | undefined, rows: number): { start: number; end: number } {
  if (shard === undefined) return { start: 0, end: rows };
  return { start: Math.floor((shard.index * rows) / shard.count), end: Math.floor(((shard.index + 1) * rows) / shard.count) };
}

/** Refuses positional arguments for commands that take none. */
export function noPositionals(command: string, positionals: readonly string[]): void {
  if (positionals.length > 0) throw new UsageError(`${command}: unexpected argument '${positionals[0]}'`);
}

/** Bytes in the largest unit of 1024 that keeps a number of at least 1. */
export function formatSize(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${Number(value.toPrecision(3))} ${units[unit]}`;
}
