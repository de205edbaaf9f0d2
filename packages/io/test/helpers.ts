/** Loading the committed fixtures written by tooling/fixtures/pytorch/make_fixtures.py. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { Tensor } from '../src/index.js';

export const FIXTURES = fileURLToPath(new URL('../../../fixtures/pytorch/', import.meta.url));

export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(FIXTURES + name));
}

export interface JsonArray {
  readonly shape: number[];
  readonly data: number[];
}

export interface Reference {
  readonly mlp: { float32: Record<string, JsonArray>; float64: Record<string, JsonArray>; input: JsonArray };
  readonly cnn: { float32: Record<string, JsonArray>; float64: Record<string, JsonArray>; input: JsonArray };
}

export const reference = JSON.parse(readFileSync(`${FIXTURES}reference.json`, 'utf8')) as Reference;
/** State dicts of both networks as float32 values (exact in JSON doubles). */
export const weights = JSON.parse(readFileSync(`${FIXTURES}weights.json`, 'utf8')) as {
  mlp: Record<string, JsonArray>;
  cnn: Record<string, JsonArray>;
};

/** Bitwise-exact equality of a tensor with a reference array (same shape, same values). */
export function expectExact(tensor: Tensor | undefined, expected: JsonArray, transpose = false): void {
  expect(tensor).toBeDefined();
  const t = tensor!;
  const shape = transpose ? [...expected.shape].reverse() : expected.shape;
  expect([...t.shape]).toEqual(shape);
  const data = Array.from(t.data as ArrayLike<number | bigint>, Number);
  if (!transpose) {
    expect(data).toEqual(expected.data);
    return;
  }
  const [rows, columns] = expected.shape as [number, number];
  const transposed = new Array<number>(rows * columns);
  for (let i = 0; i < rows; i++) for (let j = 0; j < columns; j++) transposed[j * rows + i] = expected.data[i * columns + j]!;
  expect(data).toEqual(transposed);
}

/** A tensor's elements as a plain array (numbers, or bigints for 64-bit integers). */
export function values(tensor: Tensor | undefined): (number | bigint)[] {
  expect(tensor).toBeDefined();
  return Array.from(tensor!.data as ArrayLike<number | bigint>);
}
