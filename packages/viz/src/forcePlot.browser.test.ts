import type { SequenceClassificationResult } from '@glassbox/core';
import { describe, expect, it } from 'vitest';
import { renderForcePlot } from './forcePlot.ts';
import { render } from './render.ts';
import { sampleSequence, sampleShapley } from './samples.ts';
import { mounter } from './testing.ts';

const mount = mounter();
const features = (el: Element) => Array.from(el.querySelectorAll<SVGGElement>('svg [data-feature]'));
/** A feature's polygon as [left, right] of its body (without the point or the notch). */
const extent = (g: SVGGElement): [number, number] => {
  const xs = g
    .querySelector('polygon')!
    .getAttribute('points')!
    .split(' ')
    .map((p) => Number(p.split(',')[0]));
  return [xs[0]!, xs[1]!];
};
const markerX = (el: Element, cls: string) => Number(el.querySelector(`line.${cls}`)!.getAttribute('x1'));

/** The sample at word granularity: 'gripping' is one unit, its two tokens sharing its value. */
function wordUnits(): SequenceClassificationResult {
  const r = sampleShapley();
  const unit = [undefined, 0, 1, 1, 2, undefined];
  const value = [null, 0.05, 0.425, 0.425, -0.2, null];
  return {
    ...r,
    tokens: r.tokens.map((t, i) => ({ ...t, attribution: value[i]!, ...(unit[i] !== undefined && { unit: unit[i] }) })),
    words: r.words.map((w, k) => ({ ...w, attribution: value[w.tokens[0]!]!, tokens: w.tokens, start: k, end: k })),
  };
}

describe('renderForcePlot', () => {
  it('base value and f(x) on the axis, the features between them: red up to f(x), blue down from it, largest next to f(x)', () => {
    const r = sampleShapley();
    const el = mount(renderForcePlot(r));
    expect([el.dataset.model, el.dataset.method]).toEqual([r.model, 'kernel-shap']);
    const svg = el.querySelector<SVGSVGElement>('svg[data-view="force"]')!;
    expect([svg.dataset.baseValue, svg.dataset.fx]).toEqual(['0.6', '0.875']);
    expect(el.querySelector('[data-field="fx"]')!.textContent).toBe('f(x) = 0.8750');
    expect(el.querySelector('[data-field="base-value"]')!.textContent).toBe('base value = 0.6000');
    const g = features(el);
    expect(g.map((f) => f.dataset.feature)).toEqual(['grip', '##ping', 'a', 'film']);
    expect(g.map((f) => Number(f.dataset.attribution))).toEqual([0.3, 0.125, 0.05, -0.2]);
    expect(g.map((f) => getComputedStyle(f.querySelector('polygon')!).fill)).toEqual([
      ...Array(3).fill('rgb(255, 0, 81)'),
      'rgb(0, 139, 251)',
    ]);
    expect(g[0]!.querySelector('title')!.textContent).toBe('grip\nattribution: +0.3000\nrank: 1 of 4');
    expect(g.every((f) => f.getAttribute('tabindex') === '0')).toBe(true);

    // One linear axis: px per unit from the two markers; each feature as wide as |value|, end to end from f(x).
    const [fx, base] = [markerX(el, 'gbv-fx-marker'), markerX(el, 'gbv-base-marker')];
    const scale = (fx - base) / (0.875 - 0.6);
    const [grip, ping, a, film] = g.map(extent);
    expect(grip![1]).toBeCloseTo(fx, 1);
    expect(ping![1]).toBeCloseTo(grip![0], 1);
    expect(a![1]).toBeCloseTo(ping![0], 1);
    expect(film![0]).toBeCloseTo(fx, 1);
    g.map(extent).forEach(([x0, x1], i) => expect((x1 - x0) / scale).toBeCloseTo(Math.abs(Number(g[i]!.dataset.attribution)), 2));
    // Σφ + baseValue = fx on the plot: the red run minus the blue one spans base → f(x).
    expect(a![0] + (film![1] - film![0])).toBeCloseTo(base, 1);
    expect(g.map((f) => f.querySelector('text')!.textContent)).toEqual(['grip', '##ping', 'a', 'film']);
  });

  it('a word-granularity result: each unit once (its tokens share its value), so the values still sum to f(x) − base', () => {
    const el = mount(renderForcePlot(wordUnits()));
    const g = features(el);
    expect(g.map((f) => f.dataset.feature)).toEqual(['gripping', 'a', 'film']);
    const sum = g.reduce((acc, f) => acc + Number(f.dataset.attribution), 0);
    expect(sum + 0.6).toBeCloseTo(0.875, 12);
  });

  it('a result without a base value (not a Shapley method) gets a note', () => {
    const el = mount(renderForcePlot(sampleSequence()));
    expect(el.querySelector('svg')).toBeNull();
    expect(el.querySelector('[data-view="force"]')!.textContent).toMatch(/Shapley/);
  });

  it('render shows the force and shap bar plots for Shapley results only', () => {
    const views = (r: SequenceClassificationResult) =>
      Array.from(mount(render(r)).querySelectorAll('[data-view]'), (v) => v.getAttribute('data-view'));
    expect(views(sampleShapley())).toEqual(['tokens', 'legend', 'force', 'bars', 'shap-bars', 'table']);
    expect(views(sampleSequence())).toEqual(['tokens', 'legend', 'bars', 'table']);
  });

  it('labels stay inside the plot and never overlap, whatever the values', () => {
    const long = ['supercalifragilisticexpialidocious', 'WWWWWWWWWWWW', '国際化対応のテスト', 'a', '👩‍👩‍👧‍👦👩‍👩‍👧‍👦'];
    const cases: [number[], number][] = [
      [[0.9, -0.0004, 0.31, -0.77, 1e-6], 0.1],
      [[1e-7, -3e-9], 5],
      [[0, 0], 0],
      [[-40, 2, 3], 100],
      [[0.5, 0.5, 0.5, 0.5, 0.5], -1],
    ];
    for (const [values, base] of cases) {
      const tokens = values.map((v, i) => ({ token: long[i]!, id: i, start: null, end: null, special: false, attribution: v }));
      const fx = base + values.reduce((a, v) => a + v, 0);
      const el = mount(renderForcePlot({ ...sampleShapley(), tokens, words: [], baseValue: base, fx }));
      const svg = el.querySelector('svg')!;
      const boxes = Array.from(svg.querySelectorAll<SVGTextElement>('text'), (t) => {
        const { x, y, width, height } = t.getBBox();
        return { x, y, width, height, text: t.textContent! };
      }).filter((b) => b.width > 0);
      for (const b of boxes) {
        expect(b.x, b.text).toBeGreaterThanOrEqual(0);
        expect(b.x + b.width, b.text).toBeLessThanOrEqual(Number(svg.getAttribute('width')));
      }
      const clash = boxes.flatMap((p, i) =>
        boxes
          .slice(i + 1)
          .filter((q) => p.x < q.x + q.width && q.x < p.x + p.width && p.y < q.y + q.height && q.y < p.y + p.height)
          .map((q) => `${p.text} / ${q.text}`),
      );
      expect(clash, String(values)).toEqual([]);
    }
  });
});
