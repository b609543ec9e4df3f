import type { SequenceClassificationResult } from '@glassbox/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderAttention } from './attentionView.ts';
import { renderBarChart } from './barChart.ts';
import { renderForcePlot } from './forcePlot.ts';
import { renderShapBarPlot } from './shapBarPlot.ts';
import { render } from './render.ts';
import { rowsOf } from './rows.ts';
import { SAMPLE_LABEL, SAMPLE_TOKEN, sampleResults, sampleSequence } from './samples.ts';
import { renderTable } from './table.ts';
import { hostileString as hostile } from './fuzzStrings.ts';
import { modelName } from './meta.ts';
import { mounter } from './testing.ts';
import { displayToken, renderTokens } from './tokens.ts';

/**
 * xss.browser.test.ts checks fixed hostile strings; this fuzzes them (fast-check): random
 * token, word, label and model strings (markup with handlers that set a flag, control
 * characters, bidi marks, ZWJ emoji, lone surrogates, long tokens, prototype keys) rendered
 * into the live page by every text view and the attention view. Nothing runs (the flag stays
 * unset after the event loop turns), the elements and attribute names are exactly those of
 * the same result with harmless strings, and each token's text is shown exactly.
 */
type Flagged = Window & { __fuzzPwned?: unknown };

/** The elements under `root` (itself included), each as its tag and attribute names: the markup, without the text. */
const markup = (root: Element) =>
  [root, ...Array.from(root.querySelectorAll('*'))].map(
    (el) =>
      `${el.tagName} ${Array.from(el.attributes, (a) => a.name)
        .sort()
        .join(' ')}`,
  );

/** A few turns of the event loop, for any load/error handler that might have been queued. */
const settle = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 0))));

/** A sequence-classification result over [CLS] t… [SEP], one word per token, with a Shapley method's base value and f(x). */
function sequenceOf(tokens: readonly string[], label: string, model: string): SequenceClassificationResult {
  const base = sampleSequence();
  const spec = (token: string) => ({ token, id: 0, start: null, end: null, special: true, attribution: 0 });
  const inner = tokens.map((token, i) => ({ token, id: i, start: null, end: null, special: false, attribution: ((i % 5) - 2) / 3 }));
  return {
    ...base,
    model,
    tokens: [spec('[CLS]'), ...inner, spec('[SEP]')],
    words: inner.map((t, i) => ({ word: t.token, start: 0, end: 0, tokens: [i + 1], attribution: t.attribution })),
    predicted: { ...base.predicted, label },
    target: { ...base.target, label },
    baseValue: 0.25,
    fx: 0.25 + inner.reduce((a, t) => a + t.attribution, 0),
  };
}

/** Every view of a text result and the attention view over its tokens, mounted in the page. */
function views(r: SequenceClassificationResult, mount: (el: HTMLElement) => HTMLElement): HTMLElement[] {
  const n = r.tokens.length;
  const attention: number[][] = Array.from({ length: n }, (_, q) => Array.from({ length: n }, (_, k) => (q === k ? 1 : 0)));
  return [
    render(r),
    render(r, { granularity: 'word' }),
    renderTokens(r),
    renderTable(r),
    renderBarChart(r),
    renderAttention(
      attention,
      r.tokens.map((t) => t.token),
      { model: r.model, method: 'rollout' },
    ),
    renderForcePlot(r),
    renderShapBarPlot(r),
  ].map(mount);
}

const hasLoneSurrogate = (s: string) => /\p{Cs}/u.test(s.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ''));

describe('fuzzed untrusted strings in the live DOM', () => {
  const mount = mounter();

  it('a text result with random tokens, labels and model id: same markup as harmless strings, text exact, nothing runs', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(hostile, { minLength: 1, maxLength: 6 }), hostile, hostile, async (tokens, label, model) => {
        const shown = views(sequenceOf(tokens, label, model), mount);
        const harmless = views(
          sequenceOf(
            tokens.map((_, i) => `tok${i}`),
            'label',
            'model',
          ),
          mount,
        );
        shown.forEach((el, v) => expect(markup(el), `view ${v}`).toEqual(markup(harmless[v]!)));

        // Each view lists the tokens in its data-token attributes, exactly.
        const [all, , highlights, table, bars] = shown;
        const expected = ['[CLS]', ...tokens, '[SEP]'];
        for (const el of [highlights!, table!, bars!])
          expect(Array.from(el.querySelectorAll<HTMLElement | SVGElement>('[data-token]'), (e) => e.dataset.token)).toEqual(expected);
        // The highlights show each token's text as it reads (word-start markers dropped).
        expect(Array.from(highlights!.querySelectorAll('[data-token]'), (e) => e.textContent)).toEqual(expected.map(displayToken));
        // Bar labels: the token, or a prefix of it and an ellipsis, never half of a surrogate pair it did not have.
        Array.from(bars!.querySelectorAll('[data-token] text:first-of-type'), (e) => e.textContent!).forEach((text, i) => {
          const whole = displayToken(expected[i]!);
          expect(text === whole || (text.endsWith('…') && whole.startsWith(text.slice(0, -1))), text).toBe(true);
          if (!hasLoneSurrogate(whole)) expect(hasLoneSurrogate(text), JSON.stringify(text)).toBe(false);
        });
        // shap's bar plot has every token as a feature (by |value|), the force plot those with a value other than 0.
        const features = (el: Element) => Array.from(el.querySelectorAll<SVGElement>('[data-feature]'), (e) => e.dataset.feature!).sort();
        expect(features(shown[7]!)).toEqual([...expected].sort());
        expect(features(shown[6]!)).toEqual(expected.filter((_, i) => i > 0 && i <= tokens.length && (i - 1) % 5 !== 2).sort());
        // A model starting with the page's folder (here '/') is shown relative to it, as a bundled model is (meta.ts).
        expect(all!.dataset.model).toBe(modelName(model));
        expect(Array.from(table!.querySelectorAll('td'), (td) => td.textContent).join('\n')).toContain(label);

        await settle();
        expect((window as Flagged).__fuzzPwned).toBeUndefined();
        shown.concat(harmless).forEach((el) => el.remove());
      }),
      { numRuns: 60 },
    );
  });

  it('every result kind with its token and label swapped for random strings: same markup as the sample, nothing runs', async () => {
    const samples = Object.entries(sampleResults());
    const json = (s: string) => JSON.stringify(s).slice(1, -1);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...samples), hostile, hostile, async ([kind, sample], token, label) => {
        // Labels are keys too (multi-label, zero-shot): a swap that collides with another key changes the result's shape.
        fc.pre(!JSON.stringify(sample).includes(`"${json(label)}"`) && label !== token);
        const text = JSON.stringify(sample).replaceAll(SAMPLE_TOKEN, json(token)).replaceAll(SAMPLE_LABEL, json(label));
        const r = JSON.parse(text) as typeof sample;
        // The last row shows the token (generation: not the first); its key may be the label.
        const lastRow = (result: typeof r) => ({ select: rowsOf(result).rows.at(-1)!.key });
        const el = mount(render(r, lastRow(r)));
        expect(markup(el), kind).toEqual(markup(mount(render(sample, lastRow(sample)))));
        // (generation: the token is "Ġ" + the string)
        expect(
          Array.from(
            el.querySelectorAll<HTMLElement>('[data-view="tokens"] [data-token], [data-view="classes"] [data-token]'),
            (e) => e.dataset.token!,
          ).some((t) => t.endsWith(token)),
          kind,
        ).toBe(true);
        await settle();
        expect((window as Flagged).__fuzzPwned).toBeUndefined();
      }),
      { numRuns: 60 },
    );
  });
});
