import { type AttentionMode, type AttentionOutput, attentionFor } from '../attention/attentionFor.ts';
import { InvalidInputError } from '../errors.ts';
import type { TextModel, Segments } from '../model/textModel.ts';
import { type TokenSpan, type WordSpan, alignSegments, alignTokens, groupWords } from '../text/tokens.ts';
import { type TextLayout, attributeTokens, attributeTokensForTargets, l2Normalize } from './attributeTokens.ts';
import { type ClassScoreSpace, classScoreSpec, classScores } from './classification.ts';
import type { ExplainedForward } from '../attention/explainedForward.ts';
import { type ShapleyBase, shapleyBase } from './shapleyBase.ts';
import type { SharedForward } from './sharedForward.ts';
import type { ResolvedOptions, ExplainOptions } from './explainOptions.ts';
import { TextRunner } from './textRunner.ts';
import type { Scorer } from '../model/scorer.ts';

/**
 * Each token with its attribution and, when `units` are given ('word' or 'sentence'
 * granularity), the index of its unit.
 */
export function withAttributions<T extends object>(
  tokens: readonly T[],
  perToken: readonly (number | null)[],
  units?: readonly (readonly number[])[],
): (T & { attribution: number | null; unit?: number })[] {
  const unitOf = new Array<number>(tokens.length).fill(-1);
  units?.forEach((u, k) => u.forEach((p) => p < tokens.length && (unitOf[p] = k)));
  return tokens.map((t, i) => ({ ...t, attribution: perToken[i] ?? null, ...(unitOf[i]! >= 0 && { unit: unitOf[i]! }) }));
}

/** 0: the text; 1: the second text of a pair (a hypothesis, a textPair). */
export type Segment = 0 | 1;

export interface TokenAttribution extends TokenSpan {
  /** The text the token's offsets index into (always set by the classification explainers). */
  segment?: Segment;
  /** null where the method gives none (occlusion leaves special tokens out). */
  attribution: number | null;
  /**
   * At 'word' or 'sentence' granularity: the index of the token's unit (in `words` where the
   * result has them). Every token of a unit carries the unit's value; a unit counts once.
   */
  unit?: number;
}

export interface WordAttribution extends WordSpan {
  segment?: Segment;
  attribution: number | null;
}

/**
 * Token and word attributions of one explained score, its convergence delta (IG only, before
 * normalisation) and, from Shapley methods, its baseValue and fx (Σφ + baseValue = fx).
 */
export interface TextAttributions extends Partial<ShapleyBase> {
  tokens: TokenAttribution[];
  words: WordAttribution[];
  convergenceDelta: number | null;
}

/** Token ids of one text without special tokens, after checking that it is a non-empty string with tokens. */
export function textTokens(model: TextModel, name: string, text: unknown): number[] {
  if (typeof text !== 'string' || text.trim() === '') throw new InvalidInputError(`${name} is empty`, 'empty_text');
  const ids = model.tokenizer.encode(text, { add_special_tokens: false });
  const specials = model.specialIds();
  if (ids.every((id) => specials.has(id))) throw new InvalidInputError(`${name} has no tokens once tokenized`, 'empty_text');
  return ids;
}

/** Refuse inputs longer than the model's position table. */
export function checkLength(model: TextModel, name: string, ids: readonly number[]): void {
  if (ids.length > model.maxTokens) {
    throw new InvalidInputError(
      `${name} is ${ids.length} tokens long; model "${model.id}" accepts at most ${model.maxTokens}`,
      'text_too_long',
    );
  }
}

/** What `truncation` cut: the input's token count (special tokens included) and the count explained. */
export interface Truncation {
  inputTokens: number;
  explainedTokens: number;
}

/** How fitTexts may cut: whether it may, which text it cuts (default the first), the input's name in errors and the tokens it may take (default the model's maximum). */
export interface FitOptions {
  truncation?: boolean;
  cut?: 0 | 1;
  name?: string;
  maxTokens?: number;
}

/**
 * The texts as explained: unchanged when they fit the model; else, with `truncation`, the
 * text `cut` cut after its last token that fits (a prefix of it, so offsets still index into
 * it), and what was cut. Without `truncation` a too-long input is an error naming both lengths.
 */
