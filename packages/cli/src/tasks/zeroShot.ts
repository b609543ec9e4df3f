import { InvalidInputError, type ZeroShotClassificationResult, shapleyBase } from '@glassbox/core';
import { asString, booleanField, textField, tokensJson, optionalJson } from '../options.ts';
import { cliTask } from './task.ts';

/** Candidate labels: a JSON array of strings, or a comma-separated string (a flag). */
function labelsOf(raw: unknown): string[] {
  if (typeof raw === 'string') return raw.split(',').map((l) => l.trim());
  if (Array.isArray(raw) && raw.every((l) => typeof l === 'string')) return raw;
  throw new InvalidInputError(
    '"labels" is required: the candidate labels, as an array of strings or a comma-separated string',
    'bad_labels',
  );
}

function zeroShotJson(r: ZeroShotClassificationResult): Record<string, unknown> {
  return {
    predictedLabel: r.predictedLabel,
    predicted: r.predicted,
    target: r.target,
    labels: Object.fromEntries(
      Object.entries(r.labels).map(([label, l]) => [
        label,
        {
          hypothesis: l.hypothesis,
          score: l.score,
          tokens: tokensJson(l.tokens),
          convergenceDelta: l.convergenceDelta,
          ...shapleyBase(l),
          logits: l.logits,
        },
      ]),
    ),
    ...optionalJson(r),
  };
}

export const zeroShot = cliTask('zero-shot', {
  inputs: ['text', 'sentence', 'labels'],
  help: `zero-shot: --text --labels <a,b,c> [--hypothesisTemplate "this text is about {} ."] [--includeHypothesis true|false] [--multiLabel true|false] (NLI model; each label's entailment explained)
    → {predictedLabel, predicted: {index, label, score}, target: {index, label} (entailment), labels: {<label>: {hypothesis, score, tokens: [{token, id, attribution}], convergenceDelta, baseValue, fx (Shapley methods), logits}}}`,
  explain: async (explainer, raw, options) => {
    // A target is the explainer's to refuse (zero-shot explains each label's entailment).
    const result = await explainer.explain(textField(raw), labelsOf(raw.labels), {
      ...options,
      hypothesisTemplate: asString('hypothesisTemplate', raw.hypothesisTemplate),
      includeHypothesis: booleanField(raw, 'includeHypothesis'),
      multiLabel: booleanField(raw, 'multiLabel'),
    });
    return zeroShotJson(result);
  },
});
