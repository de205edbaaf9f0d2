import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_STATE, EPOCH_CHOICES, OPERATORS, type PageState, parseState, SAMPLE_CHOICES, serialiseState, STRATEGIES, TIME_MAX, TIME_MIN, VIEWS } from '../src/state.js';

const stateArbitrary: fc.Arbitrary<PageState> = fc.record({
  view: fc.constantFrom(...VIEWS.filter((v) => v !== 'model')),
  tour: fc.record({
    samples: fc.constantFrom(...SAMPLE_CHOICES),
    operator: fc.constantFrom(...OPERATORS),
    strategy: fc.constantFrom(...STRATEGIES),
    time: fc.integer({ min: 0, max: 40 }).map((k) => k / 10),
    epochs: fc.constantFrom(...EPOCH_CHOICES),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  }),
});

describe('URL state', () => {
  it('round-trips every tour state through the hash', () => {
    fc.assert(
      fc.property(stateArbitrary, (state) => {
        const parsed = parseState(serialiseState(state));
        expect(parsed.view).toBe(state.view);
        expect(parsed.tour.samples).toBe(state.tour.samples);
        expect(parsed.tour.operator).toBe(state.tour.operator);
        expect(parsed.tour.strategy).toBe(state.tour.strategy);
        expect(parsed.tour.seed).toBe(state.tour.seed);
        if (state.view === 'linear') expect(parsed.tour.time).toBe(state.tour.time);
        if (state.view === 'bandpass') expect(parsed.tour.epochs).toBe(state.tour.epochs);
      }),
    );
  });

  it('never throws and always yields valid choices, whatever the hash', () => {
    fc.assert(
      fc.property(fc.string(), fc.dictionary(fc.constantFrom('view', 'samples', 'operator', 'strategy', 'time', 'epochs', 'seed'), fc.string()), (junk, fields) => {
        for (const hash of [junk, `#${new URLSearchParams(fields).toString()}`]) {
          const s = parseState(hash);
          expect(VIEWS).toContain(s.view);
          expect(SAMPLE_CHOICES).toContain(s.tour.samples);
          expect(OPERATORS).toContain(s.tour.operator);
          expect(STRATEGIES).toContain(s.tour.strategy);
          expect(EPOCH_CHOICES).toContain(s.tour.epochs);
          expect(s.tour.time).toBeGreaterThanOrEqual(TIME_MIN);
          expect(s.tour.time).toBeLessThanOrEqual(TIME_MAX);
          expect(Number.isInteger(s.tour.seed) && s.tour.seed >= 0).toBe(true);
        }
      }),
    );
  });

  it('falls back to the defaults for an empty hash and keeps only the view for "Your model"', () => {
    expect(parseState('')).toEqual(DEFAULT_STATE);
    expect(serialiseState({ ...DEFAULT_STATE, view: 'model' })).toBe('#view=model');
    expect(parseState('#view=linear&time=99').tour.time).toBe(TIME_MAX);
  });
});
