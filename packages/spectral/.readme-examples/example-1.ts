import { Matrix } from 'ml-matrix';
import { bandEdges, bandEnergyFraction, notchDepth, weightSpectrum } from '@descramble/spectral';

// An 80 x 256 "first layer": every row a mix of input frequencies 1..10, no mean.
const w = new Matrix(80, 256);
for (let i = 0; i < 80; i++)
  for (let j = 0; j < 256; j++) w.set(i, j, Math.cos((2 * Math.PI * (1 + (i % 10)) * j) / 256 + i));

const spectrum = weightSpectrum(w, { symmetrise: true });
spectrum.magnitude;                          // 80 x 256 Matrix, ready for a heatmap
spectrum.columnFrequencies;                  // [-128, ..., 127]
notchDepth(spectrum, { neighbours: 2 });     // { depthDb: ~305 (rows have no mean), zeroEnergy, neighbourEnergy, ... }
bandEnergyFraction(spectrum, 1, 10);         // 1: all input energy within |k| <= 10
bandEdges(spectrum, 1, 0.9).halfWidth;       // 9: each frequency 1..10 holds a tenth

export {};
