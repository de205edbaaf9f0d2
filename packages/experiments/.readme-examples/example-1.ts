import { deernet, loadDeerNet, isotropic } from '@descramble/experiments';
import { reproduce } from '@descramble/experiments/node';

const net = loadDeerNet();          // { model, firstWeights (80 x 256), secondWeights, card }
net.card.heldOutError;              // total variation, mean-distance error in nm, ...

const result = isotropic();
for (const c of result.checks) console.log(c.claim, c.measured, c.holds);

// Figure descriptions: render with @descramble/figures (defaults: 3000 iterations per strategy, ~40 s)
const figures = deernet({ traces: 200, maxIterations: 20 }).figures;
console.log(figures.length);
reproduce('isotropic', { outDir: 'reproduction' }); // reproduction/reproduction.md + its *.png; 'all' for every one

export {};
