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
