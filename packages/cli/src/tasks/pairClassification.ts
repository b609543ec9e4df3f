import { PairwiseSequenceClassificationExplainer } from '@glassbox/core';
import { requiredText } from '../options.ts';
import type { CliTask } from './task.ts';
import { classificationJson } from './textClassification.ts';

export const pairClassification: CliTask<PairwiseSequenceClassificationExplainer> = {
  name: 'pair-classification',
  inputs: ['text', 'textPair'],
  help: `pair-classification: --text --textPair (both texts attributed; single-output models explain σ(logit))
    → {tokens: [{token, id, attribution}], predicted: {index, label, score}, target: {index, label}, convergenceDelta, logits}`,
  load: (model, options) => PairwiseSequenceClassificationExplainer.fromPretrained(model, options),
  explain: async (explainer, raw, options) =>
    classificationJson(await explainer.explain(requiredText(raw, 'text'), requiredText(raw, 'textPair'), options)),
};
