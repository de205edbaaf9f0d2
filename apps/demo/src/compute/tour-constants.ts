/** Sizes and budgets of the tour, shared by the page and the worker (no computation here). */

/** Hidden neurons (rows) and inputs (columns) of the tour's layers. */
export const TOUR_HIDDEN = 32;
export const TOUR_INPUTS = 48;
/**
 * Traces in the DEERNet view's first look: its exact descrambler is drawn from the Gram matrix
 * of the first 128 simulated traces (B = S S^T has full rank 80 from 80 traces on), then from
 * all the requested ones. Simulating traces is the slow part (0.3-1 ms each here, cold).
 */
export const FIRST_LOOK_TRACES = 128;
/** Iteration budget of each iterative strategy in the tour (the paper ran thousands). */
export const TOUR_MAX_ITERATIONS = 250;
/** Time budget of each iterative strategy, seconds. */
export const TOUR_MAX_SECONDS = 1.5;
