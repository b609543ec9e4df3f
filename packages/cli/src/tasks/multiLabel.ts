import { MultiLabelClassificationExplainer, type MultiLabelClassificationResult, type MultiLabelExplainOptions } from '@glassbox/core';
import { requiredText, tokensJson } from '../options.ts';
import type { CliTask } from './task.ts';

function multiLabelJson(r: MultiLabelClassificationResult): Record<string, unknown> {
  return {
    labels: Object.fromEntries(
      Object.entries(r.labels).map(([label, l]) => [
        label,
        { index: l.index, probability: l.probability, tokens: tokensJson(l.tokens), convergenceDelta: l.convergenceDelta },
      ]),
    ),
    predicted: r.predicted,
    logits: r.logits,
    probabilities: r.probabilities,
    ...(r.attentions !== undefined && { attentions: r.attentions }),
    ...(r.truncated !== undefined && { truncated: r.truncated }),
  };
}

export const multiLabel: CliTask<MultiLabelClassificationExplainer> = {
  name: 'multi-label',
  inputs: ['text'],
  help: `multi-label: --text [--target <label>: that label only; default every label] [--output sigmoid (default) | softmax (transformers-interpret 0.10.0's) | logits]
    → {labels: {<label>: {index, probability, tokens: [{token, id, attribution}], convergenceDelta}}, predicted: {index, label, score}, logits, probabilities}`,
  load: (model, options) => MultiLabelClassificationExplainer.fromPretrained(model, options),
  explain: async (explainer, raw, options) => {
    const { target, output, ...rest } = options;
    // output is passed through as given; the explainer validates it (sigmoid, softmax or logits).
    const labels = target === undefined ? undefined : [target];
    return multiLabelJson(await explainer.explain(requiredText(raw, 'text'), { ...rest, output: output as MultiLabelExplainOptions['output'], labels }));
  },
};
