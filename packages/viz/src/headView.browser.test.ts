import { type AttentionMaps, SequenceClassificationExplainer, aggregate, env } from '@glassbox/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { attentionMapsView } from './attentionMaps.ts';
import { renderAttention } from './attentionView.ts';
import { toElement } from './dom.ts';
import { HEAD_COLOURS, renderHeadView } from './headView.ts';
import { toHTML } from './html.ts';
import { render } from './render.ts';
import { sampleSequence } from './samples.ts';
import { mounter } from './testing.ts';

const BASE = '/test/fixtures/models';
const mount = mounter();

/** Every line of a head view: [head, query, key, weight], and its colour and opacity. */
const lines = (root: ParentNode) =>
  Array.from(root.querySelectorAll<SVGLineElement>('.gbv-head-view line'), (l) => ({
    at: [Number(l.dataset.head), Number(l.dataset.query), Number(l.dataset.key), Number(l.dataset.weight)],
    stroke: l.getAttribute('stroke'),
    opacity: Number(l.getAttribute('stroke-opacity')),
    ys: [Number(l.getAttribute('y1')), Number(l.getAttribute('y2'))],
  }));
/** Every weight above 0 of [heads][T][T] maps, as [head, query, key, weight], in order. */
const weights = (heads: number[][][]) =>
  heads.flatMap((m, h) => m.flatMap((row, q) => row.flatMap((w, k) => (w > 0 ? [[h, q, k, w]] : []))));
/** The shown heat map's values, rows queries. */
const cells = (table: Element) =>
  Array.from(table.querySelectorAll('tbody tr'), (tr) => Array.from(tr.querySelectorAll('td'), (td) => Number(td.dataset.value)));

describe('head view (bertviz) and the attention maps as labelled heat maps', () => {
  let raw: AttentionMaps;
  let tokens: string[];
  beforeAll(async () => {
    env.allowLocalModels = true;
    env.allowRemoteModels = false;
    const explainer = await SequenceClassificationExplainer.fromPretrained(`${BASE}/distilbert-sst2-tiny`, { device: 'cpu' });
    const r = await explainer.explain('A gripping film.', { method: 'saliency', attention: 'raw' });
    raw = r.attentions as AttentionMaps;
    tokens = r.tokens.map((t) => t.token);
  });

  it('one layer: a line from each query (left) to each key (right) per head, weight as opacity, one colour per head', () => {
    const el = mount(renderHeadView(raw[1]!, tokens, { title: 'Layer 1', layer: 1 }));
    const fig = el.querySelector<HTMLElement>('[data-view="heads"]')!;
    expect([fig.dataset.layer, fig.querySelector('figcaption')!.textContent]).toEqual(['1', 'Layer 1']);
    const got = lines(el);
    expect(got.map((l) => l.at)).toEqual(weights(raw[1]!));
    for (const l of got) {
      expect(l.stroke).toBe(HEAD_COLOURS[l.at[0]!]);
      expect(l.opacity).toBeCloseTo(l.at[3]!, 3);
    }
    // Each line runs from its query's label to its key's label.
    const y = (side: string, i: number) => Number(el.querySelector(`text[data-${side}="${i}"]`)!.getAttribute('y'));
    for (const l of got.slice(0, 20)) expect(l.ys).toEqual([y('query', l.at[1]!), y('key', l.at[2]!)]);
    expect(Array.from(el.querySelectorAll('.gbv-head-queries text'), (t) => t.getAttribute('data-token'))).toEqual(tokens);
    expect(Array.from(el.querySelectorAll('.gbv-head-keys text'), (t) => t.getAttribute('data-token'))).toEqual(tokens);
    expect(el.querySelectorAll('.gbv-head-key')).toHaveLength(raw[1]!.length);
  });

  it("next to renderAttention's grid: follows the selected layer, or the maps reduced over layers", () => {
    const root = mount(renderAttention(raw, tokens, { aggregate: 'median' }));
    const grid = root.querySelector('.gbv-attention-grid')!;
    expect(grid.nextElementSibling!.matches('[data-view="heads"]')).toBe(true);
    expect(lines(root).map((l) => l.at)).toEqual(weights(aggregate(raw, { over: 'layers', reduce: 'median' })));
    root.querySelector<HTMLButtonElement>('button[data-layer="1"][data-head="0"]')!.click();
    expect(root.querySelector<HTMLElement>('[data-view="heads"]')!.dataset.layer).toBe('1');
    expect(lines(root).map((l) => l.at)).toEqual(weights(raw[1]!));
  });

  it("reduced maps (the CLI's --attention-reduce) in render and toHTML: labelled heat maps, titled by the reduction", () => {
    const both = aggregate(raw, { over: 'both', reduce: 'median' });
    const result = {
      ...sampleSequence(),
      tokens: tokens.map((token) => ({ token, id: 0, start: null, end: null, special: false, attribution: 0.1 })),
      attentions: both,
    };
    const el = mount(render(result, { attentionReduction: { reduce: 'median', over: 'both' } }));
    const maps = el.querySelectorAll<HTMLElement>('[data-view="attention"] .gbv-attention-map');
    expect(Array.from(maps, (m) => m.dataset.title)).toEqual(['median over layers and heads']);
    expect(cells(maps[0]!)).toEqual(both);
    expect(Array.from(maps[0]!.querySelectorAll('thead th[data-key]'), (th) => th.textContent)).toEqual(tokens);
    expect(Array.from(maps[0]!.querySelectorAll('tbody th[data-query]'), (th) => th.textContent)).toEqual(tokens);
    expect(el.querySelector('[data-view="heads"]')).toBeNull();

    const overHeads = aggregate(raw, { over: 'heads', reduce: 'max' });
    // [layers][T][T]: the CLI's shape, which the library's results do not have.
    const doc = new DOMParser().parseFromString(
      toHTML({ ...result, attentions: overHeads } as never, { attentionReduction: { reduce: 'max', over: 'heads' } }),
      'text/html',
    );
    const tables = doc.querySelectorAll<HTMLElement>('.gbv-attention-map');
    expect(Array.from(tables, (m) => m.dataset.title)).toEqual(['Layer 0, max over heads', 'Layer 1, max over heads']);
    expect(Array.from(tables, (t) => cells(t))).toEqual(overHeads);

    // Raw maps: a heat map per layer and head, and each layer's head view.
    const rawView = toElement(attentionMapsView(raw, tokens));
    expect(rawView.querySelectorAll('.gbv-attention-map')).toHaveLength(raw.length * raw[0]!.length);
    expect(Array.from(rawView.querySelectorAll<HTMLElement>('[data-view="heads"]'), (f) => f.dataset.layer)).toEqual(['0', '1']);
  });
});
