// @descramble/experiments, loaded only by the DEERNet and band-pass views: the bundled DEERNet
// (weights ~165 KB), the DEER simulator and the band-pass network's training.
export { bandpass, deerDatasetSpec, generateDeerBatch, loadDeerNet } from '@descramble/experiments';
