import { afterEach, describe, expect, it } from 'vitest';
import { toHTML } from './html.ts';
import { render } from './render.ts';
import { renderBarChart } from './barChart.ts';
import { renderForcePlot } from './forcePlot.ts';
import { renderHeadView } from './headView.ts';
import { renderShapBarPlot } from './shapBarPlot.ts';
import { rowsOf } from './rows.ts';
import { renderTable } from './table.ts';
import { renderTokens } from './tokens.ts';
import { SAMPLE_LABEL, SAMPLE_TOKEN, sampleMultiTarget, sampleResults, sampleSequence, sampleShapley } from './samples.ts';

/** Token and label strings are untrusted: these must show as text and never run. */
const TOKEN = '<img src=x onerror="window.__pwned=1">';
const LABEL = '"><script>window.__pwned=1</script>';
const MODEL = '" onmouseover="window.__pwned=1" x="';

type Pwnable = Window & { __pwned?: number };

/** A sample with its token and label swapped for the hostile strings (labels are also keys of `labels`). */
function hostile<R extends object>(r: R): R {
  const json = (s: string) => JSON.stringify(s).slice(1, -1);
  return JSON.parse(
    JSON.stringify({ ...r, model: MODEL })
      .replaceAll(SAMPLE_TOKEN, json(TOKEN))
      .replaceAll(SAMPLE_LABEL, json(LABEL)),
  ) as R;
}

/** Every sample, hostile. */
function hostileResults() {
  return Object.entries(sampleResults()).map(([kind, r]) => [kind, hostile(r), JSON.stringify(r).includes(SAMPLE_LABEL)] as const);
}

const shown: HTMLElement[] = [];
afterEach(() => shown.splice(0).forEach((el) => el.remove()));

/** Nothing was created that could run: no img/script/iframe, no event-handler attribute. */
function expectInert(root: Element) {
  expect(root.querySelectorAll('img, script, iframe, object, embed').length).toBe(0);
  for (const el of [root, ...Array.from(root.querySelectorAll('*'))]) {
    expect(Array.from(el.attributes).filter((a) => /^on/i.test(a.name))).toEqual([]);
  }
}

/** A few turns of the event loop, for any error/load handler that might have been queued. */
const settle = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 0))));

