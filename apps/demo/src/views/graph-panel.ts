/**
 * "Your model" for an ONNX graph: its nodes and linear layers drawn as soon as the file is read,
 * the input samples checked against the graph input, then one button that captures every layer
 * through ONNX Runtime Web and descrambles every hidden one, drawing W and P W on one colour
 * scale per layer.
 */
import type { SmoothnessOperator } from '@descramble/descramblers';
import { formatBytes, formatSeconds } from '../compute/layer-cost.js';
import { figureSlot, formatNumber, h, type StatusLine } from '../dom.js';
import { draw, weightsFigure } from '../plots.js';
import type { ChosenFiles, GramsPayload, GraphLayerPayload, GraphLayerSummary, GraphSummary, PermutedPayload, WireMatrix } from '../protocol.js';
import { type ComputeClient, WorkerError } from '../worker-client.js';

const shapeText = (shape: readonly (number | string | null)[] | null) => (shape === null ? 'unknown shape' : `[${shape.map((d) => d ?? '?').join(', ')}]`);

function largestMagnitude(...matrices: readonly WireMatrix[]): number {
  let m = 0;
  for (const matrix of matrices) for (const v of matrix.data) m = Math.max(m, Math.abs(v));
  return m;
}

function layerNote(layer: GraphLayerSummary): string {
  if (layer.isOutput) return 'output layer: its units are already ordered; not descrambled';
  if (layer.refusal !== null) return `not descrambled: ${layer.refusal}`;
  return `descrambling: ${formatSeconds(layer.seconds)}, ${formatBytes(layer.bytes)}`;
}

/**
 * Relative output difference below which two graphs compute the same function: float32
 * forward passes whose sums are reordered by a permutation agree to a few ulps (2^-24 each) per
 * layer; 1e-5 leaves room for a few dozen layers.
 */
const SAME_FUNCTION_TOLERANCE = 1e-5;

export class GraphPanel {
  readonly root: HTMLElement;
  private readonly heading = h('p', { id: 'graph-heading', class: 'note' });
  private readonly nodes = h('ol', { id: 'graph-nodes', class: 'graph-nodes', 'aria-label': 'Nodes of the graph, in file order' });
  private readonly layers = h('ol', { id: 'graph-layers', class: 'graph-layers', 'aria-label': 'Linear layers' });
  private readonly dataNote = h('p', { id: 'graph-data', class: 'note' });
  private readonly button = h('button', { type: 'button', id: 'descramble-graph', disabled: true, text: 'Descramble every hidden layer' });
  private readonly captureNote = h('p', { id: 'graph-capture', class: 'method' });
  private readonly figures = h('div', { id: 'graph-figures' });
  private readonly permuted = h('div', { id: 'graph-permuted', hidden: true });
  private objectUrls: string[] = [];
  private summary: GraphSummary | undefined;
  private model: ChosenFiles | undefined;
  private data: ChosenFiles | undefined;
  private operator: HTMLSelectElement | undefined;

  constructor(
    private readonly client: ComputeClient,
    private readonly status: StatusLine,
    private readonly fail: (error: unknown, what: string) => void,
    private readonly showError: (message: string | null) => void,
  ) {
    this.button.addEventListener('click', () => void this.descramble());
    this.root = h(
      'section',
      { id: 'graph', hidden: true, 'aria-labelledby': 'graph-title', 'data-phase': 'idle' },
      h('h3', { id: 'graph-title', text: 'The graph' }),
      this.heading,
      this.nodes,
      this.layers,
      this.dataNote,
      h(
        'p',
        { class: 'note' },
        'Every hidden layer is captured in one pass of ONNX Runtime Web (WebAssembly, in this page) over your samples: the Gram matrix of its output without its bias, ' +
          'summed over samples and positions. Its exact descrambler then follows from Lemma 1. Output layers keep their order.',
      ),
      this.button,
      this.captureNote,
      this.permuted,
      this.figures,
    );
  }

  get open(): boolean {
    return this.summary !== undefined;
  }

  get layerCount(): number {
    return this.summary?.layers.length ?? 0;
  }

  clear(): void {
    this.summary = undefined;
    this.model = undefined;
    this.root.hidden = true;
    this.root.dataset.phase = 'idle';
    this.figures.replaceChildren();
    this.captureNote.textContent = '';
    this.clearPermuted();
  }

  private clearPermuted(): void {
    this.permuted.hidden = true;
    this.permuted.replaceChildren();
    for (const url of this.objectUrls) URL.revokeObjectURL(url);
    this.objectUrls = [];
  }

