import { InvalidInputError, type Prompt, type TextGenerationOptions, type TextGenerationResult } from '@glassbox/core';
import { textField, optionalJson } from '../options.ts';
import { cliTask } from './task.ts';

/** The library result as JSON: prompt tokens, generated tokens with their scores, the attribution matrix. */
export function generationJson(r: TextGenerationResult): Record<string, unknown> {
  return {
    method: r.method,
    output: r.output,
    promptTokens: r.promptTokens,
    generated: r.generated,
    generatedText: r.generatedText,
    matrix: r.matrix,
    ...optionalJson(r),
  };
}

/** The prompt, `text`: a text, or token ids (a JSON list on a JSONL line). */
function promptOf(raw: Record<string, unknown>): Prompt {
  const t = raw.text;
  if (Array.isArray(t) && t.every((id) => typeof id === 'number')) return t;
  return textField(raw);
}

/** `continuation`: text, or token ids (a JSON list on a JSONL line). */
function continuationOf(raw: Record<string, unknown>): TextGenerationOptions['continuation'] {
  const c = raw.continuation;
  if (c === undefined || c === null) return undefined;
  if (typeof c === 'string' || (Array.isArray(c) && c.every((id) => typeof id === 'number'))) return c as string | number[];
  throw new InvalidInputError(`"continuation" must be a text or a list of token ids, got ${JSON.stringify(c)}`, 'bad_continuation');
}

/** `maxNewTokens`: a positive integer (a string from a flag, a number from a JSONL line). */
function maxNewTokensOf(raw: Record<string, unknown>): number | undefined {
  const v = raw.maxNewTokens;
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
    throw new InvalidInputError(`"maxNewTokens" must be a positive integer, got ${JSON.stringify(v)}`, 'bad_max_new_tokens');
  }
  return n;
}

export const textGeneration = cliTask('text-generation', {
  inputs: ['text', 'sentence'],
  help: `text-generation: --text <prompt> (token ids on a JSONL line) [--continuation <text> | ids on a JSONL line] [--maxNewTokens <n, default 8: greedy when no continuation>]
    (output: logits (default) | softmax | log-softmax; no target: every generated token is one)
    → {method, output, promptTokens: [{token, id}], generated: [{token, id, score, convergenceDelta, baseValue, fx (Shapley methods)}], generatedText,
       matrix: [generated][prompt + generated] (row j: attributions of token j to the tokens before it, null from its position on),
       attentions (with --attention; for the first generated token), metrics (with --metrics deletion,insertion: interpreto's generation AUCs)}`,
  explain: async (explainer, raw, options) => {
    const prompt = promptOf(raw);
    const continuation = continuationOf(raw);
    const maxNewTokens = maxNewTokensOf(raw);
    return generationJson(await explainer.explain(prompt, { ...(options as TextGenerationOptions), continuation, maxNewTokens }));
  },
});
