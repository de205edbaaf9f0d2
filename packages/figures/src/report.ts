import type { Figure } from './figure.js';
import { markdownLite } from './markdown-lite.js';
import type { Deflate } from './png.js';
import { escapeXml, renderFigureToSvg } from './svg.js';

export interface ReportTable {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly (string | number)[])[];
  readonly caption?: string;
}

export interface ReportSection {
  readonly heading: string;
  /** Markdown-lite: paragraphs, `- ` lists, `**bold**`, `*emphasis*`, `` `code` ``. */
  readonly text?: string;
  readonly figures?: readonly Figure[];
  readonly table?: ReportTable;
}

export interface Report {
  readonly title: string;
  /** Optional markdown-lite paragraph under the title. */
  readonly summary?: string;
  readonly sections: readonly ReportSection[];
}

export interface ReportOptions {
  /** HTML for one figure; default: inline SVG. The Node entry offers `pngFigureHtml()`. */
  readonly renderFigure?: (figure: Figure) => string;
  /** zlib compressor for the rasters of inline SVGs (Node: `zlib.deflateSync`). */
  readonly deflate?: Deflate;
}

/** Format a table cell: numbers with 4 significant digits (exponent form outside 1e-3..1e6). */
export function formatCell(value: string | number): string {
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value) && Math.abs(value) < 1e9) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e6)) return value.toExponential(3);
  return String(Number(value.toPrecision(4)));
}

const style = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font-family: 'DejaVu Sans', 'Liberation Sans', system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif;
  line-height: 1.5; color: #1d1d1f; background: #fafafa; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.6rem; margin: 0.5rem 0 1rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 0.5rem; border-bottom: 1px solid #ddd; padding-bottom: 0.25rem; }
p, li { max-width: 42rem; }
code { font-family: 'DejaVu Sans Mono', ui-monospace, Menlo, Consolas, monospace; font-size: 0.92em; background: #eee; padding: 0 0.2em; border-radius: 3px; }
figure { margin: 1rem 0; }
figure svg, figure img { display: block; max-width: 100%; height: auto; background: #fff; border: 1px solid #e5e5e5; }
figure svg image { image-rendering: pixelated; }
.table { overflow-x: auto; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; font-size: 0.9rem; margin: 1rem 0; }
th, td { padding: 0.3rem 0.6rem; border-bottom: 1px solid #ddd; text-align: left; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
caption { caption-side: bottom; text-align: left; color: #555; font-size: 0.85rem; padding-top: 0.3rem; }
@media (max-width: 30rem) { main { padding: 0.5rem; } h1 { font-size: 1.3rem; } }
`;

function tableHtml(table: ReportTable): string {
  const head = `<thead><tr>${table.columns.map((c) => `<th scope="col">${escapeXml(c)}</th>`).join('')}</tr></thead>`;
  const body = table.rows
    .map((row) => `<tr>${row.map((cell) => `<td${typeof cell === 'number' ? ' class="number"' : ''}>${escapeXml(formatCell(cell))}</td>`).join('')}</tr>`)
    .join('');
  const caption = table.caption ? `<caption>${escapeXml(table.caption)}</caption>` : '';
  return `<div class="table"><table>${caption}${head}<tbody>${body}</tbody></table></div>`;
}

/**
 * A self-contained HTML page: CSS inline, every figure inline (SVG, rasters as data: URIs),
 * no scripts, fonts or any other network reference. Readable on a phone (viewport meta,
 * fluid figures, scrollable tables).
 */
export function renderReport(report: Report, options: ReportOptions = {}): string {
  const figureHtml =
    options.renderFigure ??
    ((figure: Figure) => renderFigureToSvg(figure, { standalone: false, ...(options.deflate ? { deflate: options.deflate } : {}) }));
  const sections = report.sections.map((section, k) => {
    const parts = [`<section id="section-${k + 1}">`, `<h2>${escapeXml(section.heading)}</h2>`];
    if (section.text) parts.push(markdownLite(section.text));
    for (const figure of section.figures ?? []) {
      parts.push(`<figure>${figureHtml(figure)}</figure>`);
    }
    if (section.table) parts.push(tableHtml(section.table));
    parts.push('</section>');
    return parts.join('\n');
  });
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeXml(report.title)}</title>`,
    `<style>${style}</style>`,
    '</head>',
    '<body>',
    '<main>',
    `<h1>${escapeXml(report.title)}</h1>`,
    report.summary ? markdownLite(report.summary) : '',
    ...sections,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
