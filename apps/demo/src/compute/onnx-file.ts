/** Whether a chosen file is an ONNX model, by its extension (ONNX has no magic number); tiny, so the worker's entry can ask. */
export function isOnnxFile(name: string): boolean {
  return /\.onnx$/i.test(name);
}
