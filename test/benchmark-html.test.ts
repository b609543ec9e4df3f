import { describe, expect, it } from 'vitest';
import { type BenchmarkTable, METRIC_BETTER, benchmarkTableHTML, metricColours } from '@glassbox/viz';

const XSS = '<img src=x onerror="alert(1)">';

/** Two methods over three tokens, hostile strings in a token, a method name, the label and the model. */
const sample: BenchmarkTable = {
  model: `models/${XSS}`,
  target: { index: 1, label: `POS${XSS}` },
  metrics: ['comprehensiveness', 'sufficiency', 'taucorr_loo', 'auprc_plau'],
  methods: [
    {
      method: 'saliency',
      tokens: [
        { token: '[CLS]', attribution: 0 },
        { token: XSS, attribution: 0.6 },
        { token: 'film', attribution: -0.4 },
      ],
      metrics: { comprehensiveness: 1, sufficiency: 0, taucorr_loo: -1, auprc_plau: 0.5 },
    },
    {
      method: `lime${XSS}`,
      tokens: [
        { token: '[CLS]', attribution: null },
        { token: XSS, attribution: 0.2 },
        { token: 'film', attribution: 0.8 },
      ],
      metrics: { comprehensiveness: 0, sufficiency: -1, taucorr_loo: Number.NaN, auprc_plau: 0.25 },
    },
  ],
};

describe("ferret's colouring of the evaluation table", () => {
  it('light_palette("purple") per metric range, darker where better (matplotlib LUT and pandas text colour, by hand)', () => {
    // comprehensiveness on [−1, 1]: 1 → purple, −1 → the palette's light end, 0 → LUT entry 128 of 256
    expect(metricColours('comprehensiveness', 1)).toEqual({ background: '#800080', color: '#f1f1f1' });
    expect(metricColours('comprehensiveness', -1)).toEqual({ background: '#f3f0f3', color: '#000000' });
    expect(metricColours('comprehensiveness', 0)).toEqual({ background: '#b977b9', color: '#f1f1f1' });
    // out of range: the end colours
    expect(metricColours('taucorr_loo', 7)).toEqual(metricColours('taucorr_loo', 1));
    // plausibility on [0, 1]
    expect(metricColours('auprc_plau', 1)!.background).toBe('#800080');
    expect(metricColours('token_iou_plau', 0)!.background).toBe('#f3f0f3');
    // sufficiency (best value 0 on [−1, 1]): white–purple–white
    expect(metricColours('sufficiency', 0)).toEqual({ background: '#800180', color: '#f1f1f1' });
    expect(metricColours('sufficiency', 1)!.background).toBe('#ffffff');
    expect(metricColours('sufficiency', -1)!.background).toBe('#ffffff');
    // deletion: lower is better, the palette reversed on [0, 1]; 0.25 → entry 64: purple + (64/255)(light − purple)
    expect(metricColours('deletion', 0)!.background).toBe('#800080');
    expect(metricColours('deletion', 0.25)!.background).toBe('#9d3c9d');
    expect(metricColours('insertion', 0)!.background).toBe('#f3f0f3');
    // nothing for an unknown metric or a missing value
    expect(metricColours('roar', 0.5)).toBeUndefined();
    expect(metricColours('deletion', Number.NaN)).toBeUndefined();
    expect(metricColours('deletion', undefined)).toBeUndefined();
  });

  it('METRIC_BETTER: ferret LOWER_IS_BETTER for its metrics, interpreto for deletion and insertion', () => {
    expect(METRIC_BETTER).toEqual({
      deletion: 'lower',
      insertion: 'higher',
      comprehensiveness: 'higher',
      sufficiency: 'lower',
      taucorr_loo: 'higher',
      auprc_plau: 'higher',
      token_f1_plau: 'higher',
      token_iou_plau: 'higher',
    });
  });
});

describe('benchmarkTableHTML (Node, no DOM)', () => {
  const html = benchmarkTableHTML(sample);

  it('a standalone page: no script, the CSP, the CSS inline', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    );
    expect(html).toContain('<style>');
    expect(html).toContain('data-kind="benchmark"');
  });

  it('every token, method name, label and model name escaped', () => {
    expect(html).not.toContain('<img');
    expect(html).not.toContain('onerror="');
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;');
    expect(html).toContain('data-method="lime&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"');
    expect(html).toContain('data-target="POS&lt;img');
    expect(html).toMatch(/<title>Glassbox benchmark: [^<]*&lt;img[^<]*\(POS&lt;img[^<]*\)<\/title>/);
  });

  it("metric cells: the value, data-best, and ferret's colours", () => {
    const cell = (metric: string, row: number) =>
      html.match(new RegExp(`<td class="gbv-bench-metric" data-metric="${metric}"[^>]*>[^<]*</td>`, 'g'))![row];
    expect(cell('comprehensiveness', 0)).toBe(
      '<td class="gbv-bench-metric" data-metric="comprehensiveness" data-value="1" data-best="" style="background: #800080; color: #f1f1f1">1.000</td>',
    );
    expect(cell('comprehensiveness', 1)).toBe(
      '<td class="gbv-bench-metric" data-metric="comprehensiveness" data-value="0" style="background: #b977b9; color: #f1f1f1">0.000</td>',
    );
    // sufficiency: lower is better, so −1 is data-best, yet 0 is ferret's darkest
    expect(cell('sufficiency', 1)).toContain('data-best=""');
    expect(cell('sufficiency', 0)).toContain('background: #800180');
    expect(cell('sufficiency', 1)).toContain('background: #ffffff');
    // NaN (a constant taucorr_loo): a dash, no colour
    expect(cell('taucorr_loo', 1)).toBe('<td class="gbv-bench-metric" data-metric="taucorr_loo" data-value="NaN">–</td>');
    expect(cell('auprc_plau', 0)).toContain('data-best=""');
    // headers say which way is better
    expect(html).toContain('taucorr_loo ↑</th>');
    expect(html).toContain('sufficiency ↓</th>');
  });
});
