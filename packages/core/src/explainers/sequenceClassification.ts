import type { AttentionOutput } from '../attention/attentionFor.ts';
import { InvalidInputError } from '../errors.ts';
import { type LoadOptions, TextModel } from '../model/textModel.ts';
import { cleanTextLikeTransformersInterpret } from '../text/clean.ts';
import { type OutputSpace, classLabels, headProbabilities, parseTarget } from './classification.ts';
import { ExplainedText, type TokenAttribution, type WordAttribution, checkLength, firstTextEnd, textTokens } from './explainedText.ts';
import { type ExplainOptions, type MethodName, type ResolvedOptions, resolveOptions } from './textOptions.ts';

export { BASELINES, type BaselineName, type ExplainOptions, METHODS, type MethodName } from './textOptions.ts';
export type { Segment, TextAttributions, TokenAttribution, WordAttribution } from './explainedText.ts';

export interface SequenceClassificationResult {
  model: string;
  method: MethodName;
  output: OutputSpace;
  /** The text the tokens index into (after transformers-interpret's cleaning when it applied). */
  text: string;
  /** The second text of a pair, when one was explained: the offsets of segment-1 tokens index into it. */
  textPair?: string;
  tokens: TokenAttribution[];
  words: WordAttribution[];
  predicted: { index: number; label: string; score: number };
  target: { index: number; label: string };
  /** Σ attributions − (f(x) − f(baseline)) before normalisation; integrated gradients only. */
  convergenceDelta: number | null;
  logits: number[];
  /** Softmax of the logits; for a single-output head, the sigmoid of its logit. */
  probabilities: number[];
  /** The attention maps the `attention` option asked for, on the explained forward pass. */
  attentions?: AttentionOutput;
}

/**
 * Explains a sequence classifier (any transformers.js text-classification model). With no
 * options it reproduces transformers-interpret's SequenceClassificationExplainer: layer
 * integrated gradients on the word embeddings, [CLS] [PAD]… [SEP] baseline, 50
 * Gauss-Legendre steps, softmax probability of the predicted class (the sigmoid of the
 * logit for a single-output head), summed over the hidden dimension and divided by the L2
 * norm over tokens.
 */
export class SequenceClassificationExplainer {
  private constructor(readonly model: TextModel) {}

  static async fromPretrained(model: string, options: LoadOptions = {}): Promise<SequenceClassificationExplainer> {
    return new SequenceClassificationExplainer(await TextModel.load(model, options));
  }

  get labels(): string[] {
    return this.model.labels;
  }

  async explain(text: string, options: ExplainOptions = {}): Promise<SequenceClassificationResult> {
    const resolved = resolveOptions(options);
    if (typeof text !== 'string' || text.trim() === '') throw new InvalidInputError('text is empty', 'empty_text');
    const shownText = resolved.quirks ? cleanTextLikeTransformersInterpret(text) : text;
    const texts: [string] | [string, string] = options.textPair === undefined ? [shownText] : [shownText, options.textPair];
    return explainClass(classificationInput(this.model, texts, resolved.quirks), options, resolved);
  }
}

/**
 * A text or a text pair as a classifier reads it. With `quirks`, transformers-interpret's
 * run: every token after the text's last one is segment 1 (on a single text, the final
 * [SEP]; a pair keeps the tokenizer's token types) and position ids are 0..T−1.
 */
export function classificationInput(model: TextModel, texts: [string] | [string, string], quirks: boolean): ExplainedText {
  const [textIds] = texts.map((t, i) => textTokens(model, i === 0 ? 'text' : 'textPair', t));
  const { ids, tokenTypes } = model.encode(texts[0], texts[1]);
  checkLength(model, texts.length > 1 ? 'text + textPair' : 'text', ids);
  const tiTypes = texts.length > 1 ? tokenTypes : ids.map((_, i) => (i <= ids.length - 2 ? 0 : 1));
  return new ExplainedText(model, texts, ids, firstTextEnd(ids, textIds!), tokenTypes, quirks ? { types: tiTypes } : undefined);
}

/**
 * Explains one class of a classification head on an input: `options.target` (default the
 * predicted class), as its logit or its probability; `sign` −1 explains a single-output
 * head's probability towards 0 instead of 1.
 */
export async function explainClass(input: ExplainedText, options: ExplainOptions, resolved: ResolvedOptions, sign: 1 | -1 = 1): Promise<SequenceClassificationResult> {
  const m = input.model;
  const logits = await input.logits({ types: input.types });
  if (sign === -1 && logits.length !== 1) {
    throw new InvalidInputError(`flipSign applies to single-output models; model "${m.id}" has ${logits.length} classes: choose one with target`, 'bad_flip_sign');
  }
  const probabilities = headProbabilities(logits);
  const predictedIndex = probabilities.indexOf(Math.max(...probabilities));
  const labels = classLabels(m.labels, logits.length);
  const targetIndex = parseTarget(options.target, labels, predictedIndex);
  const single = logits.length === 1;
  const space = resolved.output === 'logits' ? 'logits' : resolved.output === 'log-softmax' ? (single ? 'log-sigmoid' : 'log-softmax') : single ? 'sigmoid' : 'softmax';
  const scorer = input.scorer(targetIndex, space, sign);
  const { tokens, words, convergenceDelta } = await input.explain(scorer, options, resolved);
  return {
    model: m.id,
    method: resolved.method,
    output: resolved.output,
    text: input.texts[0]!,
    ...(input.texts.length > 1 && { textPair: input.texts[1]! }),
    tokens,
    words,
    predicted: { index: predictedIndex, label: labels[predictedIndex]!, score: probabilities[predictedIndex]! },
    target: { index: targetIndex, label: labels[targetIndex]! },
    convergenceDelta,
    logits,
    probabilities,
    ...(options.attention !== undefined && { attentions: await input.attentions(scorer, options.attention) }),
  };
}
