// The light file formats (safetensors, npy/npz, MATLAB v5) and the writers. Loaded on demand
// by the worker: the first view never needs them. HDF5 (h5wasm) stays behind a further
// dynamic import inside @descramble/io.
export { readMat, readNpy, readNpz, readSafetensors, toFloat64, writeNpy, writeSafetensors } from '@descramble/io';