export function fitTexts<T extends [string] | [string, string]>(
  model: TextModel,
  texts: T,
  options: FitOptions = {},
): { texts: T; truncated?: Truncation } {
  const { truncation = false, cut = 0, name = texts.length > 1 ? 'text + textPair' : 'text', maxTokens = model.maxTokens } = options;
  const inputTokens = model.encode(texts[0], texts[1]).ids.length;
  if (inputTokens <= maxTokens) return { texts };
  if (!truncation) {
    throw new InvalidInputError(
      `${name} is ${inputTokens} tokens long; model "${model.id}" accepts at most ${maxTokens}; pass truncation: true (CLI: --truncation true) to explain its first tokens`,
      'text_too_long',
    );
  }
  const text = texts[cut]!;
  const ids = model.encode(text, undefined, false).ids;
  const specials = model.specialIds();
  const spans = alignTokens(
    text,
    ids.map((id) => ({ id, token: model.tokenString(id), special: specials.has(id) })),
  );
  for (let keep = ids.length - (inputTokens - maxTokens); keep > 0; keep--) {
    const end = spans[keep - 1]!.end;
    if (end === null) continue;
    const fitted = texts.map((t, i) => (i === cut ? text.slice(0, end) : t)) as T;
    const explainedTokens = model.encode(fitted[0], fitted[1]).ids.length;
    if (explainedTokens <= maxTokens) return { texts: fitted, truncated: { inputTokens, explainedTokens } };
  }
  throw new InvalidInputError(
    `${name} is ${inputTokens} tokens long; model "${model.id}" accepts at most ${maxTokens}, and truncating cannot make it fit`,
    'text_too_long',
  );
}

/** Where the first text's tokens end in an encoding that starts with them (after any [CLS]). */
export function firstTextEnd(ids: readonly number[], textIds: readonly number[]): number {
  return ids.indexOf(textIds[0]!) + textIds.length;
}

/**
 * One tokenized input an explainer attributes: its ids, the run that is attributed, and
 * where each token lies in the text(s). The run uses the model's own inputs, or, when
 * `transformersInterpret` is given, that library's: the given token types, position ids
 * 0..T−1 for models whose forward takes them, and for its convergence delta a baseline run
 * with zero token types and position ids.
 */
export class ExplainedText {
  readonly runner: TextRunner;
  readonly reference: Segments | undefined;
  /** Token spans; tokens after the separator at `textEnd` belong to the second text (segment 1) when there is one. */
  readonly spans: (TokenSpan & { segment: Segment })[];
  /** Set when the `truncation` option cut the input to fit the model (see fitTexts). */
  truncated: Truncation | undefined;

  constructor(
    readonly model: TextModel,
    /** The text, or the two texts of a pair, the tokens index into. */
    readonly texts: readonly string[],
    readonly ids: number[],
    /** Index after the first text's last token (see firstTextEnd). */
    readonly textEnd: number,
    /** The tokenizer's token types (the model's own inputs). */
    readonly types: number[] | undefined,
    transformersInterpret?: { types: number[] | undefined },
  ) {
    if (transformersInterpret) {
      // transformers-interpret passes position ids and token types only to models whose forward takes them, RoBERTa excepted.
      const passes = model.transformersInterpretPassesPositionIds;
      this.runner = new TextRunner(model, ids, passes ? { types: transformersInterpret.types, position: (i) => i } : {});
      this.reference = passes ? { types: ids.map(() => 0), position: () => 0 } : {};
    } else {
      this.runner = new TextRunner(model, ids, { types });
    }
    const specials = model.specialIds();
    const tokens = ids.map((id) => ({ id, token: model.tokenString(id), special: specials.has(id) }));
    const segmentOf = (i: number): Segment => (texts.length > 1 && i > textEnd ? 1 : 0);
    this.spans = alignSegments(texts, tokens, segmentOf) as (TokenSpan & { segment: Segment })[];
  }

  /** The model's logits on this input, under the given segments (default: the attributed run's). */
  async logits(segments: Segments = this.runner.segments): Promise<number[]> {
    const name = this.model.onnx.graph.outputs[0]!.name;
    const { feeds, overrides } = this.runner.inputs([this.ids], segments);
    return Array.from((await this.model.forward.run({ feeds, overrides, fetch: [name] }))[name]!.data);
  }

  /** The score of class `c` of the model's logits (see classScores). */
  scorer(c: number, space: ClassScoreSpace, sign: 1 | -1 = 1): Scorer {
    return {
      output: this.model.onnx.graph.outputs[0]!.name,
      score: (z) => classScores(z, c, space, sign),
      spec: classScoreSpec(c, space, sign),
    };
  }

