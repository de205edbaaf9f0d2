/**
 * "Your model": files in (drop or pick), a 2-D tensor chosen, descrambled in the worker, and
 * the descrambler, the descrambled weights and a report out, all inside the page.
 */
import type { SmoothnessOperator } from '@descramble/descramblers';
import { figureSlot, formatNumber, h, statusLine } from '../dom.js';
import { descramblerFigure, draw, spectrumFigure, weightsFigure } from '../plots.js';
import type { ChosenFiles, GramsPayload, ModelPayload, TensorSummary } from '../protocol.js';
import { OPERATORS } from '../state.js';
import { CancelledError, type ComputeClient } from '../worker-client.js';
import { GraphPanel } from './graph-panel.js';

const MODEL_ACCEPT = '.safetensors,.npy,.npz,.onnx,.data,.bin,.h5,.hdf5,.keras,.mat';
const DATA_ACCEPT = '.npy,.npz,.safetensors,.mat,.h5';

// A new key for every choice of files: the worker reads a key's files once.
let nextKey = 1;
const chosen = (files: readonly File[]): ChosenFiles => ({ key: nextKey++, files });

/** Files dropped on the page: samples (.npy, once a graph is open) apart from the model files. */
function isDataFile(file: File): boolean {
  return /\.npy$/i.test(file.name);
}

export class ModelView {
  readonly root: HTMLElement;
  private readonly status = statusLine('model', () => this.client.cancel());
  private readonly error = h('div', { class: 'error', role: 'alert', id: 'model-error', hidden: true });
  private readonly modelInput = h('input', { type: 'file', id: 'model-file', multiple: true, accept: MODEL_ACCEPT });
  private readonly dataInput = h('input', { type: 'file', id: 'data-file', accept: DATA_ACCEPT });
  private readonly clearData = h('button', { type: 'button', class: 'secondary', id: 'clear-data', text: 'Remove data', disabled: true });
  private readonly fileNote = h('p', { id: 'model-files', class: 'note' });
  private readonly layerForm: HTMLFormElement;
  private readonly layerSelect = h('select', { id: 'layer', name: 'layer' });
  private readonly transpose = h('input', { type: 'checkbox', id: 'transpose', name: 'transpose' });
  private readonly operator = h('select', { id: 'model-operator', name: 'operator' }, ...OPERATORS.map((o) => h('option', { value: o, text: o })));
  private readonly options = h(
    'div',
    { class: 'controls', id: 'model-options', hidden: true },
    h('label', {}, h('span', { text: 'Operator D (smoothness along the units)' }), this.operator),
  );
  private readonly descrambleButton = h('button', { type: 'submit', id: 'descramble', text: 'Descramble' });
  private readonly methodNote = h('p', { id: 'model-method', class: 'method' });
  private readonly results: HTMLElement;
  private readonly certificate = h('dl', { class: 'certificate', id: 'model-certificate' });
  private readonly downloads = h('div', { class: 'downloads', id: 'downloads' });
  private readonly slots = {
    raw: figureSlot('model-raw', 'Your weights W'),
    descrambled: figureSlot('model-descrambled', 'Descrambled P W'),
    rawSpectrum: figureSlot('model-raw-spectrum', 'Centred 2-D DFT of W'),
    descrambledSpectrum: figureSlot('model-descrambled-spectrum', 'Centred 2-D DFT of P W'),
    descrambler: figureSlot('model-descrambler', 'The descrambler P'),
  };
  private model: ChosenFiles | undefined;
  private data: ChosenFiles | undefined;
  private objectUrls: string[] = [];
  private readonly graph: GraphPanel;

