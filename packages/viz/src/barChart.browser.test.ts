import { describe, expect, it } from 'vitest';
import { renderBarChart } from './barChart.ts';
import { sampleQuestionAnswering, sampleSequence } from './samples.ts';
import { mounter } from './testing.ts';

const mount = mounter();
const bars = (el: Element) => Array.from(el.querySelectorAll<SVGGElement>('svg [data-token]'));
const rect = (g: SVGGElement) => g.querySelector('rect');
const zeroX = (el: Element) => Number(el.querySelector('line.gbv-axis')!.getAttribute('x1'));

describe('renderBarChart', () => {
  it('one bar group per word, in text order, with the exact value, a label and a title', () => {
    const r = sampleSequence();
    const el = mount(renderBarChart(r, { granularity: 'word' }));
    expect(el.dataset.model).toBe(r.model);
    expect(el.dataset.method).toBe(r.method);
    const g = bars(el);
    expect(g.map((b) => b.dataset.token)).toEqual(r.words.map((w) => w.word));
    expect(g.map((b) => Number(b.dataset.attribution))).toEqual(r.words.map((w) => w.attribution));
    expect(g.map((b) => b.querySelector('text')!.textContent)).toEqual(['a', 'gripping', 'film']);
    expect(g[1]!.querySelector('title')!.textContent).toBe('gripping\nattribution: +0.8600\nrank: 1 of 3');
    expect(g.every((b) => b.getAttribute('tabindex') === '0')).toBe(true);
  });

  it('bars start at the zero axis, go right for positive and left for negative values, lengths proportional', () => {
    const r = sampleSequence();
    const el = mount(renderBarChart(r, { granularity: 'word' }));
    const x0 = zeroX(el);
    const [a, gripping, film] = bars(el).map((g) => rect(g)!);
    for (const b of [a!, gripping!]) expect(Number(b.getAttribute('x'))).toBe(x0);
    expect(Number(film!.getAttribute('x')) + Number(film!.getAttribute('width'))).toBeCloseTo(x0, 1);
    const w = (b: SVGRectElement) => Number(b.getAttribute('width'));
    expect(w(gripping!) / w(film!)).toBeCloseTo(0.86 / 0.42, 2);
    expect(w(a!) / w(film!)).toBeCloseTo(0.12 / 0.42, 2);
  });

  it('positive bars blue, negative bars red (the colormap’s arms)', () => {
    const el = mount(renderBarChart(sampleSequence(), { granularity: 'word' }));
    const fills = bars(el).map((g) => getComputedStyle(rect(g)!).fill.match(/\d+/g)!.map(Number));
    for (const [r, , b] of fills.slice(0, 2)) expect(b).toBeGreaterThan(r!);
    const [r, , b] = fills[2]!;
    expect(r).toBeGreaterThan(b!);
  });

  it('token granularity, and no bar for a null attribution (QA occlusion, end side)', () => {
    const r = sampleQuestionAnswering();
    const el = mount(renderBarChart(r, { select: 'end' }));
    const g = bars(el);
    expect(g.map((b) => b.dataset.token)).toEqual(r.end!.tokens.map((t) => t.token));
    expect(g.map((b) => rect(b) !== null)).toEqual(r.end!.tokens.map((t) => t.attribution !== null));
    expect(g[0]!.querySelector('title')!.textContent).toContain('attribution: none');
  });
});

/** A result over [CLS] tokens… [SEP] with the given token texts and attributions. */
function withTokens(texts: readonly string[], values: readonly number[]) {
  const base = sampleSequence();
  const spec = (token: string) => ({ token, id: 0, start: null, end: null, special: true, attribution: 0 });
  const inner = texts.map((token, i) => ({
    token,
    id: i,
    start: null,
    end: null,
    special: false,
    attribution: values[i % values.length]!,
  }));
  return {
    ...base,
    tokens: [spec('[CLS]'), ...inner, spec('[SEP]')],
    words: inner.map((t, i) => ({ word: t.token, start: 0, end: 0, tokens: [i + 1], attribution: t.attribution })),
  };
}

type Box = { x: number; y: number; width: number; height: number; text: string };
/** Every text of the chart with its measured box, in the svg's units (its viewBox is its size in px). */
const textBoxes = (el: Element, selector = 'svg text'): Box[] =>
  Array.from(el.querySelectorAll<SVGTextElement>(selector), (t) => {
    const { x, y, width, height } = t.getBBox();
    return { x, y, width, height, text: t.textContent! };
  });
const overlap = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** No two texts of the chart overlap, and each lies inside the svg. */
function expectLaidOut(el: Element): void {
  const svg = el.querySelector('svg')!;
  const [width, height] = [Number(svg.getAttribute('width')), Number(svg.getAttribute('height'))];
  const boxes = textBoxes(el);
  expect(boxes.length).toBeGreaterThan(0);
  for (const b of boxes) {
    expect(b.x, b.text).toBeGreaterThanOrEqual(0);
    expect(b.x + b.width, b.text).toBeLessThanOrEqual(width);
    expect(b.y + b.height, b.text).toBeLessThanOrEqual(height);
  }
  const clashes = boxes.flatMap((a, i) =>
    boxes
      .slice(i + 1)
      .filter((b) => overlap(a, b))
      .map((b) => `${a.text} / ${b.text}`),
  );
  expect(clashes).toEqual([]);
}

describe('bar chart layout, measured in Chromium', () => {
  it('tick labels never overlap, with 0 at or next to either end of the axis', () => {
    for (const values of [
      [1, -0.001],
      [-1, 0.001],
      [0.0123, -0.0001],
      [-0.5, 0.5],
      [1e-7, -3e-9],
      [0.8, 0.2],
      [-0.8, -0.2],
      [123.4567, -0.5678],
      [0, 0],
    ]) {
      const el = mount(renderBarChart(withTokens(['a', 'b'], values)));
      expect(textBoxes(el, 'svg text[data-tick]').length, String(values)).toBeGreaterThanOrEqual(2);
      expectLaidOut(el);
    }
  });

  it('many tokens and long or wide ones: labels cut to fit left of the bars, no text overlaps another', () => {
    const long = [
      'supercalifragilisticexpialidocious',
      'WWWWWWWWWWWWWWWWWWWWWWWWWWWW',
      'MMMMMMMMMMMMMMMMMMMMMMMMMM',
      '国際化対応のテスト文字列ですよ本当に長い',
      '👩‍👩‍👧‍👦👩‍👩‍👧‍👦👩‍👩‍👧‍👦👩‍👩‍👧‍👦👩‍👩‍👧‍👦👩‍👩‍👧‍👦',
      'ÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉ',
      '##ation',
      'a',
    ];
    const texts = Array.from({ length: 80 }, (_, i) => long[i % long.length]!);
    const el = mount(renderBarChart(withTokens(texts, [0.9, -0.0004, 0.31, -0.77, 1e-6])));
    expectLaidOut(el);
    const labels = Array.from(el.querySelectorAll('[data-token] text:first-of-type'), (t) => t.textContent!);
    expect(labels).toHaveLength(82); // [CLS] and [SEP] too
    expect(labels.filter((l) => l.endsWith('…')).length).toBeGreaterThan(0);
    // A label ends left of the plot: the leftmost bar starts at or right of it.
    const plotLeft = Math.min(...Array.from(el.querySelectorAll('svg rect'), (r) => Number(r.getAttribute('x'))));
    for (const t of Array.from(el.querySelectorAll<SVGTextElement>('[data-token] text:first-of-type')))
      expect(t.getBBox().x + t.getBBox().width).toBeLessThanOrEqual(plotLeft);
  });
});
