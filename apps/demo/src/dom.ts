/** Small DOM helpers: elements with attributes and children, no framework. */
type Attributes = Record<string, string | number | boolean | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: (Node | string | null | undefined | false)[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (key === 'text') element.textContent = String(value);
    else element.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child);
  }
  return element;
}

export function formatNumber(x: number, digits = 3): string {
  if (x === null || Number.isNaN(x)) return 'n/a';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '-∞';
  if (x === 0) return '0';
  const magnitude = Math.abs(x);
  if (magnitude >= 1e-3 && magnitude < 1e5) return x.toPrecision(digits);
  return x.toExponential(digits - 1);
}

/** A status line with a progress bar and a cancel button. */
export interface StatusLine {
  readonly root: HTMLElement;
  set(text: string, fraction?: number): void;
  busy(on: boolean): void;
}

export function statusLine(idPrefix: string, onCancel: () => void): StatusLine {
  const text = h('span', { id: `${idPrefix}-status-text` });
  const progress = h('progress', { max: 1, value: 0, 'aria-labelledby': `${idPrefix}-status-text` });
  const cancel = h('button', { type: 'button', class: 'secondary', id: `${idPrefix}-cancel`, disabled: true, text: 'Cancel' });
  cancel.addEventListener('click', onCancel);
  const root = h('div', { class: 'status', role: 'status', 'aria-live': 'polite' }, progress, text, cancel);
  return {
    root,
    set(message, fraction) {
      text.textContent = message;
      if (fraction === undefined) progress.removeAttribute('value');
      else progress.value = fraction;
    },
    busy(on) {
      cancel.disabled = !on;
      progress.hidden = !on;
      root.classList.toggle('busy', on);
    },
  };
}

/** A figure slot: a canvas with a caption, found by tests through `data-figure`. */
export function figureSlot(key: string, caption: string): { root: HTMLElement; canvas: HTMLCanvasElement } {
  const canvas = h('canvas', { 'data-figure': key, role: 'img', 'aria-label': caption, width: 440, height: 360 });
  return { root: h('figure', { class: 'figure' }, canvas, h('figcaption', { text: caption })), canvas };
}
