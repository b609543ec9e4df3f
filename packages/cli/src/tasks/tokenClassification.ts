import { InvalidInputError, type TokenClassificationResult, shapleyBase } from '@glassbox/core';
import { listField, textField, tokensJson, optionalJson } from '../options.ts';
import { cliTask } from './task.ts';

/** The library result as JSON: every token's prediction, and each explained token's attributions. */
export function tokenClassificationJson(r: TokenClassificationResult): Record<string, unknown> {
  return {
    tokens: r.tokens.map((t) => ({ token: t.token, id: t.id, predicted: t.predicted })),
    explained: r.explained.map((e) => ({
      index: e.index,
      token: e.token,
      predicted: e.predicted,
      target: e.target,
      tokens: tokensJson(e.tokens),
      convergenceDelta: e.convergenceDelta,
      ...shapleyBase(e),
    })),
    logits: r.logits,
    ...optionalJson(r),
  };
}

function ignoredIndexesOf(raw: Record<string, unknown>): number[] | undefined {
  return listField(raw, 'ignoredIndexes', 'bad_ignored_indexes')?.map((v) => {
    const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n))
      throw new InvalidInputError(`"ignoredIndexes" must hold token positions, got ${JSON.stringify(v)}`, 'bad_ignored_indexes');
    return n;
  });
}

function ignoredLabelsOf(raw: Record<string, unknown>): string[] | undefined {
  return listField(raw, 'ignoredLabels', 'bad_ignored_labels')?.map((v) => {
    if (typeof v !== 'string')
      throw new InvalidInputError(`"ignoredLabels" must hold labels, got ${JSON.stringify(v)}`, 'bad_ignored_labels');
    return v;
  });
}

export const tokenClassification = cliTask('token-classification', {
  inputs: ['text', 'sentence'],
  help: `token-classification: --text [--ignoredLabels O,B-MISC] [--ignoredIndexes 0,5] (JSONL: lists)
    (every token not ignored is explained, on its predicted label unless target names one)
    → {tokens: [{token, id, predicted: {index, label, score}}], explained: [{index, token, predicted, target: {index, label},
       tokens: [{token, id, attribution}], convergenceDelta, baseValue, fx (Shapley methods)}], logits: [tokens][classes]}`,
  explain: async (explainer, raw, options) => {
    const text = textField(raw);
    const result = await explainer.explain(text, {
      ...options,
      ignoredLabels: ignoredLabelsOf(raw),
      ignoredIndexes: ignoredIndexesOf(raw),
    });
    return tokenClassificationJson(result);
  },
});
