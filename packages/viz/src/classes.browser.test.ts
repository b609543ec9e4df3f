import { describe, expect, it } from 'vitest';
import { toHTML } from './html.ts';
import { render } from './render.ts';
import { type MultiTargetResult, rowsOf } from './rows.ts';
import { sampleMultiTarget, sampleSequence } from './samples.ts';
import { mounter } from './testing.ts';

const mount = mounter();

const views = (root: ParentNode) => Array.from(root.querySelectorAll('[data-view]'), (v) => v.getAttribute('data-view'));
/** Per class line of the classes view: [row key, label shown, data-attribution of each token]. */
const classLines = (root: ParentNode) =>
  Array.from(root.querySelectorAll<HTMLElement>('[data-view="classes"] .gbv-class'), (line) => [
    line.dataset.row,
    line.querySelector('.gbv-class-label')!.textContent,
    Array.from(line.querySelectorAll<HTMLElement>('[data-token]'), (t) => t.dataset.attribution),
  ]);
const expected = (r: MultiTargetResult) =>
  r.explanations.map((e) => [e.target.label, e.target.label, e.tokens.map((t) => String(t.attribution))]);

describe("several classes of one input (the CLI's --target all)", () => {
  it("render: one line per class in the order given (interpreto's multi-class plot), one colour scale, the table with a row per class", () => {
    const r = sampleMultiTarget();
    const el = mount(render(r));
    expect(el.dataset.kind).toBe('multi-target');
    expect(views(el)).toEqual(['classes', 'legend', 'bars', 'table']);
    expect(classLines(el)).toEqual(expected(r));
    expect(Array.from(el.querySelectorAll<HTMLElement>('[data-view="table"] tr[data-row]'), (tr) => tr.dataset.row)).toEqual([
      'NEGATIVE',
      'POSITIVE',
    ]);
    // The two classes' values are opposite: equal |value|, equal colour strength on the one scale.
    const colours = Array.from(
      el.querySelectorAll<HTMLElement>('[data-view="classes"] [data-token="grip"]'),
      (t) => getComputedStyle(t).backgroundColor,
    );
    expect(colours).toHaveLength(2);
    expect(colours[0]).not.toBe(colours[1]);
    // The bar chart shows the predicted class's row; select picks another.
    expect(el.querySelector('[data-field="row"]')!.textContent).toBe('POSITIVE; predicted POSITIVE (0.97)');
    expect(mount(render(r, { select: 'NEGATIVE' })).querySelector('[data-field="row"]')!.textContent).toBe(
      'NEGATIVE; predicted POSITIVE (0.97)',
    );
    // A library result of one input ({...results[0], explanations: results}) is the same kind.
    const one = sampleSequence();
    expect(rowsOf({ ...one, explanations: [one, { ...one, target: { index: 0, label: 'NEGATIVE' } }] }).rows.map((row) => row.key)).toEqual(
      ['POSITIVE', 'NEGATIVE'],
    );
  });

  it("toHTML of the CLI's JSON exactly (no model, method or words): the same lines, every value as printed", () => {
    const { model: _m, method: _x, output: _o, ...cli } = JSON.parse(JSON.stringify(sampleMultiTarget())) as MultiTargetResult;
    const doc = new DOMParser().parseFromString(toHTML(cli), 'text/html');
    expect(doc.title).toBe('Glassbox');
    const root = doc.body.firstElementChild as HTMLElement;
    expect([root.dataset.kind, root.hasAttribute('data-model'), root.hasAttribute('data-method')]).toEqual(['multi-target', false, false]);
    expect(classLines(doc)).toEqual(expected(cli));
    expect(Array.from(root.querySelectorAll('.gbv-meta [data-field]'), (f) => f.getAttribute('data-field'))).toEqual(['row']);
    expect(toHTML(cli, { model: 'distilbert-sst2-tiny' })).toContain('<title>Glassbox: distilbert-sst2-tiny</title>');
  });
});
