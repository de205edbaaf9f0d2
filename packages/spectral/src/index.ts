/**
 * @descramble/spectral: diagnostics a scientist can read off descrambled weights.
 * FFTs of any length (fft.js + Bluestein), centred weight spectra and the numbers read off
 * them, orthogonal polynomial bases on grids, and principal angles. ml-matrix `Matrix` at
 * the boundary; complex matrices are `{ re: Matrix, im: Matrix }`.
 */
export type { ComplexMatrix, ComplexVector, ComplexVectorLike } from './complex.js';
export { centredDftMatrix, type DftMatrixOptions, dftMatrix, recentredDftMatrix } from './dft-matrix.js';
export {
  DegenerateInputError,
  DimensionMismatchError,
  InvalidArgumentError,
  NonFiniteInputError,
  SpectralError,
  type SpectralErrorContext,
  type SpectralFailure,
} from './errors.js';
export { fft, ifft, irfft, rfft, type VectorInput } from './fft.js';
export { clearFftPlanCache, fftPlanCacheSize } from './fft-plan.js';
export { fft2, ifft2, type MatrixInput } from './fft2.js';
export {
  chebyshevBasis,
  chebyshevGaussNodes,
  gaussLegendre,
  legendreBasis,
  type PolynomialBasisOptions,
  type PolynomialGrid,
  rescaleToUnitInterval,
  unitIntervalGrid,
} from './polynomial-basis.js';
export { bandedness, type PolynomialInnerProductOptions, polynomialInnerProducts } from './polynomial-inner-products.js';
export { type PrincipalAngles, principalAngles } from './principal-angles.js';
export { centredFrequencies, fftFrequencies, fftshift, ifftshift, type ShiftAxis } from './shift.js';
export {
  type SingularVectorSpectra,
  type SingularVectorSpectraOptions,
  singularVectorSpectra,
  spectrumSimilarity,
} from './singular-vector-spectra.js';
export {
  type BandEdges,
  bandEdges,
  bandEnergyFraction,
  type FrequencyBand,
  type NotchDepth,
  type NotchDepthOptions,
  NOTCH_DEPTH_CONVENTION,
  notchDepth,
  type SpectrumAxis,
  type SpectrumInput,
} from './spectral-measures.js';
export { symmetriseSpectrum, type WeightSpectrum, type WeightSpectrumOptions, weightSpectrum } from './weight-spectrum.js';