  /** Draws the graph's nodes and layers at once, from the file alone. */
  show(model: ChosenFiles, summary: GraphSummary, operator: HTMLSelectElement): void {
    this.model = model;
    this.summary = summary;
    this.operator = operator;
    const inputs = summary.inputs.map((i) => `${i.name} ${shapeText(i.shape)}`).join(', ');
    const hidden = summary.layers.filter((l) => !l.isOutput).length;
    this.heading.textContent = `${summary.file}: ${summary.nodes.length} nodes, ${summary.layers.length} linear layers (${hidden} hidden). Input: ${inputs || 'none'}.`;
    this.nodes.replaceChildren(
      ...summary.nodes.map((node) => {
        const layer = node.layer === null ? undefined : summary.layers[node.layer];
        return h('li', { class: layer === undefined ? 'node' : 'node linear', title: node.name, text: layer === undefined ? node.opType : `${node.opType} ${layer.name}` });
      }),
    );
    this.layers.replaceChildren(
      ...summary.layers.map((layer) =>
        h(
          'li',
          {
            'data-layer': layer.name,
            'data-op': layer.opType,
            'data-output': layer.isOutput,
            'data-status': layer.isOutput ? 'output' : layer.refusal !== null ? 'refused' : 'listed',
          },
          h('strong', { text: layer.name }),
          ` ${layer.opType}, ${layer.units} units × ${layer.fanIn} inputs each. `,
          h('span', { class: 'layer-note', text: layerNote(layer) }),
        ),
      ),
    );
    this.figures.replaceChildren();
    this.captureNote.textContent = '';
    this.clearPermuted();
    this.dataNote.textContent = `Add samples of ${summary.inputs[0]?.name ?? 'the input'} as .npy (samples first, then ${shapeText(summary.inputs[0]?.shape?.slice(1) ?? null)} each) to capture every layer.`;
    this.button.disabled = true;
    this.root.hidden = false;
    this.root.dataset.phase = 'listed';
    this.data = undefined;
  }

  /** Checks the samples against the graph input in the worker (which keeps them). */
  async setData(data: ChosenFiles | undefined): Promise<void> {
    this.data = data;
    this.button.disabled = true;
    const model = this.model;
    if (data === undefined || model === undefined) {
      if (this.summary !== undefined) this.root.dataset.phase = 'listed';
      return;
    }
    this.root.dataset.phase = 'reading-data';
    this.status.busy(true);
    this.status.set('Reading the samples…', 0.1);
    const job = this.client.run({ type: 'graph-data', request: { model, data } }, (response) => {
      if (response.kind === 'graph-data') {
        const d = response.payload;
        this.dataNote.textContent = `Samples: ${d.samples} from ${d.file}, shape [${d.shape.join(', ')}], matching the graph input.`;
      }
    });
    try {
      await job.done;
    } catch (error) {
      this.data = undefined;
      this.root.dataset.phase = 'listed';
      this.dataNote.textContent = 'These samples do not fit the graph input (see the message above); they can still serve as the inputs of one tensor below.';
      this.fail(error, 'Could not use these samples.');
      return;
    }
    this.status.busy(false);
    this.status.set('Samples ready. Press "Descramble every hidden layer".', 1);
    this.button.disabled = false;
    this.root.dataset.phase = 'data';
  }

  private layerItem(name: string): HTMLElement | null {
    return this.layers.querySelector(`li[data-layer="${CSS.escape(name)}"]`);
  }

  private async descramble(): Promise<void> {
    const { model, data, summary } = this;
    if (model === undefined || data === undefined || summary === undefined) return;
    this.showError(null);
    this.figures.replaceChildren();
    this.clearPermuted();
    this.captureNote.textContent = '';
    this.root.dataset.phase = 'capturing';
    this.status.busy(true);
    this.status.set('Loading ONNX Runtime Web…', 0);
    const operator = (this.operator?.value ?? 'fourier') as SmoothnessOperator;
    let threads = 1;
    const job = this.client.run({ type: 'descramble-graph', request: { model, data, operator } }, (response) => {
      if (response.kind === 'progress') this.status.set(`${response.stage}…`, response.fraction);
      else if (response.kind === 'runtime') threads = response.payload.threads;
      else if (response.kind === 'captured') {
        const c = response.payload;
        this.captureNote.textContent =
          `Captured ${c.layers.length} layers in one pass of ONNX Runtime Web over ${c.samples} samples ` +
          `(WebAssembly, ${threads} thread${threads === 1 ? '' : 's'}${threads === 1 ? ': the page is not cross-origin isolated' : ''}; ${(c.ms / 1000).toFixed(1)} s).`;
        for (const layer of c.layers) {
          const item = this.layerItem(layer.name);
          if (item !== null && item.dataset.status === 'listed') item.dataset.status = 'captured';
          item?.setAttribute('data-rows', String(layer.rows));
        }
        this.root.dataset.phase = 'descrambling';
      } else if (response.kind === 'graph-layer') this.showLayer(response.payload);
      else if (response.kind === 'permuted') this.showPermuted(response.payload);
      else if (response.kind === 'graph-report') this.showReport(response.payload.json);
    });
    try {
      await job.done;
    } catch (error) {
      this.root.dataset.phase = error instanceof WorkerError ? 'error' : 'cancelled';
      this.fail(error, 'Could not capture or descramble the graph.');
      return;
    }
    this.status.busy(false);
    this.status.set('Every hidden layer descrambled.', 1);
    this.root.dataset.phase = 'done';
  }

