import { SequenceClassificationExplainer, type SequenceClassificationResult, shapleyBase } from '@glassbox/core';
import { requiredText, textField, tokensJson } from '../options.ts';
import type { CliTask } from './task.ts';

/** The original contract's object (tokens, predicted, target, convergenceDelta, logits), plus Shapley methods' baseValue and fx, and attentions when asked. */
export function classificationJson(r: SequenceClassificationResult): Record<string, unknown> {
  return {
    tokens: tokensJson(r.tokens),
    predicted: r.predicted,
    target: r.target,
    convergenceDelta: r.convergenceDelta,
    ...shapleyBase(r),
    logits: r.logits,
    ...(r.attentions !== undefined && { attentions: r.attentions }),
    ...(r.truncated !== undefined && { truncated: r.truncated }),
  };
}

export const textClassification: CliTask<SequenceClassificationExplainer> = {
  name: 'text-classification',
  inputs: ['text', 'sentence', 'textPair'],
  options: [],
  help: `text-classification (default): --text (or --sentence) [--textPair]
    → {tokens: [{token, id, attribution}], predicted: {index, label, score}, target: {index, label}, convergenceDelta, baseValue, fx (kernel-shap, partition-shap: Σ attribution + baseValue = fx), logits}`,
  load: (model, options) => SequenceClassificationExplainer.fromPretrained(model, options),
  explain: async (explainer, raw, options) => {
    const text = textField(raw);
    const textPair = raw.textPair === undefined ? undefined : requiredText(raw, 'textPair');
    return classificationJson(await explainer.explain(text, { ...options, textPair }));
  },
};
