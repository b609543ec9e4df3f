import { type AttentionOutput, attentionFor } from '../attention/attentionFor.ts';
import { InvalidInputError, ModelLoadError } from '../errors.ts';
import type { TextModel, Segments } from '../model/textModel.ts';
import { alignSegments } from '../text/tokens.ts';
import { type TextLayout, attributeTokens } from '../attribution/attributeTokens.ts';
import type { OutputSpace } from '../attribution/classification.ts';
import { type Truncation, firstTextEnd, fitTexts, withAttributions } from '../attribution/explainedText.ts';
import { checkTaskOptions, taskRule } from '../attribution/optionRules.ts';
import { type ShapleyBase, shapleyBase } from '../attribution/shapleyBase.ts';
import { type MethodName, type ExplainOptions, resolveOptions } from '../attribution/explainOptions.ts';
import { type TextLayer, layerTensor } from '../attribution/textLayer.ts';
import { TextRunner } from '../attribution/textRunner.ts';
import { argmax, entryScorer } from '../attribution/tokenScores.ts';
import { ModelExplainer } from './modelExplainer.ts';

export const EMBEDDING_TYPES = [0, 2] as const;
/** 0: the word embeddings; 2: the output of the whole embeddings block (word + position embeddings, LayerNorm). */
export type EmbeddingType = (typeof EMBEDDING_TYPES)[number];
export const ANSWER_SIDES = ['start', 'end', 'both'] as const;
export type AnswerSide = (typeof ANSWER_SIDES)[number];

export interface QuestionAnsweringOptions extends Omit<ExplainOptions, 'target' | 'textPair'> {
  /** Which tensor gradient methods attribute to. Default 2, as transformers-interpret. The `layer` option says the same (give one of them). */
  embeddingType?: EmbeddingType;
  /** Explain the start logits, the end logits or both (default). */
  which?: AnswerSide;
  /**
   * The explained position: 'max' (default, transformers-interpret's) scores the largest
   * logit over positions, chosen again at every evaluation; 'predicted' the logit at the
   * position predicted on the input (Captum's fixed target); a number that position.
   */
  target?: 'max' | 'predicted' | number;
}

export interface AnswerTokenAttribution {
  token: string;
  id: number;
  special: boolean;
  /** null where the method gives none (occlusion leaves special tokens out). */
  attribution: number | null;
  /** At 'word' or 'sentence' granularity, the index of the token's unit (its tokens share one value). */
  unit?: number;
}

/** The attributions of one side (start or end) of the answer span; Shapley methods add baseValue and fx (see ShapleyBase). */
export interface AnswerSideAttribution extends Partial<ShapleyBase> {
  /** The explained position (for target 'max': where the maximum is on the input). */
  position: number;
  /** Its logit on the input. */
  logit: number;
  tokens: AnswerTokenAttribution[];
  /** Σ attributions − (f(x) − f(baseline)) before normalisation; integrated gradients only. */
  convergenceDelta: number | null;
}

export interface QuestionAnsweringResult {
  /** What the result is: the task that explained it (viz draws by it). */
  kind: 'question-answering';
  model: string;
  method: MethodName;
  output: OutputSpace;
  embeddingType: EmbeddingType;
  /** The tensor gradient methods attributed: the `layer` option, else embeddingType's ('word' for 0, 'embeddings' for 2); set by the explainer. */
  layer?: TextLayer;
  question: string;
  context: string;
  /** null when `which` left it out. */
  start: AnswerSideAttribution | null;
  end: AnswerSideAttribution | null;
  /** Argmax of the start and end logits. */
  startPosition: number;
  endPosition: number;
  /** The tokens from startPosition to endPosition joined by spaces (transformers-interpret's); '' when end < start. */
  predictedAnswer: string;
  startLogits: number[];
  endLogits: number[];
  /** Attention maps of the explained forward pass (the first explained side's target), when asked. */
  attentions?: AttentionOutput;
  /** Present when the `truncation` option cut the context to fit the model: `context` is then the explained prefix. */
  truncated?: Truncation;
}

