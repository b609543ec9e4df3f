import type { AttentionOutput } from '../attention/attentionFor.ts';
import { InvalidInputError } from '../errors.ts';
import type { TextModel } from '../model/textModel.ts';
import { cleanTextLikeTransformersInterpret } from '../text/clean.ts';
import { type OutputSpace, softmax } from '../attribution/classification.ts';
import {
  ExplainedText,
  type TextAttributions,
  type Truncation,
  checkLength,
  firstTextEnd,
  fitTexts,
  textTokens,
} from '../attribution/explainedText.ts';
import { checkTaskOptions, taskRule } from '../attribution/optionRules.ts';
import { type MethodName, type ExplainOptions, resolveOptions } from '../attribution/explainOptions.ts';
import { ModelExplainer } from './modelExplainer.ts';

export const DEFAULT_HYPOTHESIS_TEMPLATE = 'this text is about {} .';

export interface ZeroShotExplainOptions extends Omit<ExplainOptions, 'target' | 'textPair'> {
  /** The hypothesis each label is put in, `{}` standing for the label. Default "this text is about {} .". */
  hypothesisTemplate?: string;
  /** Attribute the hypothesis tokens too (and normalise over all tokens). Default false: the text only. */
  includeHypothesis?: boolean;
  /**
   * How label scores are computed, as in transformers' zero-shot pipeline: false (default)
   * a softmax of the entailment logits over the labels; true each label on its own, a
   * softmax over its contradiction and entailment logits (also used for a single label).
   */
  multiLabel?: boolean;
}

/** One candidate label's explanation: attributions of the entailment score of its hypothesis. */
export interface ZeroShotLabelAttributions extends TextAttributions {
  label: string;
  hypothesis: string;
  /** The label's score (see `multiLabel`). */
  score: number;
  /** The NLI model's logits and softmax probabilities on text + hypothesis. */
  logits: number[];
  probabilities: number[];
}

export interface ZeroShotClassificationResult {
  /** What the result is: the task that explained it (viz draws by it). */
  kind: 'zero-shot-classification';
  model: string;
  method: MethodName;
  output: OutputSpace;
  /** The text the tokens index into (after transformers-interpret's cleaning when it applied); hypothesis tokens have segment 1. */
  text: string;
  hypothesisTemplate: string;
  multiLabel: boolean;
  /** The label with the highest score. */
  predictedLabel: string;
  predicted: { index: number; label: string; score: number };
  /** The model's class every label is explained towards: entailment. */
  target: { index: number; label: string };
  /** Candidate label → its explanation, in the order given. */
  labels: Record<string, ZeroShotLabelAttributions>;
  /** The attention maps the `attention` option asked for, on the predicted label's forward pass. */
  attentions?: AttentionOutput;
  /** Present when the `truncation` option cut the text to fit beside the longest hypothesis: `text` is then the explained prefix. */
  truncated?: Truncation;
}

/**
 * Explains zero-shot classification with an NLI model, as transformers-interpret's
 * ZeroShotClassificationExplainer: each candidate label is put in the hypothesis template,
 * the text + hypothesis pair is run, and the attributions explain the entailment class
 * (softmax probability by default, its logit with output 'logits'). The entailment class
 * is the label2id entry whose name starts with "entail" (any case), as in transformers'
 * pipeline; transformers-interpret accepts "entailment" and "ENTAILMENT" only.
 *
 * When reproducing transformers-interpret (its configuration: integrated gradients on the
 * probability), its quirks are kept, because its numbers depend on them:
 * - the input is built as [CLS] text [SEP] hypothesis [SEP] from the two texts tokenized
 *   alone (one [SEP] between them even for RoBERTa), from the cleaned text (attributions)
 *   and the raw text (the label scores);
 * - its token types mark the first [SEP] as segment 1 (`0 if i <= len(text tokens) else 1`),
 *   and position ids are 0..T−1;
 * - without `includeHypothesis` its word attributions stop one token before the first
 *   [SEP] ([CLS] and the text's tokens but its last), normalised over those tokens.
 * Otherwise the pair is encoded by the tokenizer with its own token types, and the text's
 * attributions cover [CLS] and all its tokens, up to the first [SEP].
 */
export class ZeroShotClassificationExplainer extends ModelExplainer<TextModel> {
  static override readonly task = taskRule('zero-shot', {
    own: ['hypothesisTemplate', 'includeHypothesis', 'multiLabel'],
    without: ['target', 'textPair'],
  });

  /** Index of the entailment class. */
  readonly entailment: number;

  constructor(model: TextModel) {
    super(model);
    const label2id =
      (model.config.label2id as Record<string, number> | undefined) ?? Object.fromEntries(model.labels.map((l, i) => [l, i]));
    const key = Object.keys(label2id).find((k) => k.toLowerCase().startsWith('entail'));
    if (key === undefined) {
      throw new InvalidInputError(
        `model "${model.id}" has no entailment label (label2id: ${Object.keys(label2id).join(', ')}); zero-shot classification needs an NLI model`,
        'not_nli_model',
      );
    }
    this.entailment = Number(label2id[key]);
  }

