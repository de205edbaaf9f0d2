// HDF5 (Keras .h5, MATLAB v7.3): @descramble/io loads h5wasm lazily on the first read.
export { readHdf5 } from '@descramble/io';
