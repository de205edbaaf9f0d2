import { escapeXml } from './svg.js';

/** Inline markup: `**bold**`, `*emphasis*`, `` `code` ``. Everything else is escaped text;
 * nothing ever becomes a link or a reference to another resource. */
function inline(text: string): string {
  const parts = text.split(/(`[^`]+`)/);
  return parts
    .map((part) => {
      if (part.startsWith('`') && part.endsWith('`') && part.length > 2) {
        return `<code>${escapeXml(part.slice(1, -1))}</code>`;
      }
      return escapeXml(part)
        .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
        .replace(/\*([^*]+)\*/g, '<em>$1</em>');
    })
    .join('');
}

/**
 * A small, safe subset of Markdown: paragraphs separated by blank lines, `- ` bullet lists,
 * and inline bold, emphasis and code. Raw HTML is escaped, never passed through.
 */
export function markdownLite(source: string): string {
  const blocks = source.replace(/\r\n?/g, '\n').split(/\n\s*\n/);
  const html: string[] = [];
  for (const block of blocks) {
    const lines = block.split('\n').filter((line) => line.trim() !== '');
    if (lines.length === 0) continue;
    if (lines.every((line) => /^\s*[-*] /.test(line))) {
      html.push(`<ul>${lines.map((line) => `<li>${inline(line.replace(/^\s*[-*] /, ''))}</li>`).join('')}</ul>`);
    } else {
      html.push(`<p>${lines.map((line) => inline(line.trim())).join(' ')}</p>`);
    }
  }
  return html.join('\n');
}
