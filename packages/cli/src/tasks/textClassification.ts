import { type SequenceClassificationResult, shapleyBase } from '@glassbox/core';
import { requiredText, textField, tokensJson, optionalJson } from '../options.ts';
import { cliTask } from './task.ts';

/** The original contract's object (tokens, predicted, target, convergenceDelta, logits), plus Shapley methods' baseValue and fx, and attentions when asked. */
export function classificationJson(r: Omit<SequenceClassificationResult, 'kind'>): Record<string, unknown> {
  return {
    tokens: tokensJson(r.tokens),
    predicted: r.predicted,
    target: r.target,
    convergenceDelta: r.convergenceDelta,
    ...shapleyBase(r),
    logits: r.logits,
    ...optionalJson(r),
  };
}

/**
 * Several targets of one input: `{explanations: [...], predicted, logits}`, one entry per target in
 * the order asked, each classificationJson's per-target fields (target, tokens, convergenceDelta, ...).
 */
export function explanationsJson(results: readonly Omit<SequenceClassificationResult, 'kind'>[]): Record<string, unknown> {
  const { predicted, logits, truncated } = results[0]!;
  return {
    explanations: results.map((r) => {
      const { predicted: _p, logits: _l, truncated: _t, target, ...entry } = classificationJson(r);
      return { target, ...entry };
    }),
    predicted,
    logits,
    ...(truncated !== undefined && { truncated }),
  };
}

export const textClassification = cliTask('text-classification', {
  inputs: ['text', 'sentence', 'textPair'],
  help: `text-classification (default): --text (or --sentence) [--textPair]
    → {tokens: [{token, id, attribution}], predicted: {index, label, score}, target: {index, label}, convergenceDelta, baseValue, fx (kernel-shap, partition-shap: Σ attribution + baseValue = fx), logits}
    with several targets (--target 0,2 or labels, or --target all): → {explanations: [{target, tokens, convergenceDelta, ...}], predicted, logits}, one per target in the order asked`,
  explain: async (explainer, raw, options) => {
    const text = textField(raw);
    const textPair = raw.textPair === undefined ? undefined : requiredText(raw, 'textPair');
    return classificationJson(await explainer.explain(text, { ...options, textPair }));
  },
  // One input's targets share passes (explainBatch).
  explainTargets: async (explainer, raw, options, targets) => {
    const text = textField(raw);
    const textPair = raw.textPair === undefined ? undefined : requiredText(raw, 'textPair');
    const [results] = await explainer.explainBatch([{ text, textPair }], { ...options, targets });
    return explanationsJson(results!);
  },
});
