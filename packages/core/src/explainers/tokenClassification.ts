import { type AttentionOutput, attentionFor } from '../attention/attentionFor.ts';
import { InvalidInputError, ModelLoadError } from '../errors.ts';
import type { TextModel, Segments } from '../model/textModel.ts';
import { cleanTextLikeTransformersInterpret } from '../text/clean.ts';
import { type TokenSpan, alignTokens } from '../text/tokens.ts';
import { attributeTokens } from '../attribution/attributeTokens.ts';
import { type Truncation, fitTexts, textTokens, withAttributions } from '../attribution/explainedText.ts';
import { type OutputSpace, parseTarget, softmax } from '../attribution/classification.ts';
import type { TokenAttribution } from './sequenceClassification.ts';
import { checkTaskOptions, taskRule } from '../attribution/optionRules.ts';
import { type ShapleyBase, shapleyBase } from '../attribution/shapleyBase.ts';
import { type MethodName, type ExplainOptions, resolveOptions } from '../attribution/explainOptions.ts';
import { TextRunner } from '../attribution/textRunner.ts';
import { argmax, entryScorer } from '../attribution/tokenScores.ts';
import { ClassifierExplainer } from './modelExplainer.ts';

export interface TokenClassificationOptions extends Omit<ExplainOptions, 'textPair'> {
  /** Token positions not to explain (transformers-interpret's `ignored_indexes`). */
  ignoredIndexes?: number[];
  /** Labels whose tokens are not explained (transformers-interpret's `ignored_labels`). */
  ignoredLabels?: string[];
}

export interface TokenPrediction {
  index: number;
  label: string;
  /** Softmax probability of the label at that token. */
  score: number;
}

export interface PredictedToken extends TokenSpan {
  predicted: TokenPrediction;
}

/**
 * One explained token: what the model predicted there, and why (attributions over the whole
 * sentence). Shapley methods add baseValue and fx (Σ attributions + baseValue = fx; see ShapleyBase).
 */
export interface ExplainedToken extends Partial<ShapleyBase> {
  /** Position of the token in `tokens`. */
  index: number;
  token: string;
  predicted: TokenPrediction;
  /** The explained class: the predicted one unless `target` named another. */
  target: { index: number; label: string };
  tokens: TokenAttribution[];
  /** Σ attributions − (f(x) − f(baseline)) before normalisation; integrated gradients only. */
  convergenceDelta: number | null;
}

export interface TokenClassificationResult {
  /** What the result is: the task that explained it (viz draws by it). */
  kind: 'token-classification';
  model: string;
  method: MethodName;
  output: OutputSpace;
  /** The text the tokens index into (after transformers-interpret's cleaning when it applied). */
  text: string;
  /** Every token with its predicted label. */
  tokens: PredictedToken[];
  /** The explained tokens, in order: every token not ignored by index or by predicted label. */
  explained: ExplainedToken[];
  /** [T][C] */
  logits: number[][];
  probabilities: number[][];
  /** Attention maps of the explained forward pass (the first explained token's target), when asked and a token is explained. */
  attentions?: AttentionOutput;
  /** Present when the `truncation` option cut the text to fit the model: `text` is then the explained prefix. */
  truncated?: Truncation;
}

/**
 * Explains a token classifier (NER). With no options it reproduces transformers-interpret's
 * TokenClassificationExplainer: every token (special tokens included) is explained unless
 * ignored, each by layer integrated gradients on the word embeddings, [CLS] [PAD]… [SEP]
 * baseline, 50 Gauss-Legendre steps, on the softmax probability of that token's predicted
 * label, summed over the hidden dimension and divided by the L2 norm over tokens.
 */
export class TokenClassificationExplainer extends ClassifierExplainer<TextModel> {
  static override readonly task = taskRule('token-classification', { own: ['ignoredIndexes', 'ignoredLabels'], without: ['textPair'] });

  private readonly logitsName: string;

  constructor(model: TextModel) {
    super(model);
    const output = model.onnx.graph.outputs[0];
    if (output?.shape.length !== 3)
      throw new ModelLoadError(`model "${model.id}" is not a token classifier: its first output is not [batch, tokens, classes] logits`);
    this.logitsName = output.name;
  }

