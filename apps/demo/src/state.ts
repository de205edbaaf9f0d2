/**
 * The page's state in the URL hash (`#view=isotropic&samples=1024&operator=fourier...`), so
 * that a view and its controls can be shared. Parsing is total: unknown or invalid values
 * fall back to the defaults.
 */
import type { SmoothnessOperator, StrategyName } from '@descramble/descramblers';
import type { TourParams, TourViewName } from './protocol.js';

export type ViewName = TourViewName | 'model';

export interface PageState {
  readonly view: ViewName;
  readonly tour: Omit<TourParams, 'view'>;
}

export const VIEWS: readonly ViewName[] = ['isotropic', 'linear', 'convolution', 'deernet', 'bandpass', 'model'];
export const EPOCH_CHOICES: readonly number[] = [1, 2, 5, 10, 20];
export const SAMPLE_CHOICES: readonly number[] = [16, 64, 256, 1024, 4096, 16384, 0];
export const OPERATORS: readonly SmoothnessOperator[] = ['fourier', 'periodic', 'dirichlet'];
export const STRATEGIES: readonly StrategyName[] = ['exact', 'identity', 'warm-start', 'rescaled'];
export const TIME_MIN = 0;
export const TIME_MAX = 4;

export const DEFAULT_STATE: PageState = {
  view: 'isotropic',
  tour: { samples: 1024, operator: 'fourier', strategy: 'identity', time: 1.5, epochs: 5, seed: 1 },
};

function pick<T extends string | number>(choices: readonly T[], value: T | undefined, fallback: T): T {
  return value !== undefined && choices.includes(value) ? value : fallback;
}

export function parseState(hash: string): PageState {
  const query = new URLSearchParams(hash.replace(/^#/, ''));
  const d = DEFAULT_STATE.tour;
  const number = (key: string): number | undefined => {
    const raw = query.get(key);
    if (raw === null || raw.trim() === '') return undefined;
    const value = Number(raw);
    return Number.isFinite(value) ? value : undefined;
  };
  const time = number('time');
  const seed = number('seed');
  return {
    view: pick(VIEWS, (query.get('view') ?? undefined) as ViewName | undefined, DEFAULT_STATE.view),
    tour: {
      samples: pick(SAMPLE_CHOICES, number('samples'), d.samples),
      operator: pick(OPERATORS, (query.get('operator') ?? undefined) as SmoothnessOperator | undefined, d.operator),
      strategy: pick(STRATEGIES, (query.get('strategy') ?? undefined) as StrategyName | undefined, d.strategy),
      time: time !== undefined ? Math.min(TIME_MAX, Math.max(TIME_MIN, time)) : d.time,
      epochs: pick(EPOCH_CHOICES, number('epochs'), d.epochs),
      seed: seed !== undefined && Number.isInteger(seed) && seed >= 0 && seed < 2 ** 31 ? seed : d.seed,
    },
  };
}

export function serialiseState(state: PageState): string {
  const query = new URLSearchParams({ view: state.view });
  if (state.view !== 'model') {
    query.set('samples', String(state.tour.samples));
    query.set('operator', state.tour.operator);
    query.set('strategy', state.tour.strategy);
    if (state.view === 'linear') query.set('time', String(state.tour.time));
    if (state.view === 'bandpass') query.set('epochs', String(state.tour.epochs));
    query.set('seed', String(state.tour.seed));
  }
  return `#${query.toString()}`;
}
