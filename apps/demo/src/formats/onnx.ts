// ONNX (protobuf decoding): loaded only when a file is ONNX.
export { readOnnx } from '@descramble/io';
