import { Matrix } from 'ml-matrix';
import {
  channelGram,
  descrambleChannels,
  permuteConvLayer,
  permuteConvInputs,
  solveLinearAssignment,
  solveQuadraticAssignment,
} from '@descramble/permutation';

// exact linear assignment (scipy's linear_sum_assignment)
const { assignment, cost } = solveLinearAssignment(new Matrix([[4, 1, 3], [2, 0, 5], [3, 2, 2]]));
// assignment = [1, 0, 2], cost = 5

// quadratic assignment with a certificate
const a = new Matrix([[0, 5, 2], [5, 0, 3], [2, 3, 0]]);
const b = new Matrix([[0, 1, 4], [1, 0, 2], [4, 2, 0]]);
const qap = solveQuadraticAssignment(a, b); // { permutation, value, lowerBound, gap, proved, ... }

// channel descrambling of a conv layer from its preactivations [N, C, H, W]
const conv = { weight: { shape: [4, 1, 1, 1], data: Float64Array.from([1, 3, 2, 4]) } };
const preactivations = { shape: [1, 4, 1, 1], data: Float64Array.from([1, 3, 2, 4]) };
const result = descrambleChannels(channelGram(preactivations), { operator: 'dirichlet' });
// result.permutation = [2, 3, 1, 0]: channels now respond 2, 4, 3, 1, the smoothest order
// under zero (Dirichlet) boundary values; result.lowerBound and result.gap certify it
const descrambled = permuteConvLayer(conv, result.permutation, result.signs);
// and the next layer: permuteConvInputs(next, result.permutation, result.signs)

export {};