  constructor(private readonly client: ComputeClient) {
    const dropzone = h(
      'div',
      { class: 'dropzone', id: 'dropzone' },
      h(
        'p',
        {},
        h('strong', { text: 'Drop your model file anywhere on this page' }),
        ' (ONNX, with its .data file if it has one, and its input samples as .npy; or safetensors, npy/npz, Keras .h5, MATLAB .mat), or pick it:',
      ),
      h('label', { for: 'model-file', text: 'Model file(s)' }),
      this.modelInput,
    );
    // Files can be dropped anywhere on the page, on any view: a drop opens this one.
    const carriesFiles = (event: DragEvent) => event.dataTransfer?.types.includes('Files') === true;
    document.addEventListener('dragover', (event) => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      dropzone.classList.add('over');
    });
    document.addEventListener('dragleave', (event) => {
      if (event.relatedTarget === null) dropzone.classList.remove('over');
    });
    document.addEventListener('drop', (event) => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      dropzone.classList.remove('over');
      if (this.root.hidden) location.hash = '#view=model';
      void this.dropped([...(event.dataTransfer?.files ?? [])]);
    });
    this.modelInput.addEventListener('change', () => {
      if (this.modelInput.files !== null && this.modelInput.files.length > 0) void this.loadModel([...this.modelInput.files]);
    });
    this.dataInput.addEventListener('change', () => {
      const file = this.dataInput.files?.[0];
      if (file !== undefined) void this.loadData(file);
    });
    this.clearData.addEventListener('click', () => {
      this.data = undefined;
      this.dataInput.value = '';
      this.clearData.disabled = true;
      this.graph.setData(undefined);
      this.updateFileNote();
    });
    this.graph = new GraphPanel(client, this.status, (error, what) => this.fail(error, what), (message) => this.showError(message));
    this.layerForm = h(
      'form',
      { class: 'controls', id: 'layer-form', hidden: true, 'aria-label': 'Layer to descramble' },
      h('label', {}, h('span', { text: 'Layer (a 2-D tensor, rows = neurons)' }), this.layerSelect),
      h('label', { class: 'check' }, this.transpose, h('span', { text: 'Transpose first (Keras kernels are inputs × outputs)' })),
      this.descrambleButton,
    );
    this.layerForm.addEventListener('submit', (event) => {
      event.preventDefault();
      this.descramble();
    });
    const s = this.slots;
    this.results = h(
      'div',
      { id: 'model-results', hidden: true },
      this.methodNote,
      this.downloads,
      this.certificate,
      h('div', { class: 'grid' }, s.raw.root, s.descrambled.root, s.rawSpectrum.root, s.descrambledSpectrum.root, s.descrambler.root),
    );
    this.root = h(
      'section',
      { id: 'model', 'aria-labelledby': 'model-title', 'data-phase': 'idle' },
      h('h2', { id: 'model-title', tabindex: -1, text: 'Your model' }),
      h(
        'p',
        { class: 'privacy' },
        h('strong', { text: 'Everything runs locally in this page. ' }),
        'Your files are read by JavaScript in your browser and never leave your machine: nothing is uploaded, and the page works offline once loaded.',
      ),
      dropzone,
      h(
        'div',
        { class: 'data-picker' },
        h('label', {
          for: 'data-file',
          text: 'Input data: for an ONNX graph, samples of its input as .npy (samples first); for one tensor, samples × inputs (npy, npz, safetensors, .mat)',
        }),
        this.dataInput,
        this.clearData,
      ),
      h(
        'p',
        { class: 'note' },
        'With data, B is the Gram matrix of the preactivations W Xᵀ (Lemma 1). Without data, the inputs are assumed isotropic and the descrambler comes from the SVD of W (Theorem 2).',
      ),
      this.fileNote,
      this.error,
      this.options,
      this.status.root,
      this.graph.root,
      this.layerForm,
      this.results,
    );
    this.status.busy(false);
  }

  private showError(message: string | null): void {
    this.error.hidden = message === null;
    this.error.textContent = message ?? '';
  }

  private updateFileNote(): void {
    const model = (this.model?.files ?? []).map((f) => f.name).join(', ');
    const data = this.data?.files[0]?.name;
    this.fileNote.textContent = (model ? `Model: ${model}. ` : '') + (data ? `Data: ${data}.` : model ? 'No data: isotropic inputs (Theorem 2).' : '');
  }

  /** The page's debug hook for tests: every captured Gram of the open graph. */
  grams(): Promise<GramsPayload> {
    return this.graph.grams();
  }

  private async dropped(files: readonly File[]): Promise<void> {
    const samples = files.filter(isDataFile);
    const models = files.filter((f) => !isDataFile(f));
    if (models.length > 0) await this.loadModel(models);
    else if (this.model === undefined) {
      // A lone .npy with no model open is itself the model (a weight matrix).
      await this.loadModel(samples.slice(0, 1));
      return;
    }
    const first = samples[0];
    if (first !== undefined && this.root.dataset.phase !== 'error') await this.loadData(first);
  }

  private async loadModel(list: readonly File[]): Promise<void> {
    this.showError(null);
    this.results.hidden = true;
    this.layerForm.hidden = true;
    this.options.hidden = true;
    this.graph.clear();
    this.root.dataset.phase = 'reading';
    let files = [...list];
    // The model is the first file that is not ONNX external data.
    const main = files.findIndex((f) => !/\.(data|bin)$/i.test(f.name));
    if (main > 0) files = [files[main]!, ...files.filter((_, i) => i !== main)];
    const model = chosen(files);
    this.model = model;
    this.updateFileNote();
    this.status.busy(true);
    this.status.set('Reading the file…', 0.1);
    let tensors: readonly TensorSummary[] = [];
    const job = this.client.run({ type: 'inspect', request: { model } }, (response) => {
      if (response.kind === 'tensors') tensors = response.payload;
      else if (response.kind === 'graph') this.graph.show(model, response.payload, this.operator);
    });
    try {
      await job.done;
    } catch (error) {
      this.fail(error);
      return;
    }
    this.status.busy(false);
    const matrices = tensors.filter((t) => t.shape.length === 2);
    // An ONNX graph is descrambled layer by layer above; the single-tensor form needs a 2-D tensor.
    if (matrices.length === 0 && this.graph.open) {
      this.options.hidden = false;
      this.status.set(`${this.graph.layerCount} linear layers in the graph. Add input samples to descramble them all.`, 1);
      this.root.dataset.phase = 'ready';
      return;
    }
    if (matrices.length === 0) {
      const found = tensors.map((t) => `${t.name} [${t.shape.join(', ')}]`).join(', ') || 'no tensors';
      this.fail(new Error(`${files[0]?.name}: no 2-D tensor (weight matrix) to descramble; found ${found}`));
      return;
    }
    this.layerSelect.replaceChildren(
      ...matrices.map((t) => h('option', { value: t.name, text: `${t.name}  [${t.shape.join(' × ')}]  ${t.dtype}` })),
    );
    const isKeras = /\.(h5|hdf5|keras)$/i.test(files[0]!.name);
    this.transpose.checked = isKeras;
    this.layerForm.hidden = false;
    this.options.hidden = false;
    this.status.set(
      this.graph.open
        ? `${this.graph.layerCount} linear layers in the graph. Add input samples to descramble them all, or choose one tensor below.`
        : `${matrices.length} weight matri${matrices.length === 1 ? 'x' : 'ces'} found. Choose one and press Descramble.`,
      1,
    );
    this.root.dataset.phase = 'ready';
  }

  private async loadData(file: File): Promise<void> {
    this.showError(null);
    this.data = chosen([file]);
    this.clearData.disabled = false;
    this.updateFileNote();
    if (this.graph.open) await this.graph.setData(this.data);
  }

  /** Shows why something failed; `what` says what could not be done (the file is not always to blame). */
  private fail(error: unknown, what = 'Could not use this file.'): void {
    this.status.busy(false);
    if (error instanceof CancelledError) {
      this.status.set('Cancelled.', 0);
      this.root.dataset.phase = 'cancelled';
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    this.showError(`${what} ${message}`);
    this.status.set('', 0);
    this.root.dataset.phase = 'error';
  }

  private descramble(): void {
    this.showError(null);
    const model = this.model;
    if (model === undefined) return;
    this.root.dataset.phase = 'computing';
    this.status.busy(true);
    this.status.set('Descrambling…', 0);
    let result: ModelPayload | undefined;
    const job = this.client.run(
      {
        type: 'model',
        request: {
          model,
          layer: this.layerSelect.value,
          transpose: this.transpose.checked,
          operator: this.operator.value as SmoothnessOperator,
          ...(this.data !== undefined && { data: this.data }),
        },
      },
      (response) => {
        if (response.kind === 'progress') this.status.set(`${response.stage}…`, response.fraction);
        else if (response.kind === 'model') result = response.payload;
      },
    );
    job.done.then(
      () => {
        this.status.busy(false);
        if (result !== undefined) this.showResult(result);
      },
      (error: unknown) => this.fail(error),
    );
  }

  private showResult(p: ModelPayload): void {
    const s = this.slots;
    this.methodNote.textContent = p.method;
    draw(s.raw.canvas, weightsFigure(`${p.layer}: W`, p.weights));
    draw(s.descrambled.canvas, weightsFigure(`${p.layer}: P W`, p.descrambled));
    draw(s.rawSpectrum.canvas, spectrumFigure('|DFT| of W, centred', p.rawSpectrum));
    draw(s.descrambledSpectrum.canvas, spectrumFigure('|DFT| of P W, centred', p.descrambledSpectrum));
    draw(s.descrambler.canvas, descramblerFigure(p.descrambler));
    const c = p.certificate;
    const rows: [string, string][] = [
      ['Shape of W', `${p.weights.rows} × ${p.weights.columns}`],
      ['Samples', p.sampleCount === null ? 'none (isotropic, Theorem 2)' : String(p.sampleCount)],
      ['Value tr(A P B Pᵀ)', formatNumber(c.value, 6)],
      ['Lemma 1 optimum', formatNumber(c.optimum, 6)],
      ['Relative gap', formatNumber(c.gap)],
      ['Equally optimal family (dimension)', String(c.familyDimension)],
      ['Rank of B', String(c.rankB)],
    ];
    this.certificate.replaceChildren(...rows.flatMap(([term, value]) => [h('dt', { text: term }), h('dd', { text: value })]));
    for (const url of this.objectUrls) URL.revokeObjectURL(url);
    this.objectUrls = [];
    const link = (name: string, label: string, bytes: Uint8Array | string, type: string) => {
      const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
      this.objectUrls.push(url);
      return h('a', { href: url, download: name, class: 'button', 'data-download': name, text: label });
    };
    const d = p.downloads;
    this.downloads.replaceChildren(
      link('descrambler.npy', 'Descrambler P (.npy)', d.descramblerNpy, 'application/octet-stream'),
      link('descrambled_weights.npy', 'Descrambled weights P W (.npy)', d.descrambledNpy, 'application/octet-stream'),
      link('descrambled.safetensors', 'P, P W and W (.safetensors)', d.safetensors, 'application/octet-stream'),
      link('report.json', 'Report (.json)', d.report, 'application/json'),
    );
    this.results.hidden = false;
    this.status.set(`Done in ${p.exactMs.toFixed(1)} ms of computation.`, 1);
    this.root.dataset.phase = 'done';
  }
}
