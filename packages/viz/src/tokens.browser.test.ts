import type { SequenceClassificationResult } from '@glassbox/core';
import { describe, expect, it } from 'vitest';
import { luminance } from './colormap.ts';
import { renderTokens } from './tokens.ts';
import { sampleSequence, sampleTextGeneration } from './samples.ts';
import { groupWords } from './words.ts';
import { mounter } from './testing.ts';

const mount = mounter();

const spans = (el: Element) => Array.from(el.querySelectorAll<HTMLElement>('[data-view="tokens"] [data-token]'));
const rgb = (el: Element): [number, number, number] => {
  const m = getComputedStyle(el).backgroundColor.match(/^rgb\((\d+), (\d+), (\d+)\)$/);
  if (!m) throw new Error(`not an opaque rgb() background: ${getComputedStyle(el).backgroundColor}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
};

/** A classification result whose tokens t0, t1… have the given attributions. */
function withAttributions(values: (number | null)[]): SequenceClassificationResult {
  const tokens = values.map((attribution, i) => ({ token: `t${i}`, id: i, start: null, end: null, special: false, attribution }));
  return { ...sampleSequence(), tokens, words: [] };
}

describe('renderTokens', () => {
  it('one span per token, in order, with the exact attribution, the token text and the result attributes', () => {
    const r = sampleSequence();
    const el = mount(renderTokens(r));
    expect(el.dataset.model).toBe(r.model);
    expect(el.dataset.method).toBe('integrated-gradients');
    const s = spans(el);
    expect(s.map((e) => e.dataset.token)).toEqual(r.tokens.map((t) => t.token));
    expect(s.map((e) => e.dataset.attribution)).toEqual(r.tokens.map((t) => String(t.attribution)));
    expect(s.map((e) => Number(e.dataset.attribution))).toEqual(r.tokens.map((t) => t.attribution));
    expect(s.map((e) => e.textContent)).toEqual(r.tokens.map((t) => t.token));
    expect(s.every((e) => e.tabIndex === 0)).toBe(true);
  });

  it('keeps the exact double in data-attribution', () => {
    const v = [0.1 + 0.2, -1 / 3, 1e-9];
    const s = spans(mount(renderTokens(withAttributions(v))));
    expect(s.map((e) => Number(e.dataset.attribution))).toEqual(v);
  });

  it('colours: positive and negative on different arms, 0 neutral, darker with |value| on both arms', () => {
    const v = [0, 0.1, 0.3, 0.6, 1, -0.1, -0.3, -0.6, -1];
    const c = spans(mount(renderTokens(withAttributions(v)))).map(rgb);
    const [zero, pos, neg] = [c[0]!, c.slice(1, 5), c.slice(5)];
    expect(zero[0]).toBe(zero[1]);
    expect(zero[1]).toBe(zero[2]);
    expect(luminance(zero)).toBeGreaterThan(0.9);
    for (const [r, , b] of pos) expect(b).toBeGreaterThan(r); // blue
    for (const [r, , b] of neg) expect(r).toBeGreaterThan(b); // red
    for (const arm of [pos, neg]) {
      const l = [zero, ...arm].map(luminance);
      for (let i = 1; i < l.length; i++) expect(l[i]).toBeLessThan(l[i - 1]!);
    }
  });

  it('scales by the largest |attribution|: the same relative values get the same colours', () => {
    const a = spans(mount(renderTokens(withAttributions([0.5, -0.25, 0.1])))).map(rgb);
    const b = spans(mount(renderTokens(withAttributions([50, -25, 10])))).map(rgb);
    expect(b).toEqual(a);
    const dark = spans(mount(renderTokens(withAttributions([1])))).map(rgb);
    expect(a[0]).toEqual(dark[0]);
  });

  it('text colour contrasts with the background: white on the darkest, black on the lightest', () => {
    const s = spans(mount(renderTokens(withAttributions([1, -1, 0.05]))));
    expect(s.map((e) => getComputedStyle(e).color)).toEqual(['rgb(255, 255, 255)', 'rgb(255, 255, 255)', 'rgb(0, 0, 0)']);
  });

  it('null attributions: "null", no colour, no rank', () => {
    const s = spans(mount(renderTokens(withAttributions([null, 0.5]))));
    expect(s[0]!.dataset.attribution).toBe('null');
    expect(s[0]!.style.backgroundColor).toBe('');
    expect(s[0]!.title).toContain('attribution: none');
    expect(s[0]!.title).toContain('rank: –');
    expect(s[1]!.title).toContain('rank: 1 of 1');
  });

  it('title and aria-label show token, score and rank (1 = largest |attribution|)', () => {
    const r = sampleSequence();
    const s = spans(mount(renderTokens(r)));
    // |attributions| 0, 0.12, 0.55, 0.31, 0.42, 0.05 → ranks 6, 4, 1, 3, 2, 5
    expect(s.map((e) => e.dataset.rank)).toEqual(['6', '4', '1', '3', '2', '5']);
    expect(s[2]!.title).toBe('grip\nattribution: +0.5500\nrank: 1 of 6');
    expect(s[4]!.title).toBe('film\nattribution: -0.4200\nrank: 2 of 6');
    expect(s.every((e) => e.getAttribute('aria-label') === e.title)).toBe(true);
  });

  it('shows the tooltip on keyboard focus (CSS, no script)', () => {
    const s = spans(mount(renderTokens(sampleSequence())));
    expect(getComputedStyle(s[2]!, '::after').content).toBe('none');
    s[2]!.focus();
    expect(document.activeElement).toBe(s[2]);
    expect(getComputedStyle(s[2]!, '::after').content).toBe(JSON.stringify(s[2]!.title).replace(/\\n/g, '\\a '));
  });

  it('word granularity: the words and their summed attributions', () => {
    const r = sampleSequence();
    const el = mount(renderTokens(r, { granularity: 'word' }));
    const s = spans(el);
    expect(el.querySelector('[data-view="tokens"]')!.getAttribute('data-granularity')).toBe('word');
    expect(s.map((e) => e.dataset.token)).toEqual(['a', 'gripping', 'film']);
    expect(s.map((e) => Number(e.dataset.attribution))).toEqual(r.words.map((w) => w.attribution));
    expect(s.map((e) => e.dataset.rank)).toEqual(['3', '1', '2']);
  });

  it('words grouped from tokens where the result has none (byte-level BPE)', () => {
    const r = sampleTextGeneration();
    const s = spans(mount(renderTokens(r, { granularity: 'word', select: 1 })));
    expect(s.map((e) => e.dataset.token)).toEqual(['I', 'watched', 'the', 'film']);
    expect(s.map((e) => Number(e.dataset.attribution))).toEqual(r.matrix[1]!.slice(0, 4));
  });

  it('words grouped from WordPiece tokens: ## joins, punctuation and specials stand apart, sums (null if any null)', () => {
    const t = (text: string, attribution: number | null, special = false) => ({ text, attribution, special });
    expect(
      groupWords([
        t('[CLS]', 0, true),
        t('un', 0.25),
        t('##believ', 0.5),
        t('##able', 0.125),
        t(',', 0.1),
        t('film', null),
        t('##s', 1),
        t('[SEP]', 0, true),
        t('##x', 2),
      ]),
    ).toEqual([t('unbelievable', 0.875), t(',', 0.1), t('films', null), t('x', 2)]);
  });

  it('showSpecial: false leaves out [CLS] and [SEP]', () => {
    const s = spans(mount(renderTokens(sampleSequence(), { showSpecial: false })));
    expect(s.map((e) => e.dataset.token)).toEqual(['a', 'grip', '##ping', 'film']);
  });

  it('legend: the colour bar with −max, 0, +max; left out with legend: false', () => {
    const el = mount(renderTokens(withAttributions([0.25, -0.5])));
    const ticks = Array.from(el.querySelectorAll('[data-view="legend"] [data-tick]')).map((t) => t.textContent);
    expect(ticks).toEqual(['-0.5000', '0', '+0.5000']);
    const bar = el.querySelector<HTMLElement>('.gbv-legend-bar')!;
    expect(getComputedStyle(bar).backgroundImage).toMatch(/^linear-gradient/);
    expect(mount(renderTokens(withAttributions([1]), { legend: false })).querySelector('[data-view="legend"]')).toBeNull();
  });
});
