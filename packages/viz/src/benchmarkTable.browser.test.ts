import { afterEach, describe, expect, it } from 'vitest';
import { type BenchmarkTable, METRIC_BETTER, benchmarkScale, renderBenchmark } from './benchmarkTable.ts';
import { mounter } from './testing.ts';

const mount = mounter();
const XSS = '<img src=x onerror="window.__pwned=1">';
type Pwnable = Window & { __pwned?: number };

/** Two methods over four tokens (the third a hostile string), as core's `benchmark` returns them. */
function sample(token = 'film'): BenchmarkTable & { model: string } {
  return {
    model: 'distilbert-sst2-tiny',
    target: { index: 1, label: 'POSITIVE' },
    metrics: ['deletion', 'insertion', 'comprehensiveness', 'sufficiency'],
    methods: [
      {
        method: 'integrated-gradients',
        tokens: [
          { token: '[CLS]', attribution: 0 },
          { token: 'grip', attribution: 0.5 },
          { token, attribution: -0.25 },
          { token: '[SEP]', attribution: 0.25 },
        ],
        metrics: { deletion: 0.2, insertion: 0.9, comprehensiveness: 0.4, sufficiency: 0.05 },
      },
      {
        method: 'occlusion',
        tokens: [
          { token: '[CLS]', attribution: null },
          { token: 'grip', attribution: 0.8 },
          { token, attribution: 0.2 },
          { token: '[SEP]', attribution: null },
        ],
        metrics: { deletion: 0.3, insertion: 0.95, comprehensiveness: 0.1, sufficiency: 0.01 },
      },
    ],
  };
}

const cells = (el: Element) => Array.from(el.querySelectorAll('tbody tr')).map((tr) => Array.from(tr.children).map((c) => c.textContent));

describe('renderBenchmark', () => {
  afterEach(() => delete (window as Pwnable).__pwned);

  it('methods × tokens heat cells, then the metric columns; headers say which way is better', () => {
    const el = mount(renderBenchmark(sample()));
    expect(el.dataset.kind).toBe('benchmark');
    expect(el.dataset.model).toBe('distilbert-sst2-tiny');
    expect(el.dataset.target).toBe('POSITIVE');
    expect(Array.from(el.querySelectorAll('thead th')).map((th) => th.textContent)).toEqual([
      'Method',
      '[CLS]',
      'grip',
      'film',
      '[SEP]',
      'deletion ↓',
      'insertion ↑',
      'comprehensiveness ↑',
      'sufficiency ↓',
    ]);
    expect(cells(el)).toEqual([
      ['integrated-gradients', '0.00', '0.50', '-0.25', '0.25', '0.200', '0.900', '0.400', '0.050'],
      ['occlusion', '–', '0.80', '0.20', '–', '0.300', '0.950', '0.100', '0.010'],
    ]);
    expect(Array.from(el.querySelectorAll<HTMLElement>('tbody tr')).map((tr) => tr.dataset.method)).toEqual([
      'integrated-gradients',
      'occlusion',
    ]);
    const attrs = Array.from(el.querySelectorAll<HTMLElement>('tbody tr:first-child td[data-token]')).map((td) => [
      td.dataset.token,
      td.dataset.attribution,
    ]);
    expect(attrs).toEqual([
      ['[CLS]', '0'],
      ['grip', '0.5'],
      ['film', '-0.25'],
      ['[SEP]', '0.25'],
    ]);
  });

  it('the best method of each metric (lower deletion and sufficiency, higher insertion and comprehensiveness)', () => {
    const el = mount(renderBenchmark(sample()));
    const best = Array.from(el.querySelectorAll<HTMLElement>('td[data-best]')).map((td) => [
      td.dataset.metric,
      td.closest('tr')!.dataset.method,
    ]);
    expect(best).toEqual([
      ['deletion', 'integrated-gradients'],
      ['comprehensiveness', 'integrated-gradients'],
      ['insertion', 'occlusion'],
      ['sufficiency', 'occlusion'],
    ]);
    expect(METRIC_BETTER).toMatchObject({ deletion: 'lower', insertion: 'higher', comprehensiveness: 'higher', sufficiency: 'lower' });
  });

  it('colours: one scale over the table (the largest |attribution|): full blue at +max, red for negative, none for null', () => {
    expect(benchmarkScale(sample())).toBe(0.8);
    const el = mount(renderBenchmark(sample()));
    const bg = (row: number, col: number) =>
      getComputedStyle(el.querySelectorAll('tbody tr')[row]!.querySelectorAll('td[data-token]')[col]!).backgroundColor;
    const [r, g, b] = bg(1, 1).match(/\d+/g)!.map(Number);
    expect(b).toBeGreaterThan(r!);
    expect(b).toBeGreaterThan(g!);
    const [r2, , b2] = bg(0, 2).match(/\d+/g)!.map(Number);
    expect(r2).toBeGreaterThan(b2!);
    expect(el.querySelectorAll('tbody tr')[1]!.querySelector('td[data-token]')!.getAttribute('style')).toBeNull();
    // the legend shows the same scale; colorMax overrides it
    expect(el.querySelector<HTMLElement>('[data-view="legend"]')!.dataset.scale).toBe('0.8');
    expect(mount(renderBenchmark(sample(), { colorMax: 1, legend: false })).querySelector('[data-view="legend"]')).toBeNull();
  });

  it('an untrusted token is text, never markup', async () => {
    const el = mount(renderBenchmark(sample(XSS)));
    expect(el.querySelectorAll('img, script').length).toBe(0);
    expect(el.querySelector('thead th[data-token]:nth-child(4)')!.textContent).toBe(XSS);
    expect(Array.from(el.querySelectorAll<HTMLElement>('td[data-token]')).filter((td) => td.dataset.token === XSS)).toHaveLength(2);
    for (const node of [el, ...Array.from(el.querySelectorAll('*'))])
      expect(Array.from(node.attributes).filter((a) => /^on/i.test(a.name))).toEqual([]);
    // a few turns of the event loop, for any error/load handler that might have been queued
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 0))));
    expect((window as Pwnable).__pwned).toBeUndefined();
  });

  it('a metric not computed reads "–"; an empty benchmark renders an empty body', () => {
    const s = sample();
    const one = { ...s, methods: [{ ...s.methods[0]!, metrics: { deletion: 0.2 } }] };
    expect(cells(mount(renderBenchmark(one)))[0]!.slice(5)).toEqual(['0.200', '–', '–', '–']);
    expect(mount(renderBenchmark({ metrics: [], methods: [] })).querySelectorAll('tbody tr')).toHaveLength(0);
  });
});
