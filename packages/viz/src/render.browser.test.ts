import { type ImageClassificationResult, SequenceClassificationExplainer, type SequenceClassificationResult, env } from '@glassbox/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { toHTML } from './html.ts';
import { modelName } from './meta.ts';
import { render } from './render.ts';
import { sampleQuestionAnswering, sampleResults, sampleSequence } from './samples.ts';
import { mounter } from './testing.ts';

const mount = mounter();

/** [view, token, data-attribution] of every token element, in document order. */
const tokenData = (root: ParentNode) =>
  Array.from(root.querySelectorAll<HTMLElement | SVGElement>('[data-token]')).map((e) => [
    e.closest('[data-view]')!.getAttribute('data-view'),
    e.dataset.token,
    e.dataset.attribution,
  ]);

describe('render', () => {
  it('a text result: highlights, legend, bar chart and table under one root with data-model and data-method', () => {
    const r = sampleSequence();
    const el = mount(render(r));
    expect(el.tagName).toBe('SECTION');
    expect([el.dataset.model, el.dataset.method, el.dataset.kind]).toEqual([r.model, r.method, 'text-classification']);
    expect(Array.from(el.querySelectorAll('[data-view]')).map((v) => v.getAttribute('data-view'))).toEqual([
      'tokens',
      'legend',
      'bars',
      'table',
    ]);
    const tokens = r.tokens.map((t) => [t.token, String(t.attribution)]);
    for (const view of ['tokens', 'bars', 'table'])
      expect(
        tokenData(el)
          .filter(([v]) => v === view)
          .map(([, ...rest]) => rest),
      ).toEqual(tokens);
    expect(el.querySelector('[data-field="row"]')!.textContent).toBe('POSITIVE; predicted POSITIVE (0.97)');
  });

  it('views picks and orders the parts; select picks the row of the highlights and the bar chart', () => {
    const r = sampleQuestionAnswering();
    const el = mount(render(r, { views: ['table', 'tokens'], select: 'end' }));
    expect(Array.from(el.querySelectorAll('[data-view]')).map((v) => v.getAttribute('data-view'))).toEqual(['table', 'tokens']);
    const highlighted = Array.from(el.querySelectorAll<HTMLElement>('[data-view="tokens"] [data-token]')).map((s) => s.dataset.attribution);
    expect(highlighted).toEqual(r.end!.tokens.map((t) => String(t.attribution)));
    expect(el.querySelector<HTMLElement>('[data-view="tokens"]')!.dataset.row).toBe('end');
  });

  it('data-model: a bundled model as its path under the site root, a hub id as is, or as given', () => {
    const bundled = new URL('./models/distilbert-sst2-tiny', document.baseURI).pathname;
    expect(mount(render({ ...sampleSequence(), model: bundled })).dataset.model).toBe('models/distilbert-sst2-tiny');
    expect(mount(render({ ...sampleSequence(), model: 'Xenova/distilbert-base-uncased-finetuned-sst-2-english' })).dataset.model).toBe(
      'Xenova/distilbert-base-uncased-finetuned-sst-2-english',
    );
    expect(mount(render(sampleSequence(), { model: 'distilbert-sst2-tiny' })).dataset.model).toBe('distilbert-sst2-tiny');
  });

  it('the stylesheet goes to the document once, through the CSSOM (a strict CSP refuses <style> elements)', () => {
    const ours = () =>
      document.adoptedStyleSheets.filter((sheet) => Array.from(sheet.cssRules).some((r) => r.cssText.startsWith('.gbv-token')));
    const views = [mount(render(sampleSequence())), mount(render(sampleQuestionAnswering()))];
    expect(views.map((el) => el.querySelectorAll('style').length)).toEqual([0, 0]);
    expect(ours()).toHaveLength(1);
    expect(getComputedStyle(views[0]!.querySelector('.gbv-token')!).borderRadius).toBe('3px');
    // A page that resets its adopted sheets gets it back with the next view.
    document.adoptedStyleSheets = [];
    expect(getComputedStyle(views[0]!.querySelector('.gbv-token')!).borderRadius).toBe('0px');
    mount(render(sampleSequence()));
    expect(ours()).toHaveLength(1);
    expect(getComputedStyle(views[0]!.querySelector('.gbv-token')!).borderRadius).toBe('3px');
  });

  it('toHTML shows what render shows: same token elements, values and text', () => {
    for (const r of Object.values(sampleResults())) {
      const el = mount(render(r, { granularity: 'word' }));
      const doc = new DOMParser().parseFromString(toHTML(r, { granularity: 'word' }), 'text/html');
      const section = doc.querySelector('section.gbv')!;
      expect(tokenData(section)).toEqual(tokenData(el));
      expect(tokenData(section).length).toBeGreaterThan(0);
      expect(section.textContent).toBe(el.textContent);
      expect([section.getAttribute('data-model'), section.getAttribute('data-method')]).toEqual([el.dataset.model, el.dataset.method]);
      // no script, inline CSS, nothing fetched
      expect(doc.querySelectorAll('script, link, iframe, object, embed').length).toBe(0);
      expect(doc.querySelector('meta[http-equiv="Content-Security-Policy"]')!.getAttribute('content')).toBe(
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
      );
      expect(doc.querySelector('head style')!.textContent).toContain('.gbv-token');
    }
  });

  it('an image result goes to renderImageResult; toHTML turns its canvases into PNG data: images', () => {
    const map = [
      [0.5, -0.25],
      [0, 1],
    ];
    const image: ImageClassificationResult = {
      kind: 'image-classification',
      model: 'sample/vit',
      method: 'integrated-gradients',
      output: 'logits',
      predicted: { index: 1, label: 'Sneaker', score: 0.9 },
      target: { index: 1, label: 'Sneaker' },
      convergenceDelta: null,
      logits: [0, 2],
      probabilities: [0.1, 0.9],
      attribution: { values: new Float64Array(12), shape: [3, 2, 2] },
      map,
    };
    const el = mount(render(image, { mode: 'heatmap' }));
    expect([el.dataset.model, el.dataset.method]).toEqual(['sample/vit', 'integrated-gradients']);
    expect(el.querySelectorAll('canvas').length).toBeGreaterThan(0);
    const doc = new DOMParser().parseFromString(toHTML(image, { mode: 'heatmap' }), 'text/html');
    expect(doc.querySelectorAll('canvas').length).toBe(0);
    const imgs = Array.from(doc.querySelectorAll('img'));
    expect(imgs.length).toBe(el.querySelectorAll('canvas').length);
    for (const img of imgs) expect(img.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
  });
});

describe('render, on a real explanation (bundled distilbert-sst2-tiny, cpu)', () => {
  const MODEL = '/test/fixtures/models/distilbert-sst2-tiny';
  let result: SequenceClassificationResult;
  beforeAll(async () => {
    env.allowLocalModels = true;
    env.allowRemoteModels = false;
    const explainer = await SequenceClassificationExplainer.fromPretrained(MODEL, { device: 'cpu' });
    result = await explainer.explain('I love this movie.');
  });

  it('shows the result’s tokens and exact attributions, and its model and method', () => {
    const el = mount(render(result));
    expect(result.tokens.map((t) => t.token)).toEqual(['[CLS]', 'i', 'love', 'this', 'movie', '.', '[SEP]']);
    const highlighted = Array.from(el.querySelectorAll<HTMLElement>('[data-view="tokens"] [data-token]'));
    expect(highlighted.map((s) => [s.dataset.token, s.dataset.attribution])).toEqual(
      result.tokens.map((t) => [t.token, String(t.attribution)]),
    );
    expect(el.dataset.model).toBe(modelName(MODEL));
    expect(MODEL.endsWith(el.dataset.model!)).toBe(true);
    expect(el.dataset.method).toBe('integrated-gradients');
    const rows = Array.from(el.querySelectorAll('[data-view="table"] tbody tr'));
    expect(rows.length).toBe(1);
    expect(rows[0]!.children[1]!.textContent).toBe(`${result.predicted.label} (${result.predicted.score.toFixed(2)})`);
    // word granularity: the result's own words
    const words = Array.from(
      mount(render(result, { granularity: 'word' })).querySelectorAll<HTMLElement>('[data-view="tokens"] [data-token]'),
    );
    expect(words.map((s) => [s.dataset.token, s.dataset.attribution])).toEqual(result.words.map((w) => [w.word, String(w.attribution)]));
  });
});
