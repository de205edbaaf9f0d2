/** Seed and size of the held-out sample the card's held-out error is measured on. */
export const DEERNET_HELD_OUT_SEED = 31415;
export const DEERNET_HELD_OUT_TRACES = 4000;
