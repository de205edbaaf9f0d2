/**
 * @descramble/experiments/node: everything in the browser-safe entry, plus `reproduce`, which
 * writes docs/reproduction.md and its PNG figures (Node: file system and resvg).
 */
export * from '../index.js';
export { type ReproduceOptions, type ReproduceResult, reproduce } from './reproduce.js';