/**
 * Explains an extractive question-answering model (start and end logits over positions).
 * With no options it reproduces transformers-interpret's QuestionAnsweringExplainer: layer
 * integrated gradients on the embeddings block's output (`embeddingType` 2), baseline
 * [CLS] [PAD]… [SEP] [PAD]… [SEP], 50 Gauss-Legendre steps, target the largest start (end)
 * logit, summed over the hidden dimension and divided by the L2 norm over tokens.
 */
export class QuestionAnsweringExplainer extends ModelExplainer<TextModel> {
  static override readonly task = taskRule('question-answering', { own: ['which', 'embeddingType'], without: ['textPair'] });

  private readonly outputs: { start: string; end: string };

  constructor(model: TextModel) {
    super(model);
    this.outputs = logitOutputs(model);
  }

  async explain(question: string, givenContext: string, options: QuestionAnsweringOptions = {}): Promise<QuestionAnsweringResult> {
    checkTaskOptions(QuestionAnsweringExplainer.task, options, options.method);
    const { target = 'max', which = 'both', embeddingType: givenType, ...common } = options;
    if (givenType !== undefined && common.layer !== undefined) {
      throw new InvalidInputError(
        `embeddingType and layer both say which tensor is attributed; give one (layer "${common.layer}")`,
        'bad_embedding_type',
      );
    }
    const embeddingType = givenType ?? 2;
    for (const [name, text] of [
      ['question', question],
      ['context', givenContext],
    ] as const) {
      if (typeof text !== 'string' || text.trim() === '') throw new InvalidInputError(`${name} is empty`, 'empty_text');
    }
    if (!ANSWER_SIDES.includes(which))
      throw new InvalidInputError(`unknown which "${which}"; use one of ${ANSWER_SIDES.join(', ')}`, 'bad_which');
    if (!EMBEDDING_TYPES.includes(embeddingType)) {
      throw new InvalidInputError(
        `unknown embeddingType ${JSON.stringify(embeddingType)}; use 0 (word embeddings) or 2 (the embeddings block)`,
        'bad_embedding_type',
      );
    }
    const base = resolveOptions({ ...common, output: common.output ?? 'logits' });
    const quirks =
      common.transformersInterpretQuirks ?? (base.method === 'integrated-gradients' && base.output === 'logits' && target === 'max');
    const resolved = { ...base, quirks };
    const m = this.model;

    const {
      texts: [, context],
      truncated,
    } = fitTexts(m, [question, givenContext], { truncation: common.truncation, cut: 1, name: 'question + context' });
    const { ids, segments, reference } = this.encode(question, context, quirks);
    if (ids.length > m.maxTokens) {
      throw new InvalidInputError(
        `question and context are ${ids.length} tokens long; model "${m.id}" accepts at most ${m.maxTokens}`,
        'text_too_long',
      );
    }
    if (typeof target === 'number' && !(Number.isInteger(target) && target >= 0 && target < ids.length)) {
      throw new InvalidInputError(
        `target position ${target} is out of range; the input has positions 0..${ids.length - 1}`,
        'unknown_target',
      );
    }
    if (typeof target !== 'number' && target !== 'max' && target !== 'predicted') {
      throw new InvalidInputError(`unknown target "${String(target)}"; use "max", "predicted" or a position index`, 'unknown_target');
    }
    const layer = common.layer ? layerTensor(m, common.layer) : embeddingType === 0 ? m.wordEmbedding.tensor : m.embeddingsOutput;
    if (!layer)
      throw new InvalidInputError(`model "${m.id}" has no LayerNorm after its word embeddings; use embeddingType 0`, 'bad_embedding_type');

    const runner = new TextRunner(m, ids, segments, layer);
    const { start: startName, end: endName } = this.outputs;
    const { feeds, overrides } = runner.inputs([ids]);
    const out = await m.forward.run({ feeds, overrides, fetch: [startName, endName] });
    const startLogits = Array.from(out[startName]!.data);
    const endLogits = Array.from(out[endName]!.data);
    const startPosition = argmax(startLogits);
    const endPosition = argmax(endLogits);

    const specials = m.specialIds();
    const layout = this.layout(question, context, ids);
    const sideScorer = (name: string, logits: number[]) => {
      const position = typeof target === 'number' ? target : argmax(logits);
      return { position, scorer: entryScorer(name, 0, ids.length, target === 'max' ? 'max' : position, resolved.output) };
    };
    const explainSide = async (name: string, logits: number[]): Promise<AnswerSideAttribution> => {
      const { position, scorer } = sideScorer(name, logits);
      const { perToken, convergenceDelta, units, ...base } = await attributeTokens(runner, scorer, common, resolved, reference, layout);
      return {
        position,
        logit: logits[position]!,
        tokens: withAttributions(
          ids.map((id) => ({ token: m.tokenString(id), id, special: specials.has(id) })),
          perToken,
          units,
        ),
        convergenceDelta,
        ...shapleyBase(base),
      };
    };
    const start = which === 'end' ? null : await explainSide(startName, startLogits);
    const end = which === 'start' ? null : await explainSide(endName, endLogits);

    const result: QuestionAnsweringResult = {
      kind: 'question-answering',
      model: m.id,
      method: resolved.method,
      output: resolved.output,
      embeddingType,
      layer: common.layer ?? (embeddingType === 0 ? 'word' : 'embeddings'),
      question,
      context,
      start,
      end,
      startPosition,
      endPosition,
      predictedAnswer: ids
        .slice(startPosition, endPosition + 1)
        .map((id) => m.tokenString(id))
        .join(' '),
      startLogits,
      endLogits,
      ...(truncated && { truncated }),
    };
    if (common.attention) {
      const { scorer } = which === 'end' ? sideScorer(endName, endLogits) : sideScorer(startName, startLogits);
      result.attentions = await attentionFor(
        { onnx: m.onnx, feeds, overrides, scorer, forwardEngine: m.forward, gradientEngine: m.gradients },
        common.attention,
      );
    }
    return result;
  }