  async explain(givenText: string, labels: string[], options: ZeroShotExplainOptions = {}): Promise<ZeroShotClassificationResult> {
    checkTaskOptions(ZeroShotClassificationExplainer.task, options, options.method);
    const resolved = resolveOptions(options);
    const template = options.hypothesisTemplate ?? DEFAULT_HYPOTHESIS_TEMPLATE;
    if (typeof template !== 'string' || template.split('{}').length !== 2) {
      throw new InvalidInputError(
        `hypothesisTemplate must contain {} once, where the label goes; got ${JSON.stringify(template)}`,
        'bad_template',
      );
    }
    if (!Array.isArray(labels) || labels.length === 0)
      throw new InvalidInputError('labels is empty: give at least one candidate label', 'bad_labels');
    for (const [i, l] of labels.entries()) {
      if (typeof l !== 'string' || l.trim() === '')
        throw new InvalidInputError(`label ${i} is empty: labels must be non-empty strings`, 'bad_labels');
      if (labels.indexOf(l) !== i) throw new InvalidInputError(`label "${l}" is given twice`, 'bad_labels');
    }
    textTokens(this.model, 'text', givenText);
    const hypotheses = labels.map((label) => template.replace('{}', () => label));
    // With truncation, the text keeps its first tokens that fit beside the longest hypothesis.
    const lengths = hypotheses.map((h) => this.model.encode(h, undefined, false).ids.length);
    const longest = hypotheses[lengths.indexOf(Math.max(...lengths))]!;
    const fit = (t: string) =>
      options.truncation
        ? fitTexts(this.model, [t, longest], { truncation: true, name: 'text + hypothesis' })
        : { texts: [t], truncated: undefined };
    const {
      texts: [text],
      truncated,
    } = fit(givenText);
    const shownText = resolved.quirks ? fit(cleanTextLikeTransformersInterpret(givenText)).texts[0] : text;
    const include = options.includeHypothesis === true;
    const multiLabel = options.multiLabel === true;

    const runs = [];
    for (const [i, label] of labels.entries()) {
      const hypothesis = hypotheses[i]!;
      const input = this.hypothesisInput(shownText, hypothesis, resolved.quirks);
      const predictedOn = shownText === text ? input : this.hypothesisInput(text, hypothesis, resolved.quirks);
      runs.push({ label, hypothesis, input, logits: await predictedOn.logits() });
    }
    const e = this.entailment;
    const contradiction = e === 0 ? runs[0]!.logits.length - 1 : 0;
    const scores =
      multiLabel || labels.length === 1
        ? runs.map((r) => softmax([r.logits[contradiction]!, r.logits[e]!])[1]!)
        : softmax(runs.map((r) => r.logits[e]!));
    const top = scores.indexOf(Math.max(...scores));
    const space = resolved.output;

    const explained: Record<string, ZeroShotLabelAttributions> = {};
    for (const [i, { label, hypothesis, input, logits }] of runs.entries()) {
      // transformers-interpret's word attributions stop one token before the first [SEP]: [CLS] and the text's tokens but the last.
      const end = include ? input.ids.length : input.textEnd - (resolved.quirks ? 1 : 0);
      const attributions = await input.explain(input.scorer(e, space), options, resolved, end);
      explained[label] = { label, hypothesis, score: scores[i]!, ...attributions, logits, probabilities: softmax(logits) };
    }
    const best = runs[top]!.input;
    return {
      kind: 'zero-shot-classification',
      model: this.model.id,
      method: resolved.method,
      output: resolved.output,
      text: shownText,
      hypothesisTemplate: template,
      multiLabel,
      predictedLabel: labels[top]!,
      predicted: { index: top, label: labels[top]!, score: scores[top]! },
      target: { index: e, label: this.model.labels[e] ?? `LABEL_${e}` },
      labels: explained,
      ...(options.attention !== undefined && { attentions: await best.attentions(best.scorer(e, space), options.attention) }),
      ...(truncated && { truncated }),
    };
  }

  /**
   * Text + hypothesis as the model reads them: transformers-interpret's construction with
   * `quirks`, else the tokenizer's pair. The explained forward pass of a label is this
   * input's `forward` with the entailment scorer.
   */
  hypothesisInput(text: string, hypothesis: string, quirks: boolean): ExplainedText {
    const m = this.model;
    const textIds = textTokens(m, 'text', text);
    const hypothesisIds = textTokens(m, `hypothesis "${hypothesis}"`, hypothesis);
    if (!quirks) {
      const { ids, tokenTypes } = m.encode(text, hypothesis);
      checkLength(m, 'text + hypothesis', ids);
      return new ExplainedText(m, [text, hypothesis], ids, firstTextEnd(ids, textIds), tokenTypes);
    }
    const cls = m.tokenId('cls') ?? m.tokenId('bos');
    const sep = m.tokenId('sep') ?? m.tokenId('eos');
    if (cls === undefined || sep === undefined)
      throw new InvalidInputError(`model "${m.id}" has no [CLS]/[SEP] (or BOS/EOS) tokens to build an NLI input`, 'not_nli_model');
    const ids = [cls, ...textIds, sep, ...hypothesisIds, sep];
    checkLength(m, 'text + hypothesis', ids);
    return new ExplainedText(m, [text, hypothesis], ids, 1 + textIds.length, undefined, {
      types: ids.map((_, i) => (i <= textIds.length ? 0 : 1)),
    });
  }
}
