import { Matrix } from 'ml-matrix';
import { accumulateLayerGram, descrambleLayer, descramblerDistance, largeDataDescrambler } from '@descramble/descramblers';

const weights = Matrix.rand(80, 256);               // out x in (PyTorch layout)
const data = Matrix.rand(10_000, 256);              // rows are samples
const result = descrambleLayer({ weights, data, operator: 'fourier', nextWeights: Matrix.rand(256, 80) });
result.P;                     // the descrambler T U^T
result.descrambledWeights;    // P W
result.descrambledNextWeights; // W_next P^T
result.gap;                   // relativeGap: (value - optimum) / max(|optimum|, roundoff); 0 here
result.withinRoundoff;        // true: |value - optimum| <= gapRoundoff = 10 d eps ||A|| ||B||
result.ties.a;                // tied eigenvalues of A (Fourier: cos/sin pairs), each with its reason
result.familyDimension;       // descramblers the data cannot tell apart (roundoff or N^-1/2 sampling ties)
result.exactFamilyDimension;  // exactly optimal family of this B (roundoff ties only)
result.tieRule;               // the tie rule in one sentence, with its numbers
result.rankB;                 // < 80 when there are fewer samples than neurons (see result.warnings)

// Streaming: any iterable or async iterable of row blocks (Matrix or row-major Float64Array).
// Shards can be accumulated anywhere (GramAccumulator.toBytes/fromBytes) and merged:
const shard1 = accumulateLayerGram(weights, data.subMatrix(0, 4999, 0, 255));
const shard2 = accumulateLayerGram(weights, data.subMatrix(5000, 9999, 0, 255));
descrambleLayer({ weights, gram: shard1.merge(shard2) }); // same P, sampleCount 10000
// Theorem 1: the limit needs only the inputs' second moment (here x uniform on [0, 1)^256).
const gamma = Matrix.eye(256).mul(1 / 12).add(Matrix.ones(256, 256).mul(1 / 4));
const limit = largeDataDescrambler(weights, gamma);
// ~ N^{-1/2} / eigengap: with 80 close eigenvalues, N = 1e4 is far from the limit.
descramblerDistance(result.P, limit.P, result.smoothness);

export {};
