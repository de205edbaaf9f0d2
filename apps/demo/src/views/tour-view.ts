/**
 * The tour: one view per experiment that the packages can compute today. Each view builds a
 * layer, descrambles it exactly (drawn as soon as it is known), then runs the paper's four
 * strategies and draws their convergence.
 */
import type { Certificate, ExactPayload, ExtraPayload, FirstLookPayload, Response, StrategiesPayload, TourParams, TourViewName } from '../protocol.js';
import { figureSlot, formatNumber, h, statusLine } from '../dom.js';
import {
  convergenceFigure,
  descramblerFigure,
  draw,
  singularValuesFigure,
  spectrumFigure,
  strategyLabel,
  weightsFigure,
} from '../plots.js';
import { FIRST_LOOK_TRACES, TOUR_MAX_ITERATIONS, TOUR_MAX_SECONDS } from '../compute/tour-constants.js';
import { EPOCH_CHOICES, OPERATORS, type PageState, SAMPLE_CHOICES, STRATEGIES, TIME_MAX, TIME_MIN } from '../state.js';
import { CancelledError, type ComputeClient } from '../worker-client.js';

export interface TourViewInfo {
  readonly name: TourViewName;
  readonly title: string;
  readonly lede: string;
}

export const TOUR_VIEWS: readonly TourViewInfo[] = [
  {
    name: 'isotropic',
    title: 'Isotropic data',
    lede:
      'A random 32 × 48 layer with scrambled neurons, fed isotropic (whitened) inputs. The exact descrambler P = T Uᵀ (Lemma 1) ' +
      'reorders the neurons so the layer is as smooth as possible along the neuron axis. With enough samples it converges to ' +
      'Theorem 2: P W = T Σ Vᵀ, the SVD with its left factor replaced by the smooth modes, which is all descrambling can show about such a layer.',
  },
  {
    name: 'linear',
    title: 'Two-layer linear network over training time',
    lede:
      'The first layer of a two-layer linear network trained by gradient flow from a small balanced start (Saxe, McClelland and Ganguli): ' +
      'W₁(t) = R diag(√a(t)) Vᵀ with an arbitrary rotation R, so the hidden layer is scrambled. Descrambling removes R and shows the ' +
      'modes being learnt in order of strength as training time t/τ grows.',
  },
  {
    name: 'convolution',
    title: 'Convolution',
    lede:
      'A single-channel circular convolution (a circulant 48 × 48 matrix with a smooth random kernel). Its left singular vectors are Fourier ' +
      'modes ordered by gain, so the descrambler permutes Fourier modes: descrambling reorders frequencies by gain.',
  },
  {
    name: 'deernet',
    title: 'DEERNet',
    lede:
      'The first layer (80 tanh neurons × 256 time points) of the DEERNet bundled with @descramble/experiments, trained from a fixed seed on ' +
      'simulated DEER traces and fed new traces here. Its descrambled weights show a notch at zero input frequency and a band-pass along the ' +
      'hidden axis (the 2021 paper; spectra symmetrised as there). The principal components of the second layer’s preactivations resemble ' +
      'orthogonal polynomials: their inner products with Chebyshev polynomials form a nearly banded matrix (Figure 4). ' +
      `Simulating traces takes most of the time, so the page first draws the exact descrambler of the first ${FIRST_LOOK_TRACES} traces ` +
      '(a first look, labelled as such below), then replaces it with the one of all the traces chosen under Samples N.',
  },
  {
    name: 'bandpass',
    title: 'Band-pass',
    lede:
      'A 64 → 32 tanh → 64 network trained in this page (Adam, @descramble/experiments) to keep the sinusoids of noisy signals whose ' +
      'frequency lies in the pass band 6..12 cycles. Descrambling its first layer with band-pass signals shows the pass band along the ' +
      'input axis of the spectrum and concentrates the energy at low hidden-axis frequencies. More epochs of training sharpen the band.',
  },
];

/** Experiments of the paper that this page cannot show yet (none left; kept for the footer). */
export const NOT_YET: readonly string[] = [];

export interface TourTimings {
  /** When the first exact descrambler was drawn (a first look or the full answer). */
  exactDrawnAt: number | null;
  exactWorkerMs: number | null;
  /** Traces of the first look, when the first exact descrambler was one (DEERNet). */
  firstLookTraces: number | null;
  /** When the first exact descrambler of all the requested samples was drawn. */
  fullExactDrawnAt: number | null;
  fullExactWorkerMs: number | null;
}