  /** Where the tokens lie: the question's (and the specials up to its [SEP]) in the question, the rest in the context. */
  private layout(question: string, context: string, ids: number[]): TextLayout {
    const m = this.model;
    const specials = m.specialIds();
    const questionEnd = firstTextEnd(ids, m.encode(question, undefined, false).ids);
    const tokens = ids.map((id) => ({ id, token: m.tokenString(id), special: specials.has(id) }));
    return { texts: [question, context], spans: alignSegments([question, context], tokens, (i) => (i > questionEnd ? 1 : 0)) };
  }

  /**
   * Token ids and segments. transformers-interpret builds [CLS] question [SEP] context [SEP]
   * itself, gives the first [SEP] onwards token type 1, passes position ids 0..T−1 (not to
   * RoBERTa), and runs its baseline with zero position ids and token types; otherwise the
   * tokenizer's pair encoding and the model's own inputs.
   */
  private encode(question: string, context: string, quirks: boolean): { ids: number[]; segments: Segments; reference?: Segments } {
    const m = this.model;
    if (!quirks) {
      const { ids, tokenTypes } = m.encode(question, context);
      return { ids, segments: { types: tokenTypes } };
    }
    const q = m.encode(question, undefined, false).ids;
    const c = m.encode(context, undefined, false).ids;
    const cls = m.tokenId('cls') ?? m.tokenId('bos');
    const sep = m.tokenId('sep') ?? m.tokenId('eos');
    if (cls === undefined || sep === undefined)
      throw new InvalidInputError(`model "${m.id}" has no [CLS]/[SEP] (or bos/eos) tokens to build a question-context pair`, 'bad_model');
    const ids = [cls, ...q, sep, ...c, sep];
    const passes = m.transformersInterpretPassesPositionIds;
    const types = ids.map((_, i) => (passes && i > q.length ? 1 : 0));
    return {
      ids,
      segments: { types, position: passes ? (i) => i : undefined },
      reference: { types: ids.map(() => 0), position: passes ? () => 0 : undefined },
    };
  }
}

/** The start- and end-logit outputs: by name, else the graph's first two outputs. */
function logitOutputs(m: TextModel): { start: string; end: string } {
  const names = m.onnx.graph.outputs.map((o) => o.name);
  const start = names.includes('start_logits') ? 'start_logits' : names[0];
  const end = names.includes('end_logits') ? 'end_logits' : names[1];
  if (!start || !end) throw new ModelLoadError(`model "${m.id}" is not a question-answering model: its graph has no start and end logits`);
  return { start, end };
}
