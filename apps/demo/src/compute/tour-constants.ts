/** Sizes and budgets of the tour, shared by the page and the worker (no computation here). */

/** Hidden neurons (rows) and inputs (columns) of the tour's layers. */
export const TOUR_HIDDEN = 32;
export const TOUR_INPUTS = 48;
/** Iteration budget of each iterative strategy in the tour (the paper ran thousands). */
export const TOUR_MAX_ITERATIONS = 250;
/** Time budget of each iterative strategy, seconds. */
export const TOUR_MAX_SECONDS = 1.5;
