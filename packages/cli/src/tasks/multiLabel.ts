import { InvalidInputError, type MultiLabelClassificationResult, type MultiLabelExplainOptions, shapleyBase } from '@glassbox/core';
import { listField, textField, tokensJson, optionalJson } from '../options.ts';
import { cliTask } from './task.ts';

function multiLabelJson(r: MultiLabelClassificationResult): Record<string, unknown> {
  return {
    labels: Object.fromEntries(
      Object.entries(r.labels).map(([label, l]) => [
        label,
        {
          index: l.index,
          probability: l.probability,
          tokens: tokensJson(l.tokens),
          convergenceDelta: l.convergenceDelta,
          ...shapleyBase(l),
        },
      ]),
    ),
    predicted: r.predicted,
    logits: r.logits,
    probabilities: r.probabilities,
    ...optionalJson(r),
  };
}

export const multiLabel = cliTask('multi-label', {
  inputs: ['text', 'sentence'],
  help: `multi-label: --text [--labels <a,b> (JSONL: a list; names or indexes) | --target <label>: that label only; default every label] [--output sigmoid (default) | softmax (transformers-interpret 0.10.0's) | logits]
    → {labels: {<label>: {index, probability, tokens: [{token, id, attribution}], convergenceDelta, baseValue, fx (Shapley methods)}}, predicted: {index, label, score}, logits, probabilities}`,
  explain: async (explainer, raw, options) => {
    const { target, output, ...rest } = options;
    const given = listField(raw, 'labels')?.map((l) => (typeof l === 'string' && /^\d+$/.test(l.trim()) ? Number(l) : l));
    if (given !== undefined && target !== undefined)
      throw new InvalidInputError('give "labels" or "target" (one label), not both', 'bad_option');
    // output is passed through as given; the explainer validates it (sigmoid, softmax or logits), and the labels.
    const labels = (given ?? (target === undefined ? undefined : [target])) as MultiLabelExplainOptions['labels'];
    return multiLabelJson(
      await explainer.explain(textField(raw), { ...rest, output: output as MultiLabelExplainOptions['output'], labels }),
    );
  },
});