  /**
   * Attributes the scorer's score to the tokens with the chosen method. Only tokens
   * [0, end) are returned, and L2 normalisation (when asked) runs over them alone.
   * Explanations given the same `forward` share their forward-only passes.
   */
  async explain(
    scorer: Scorer,
    options: ExplainOptions,
    resolved: ResolvedOptions,
    end = this.ids.length,
    forward?: SharedForward,
  ): Promise<TextAttributions> {
    const whole = end === this.ids.length;
    const scores = await attributeTokens(
      this.runner,
      scorer,
      options,
      whole ? resolved : { ...resolved, normalize: 'none' },
      this.reference,
      this.layout,
      forward,
    );
    let perToken = scores.perToken.slice(0, end);
    const units = scores.units?.filter((u) => u.every((p) => p < end));
    if (!whole && resolved.normalize === 'l2') {
      perToken = l2Normalize(perToken, units);
    }
    return this.attributions(perToken, { convergenceDelta: scores.convergenceDelta, ...shapleyBase(scores) }, units);
  }

  /**
   * Explains several scorers over all the tokens at once with integrated gradients, saliency
   * or input × gradient (attributeTokensForTargets): result j is explain(scorers[j]).
   */
  async explainTargets(scorers: readonly Scorer[], options: ExplainOptions, resolved: ResolvedOptions): Promise<TextAttributions[]> {
    const scores = await attributeTokensForTargets(this.runner, scorers, options, resolved, this.reference, this.layout);
    return scores.map((s) => this.attributions(s.perToken, { convergenceDelta: s.convergenceDelta }, s.units));
  }

  private get layout(): TextLayout {
    return { texts: this.texts, spans: this.spans };
  }

  /**
   * Token and word attributions of the first perToken.length tokens. A word's value is the sum
   * of its tokens'; with `units` ('word' or 'sentence' granularity) `words` lists the units
   * instead (the words, or the sentences), each with its value once. `about` (convergence
   * delta, base value and f(x)) is passed through.
   */
  private attributions(
    perToken: (number | null)[],
    about: Omit<TextAttributions, 'tokens' | 'words'>,
    units?: number[][],
  ): TextAttributions {
    const spans = this.spans.slice(0, perToken.length);
    if (units) {
      return {
        tokens: withAttributions(spans, perToken, units),
        words: units.map((u) => this.unitSpan(spans, u, perToken[u[0]!] ?? null)),
        ...about,
      };
    }
    return {
      tokens: spans.map((s, i) => ({ ...s, attribution: perToken[i] ?? null })),
      words: this.texts.flatMap((text, s) =>
        groupWords(
          text,
          spans.map((t) => (t.segment === s ? t : { ...t, start: null, end: null })),
        ).map((w) => ({
          ...w,
          segment: s as Segment,
          attribution: w.tokens.some((i) => perToken[i] === null) ? null : w.tokens.reduce((a, i) => a + perToken[i]!, 0),
        })),
      ),
      ...about,
    };
  }

  /** A unit's text span: from its first token's start to its last token's end, in its segment's text. */
  private unitSpan(
    spans: readonly (TokenSpan & { segment: Segment })[],
    unit: readonly number[],
    attribution: number | null,
  ): WordAttribution {
    const placed = unit.filter((i) => spans[i]!.start !== null);
    const segment = spans[unit[0]!]!.segment;
    const start = placed.length ? Math.min(...placed.map((i) => spans[i]!.start!)) : 0;
    const end = placed.length ? Math.max(...placed.map((i) => spans[i]!.end!)) : 0;
    return { word: this.texts[segment]!.slice(start, end), start, end, tokens: [...unit], segment, attribution };
  }

  /** The explained forward pass: this input's attributed run and the scorer of the explained target. */
  forward(scorer: Scorer): ExplainedForward {
    const { feeds, overrides } = this.runner.inputs([this.ids]);
    return { onnx: this.model.onnx, feeds, overrides, scorer, forwardEngine: this.model.forward, gradientEngine: this.model.gradients };
  }

  /** The attention maps the `attention` option asks for, on the explained forward pass. */
  async attentions(scorer: Scorer, mode: AttentionMode | undefined): Promise<AttentionOutput | undefined> {
    return mode === undefined ? undefined : attentionFor(this.forward(scorer), mode);
  }
}
