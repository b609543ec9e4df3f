import {
  type AnswerSideAttribution,
  type EmbeddingType,
  InvalidInputError,
  type QuestionAnsweringOptions,
  type QuestionAnsweringResult,
  shapleyBase,
} from '@glassbox/core';
import { asString, requiredText, tokensJson, optionalJson } from '../options.ts';
import { cliTask } from './task.ts';

const sideJson = (s: AnswerSideAttribution | null) =>
  s && {
    position: s.position,
    logit: s.logit,
    tokens: tokensJson(s.tokens),
    convergenceDelta: s.convergenceDelta,
    ...shapleyBase(s),
  };

/** The library result as JSON: start and end attributions, the predicted span and the logits. */
export function questionAnsweringJson(r: QuestionAnsweringResult): Record<string, unknown> {
  return {
    embeddingType: r.embeddingType,
    start: sideJson(r.start),
    end: sideJson(r.end),
    startPosition: r.startPosition,
    endPosition: r.endPosition,
    predictedAnswer: r.predictedAnswer,
    startLogits: r.startLogits,
    endLogits: r.endLogits,
    ...optionalJson(r),
  };
}

/** `embeddingType`: 0 or 2 (a string from a flag, a number from a JSONL line). */
function embeddingTypeOf(raw: Record<string, unknown>): EmbeddingType | undefined {
  const v = raw.embeddingType;
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (n !== 0 && n !== 2)
    throw new InvalidInputError(
      `"embeddingType" must be 0 (word embeddings) or 2 (the embeddings block), got ${JSON.stringify(v)}`,
      'bad_embedding_type',
    );
  return n;
}

export const questionAnswering = cliTask('question-answering', {
  inputs: ['question', 'context'],
  help: `question-answering: --question --context [--embeddingType 0|2 (word embeddings | embeddings block, default 2)] [--which start|end|both (default)]
    (target: max (default: the largest logit, re-chosen at every step) | predicted (the predicted positions) | a position; output: logits (default) | softmax)
    → {embeddingType, start: {position, logit, tokens: [{token, id, attribution}], convergenceDelta, baseValue, fx (Shapley methods)}, end: {...},
       startPosition, endPosition, predictedAnswer, startLogits, endLogits}`,
  explain: async (explainer, raw, options) => {
    const question = requiredText(raw, 'question');
    const context = requiredText(raw, 'context');
    const embeddingType = embeddingTypeOf(raw);
    const qaOptions = { ...options, embeddingType, which: asString('which', raw.which) } as QuestionAnsweringOptions;
    return questionAnsweringJson(await explainer.explain(question, context, qaOptions));
  },
});
