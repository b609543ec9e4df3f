import { InvalidInputError } from '../errors.ts';
import { type LoadOptions, TextModel } from '../model/textModel.ts';
import { cleanTextLikeTransformersInterpret } from '../text/clean.ts';
import { type TokenSpan, type WordSpan, alignTokens, groupWords } from '../text/tokens.ts';
import { attributeTokens } from './attributeTokens.ts';
import { type OutputSpace, classScores, parseTarget, softmax } from './classification.ts';
import { type ExplainOptions, type MethodName, resolveOptions } from './textOptions.ts';
import { type Scorer, type Segments, TextRunner } from './textRunner.ts';

export { BASELINES, type BaselineName, type ExplainOptions, METHODS, type MethodName } from './textOptions.ts';

export interface TokenAttribution extends TokenSpan {
  /** null where the method gives none (occlusion leaves special tokens out). */
  attribution: number | null;
}

export interface WordAttribution extends WordSpan {
  attribution: number | null;
}

export interface SequenceClassificationResult {
  model: string;
  method: MethodName;
  output: OutputSpace;
  /** The text the tokens index into (after transformers-interpret's cleaning when it applied). */
  text: string;
  tokens: TokenAttribution[];
  words: WordAttribution[];
  predicted: { index: number; label: string; score: number };
  target: { index: number; label: string };
  /** Σ attributions − (f(x) − f(baseline)) before normalisation; integrated gradients only. */
  convergenceDelta: number | null;
  logits: number[];
  probabilities: number[];
}

/**
 * Explains a sequence classifier (any transformers.js text-classification model). With no
 * options it reproduces transformers-interpret's SequenceClassificationExplainer: layer
 * integrated gradients on the word embeddings, [CLS] [PAD]… [SEP] baseline, 50
 * Gauss-Legendre steps, softmax probability of the predicted class, summed over the hidden
 * dimension and divided by the L2 norm over tokens.
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
    const m = this.model;
    const shownText = resolved.quirks ? cleanTextLikeTransformersInterpret(text) : text;
    const { ids, tokenTypes } = m.encode(shownText, options.textPair);
    const specials = m.specialIds();
    if (ids.every((id) => specials.has(id))) throw new InvalidInputError('text has no tokens once tokenized', 'empty_text');
    if (ids.length > m.maxTokens) {
      throw new InvalidInputError(`text is ${ids.length} tokens long; model "${m.id}" accepts at most ${m.maxTokens}`, 'text_too_long');
    }

    const plain = new TextRunner(m, ids, { types: tokenTypes });
    const logitsName = m.onnx.graph.outputs[0]!.name;
    const { feeds } = plain.inputs([ids]);
    const logits = Array.from((await m.onnx.run({ feeds, fetch: [logitsName] }))[logitsName]!.data);
    const probabilities = softmax(logits);
    const predictedIndex = probabilities.indexOf(Math.max(...probabilities));
    const labels = m.labels.length === logits.length ? m.labels : logits.map((_, i) => `LABEL_${i}`);
    const targetIndex = parseTarget(options.target, labels, predictedIndex);
    const scorer: Scorer = { output: logitsName, score: (z) => classScores(z, targetIndex, resolved.output) };

    const [runner, reference] = resolved.quirks ? this.transformersInterpretRuns(ids, tokenTypes, options.textPair !== undefined) : [plain, undefined];
    const { perToken, convergenceDelta } = await attributeTokens(runner, scorer, options, resolved, reference);

    const spans = alignTokens(shownText, ids.map((id) => ({ id, token: m.tokenString(id), special: specials.has(id) })));
    return {
      model: m.id,
      method: resolved.method,
      output: resolved.output,
      text: shownText,
      tokens: spans.map((s, i) => ({ ...s, attribution: perToken[i] ?? null })),
      words: groupWords(shownText, spans).map((w) => ({
        ...w,
        attribution: w.tokens.some((i) => perToken[i] === null) ? null : w.tokens.reduce((s, i) => s + perToken[i]!, 0),
      })),
      predicted: { index: predictedIndex, label: labels[predictedIndex]!, score: probabilities[predictedIndex]! },
      target: { index: targetIndex, label: labels[targetIndex]! },
      convergenceDelta,
      logits,
      probabilities,
    };
  }

  /**
   * How transformers-interpret runs the model: every token after the text's last one is
   * segment 1 (on a single text, the final [SEP]), and models whose forward takes
   * position_ids get 0..T−1; its convergence delta runs the baseline with zero position ids
   * and token types.
   */
  private transformersInterpretRuns(ids: number[], tokenizerTypes: number[] | undefined, pair: boolean): [TextRunner, Segments] {
    const m = this.model;
    const types = pair ? tokenizerTypes : ids.map((_, i) => (i <= ids.length - 2 ? 0 : 1));
    const takesPositions = m.forwardTakesPositionIds;
    const runner = new TextRunner(m, ids, { types, position: takesPositions ? (i) => i : undefined });
    const reference: Segments = { types: ids.map(() => 0), position: takesPositions ? () => 0 : undefined };
    return [runner, reference];
  }
}