export class TourView {
  readonly root: HTMLElement;
  private readonly heading: HTMLHeadingElement;
  private readonly lede: HTMLParagraphElement;
  private readonly form: HTMLFormElement;
  private readonly timeLabel: HTMLElement;
  private epochsLabel: HTMLElement | undefined;
  private readonly timeOutput: HTMLOutputElement;
  private readonly status = statusLine('tour', () => this.client.cancel());
  private readonly slots = {
    raw: figureSlot('raw', 'Raw (scrambled) weights W'),
    descrambled: figureSlot('descrambled', 'Exactly descrambled weights P W'),
    rawSpectrum: figureSlot('raw-spectrum', 'Centred 2-D DFT of W'),
    descrambledSpectrum: figureSlot('descrambled-spectrum', 'Centred 2-D DFT of P W'),
    strategy: figureSlot('strategy-weights', 'Descrambled weights of the chosen strategy'),
    convergence: figureSlot('convergence', 'Convergence of the iterative strategies'),
    descrambler: figureSlot('descrambler', 'The descrambler P'),
    singular: figureSlot('singular-values', 'Singular values of W'),
  };
  private readonly certificate: HTMLElement;
  private readonly table: HTMLTableSectionElement;
  private readonly extra = h('div', { class: 'extra', id: 'tour-extra', hidden: true });
  private generation = 0;
  private params: TourParams | undefined;
  readonly timings: TourTimings = { exactDrawnAt: null, exactWorkerMs: null, firstLookTraces: null, fullExactDrawnAt: null, fullExactWorkerMs: null };

