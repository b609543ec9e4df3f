import type { SequenceClassificationResult } from '@glassbox/core';
import { describe, expect, it } from 'vitest';
import { renderShapBarPlot } from './shapBarPlot.ts';
import { sampleShapley } from './samples.ts';
import { mounter } from './testing.ts';

const mount = mounter();
const bars = (el: Element) => Array.from(el.querySelectorAll<SVGGElement>('svg [data-feature]'));
const values = (el: Element) => bars(el).map((b) => Number(b.dataset.attribution));

/** A Shapley result over n tokens t0…t(n−1) with values (−1)^i (i + 1) / 10. */
function manyFeatures(n: number): SequenceClassificationResult {
  const tokens = Array.from({ length: n }, (_, i) => ({
    token: `t${i}`,
    id: i,
    start: null,
    end: null,
    special: false,
    attribution: ((-1) ** i * (i + 1)) / 10,
  }));
  const sum = tokens.reduce((a, t) => a + t.attribution, 0);
  return { ...sampleShapley(), tokens, words: [], baseValue: 0, fx: sum };
}

describe('renderShapBarPlot', () => {
  it('one bar per feature, largest |value| first, red up and blue down (shap’s colours)', () => {
    const el = mount(renderShapBarPlot(sampleShapley()));
    expect(el.querySelector<SVGElement>('svg')!.dataset.view).toBe('shap-bars');
    expect(bars(el).map((b) => b.dataset.feature)).toEqual(['grip', 'film', '##ping', 'a']);
    expect(values(el)).toEqual([0.3, -0.2, 0.125, 0.05]);
    expect(bars(el).map((b) => b.dataset.rank)).toEqual(['1', '2', '3', '4']);
    expect(bars(el).map((b) => getComputedStyle(b.querySelector('rect')!).fill)).toEqual([
      'rgb(255, 0, 81)',
      'rgb(0, 139, 251)',
      'rgb(255, 0, 81)',
      'rgb(255, 0, 81)',
    ]);
  });

  it('more features than maxDisplay (default 10): maxDisplay − 1 bars and "Sum of N other features"', () => {
    const r = manyFeatures(14);
    const el = mount(renderShapBarPlot(r));
    const b = bars(el);
    expect(b).toHaveLength(10);
    expect(b.slice(0, 9).map((x) => x.dataset.feature)).toEqual(['t13', 't12', 't11', 't10', 't9', 't8', 't7', 't6', 't5']);
    const other = b[9]!;
    expect(other.dataset.feature).toBe('Sum of 5 other features');
    expect(other.dataset.rank).toBeUndefined();
    expect(other.querySelector('text')!.textContent).toBe('Sum of 5 other features');
    expect(Number(other.dataset.attribution)).toBeCloseTo(0.1 - 0.2 + 0.3 - 0.4 + 0.5, 12);
    // every feature is counted once: the bars still sum to fx − baseValue
    expect(values(el).reduce((a, v) => a + v, 0)).toBeCloseTo(r.fx!, 12);

    const three = mount(renderShapBarPlot(r, { maxDisplay: 3 }));
    expect(bars(three).map((x) => x.dataset.feature)).toEqual(['t13', 't12', 'Sum of 12 other features']);
    expect(bars(mount(renderShapBarPlot(r, { maxDisplay: 14 }))).map((x) => x.dataset.feature)).not.toContain('Sum of 1 other features');
    expect(() => renderShapBarPlot(r, { maxDisplay: 0 })).toThrow(/maxDisplay/);
  });
});
