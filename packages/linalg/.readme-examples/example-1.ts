import {
  GramAccumulator,
  createRng,
  multiplyTransposeA,
  orthogonalityError,
  secondDerivative,
  svd,
  symmetricEigen,
} from '@descramble/linalg';

const d2 = secondDerivative(80, 'fourier');
const { values, vectors } = symmetricEigen(multiplyTransposeA(d2, d2)); // A = D^T D, eigenvalues k^4
console.log(values[0], values[1], values[2], orthogonalityError(vectors)); // 0, 1, 1 to eps ‖A‖ ≈ 6e-10; ~1e-14

const rng = createRng(42);
const gram = new GramAccumulator(80);
for (let block = 0; block < 10; block++) {
  gram.addRowsFlat(rng.normalArray(1000 * 80), 1000); // 1000 samples of dimension 80, one per row
}
const bytes = gram.toBytes(); // ship the shard, later: GramAccumulator.fromBytes(bytes).merge(other)
const { s } = svd(gram.gram()); // singular values of S S^T, descending
console.log(gram.count, s[0]);

export {};
