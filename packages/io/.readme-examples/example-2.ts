import { readTensors, toMatrix, readOnnxFile, readNpyBlocks } from '@descramble/io/node';

const weights = await readTensors({ path: 'fixtures/pytorch/mlp.safetensors' });
const W1 = toMatrix(weights.get('fc1.weight')!);           // ml-matrix Matrix, 12 x 16

const model = await readOnnxFile('fixtures/pytorch/mlp_external.onnx');   // external data from its folder
for (const node of model.graph.nodes) console.log(node.opType, node.inputs, node.attributes);

for await (const { startRow, rows, data } of readNpyBlocks('fixtures/pytorch/mlp_input.npy', 4096)) {
  // data: rows x rowLength float64 values, one block in memory at a time
}

export {};
