import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { references, sampleFigures } from '../test/helpers.js';
import { markdownLite } from './markdown-lite.js';
import { formatCell, renderReport } from './report.js';

describe('renderReport', () => {
  const html = renderReport({
    title: 'Descrambling <report>',
    summary: 'Run of **2026-11-26**.',
    sections: [
      { heading: 'Weights', text: 'The notch at `k = 0` is *deep*.\n\n- first\n- second', figures: sampleFigures.slice(0, 2) },
      { heading: 'Grid', figures: sampleFigures.slice(2), table: { columns: ['layer', 'depth (dB)'], rows: [['fc1', -31.25678], ['fc2', 1e-7]] } },
    ],
  });

  it('inlines every figure as SVG and the CSS, with no external reference at all', () => {
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/<script|<link|@import|<iframe/i);
    for (const ref of references(html)) expect(ref.startsWith('data:') || ref.startsWith('#')).toBe(true);
    expect((html.match(/<svg\b/g) ?? []).length).toBe(sampleFigures.length);
    expect(html).toContain('<style>');
  });

  it('parses as a well-formed document with the sections, figures and table', () => {
    const { document } = parseHTML(html);
    expect(document.title).toBe('Descrambling <report>');
    expect([...document.querySelectorAll('h2')].map((h) => h.textContent)).toEqual(['Weights', 'Grid']);
    expect(document.querySelectorAll('figure > svg').length).toBe(3);
    expect(document.querySelectorAll('figure svg image').length).toBe(4); // 2 heatmaps + 2 colour bars
    for (const image of document.querySelectorAll('image')) expect(image.getAttribute('href')).toMatch(/^data:image\/png;base64,/);
    const cells = [...document.querySelectorAll('td')].map((td) => td.textContent);
    expect(cells).toEqual(['fc1', '-31.26', 'fc2', '1.000e-7']);
    expect(document.querySelector('meta[name="viewport"]')?.getAttribute('content')).toContain('width=device-width');
    expect(document.querySelector('code')?.textContent).toBe('k = 0');
    expect(document.querySelectorAll('ul > li').length).toBe(2);
  });
});

describe('markdown-lite', () => {
  it('escapes raw HTML and never produces links', () => {
    const html = markdownLite('<img src=x onerror=alert(1)> [a](https://example.org) **b**');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<a ');
    expect(html).toContain('&lt;img');
    expect(html).toContain('<strong>b</strong>');
  });
});

describe('formatCell', () => {
  it('keeps integers and strings, gives four significant digits otherwise', () => {
    expect(formatCell(42)).toBe('42');
    expect(formatCell('x')).toBe('x');
    expect(formatCell(Math.PI)).toBe('3.142');
    expect(formatCell(123456789.5)).toBe('1.235e+8');
  });
});