describe('untrusted token and label strings', () => {
  it('render: shown literally, nothing executes, for every result kind and view', async () => {
    for (const [kind, r, labelled] of hostileResults()) {
      const select = rowsOf(r).rows.at(-1)!.key; // a row showing the token (generation: not the first)
      for (const el of [
        render(r, { select }),
        render(r, { select, granularity: 'word' }),
        renderTokens(r, { select }),
        renderTable(r),
        renderBarChart(r, { select }),
      ]) {
        document.body.append(el);
        shown.push(el);
        expectInert(el);
        expect(el.dataset.model, kind).toBe(MODEL);
        const tokens = Array.from(el.querySelectorAll<HTMLElement | SVGElement>('[data-token]'));
        expect(
          tokens.some((t) => t.dataset.token!.includes(TOKEN) && t.textContent!.includes(TOKEN)),
          kind,
        ).toBe(true);
      }
      // the label reaches the table (and the summary line) as text
      expect(
        Array.from(render(r).querySelectorAll('td')).some((td) => td.textContent!.includes(LABEL)),
        kind,
      ).toBe(labelled);
    }
    await settle();
    expect((window as Pwnable).__pwned).toBeUndefined();
  });

  it("shap's force and bar plots: the features' strings shown literally, nothing executes, live and in toHTML", async () => {
    const r = hostile(sampleShapley());
    const hasToken = (root: ParentNode) =>
      Array.from(root.querySelectorAll<HTMLElement | SVGElement>('[data-feature]')).some(
        (f) => f.dataset.feature === TOKEN && f.textContent!.includes(TOKEN),
      );
    for (const el of [
      render(r),
      renderForcePlot(r),
      renderShapBarPlot(r),
      renderShapBarPlot(r, { maxDisplay: 1 }),
      renderForcePlot(r, { granularity: 'word' }),
    ]) {
      document.body.append(el);
      shown.push(el);
      expectInert(el);
      expect(el.dataset.model).toBe(MODEL);
    }
    for (const el of shown.slice(0, 3)) expect(hasToken(el)).toBe(true);
    const html = toHTML(r);
    const doc = new DOMParser().parseFromString(html, 'text/html');
    expectInert(doc.documentElement);
    expect(doc.querySelectorAll('[data-view="force"], [data-view="shap-bars"]').length).toBe(2);
    expect(hasToken(doc)).toBe(true);
    expect(html).not.toContain(TOKEN);
    await settle();
    expect((window as Pwnable).__pwned).toBeUndefined();
  });

  it('attention heat maps and the head view: token strings shown literally, nothing executes, live and in toHTML', async () => {
    const r = hostile(sampleSequence());
    const t = r.tokens.length;
    const map = Array.from({ length: t }, (_, q) => Array.from({ length: t }, (_, k) => (q === k ? 0.5 : 0.5 / (t - 1))));
    const raw = [[map, map]];
    const tokens = r.tokens.map((x) => x.token);
    // Heat map labels, and the head view's (a label cut to fit, the whole token in its title).
    const hasToken = (root: ParentNode) => Array.from(root.querySelectorAll('th, text')).some((e) => e.textContent!.includes(TOKEN));
    const many = hostile(sampleMultiTarget());
    many.explanations.forEach((e) => Object.assign(e, { attentions: raw }));
    for (const el of [
      render({ ...r, attentions: raw }),
      render({ ...r, attentions: map }),
      renderHeadView(raw[0]!, tokens),
      render(many),
    ]) {
      document.body.append(el);
      shown.push(el);
      expectInert(el);
      expect(hasToken(el), el.className).toBe(true);
    }
    for (const html of [toHTML({ ...r, attentions: raw }), toHTML(many)]) {
      const doc = new DOMParser().parseFromString(html, 'text/html');
      expectInert(doc.documentElement);
      expect(doc.querySelectorAll('[data-view="heads"], .gbv-attention-map').length).toBeGreaterThan(1);
      expect(hasToken(doc)).toBe(true);
      expect(html).not.toContain(TOKEN);
    }
    await settle();
    expect((window as Pwnable).__pwned).toBeUndefined();
  });

  it('toHTML: escaped, shown literally, nothing executes when the document is loaded', async () => {
    for (const [kind, r, labelled] of hostileResults()) {
      const html = toHTML(r);
      const doc = new DOMParser().parseFromString(html, 'text/html');
      expectInert(doc.documentElement);
      expect(doc.title, kind).toBe(`Glassbox: ${MODEL} (${r.method})`);
      const section = doc.querySelector<HTMLElement>('section.gbv')!;
      expect(section.dataset.model, kind).toBe(MODEL);
      expect(
        Array.from(doc.querySelectorAll<HTMLElement>('[data-token]')).some(
          (t) => t.dataset.token!.includes(TOKEN) && t.textContent!.includes(TOKEN),
        ),
        kind,
      ).toBe(true);
      if (labelled) expect(section.textContent, kind).toContain(LABEL);
      expect(html).not.toContain(TOKEN);
      expect(html).not.toContain('<script');

      // Loaded as a page (same origin, scripts allowed by the frame): still nothing runs.
      const frame = document.createElement('iframe');
      const loaded = new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
      frame.srcdoc = html;
      document.body.append(frame);
      await loaded;
      await settle();
      const w = frame.contentWindow as Pwnable;
      expect(w.document.querySelectorAll('[data-token]').length, kind).toBeGreaterThan(0);
      expect(w.__pwned, kind).toBeUndefined();
      frame.remove();
    }
    expect((window as Pwnable).__pwned).toBeUndefined();
  });
});
