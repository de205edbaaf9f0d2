import { readFileSync } from 'node:fs';
import { readNpyBlocks } from '@descramble/io/node';
import { capture, permuteHiddenUnits, readOnnxModel, verifyReparametrisation, writeOnnxModel } from '@descramble/nets';

const model = readOnnxModel(readFileSync('fixtures/pytorch/mlp.onnx')); // torch.onnx.export output
const { gram, samples } = await capture(model, readNpyBlocks('fixtures/pytorch/mlp_input.npy', 4096), 'fc1', {
  at: 'preactivation',                                            // S = W1 x (bias: 'include' adds b1)
  onProgress: ({ done, total }) => console.log(done, total),
});                                                               // gram = S S^T, samples = N

const permuted = permuteHiddenUnits(model, 'fc1', [3, 0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11], {
  signs: [-1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1],                  // tanh is odd: allowed
});
const x = { shape: [5, 16], data: new Float64Array(80).fill(0.5) };
console.log(verifyReparametrisation(model, permuted, x).maxAbsDifference); // ~1e-16
const onnxBytes = writeOnnxModel(permuted);                        // loads back equal

export {};
