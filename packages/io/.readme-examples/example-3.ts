import { readFileSync } from 'node:fs';
import { readSafetensors, writeSafetensors, readOnnx, writeOnnx, readTensors } from '@descramble/io';

// bytes from anywhere: new Uint8Array(await (await fetch(url)).arrayBuffer()), a File input, ...
const bytes = readFileSync('fixtures/pytorch/mlp.safetensors');
const { tensors, metadata } = readSafetensors(bytes, 'model.safetensors');
const out = writeSafetensors(tensors, { format: 'pt' });
const all = await readTensors({ bytes: out, name: 'model.safetensors' }); // format from magic bytes / extension
const onnx = writeOnnx(readOnnx(readFileSync('fixtures/pytorch/mlp.onnx'))); // re-encodes the same model

export {};
