import { readFileSync } from 'node:fs';
import { readSafetensorsModel } from '@descramble/nets';
const cnn = readSafetensorsModel(readFileSync('fixtures/pytorch/cnn.safetensors'), {
  inputShape: [2, 16],
  layers: [
    { type: 'conv1d', name: 'conv', padding: 2 },  // conv.weight, conv.bias
    { type: 'relu' },
    { type: 'batchnorm', name: 'bn' },             // bn.weight, bn.bias, bn.running_mean, bn.running_var
    { type: 'flatten' },
    { type: 'dense', weight: 'fc.weight', bias: 'fc.bias' },
  ],
});

export {};
