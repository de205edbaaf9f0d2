/**
 * The demo site: a tour of the paper's experiments and "your model", all computed in a Web
 * Worker. The view and its controls live in the URL hash, so any view can be shared.
 */
import './styles.css';
import { h } from './dom.js';
import type { GramsPayload } from './protocol.js';
import { DEFAULT_STATE, type PageState, parseState, serialiseState } from './state.js';
import { ModelView } from './views/model-view.js';
import { NOT_YET, TOUR_VIEWS, TourView } from './views/tour-view.js';
import { ComputeClient } from './worker-client.js';

interface DemoTimings {
  /** performance.now() when the page was ready (first render done, worker asked). */
  ready: number;
  /** performance.now() when the first exact descrambler was drawn. */
  exactDrawn: number | null;
  /** exactDrawn - ready. */
  readyToExactMs: number | null;
  /** Worker time for the first exact descrambler. */
  exactWorkerMs: number | null;
  /** Traces of the DEERNet view's first look, when the first exact descrambler was one; else null. */
  firstLookTraces: number | null;
  /** performance.now() when the exact descrambler of all the requested samples was drawn. */
  fullExactDrawn: number | null;
  /** fullExactDrawn - ready (equal to readyToExactMs when there was no first look). */
  readyToFullExactMs: number | null;
  /** Worker time for the exact descrambler of all the requested samples. */
  fullExactWorkerMs: number | null;
}

declare global {
  interface Window {
    __descrambleDemo?: DemoTimings;
    /** Tests' debug hook: the Gram of every layer of the open ONNX graph, captured in the worker. */
    __descrambleGrams?: () => Promise<GramsPayload>;
  }
}

const client = new ComputeClient();
client.warm();

let state: PageState = parseState(location.hash);

const nav = h(
  'nav',
  { 'aria-label': 'Views' },
  h(
    'ul',
    {},
    ...TOUR_VIEWS.map((v) => h('li', {}, h('a', { href: `#view=${v.name}`, 'data-view': v.name, text: v.title }))),
    h('li', {}, h('a', { href: '#view=model', 'data-view': 'model', text: 'Your model' })),
  ),
);

const tour = new TourView(client, (controls) => {
  navigate({ ...state, tour: controls });
});
const model = new ModelView(client);
window.__descrambleGrams = () => model.grams();

const main = h('main', { id: 'main' }, tour.root, model.root);
const header = h(
  'header',
  {},
  h('a', { class: 'skip', href: '#main', text: 'Skip to content' }),
  h('h1', {}, 'Descrambling neural networks'),
  h(
    'p',
    { class: 'tagline' },
    'Hidden neurons have no natural order, so trained weight matrices come out scrambled. An exact descrambler (a closed form, computed here in milliseconds) reorders them into a readable picture. ',
    'Everything on this page is computed in your browser.',
  ),
  nav,
);
const footer = h(
  'footer',
  {},
  NOT_YET.length > 0 && h('p', {}, 'Not in this demo yet: ', NOT_YET.join('; '), '.'),
  h(
    'p',
    {},
    'Sule, Spencer and Czaja, “On the limits of neural network explainability via descrambling” (ACHA 2025); Amey et al., “Neural network interpretation using descrambler groups” (PNAS 2021).',
  ),
);
document.body.replaceChildren(header, main, footer);

function render(): void {
  for (const link of nav.querySelectorAll('a')) {
    if (link.dataset.view === state.view) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const isModel = state.view === 'model';
  model.root.hidden = !isModel;
  tour.root.hidden = isModel;
  document.title = `${isModel ? 'Your model' : TOUR_VIEWS.find((v) => v.name === state.view)?.title} · Descrambling demo`;
  if (!isModel) tour.show(state.view as Exclude<PageState['view'], 'model'>, state.tour);
}

function navigate(next: PageState): void {
  state = next;
  const hash = serialiseState(state);
  if (location.hash !== hash) history.replaceState(null, '', hash);
  render();
}

addEventListener('hashchange', () => {
  const previous = state.view;
  state = parseState(location.hash);
  render();
  if (previous !== state.view) document.getElementById(state.view === 'model' ? 'model-title' : 'tour-title')?.focus();
});

if (location.hash === '') history.replaceState(null, '', serialiseState(DEFAULT_STATE));
render();

const timings: DemoTimings = {
  ready: performance.now(),
  exactDrawn: null,
  readyToExactMs: null,
  exactWorkerMs: null,
  firstLookTraces: null,
  fullExactDrawn: null,
  readyToFullExactMs: null,
  fullExactWorkerMs: null,
};
window.__descrambleDemo = timings;
// The first exact descrambler (a first look or the full answer) sets data-phase, the full
// answer data-generation: record both, then stop watching.
const watch = new MutationObserver(() => {
  const t = tour.timings;
  if (t.exactDrawnAt !== null && timings.exactDrawn === null) {
    timings.exactDrawn = t.exactDrawnAt;
    timings.readyToExactMs = t.exactDrawnAt - timings.ready;
    timings.exactWorkerMs = t.exactWorkerMs;
    timings.firstLookTraces = t.firstLookTraces;
    document.body.dataset.exactMs = timings.readyToExactMs.toFixed(1);
  }
  if (t.fullExactDrawnAt !== null) {
    timings.fullExactDrawn = t.fullExactDrawnAt;
    timings.readyToFullExactMs = t.fullExactDrawnAt - timings.ready;
    timings.fullExactWorkerMs = t.fullExactWorkerMs;
    watch.disconnect();
  }
});
watch.observe(tour.root, { attributes: true, attributeFilter: ['data-generation', 'data-phase'] });

if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  addEventListener('load', () => {
    navigator.serviceWorker.register('./sw.js').catch((error: unknown) => {
      console.warn('service worker not registered:', error);
    });
  });
}