  private showLayer(p: GraphLayerPayload): void {
    const raw = figureSlot(`graph-${p.index}-raw`, `${p.name}: W (${p.weights.rows} units × ${p.weights.columns} inputs)`);
    const descrambled = figureSlot(`graph-${p.index}-descrambled`, `${p.name}: P W, on the same colour scale`);
    const m = largestMagnitude(p.weights, p.descrambled);
    // One colour scale for both, so P W's structure is not an artefact of rescaling.
    const domain = [-m, m] as const;
    draw(raw.canvas, { ...weightsFigure(`${p.name}: W`, p.weights), domain });
    draw(descrambled.canvas, { ...weightsFigure(`${p.name}: P W`, p.descrambled), domain });
    const c = p.certificate;
    const facts = h(
      'p',
      { class: 'note', 'data-certificate': p.name },
      `${p.opType}; Gram of ${p.rows} rows (${p.samples} samples × ${p.rows / Math.max(1, p.samples)} positions). ` +
        `Value ${formatNumber(c.value, 6)}, Lemma 1 optimum ${formatNumber(c.optimum, 6)}, relative gap ${formatNumber(c.gap)}, rank of B ${c.rankB}; ${p.ms.toFixed(0)} ms.`,
    );
    this.figures.append(
      h('section', { class: 'graph-layer', 'data-layer': p.name, 'data-shape': `${p.weights.rows}x${p.weights.columns}` }, h('h4', { text: p.name }), facts, h('div', { class: 'grid' }, raw.root, descrambled.root)),
    );
    const item = this.layerItem(p.name);
    if (item !== null) item.dataset.status = 'descrambled';
  }

  private showPermuted(p: PermutedPayload): void {
    this.clearPermuted();
    const url = this.link(p.bytes, 'application/octet-stream');
    const same = p.maxRelativeDifference <= SAME_FUNCTION_TOLERANCE;
    const permutationOf = new Map(p.permutations.map((entry) => [entry.id, entry.permutation] as const));
    const rows = p.groups.map((g) =>
      h(
        'li',
        { 'data-group': g.id, 'data-permuted': g.permuted, 'data-writers': g.writers.join(' '), 'data-permutation': permutationOf.get(g.id)?.join(',') },
        `${g.size} channels written by ${g.writers.join(', ') || 'no layer'}${g.readers.length > 0 ? `, read by ${g.readers.join(', ')}` : ''}: `,
        g.permuted
          ? `${g.moved} moved; smoothness ${formatNumber(g.value ?? Number.NaN, 6)}, against ${formatNumber(g.lowerBound ?? Number.NaN, 6)} for the exact descrambler (Lemma 1, over all rotations).`
          : `left in place (${g.reason}).`,
      ),
    );
    this.permuted.append(
      h('h4', { text: 'The descrambled network, as ONNX' }),
      h(
        'p',
        { class: 'note' },
        'The exact descrambler P of a layer is a rotation: it mixes units, so it cannot be written back into a network with ReLUs or GELUs. ' +
          'The downloadable ONNX instead reorders each group of channels that must move together (a layer’s units, and every weight, bias and normalisation that reads them) ' +
          'by the permutation nearest the group’s exact descrambler: P from Lemma 1 on B, the sum of the Grams of the layers writing the group, and the order Π maximising Σᵢ |P(i, Π(i))| ' +
          '(the signed permutation nearest P, an exact linear assignment; the signs are dropped, as they do not commute with ReLU). ' +
          'Output units keep their order, so the network computes the same function.',
      ),
      h('ul', { id: 'graph-groups' }, ...rows),
      h(
        'p',
        { id: 'graph-same-function', 'data-same': same },
        `Checked in this page: on ${p.samples} of your samples, ONNX Runtime gives outputs that differ from the original's by at most ${formatNumber(p.maxAbsDifference)} ` +
          `(${formatNumber(p.maxRelativeDifference)} of their size)${same ? ': the same function, to float32 roundoff.' : ': MORE than float32 roundoff; do not use this file.'}`,
      ),
      h('a', { href: url, download: p.file, class: 'button', 'data-download': 'permuted.onnx', text: `Permuted network (${p.file})` }),
    );
    this.permuted.hidden = false;
  }

  private link(bytes: Uint8Array | string, type: string): string {
    const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
    this.objectUrls.push(url);
    return url;
  }

  private showReport(json: string): void {
    this.permuted.append(
      h('a', { href: this.link(json, 'application/json'), download: 'report.json', class: 'button', 'data-download': 'graph-report.json', text: 'Report of every layer (.json)' }),
    );
  }

  /** Every captured Gram (captured first if need be): the tests' debug hook. */
  async grams(): Promise<GramsPayload> {
    const { model, data } = this;
    if (model === undefined || data === undefined) throw new Error('open an ONNX model and its samples first');
    let payload: GramsPayload | undefined;
    await this.client.run({ type: 'grams', request: { model, data } }, (response) => {
      if (response.kind === 'grams') payload = response.payload;
    }).done;
    if (payload === undefined) throw new Error('the worker sent no Grams');
    return payload;
  }
}
