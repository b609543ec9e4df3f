import { join } from 'node:path';
import { PairwiseSequenceClassificationExplainer, SequenceClassificationExplainer } from '@glassbox/core';
import { rowsOf, sampleResults } from '@glassbox/viz';
import { describe, expect, it } from 'vitest';
import { MODELS } from './helpers.ts';

/** Every result says what it is (`kind`, its task), and viz draws it by that, not by guessing from its fields. */
describe('result kind', () => {
  it('explainers put their task in kind, and viz picks the row type it names', async () => {
    const text = await SequenceClassificationExplainer.fromPretrained(join(MODELS, 'distilbert-sst2-tiny'));
    const pair = await PairwiseSequenceClassificationExplainer.fromPretrained(join(MODELS, 'bert-nli-tiny'));
    try {
      const one = await text.explain('A gripping film.', { method: 'saliency' });
      expect(one.kind).toBe('text-classification');
      expect(rowsOf(one).kind).toBe('text-classification');
      const two = await pair.explain('A man plays.', 'A person plays music.', { method: 'saliency' });
      expect(two.kind).toBe('pair-classification');
      // Without the fields the guess reads (flipSign), kind still names a pair result.
      const { flipSign: _f, ...bare } = two;
      expect(rowsOf(bare).kind).toBe('pair-classification');
      expect(rowsOf({ ...bare, kind: undefined }).kind).toBe('text-classification');
      // Several targets of one result stay a multi-target view whatever kind they spread.
      expect(rowsOf({ ...one, explanations: [{ target: one.target, tokens: one.tokens, convergenceDelta: null }] }).kind).toBe(
        'multi-target',
      );
    } finally {
      await Promise.all([text.dispose(), pair.dispose()]);
    }
  });

  it("every sample result of viz carries its task's kind and is drawn as it", () => {
    const viewOf: Record<string, string> = { 'multi-label-classification': 'multi-label', 'zero-shot-classification': 'zero-shot' };
    for (const [view, result] of Object.entries(sampleResults())) {
      const kind = (result as { kind?: string }).kind;
      if (view === 'multi-target') expect(kind).toBeUndefined();
      else expect(viewOf[kind!] ?? kind).toBe(view);
      expect(rowsOf(result).kind).toBe(view);
    }
  });
});
