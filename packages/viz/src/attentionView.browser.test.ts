import { beforeAll, describe, expect, it } from 'vitest';
import { userEvent } from 'vitest/browser';
import { type AttentionMaps, SequenceClassificationExplainer, aggregate, env, rollout } from '@glassbox/core';
import { renderAttention } from './attentionView.ts';

/** Raw attention maps of distilbert-sst2-tiny's forward pass on the refs' first sentence (cpu). */
const BASE = '/test/fixtures/models';
const EVIL = '<img src=x onerror="window.__pwned=1">';

/** The shown matrix, from the cells' data-value, rows queries. */
function shown(root: Element): number[][] {
  return Array.from(root.querySelectorAll('table.gbv-attention-matrix tbody tr'), (tr) =>
    Array.from(tr.querySelectorAll('td'), (td) => Number(td.dataset.value)),
  );
}

describe('renderAttention on a raw capture of distilbert-sst2-tiny', () => {
  let raw: AttentionMaps;
  let tokens: string[];
  beforeAll(async () => {
    env.allowLocalModels = true;
    env.allowRemoteModels = false;
    const inp = (await (await fetch(`${BASE}/distilbert-sst2-tiny/refs.json`)).json()).inputs[0];
    const explainer = await SequenceClassificationExplainer.fromPretrained(`${BASE}/distilbert-sst2-tiny`, { device: 'cpu' });
    const r = await explainer.explain(inp.text, { method: 'saliency', attention: 'raw' });
    raw = r.attentions as AttentionMaps;
    tokens = r.tokens.map((t) => t.token);
    expect(tokens).toEqual(inp.tokens);
  });

  it('a layer × head grid; the selected head with token labels on both axes, values in data attributes', () => {
    const root = renderAttention(raw, tokens, { model: 'distilbert-sst2-tiny' });
    const [layers, heads, t] = [raw.length, raw[0]!.length, tokens.length];
    expect([layers, heads]).toEqual([2, 2]);
    expect({ ...root.dataset }).toMatchObject({ model: 'distilbert-sst2-tiny', method: 'raw', kind: 'attention', aggregate: 'none' });
    expect(root.querySelectorAll('button[data-layer][data-head]')).toHaveLength(layers * heads);
    expect(root.querySelectorAll('button.gbv-attention-cell')).toHaveLength(layers * heads); // no reduced maps without aggregate
    expect(root.querySelectorAll('button canvas')[0]).toMatchObject({ width: t, height: t });
    const view = root.querySelector('.gbv-attention-view')!;
    expect([view.getAttribute('data-layer'), view.getAttribute('data-head')]).toEqual(['0', '0']);
    expect(shown(root)).toEqual(raw[0]![0]);
    expect(Array.from(root.querySelectorAll('thead th[data-key]'), (th) => th.textContent)).toEqual(tokens);
    expect(Array.from(root.querySelectorAll('tbody th[data-query]'), (th) => th.textContent)).toEqual(tokens);
    const cell = root.querySelector<HTMLElement>('td[data-query="1"][data-key="2"]')!;
    expect(cell.title).toBe(`${tokens[1]} → ${tokens[2]}: ${Number(raw[0]![0]![1]![2]!.toPrecision(4))}`);
  });

  it('median over heads and layers equals core’s aggregate; clicking and the keyboard select maps', async () => {
    const root = renderAttention(raw, tokens, { aggregate: 'median' });
    document.body.append(root);
    const [layers, heads] = [raw.length, raw[0]!.length];
    expect(root.querySelectorAll('button[data-layer][data-head]')).toHaveLength(layers * heads);
    expect(root.querySelectorAll('button.gbv-attention-cell')).toHaveLength((layers + 1) * (heads + 1)); // plus the reductions' row, column and corner
    expect(shown(root)).toEqual(aggregate(raw, { over: 'both', reduce: 'median' }));
    expect(root.querySelector('.gbv-attention-title')!.textContent).toBe('median over layers and heads');

    root.querySelector<HTMLButtonElement>('button[data-layer="1"]:not([data-head])')!.click();
    expect(shown(root)).toEqual(aggregate(raw, { over: 'heads', reduce: 'median' })[1]);
    root.querySelector<HTMLButtonElement>('button[data-head="1"]:not([data-layer])')!.click();
    expect(shown(root)).toEqual(aggregate(raw, { over: 'layers', reduce: 'median' })[1]);

    const head = root.querySelector<HTMLButtonElement>('button[data-layer="1"][data-head="0"]')!;
    head.focus();
    await userEvent.keyboard('{Enter}');
    expect(shown(root)).toEqual(raw[1]![0]);
    expect(head.getAttribute('aria-pressed')).toBe('true');
    expect(root.querySelectorAll('button[aria-pressed="true"]')).toHaveLength(1);

    // cells: one tab stop, arrows move, the focused value is read out
    const first = root.querySelector<HTMLElement>('td[data-query="0"][data-key="0"]')!;
    expect(root.querySelectorAll('td[tabindex="0"]')).toHaveLength(1);
    first.focus();
    await userEvent.keyboard('{ArrowRight}{ArrowDown}');
    const now = document.activeElement as HTMLElement;
    expect([now.dataset.query, now.dataset.key]).toEqual(['1', '1']);
    expect(root.querySelector('output')!.textContent).toBe(now.title);
    expect(root.querySelectorAll('td[tabindex="0"]')).toHaveLength(1);
    root.remove();
  });

  it('mean over heads of a chosen layer; a single [T][T] map (rollout) without the grid', () => {
    const root = renderAttention(raw, tokens, { aggregate: 'mean', layer: 1 });
    expect(shown(root)).toEqual(aggregate(raw, { over: 'heads', reduce: 'mean' })[1]);
    const rolled = rollout(raw);
    const single = renderAttention(rolled, tokens, { method: 'rollout' });
    expect(single.dataset.method).toBe('rollout');
    expect(single.querySelectorAll('button')).toHaveLength(0);
    expect(shown(single)).toEqual(rolled);
  });

  it('token strings are text: a token of markup renders literally and runs nothing', async () => {
    const evil = tokens.map((t, i) => (i === 1 ? EVIL : t));
    const root = renderAttention(raw, evil, { aggregate: 'median' });
    document.body.append(root);
    expect(root.querySelector('img')).toBeNull();
    expect(root.querySelector('thead th[data-key="1"]')!.textContent).toBe(EVIL);
    expect(root.querySelector('tbody th[data-query="1"]')!.textContent).toBe(EVIL);
    expect(root.querySelector<HTMLElement>('td[data-query="1"][data-key="1"]')!.title.startsWith(`${EVIL} → ${EVIL}: `)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect((window as { __pwned?: number }).__pwned).toBeUndefined();
    root.remove();
  });

  it('refuses tokens that do not label the maps, and layers or heads out of range', () => {
    expect(() => renderAttention(raw, tokens.slice(1))).toThrow(/one token per key/);
    expect(() => renderAttention(raw, tokens, { layer: 2 })).toThrow(/layer 2/);
    expect(() => renderAttention(raw, tokens, { head: -1 })).toThrow(/head -1/);
    expect(() => renderAttention(raw, tokens, { aggregate: 'mode' as never })).toThrow(/aggregate "mode"/);
  });
});