  constructor(
    private readonly client: ComputeClient,
    private readonly onChange: (tour: PageState['tour']) => void,
  ) {
    this.heading = h('h2', { id: 'tour-title', tabindex: -1 });
    this.lede = h('p', { class: 'lede' });
    const select = (name: string, label: string, options: readonly (readonly [string, string])[]) =>
      h(
        'label',
        {},
        h('span', { text: label }),
        h('select', { name, id: `tour-${name}` }, ...options.map(([value, text]) => h('option', { value, text }))),
      );
    this.timeOutput = h('output', { for: 'tour-time', id: 'tour-time-output' });
    this.timeLabel = h(
      'label',
      { class: 'time' },
      h('span', { text: 'Training time t/τ' }),
      h('input', { type: 'range', name: 'time', id: 'tour-time', min: TIME_MIN, max: TIME_MAX, step: 0.1 }),
      this.timeOutput,
    );
    this.form = h(
      'form',
      { class: 'controls', 'aria-label': 'Controls of the view' },
      select('samples', 'Samples N', SAMPLE_CHOICES.map((n) => [String(n), n === 0 ? '∞ (Theorem 2 limit)' : String(n)] as const)),
      select('operator', 'Operator D', OPERATORS.map((o) => [o, { fourier: 'Fourier (fourdif, periodic)', periodic: 'periodic differences', dirichlet: 'Dirichlet differences' }[o]] as const)),
      select('strategy', 'Strategy shown', STRATEGIES.map((s) => [s, strategyLabel(s)] as const)),
      this.timeLabel,
      (this.epochsLabel = select('epochs', 'Training epochs', EPOCH_CHOICES.map((e) => [String(e), String(e)] as const))),
      h('label', {}, h('span', { text: 'Seed' }), h('input', { type: 'number', name: 'seed', id: 'tour-seed', min: 0, step: 1, inputmode: 'numeric' })),
    );
    this.form.addEventListener('submit', (event) => event.preventDefault());
    this.form.addEventListener('input', (event) => {
      if ((event.target as HTMLElement).getAttribute('name') === 'time') this.timeOutput.textContent = this.readForm().time.toFixed(1);
    });
    this.form.addEventListener('change', () => this.onChange(this.readForm()));
    this.certificate = h('dl', { class: 'certificate', id: 'tour-certificate' });
    this.table = h('tbody');
    const s = this.slots;
    this.root = h(
      'section',
      { id: 'tour', 'aria-labelledby': 'tour-title', 'data-phase': 'idle', 'data-generation': 0 },
      this.heading,
      this.lede,
      this.form,
      this.status.root,
      h('div', { class: 'grid' }, s.raw.root, s.descrambled.root, s.rawSpectrum.root, s.descrambledSpectrum.root),
      h('h3', { text: 'The exact descrambler and its certificate' }),
      this.certificate,
      h('h3', { text: 'Four ways to compute a descrambler (the paper’s Figure 1)' }),
      h(
        'p',
        {},
        'Cayley projected gradient descent (the 2021 method) from I, from a warm start, and on the rescaled problem, each with a budget of ',
        h('span', { id: 'tour-budget', text: String(TOUR_MAX_ITERATIONS) }),
        ' iterations (or ',
        String(TOUR_MAX_SECONDS),
        ' s), against the closed form. The descrambled weights nearly agree; only (d) is exact.',
      ),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { id: 'strategy-table' },
          h('caption', { text: 'Strategy comparison' }),
          h(
            'thead',
            {},
            h('tr', {}, ...['strategy', 'relative gap', 'iterations', 'time (ms)', 'stopped by', 'distance to exact'].map((t) => h('th', { scope: 'col', text: t }))),
          ),
          this.table,
        ),
      ),
      this.extra,
      h('div', { class: 'grid' }, s.convergence.root, s.strategy.root, s.descrambler.root, s.singular.root),
    );
  }

  private readForm(): PageState['tour'] {
    const data = new FormData(this.form);
    const seed = Number(data.get('seed'));
    return {
      samples: Number(data.get('samples')),
      operator: String(data.get('operator')) as TourParams['operator'],
      strategy: String(data.get('strategy')) as TourParams['strategy'],
      time: Number(data.get('time')),
      epochs: Number(data.get('epochs')),
      seed: Number.isInteger(seed) && seed >= 0 ? seed : 1,
    };
  }

  private writeForm(tour: PageState['tour']): void {
    const set = (name: string, value: string) => {
      const element = this.form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | null;
      if (element !== null && element.value !== value) element.value = value;
    };
    set('samples', String(tour.samples));
    set('operator', tour.operator);
    set('strategy', tour.strategy);
    set('time', String(tour.time));
    set('epochs', String(tour.epochs));
    set('seed', String(tour.seed));
    this.timeOutput.textContent = tour.time.toFixed(1);
  }

  /** Shows a view with the given controls; recomputes when anything changed. */
  show(view: TourViewName, tour: PageState['tour']): void {
    const info = TOUR_VIEWS.find((v) => v.name === view)!;
    this.heading.textContent = info.title;
    this.lede.textContent = info.lede;
    this.timeLabel.hidden = view !== 'linear';
    if (this.epochsLabel !== undefined) this.epochsLabel.hidden = view !== 'bandpass';
    this.writeForm(tour);
    const params: TourParams = { view, ...tour, time: view === 'linear' ? tour.time : 0, epochs: view === 'bandpass' ? tour.epochs : 0 };
    if (this.params !== undefined && JSON.stringify(this.params) === JSON.stringify(params) && this.root.dataset.phase !== 'cancelled') return;
    this.params = params;
    this.compute(params);
  }

  private compute(params: TourParams): void {
    const generation = ++this.generation;
    this.extra.hidden = true;
    this.extra.replaceChildren();
    this.root.dataset.phase = 'computing';
    this.status.busy(true);
    this.status.set('Computing the exact descrambler…', 0);
    const job = this.client.run({ type: 'tour', params }, (response) => {
      if (generation !== this.generation) return;
      this.receive(response);
    });
    job.done.then(
      () => {
        if (generation !== this.generation) return;
        this.status.busy(false);
        this.status.set('Done. Change a control to recompute.', 1);
        this.root.dataset.phase = 'done';
      },
      (error: unknown) => {
        if (generation !== this.generation) return;
        this.status.busy(false);
        if (error instanceof CancelledError) {
          this.status.set('Cancelled. Change a control to compute again.', 0);
          this.root.dataset.phase = 'cancelled';
        } else {
          this.status.set(`Error: ${(error as Error).message}`, 0);
          this.root.dataset.phase = 'error';
        }
      },
    );
  }

  private receive(response: Response): void {
    if (response.kind === 'progress') this.status.set(`${response.stage}…`, response.fraction);
    else if (response.kind === 'first-look') this.drawFirstLook(response.payload);
    else if (response.kind === 'exact') this.drawExact(response.payload);
    else if (response.kind === 'strategies') this.drawStrategies(response.payload);
    else if (response.kind === 'extra') this.drawExtra(response.payload);
  }

  private drawExtra(p: ExtraPayload): void {
    const slots = p.figures.map((f) => {
      const slot = figureSlot(f.key, f.caption);
      draw(slot.canvas, f.figure);
      return slot.root;
    });
    const facts = h('dl', { class: 'certificate', id: 'tour-facts' }, ...p.facts.flatMap(([term, value]) => [h('dt', { text: term }), h('dd', { text: value })]));
    this.extra.replaceChildren(h('h3', { text: p.heading }), facts, h('div', { class: 'grid' }, ...slots));
    this.extra.hidden = false;
  }

  /**
   * The first look (DEERNet): the exact descrambler of the first traces, drawn at once. The
   * spectra and singular values of a previous view are cleared; they come with the full answer.
   */
  private drawFirstLook(p: FirstLookPayload): void {
    const s = this.slots;
    draw(s.raw.canvas, weightsFigure('Raw weights W (scrambled)', p.weights));
    draw(s.descrambled.canvas, weightsFigure(`Descrambled P W (exact, first ${p.traces} of ${p.samples} traces)`, p.descrambled));
    draw(s.descrambler.canvas, descramblerFigure(p.descrambler));
    for (const slot of [s.rawSpectrum, s.descrambledSpectrum, s.singular]) slot.canvas.getContext('2d')?.clearRect(0, 0, slot.canvas.width, slot.canvas.height);
    this.certificate.replaceChildren(...this.certificateRows(p.method, p.certificate, '— (with all the traces)', p.exactMs));
    if (this.timings.exactDrawnAt === null) {
      this.timings.exactDrawnAt = performance.now();
      this.timings.exactWorkerMs = p.exactMs;
      this.timings.firstLookTraces = p.traces;
    }
    this.root.dataset.phase = 'first-look';
  }

  private certificateRows(method: string, c: Certificate, distance: string, exactMs: number): HTMLElement[] {
    const rows: [string, string][] = [
      ['How B was obtained', method],
      ['Value tr(A P B Pᵀ)', formatNumber(c.value, 6)],
      ['Lemma 1 optimum Σ ωᵢ σᵢ²', formatNumber(c.optimum, 6)],
      ['Relative gap', formatNumber(c.gap)],
      ['Equally optimal family (dimension)', String(c.familyDimension)],
      ['Tied eigenvalue groups of A / of B', `${c.tiesA} / ${c.tiesB}`],
      ['Rank of B', String(c.rankB)],
      ['Distance to the Theorem 2 limit', distance],
      ['Worker time for P', `${exactMs.toFixed(1)} ms`],
    ];
    return rows.flatMap(([term, value]) => [h('dt', { text: term }), h('dd', { text: value })]);
  }

  private drawExact(p: ExactPayload): void {
    const s = this.slots;
    draw(s.raw.canvas, weightsFigure('Raw weights W (scrambled)', p.weights));
    draw(s.descrambled.canvas, weightsFigure('Descrambled P W (exact)', p.descrambled));
    draw(s.rawSpectrum.canvas, spectrumFigure('|DFT| of W, centred', p.rawSpectrum));
    draw(s.descrambledSpectrum.canvas, spectrumFigure('|DFT| of P W, centred', p.descrambledSpectrum));
    draw(s.descrambler.canvas, descramblerFigure(p.descrambler));
    draw(s.singular.canvas, singularValuesFigure(p.singularValues));
    const distance =
      p.distanceToLimit !== null
        ? formatNumber(p.distanceToLimit)
        : p.method.startsWith('Theorem 2')
          ? '— (this is the limit)'
          : 'not applicable: the inputs are not isotropic';
    this.certificate.replaceChildren(...this.certificateRows(p.method, p.certificate, distance, p.exactMs));
    const now = performance.now();
    if (this.timings.exactDrawnAt === null) {
      this.timings.exactDrawnAt = now;
      this.timings.exactWorkerMs = p.exactMs;
    }
    if (this.timings.fullExactDrawnAt === null) {
      this.timings.fullExactDrawnAt = now;
      this.timings.fullExactWorkerMs = p.exactMs;
    }
    this.root.dataset.phase = 'exact';
    this.root.dataset.generation = String(Number(this.root.dataset.generation) + 1);
  }

  private drawStrategies(p: StrategiesPayload): void {
    draw(this.slots.convergence.canvas, convergenceFigure(p.rows));
    draw(this.slots.strategy.canvas, weightsFigure(`Descrambled by ${strategyLabel(p.chosenName)}`, p.chosen));
    this.table.replaceChildren(
      ...p.rows.map((r) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row', text: strategyLabel(r.name) }),
          h('td', { text: formatNumber(r.gap) }),
          h('td', { text: String(r.iterations) }),
          h('td', { text: r.timeMs.toFixed(1) }),
          h('td', { text: r.stoppedBy }),
          h('td', { text: formatNumber(r.distanceToExact) }),
        ),
      ),
    );
  }
}
