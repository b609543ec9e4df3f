import { booleanField, requiredText, textField } from '../options.ts';
import { cliTask } from './task.ts';
import { classificationJson, explanationsJson } from './textClassification.ts';

export const pairClassification = cliTask('pair-classification', {
  inputs: ['text', 'sentence', 'textPair'],
  help: `pair-classification: --text --textPair [--flipSign true|false] (both texts attributed; single-output models explain σ(logit), towards 0 with flipSign)
    → {tokens: [{token, id, attribution}], predicted: {index, label, score}, target: {index, label}, convergenceDelta, baseValue, fx (Shapley methods), logits}
    with several targets (--target 0,2 or labels, or --target all): → {explanations: [{target, tokens, convergenceDelta, ...}], predicted, logits}`,
  explain: async (explainer, raw, options) =>
    classificationJson(
      await explainer.explain(textField(raw), requiredText(raw, 'textPair'), { ...options, flipSign: booleanField(raw, 'flipSign') }),
    ),
  explainTargets: async (explainer, raw, options, targets) =>
    explanationsJson(
      await explainer.explainTargets(textField(raw), requiredText(raw, 'textPair'), targets, {
        ...options,
        flipSign: booleanField(raw, 'flipSign'),
      }),
    ),
});
