import { describe, expect, it } from 'vitest';
import { ROW_TYPES, rowsOf } from './rows.ts';
import {
  sampleMultiLabel,
  sampleQuestionAnswering,
  sampleResults,
  sampleSequence,
  sampleTextGeneration,
  sampleTokenClassification,
  sampleZeroShot,
} from './samples.ts';
import { TABLE_COLUMNS, renderTable } from './table.ts';
import { mounter } from './testing.ts';

const mount = mounter();

/** What data-attribution holds: String(value) (so −0 reads "0"). */
const str = (v: number | null) => String(v);

/** The table as text: [true, predicted, attribution label, score, tokens joined by spaces] per row. */
function cells(el: Element): string[][] {
  return Array.from(el.querySelectorAll('tbody tr')).map((tr) => Array.from(tr.children).map((td) => td.textContent!));
}
const rowTokens = (el: Element) =>
  Array.from(el.querySelectorAll('tbody tr')).map((tr) =>
    Array.from(tr.querySelectorAll<HTMLElement>('[data-token]')).map((s) => [s.dataset.token, s.dataset.attribution]),
  );

describe('renderTable', () => {
  it("has Captum's columns", () => {
    const el = mount(renderTable(sampleSequence()));
    expect(Array.from(el.querySelectorAll('thead th')).map((th) => th.textContent)).toEqual([...TABLE_COLUMNS]);
    expect(TABLE_COLUMNS).toEqual(['True Label', 'Predicted Label', 'Attribution Label', 'Attribution Score', 'Word Importance']);
  });

  it('sequence classification: one row; true label defaults to the predicted one, or is given', () => {
    const r = sampleSequence();
    const el = mount(renderTable(r));
    expect(el.dataset.kind).toBe('text-classification');
    expect(cells(el)).toEqual([['POSITIVE', 'POSITIVE (0.97)', 'POSITIVE', '0.51', '[CLS] a grip ##ping film [SEP]']]);
    expect(Number(el.querySelector<HTMLElement>('td[data-score]')!.dataset.score)).toBeCloseTo(0.12 + 0.55 + 0.31 - 0.42 - 0.05, 12);
    expect(rowTokens(el)).toEqual([r.tokens.map((t) => [t.token, str(t.attribution)])]);
    expect(cells(mount(renderTable(r, { trueLabel: 'NEGATIVE' })))[0]![0]).toBe('NEGATIVE');
  });

  it('multi-label: one row per label, in the result order', () => {
    const r = sampleMultiLabel();
    const el = mount(renderTable(r));
    expect(cells(el).map((c) => c.slice(0, 3))).toEqual([
      ['POSITIVE', 'POSITIVE (0.91)', 'POSITIVE'],
      ['boring', 'boring (0.07)', 'boring'],
    ]);
    expect(rowTokens(el)).toEqual(Object.values(r.labels).map((l) => l.tokens.map((t) => [t.token, str(t.attribution)])));
  });

  it('zero-shot: one row per candidate label with its score', () => {
    const el = mount(renderTable(sampleZeroShot(), { trueLabel: { sport: 'sport' } }));
    expect(cells(el).map((c) => c.slice(0, 3))).toEqual([
      ['sport', 'sport (0.20)', 'sport'],
      ['POSITIVE', 'POSITIVE (0.80)', 'POSITIVE'],
    ]);
  });

  it('question answering: start and end rows (answer with its logit, "token (position)")', () => {
    const r = sampleQuestionAnswering();
    const el = mount(renderTable(r));
    expect(Array.from(el.querySelectorAll<HTMLElement>('tbody tr')).map((tr) => tr.dataset.row)).toEqual(['start', 'end']);
    expect(cells(el).map((c) => c.slice(0, 3))).toEqual([
      ['film (8)', 'film (5.10)', 'start: film (8)'],
      ['film (8)', 'film (4.70)', 'end: film (8)'],
    ]);
    expect(rowTokens(el)[1]!.map(([, a]) => a)).toEqual(r.end!.tokens.map((t) => str(t.attribution)));
    // a result without its end side has the start row only
    expect(cells(mount(renderTable({ ...r, end: null }))).length).toBe(1);
  });

  it('token classification: one row per explained token', () => {
    const r = sampleTokenClassification();
    const el = mount(renderTable(r));
    expect(cells(el).map((c) => c.slice(0, 3))).toEqual([
      ['B-POSITIVE', 'B-POSITIVE (0.93)', 'paris (1) → B-POSITIVE'],
      ['B-MISC', 'B-MISC (0.60)', 'film (3) → B-MISC'],
    ]);
    expect(rowTokens(el)).toEqual(r.explained.map((e) => e.tokens.map((t) => [t.token, str(t.attribution)])));
  });

  it('text generation: one row per generated token, over the tokens before it', () => {
    const r = sampleTextGeneration();
    const el = mount(renderTable(r));
    expect(cells(el).map((c) => c.slice(0, 3))).toEqual([
      ['film', 'film (9.20)', 'film (3)'], // labels without the byte-level word marker
      ['POSITIVE', 'POSITIVE (7.50)', 'POSITIVE (4)'],
    ]);
    expect(rowTokens(el)).toEqual([
      [
        ['I', '0.3'],
        ['Ġwatched', '2.1'],
        ['Ġthe', '0.9'],
      ],
      [
        ['I', '0.1'],
        ['Ġwatched', '0.4'],
        ['Ġthe', '-0.2'],
        ['Ġfilm', '1.7'],
      ],
    ]);
  });

  it('every result kind core has renders, each matched by exactly its own row type', () => {
    for (const [kind, r] of Object.entries(sampleResults())) {
      expect(ROW_TYPES.find((t) => t.matches(r))?.kind).toBe(kind);
      const el = mount(renderTable(r));
      expect(el.dataset.kind).toBe(kind);
      expect(el.querySelectorAll('tbody tr').length).toBe(rowsOf(r).rows.length);
      expect(el.querySelectorAll('tbody tr').length).toBeGreaterThan(0);
    }
  });

  it('word granularity in the Word Importance column', () => {
    const el = mount(renderTable(sampleSequence(), { granularity: 'word' }));
    expect(cells(el)[0]![4]).toBe('a gripping film');
  });

  it('refuses a result it has no row type for, and an unknown row', () => {
    expect(() => renderTable({ model: 'm', method: 'saliency' } as never)).toThrow(/no text view/);
    expect(() => rowsOf(sampleMultiLabel(), { select: 'nope' })).toThrow(/no row "nope"/);
  });
});