  async explain(text: string, options: TokenClassificationOptions = {}): Promise<TokenClassificationResult> {
    checkTaskOptions(TokenClassificationExplainer.task, options, options.method);
    const resolved = resolveOptions(options);
    if (typeof text !== 'string' || text.trim() === '') throw new InvalidInputError('text is empty', 'empty_text');
    const m = this.model;
    const cleaned = resolved.quirks ? cleanTextLikeTransformersInterpret(text) : text;
    textTokens(m, 'text', cleaned);
    const {
      texts: [shownText],
      truncated,
    } = fitTexts(m, [cleaned], { truncation: options.truncation });
    const { ids, tokenTypes } = m.encode(shownText);
    const specials = m.specialIds();

    const { segments, reference } = this.segments(ids, tokenTypes, resolved.quirks);
    const runner = new TextRunner(m, ids, segments);
    const { feeds, overrides } = runner.inputs([ids]);
    const flat = (await m.forward.run({ feeds, overrides, fetch: [this.logitsName] }))[this.logitsName]!.data;
    const C = flat.length / ids.length;
    const logits = ids.map((_, t) => Array.from(flat.subarray(t * C, (t + 1) * C)));
    const probabilities = logits.map((z) => softmax(z));
    const labels = m.labels.length === C ? m.labels : Array.from({ length: C }, (_, i) => `LABEL_${i}`);
    const predictions = probabilities.map((p): TokenPrediction => {
      const index = argmax(p);
      return { index, label: labels[index]!, score: p[index]! };
    });
    const targetClass = options.target === undefined ? undefined : parseTarget(options.target, labels, 0);
    const selected = selectTokens(ids.length, predictions, labels, options);

    const spans = alignTokens(
      shownText,
      ids.map((id) => ({ id, token: m.tokenString(id), special: specials.has(id) })),
    );
    const layout = { texts: [shownText], spans };
    const scorerOf = (t: number) => entryScorer(this.logitsName, t * C, C, targetClass ?? predictions[t]!.index, resolved.output);
    const explained: ExplainedToken[] = [];
    for (const t of selected) {
      const c = targetClass ?? predictions[t]!.index;
      const { perToken, convergenceDelta, units, ...base } = await attributeTokens(
        runner,
        scorerOf(t),
        options,
        resolved,
        reference,
        layout,
      );
      explained.push({
        index: t,
        token: spans[t]!.token,
        predicted: predictions[t]!,
        target: { index: c, label: labels[c]! },
        tokens: withAttributions(spans, perToken, units),
        convergenceDelta,
        ...shapleyBase(base),
      });
    }
    const result: TokenClassificationResult = {
      kind: 'token-classification',
      model: m.id,
      method: resolved.method,
      output: resolved.output,
      text: shownText,
      tokens: spans.map((s, t) => ({ ...s, predicted: predictions[t]! })),
      explained,
      logits,
      probabilities,
      ...(truncated && { truncated }),
    };
    if (options.attention && selected.length > 0) {
      result.attentions = await attentionFor(
        { onnx: m.onnx, feeds, overrides, scorer: scorerOf(selected[0]!), forwardEngine: m.forward, gradientEngine: m.gradients },
        options.attention,
      );
    }
    return result;
  }

  /**
   * transformers-interpret passes position ids 0..T−1 (not to RoBERTa) and no token types
   * (so zeros), and runs its baseline with zero position ids; otherwise the model's own inputs.
   */
  private segments(ids: number[], tokenTypes: number[] | undefined, quirks: boolean): { segments: Segments; reference?: Segments } {
    if (!quirks) return { segments: { types: tokenTypes } };
    const passes = this.model.transformersInterpretPassesPositionIds;
    const zeros = ids.map(() => 0);
    return {
      segments: { types: zeros, position: passes ? (i) => i : undefined },
      reference: { types: zeros, position: passes ? () => 0 : undefined },
    };
  }
}

/** Token positions to explain: all but the ignored indexes and the tokens whose predicted label is ignored. */
function selectTokens(length: number, predictions: TokenPrediction[], labels: string[], options: TokenClassificationOptions): number[] {
  const { ignoredIndexes = [], ignoredLabels = [] } = options;
  if (!Array.isArray(ignoredIndexes))
    throw new InvalidInputError('ignoredIndexes must be a list of token positions', 'bad_ignored_indexes');
  if (!Array.isArray(ignoredLabels)) throw new InvalidInputError('ignoredLabels must be a list of labels', 'bad_ignored_labels');
  for (const i of ignoredIndexes) {
    if (!Number.isInteger(i) || i < 0 || i >= length) {
      throw new InvalidInputError(
        `ignored index ${JSON.stringify(i)} is not a token position; the text has positions 0..${length - 1}`,
        'bad_ignored_indexes',
      );
    }
  }
  for (const l of ignoredLabels) {
    if (!labels.includes(l))
      throw new InvalidInputError(`unknown ignored label ${JSON.stringify(l)}; labels: ${labels.join(', ')}`, 'bad_ignored_labels');
  }
  const skip = new Set(ignoredIndexes);
  return predictions.flatMap((p, t) => (skip.has(t) || ignoredLabels.includes(p.label) ? [] : [t]));
}
