import type { AttentionOutput } from '../attention/attentionFor.ts';
import { InvalidInputError } from '../errors.ts';
import type { TextModel } from '../model/textModel.ts';
import { cleanTextLikeTransformersInterpret } from '../text/clean.ts';
import { type ScoreSpace, classLabels, parseTarget, sigmoid, softmax } from '../attribution/classification.ts';
import type { TextAttributions, Truncation } from '../attribution/explainedText.ts';
import { checkTaskOptions, taskRule } from '../attribution/optionRules.ts';
import { classificationInput } from './sequenceClassification.ts';
import { type MethodName, type ExplainOptions, resolveOptions } from '../attribution/explainOptions.ts';
import { ClassifierExplainer } from './modelExplainer.ts';

const OUTPUTS = ['sigmoid', 'softmax', 'logits'] as const;

export interface MultiLabelExplainOptions extends Omit<ExplainOptions, 'target' | 'textPair' | 'output'> {
  /** Labels to explain, by index or name. Default: every label of the model, in index order. */
  labels?: (number | string)[];
  /**
   * What each label's score is: 'sigmoid' (default) its own probability σ(logit), as a
   * multi-label head (one independent sigmoid per label) gives it; 'softmax' its softmax
   * probability, which is what transformers-interpret 0.10.0 actually explains (its
   * MultiLabelClassificationExplainer runs a SequenceClassificationExplainer per label);
   * 'logits' the raw logit.
   */
  output?: ScoreSpace;
}

/** One label's explanation. */
export interface LabelAttributions extends TextAttributions {
  index: number;
  label: string;
  /** The label's probability in the result's output space (σ(logit) unless output 'softmax'). */
  probability: number;
}

export interface MultiLabelClassificationResult {
  /** What the result is: the task that explained it (viz draws by it). */
  kind: 'multi-label-classification';
  model: string;
  method: MethodName;
  output: ScoreSpace;
  /** The text the tokens index into (after transformers-interpret's cleaning when it applied). */
  text: string;
  /** Label → its word and token attributions, in the order explained. */
  labels: Record<string, LabelAttributions>;
  /** The label with the highest probability. */
  predicted: { index: number; label: string; score: number };
  targets: { index: number; label: string }[];
  logits: number[];
  /** σ(logit) per label (softmax of the logits with output 'softmax'). */
  probabilities: number[];
  /** The attention maps the `attention` option asked for, on the top label's forward pass. */
  attentions?: AttentionOutput;
  /** Present when the `truncation` option cut the input to fit the model: `text` is then the explained prefix. */
  truncated?: Truncation;
}

/**
 * Explains every label of a classifier independently, as transformers-interpret's
 * MultiLabelClassificationExplainer: one attribution run per label, with that explainer's
 * defaults and preprocessing (layer IG, [CLS] [PAD]… [SEP] baseline, text cleaning, token
 * types and position ids, L2-normalised token sums). Each label's score is its sigmoid
 * probability (see `output` for transformers-interpret 0.10.0's softmax). Labels are keyed
 * by the model's id2label; transformers-interpret 0.10.0 keys them by label2id's key order,
 * which mislabels models whose label2id is not in index order.
 */
export class MultiLabelClassificationExplainer extends ClassifierExplainer<TextModel> {
  static override readonly task = taskRule('multi-label', { own: ['labels'], without: ['target', 'textPair'] });

  async explain(text: string, options: MultiLabelExplainOptions = {}): Promise<MultiLabelClassificationResult> {
    checkTaskOptions(MultiLabelClassificationExplainer.task, options, options.method);
    const output = options.output ?? 'sigmoid';
    if (!OUTPUTS.includes(output))
      throw new InvalidInputError(`unknown output "${output}"; use one of ${OUTPUTS.join(', ')}`, 'bad_output');
    const common: ExplainOptions = { ...options, output: output === 'logits' ? 'logits' : 'softmax' };
    const resolved = resolveOptions(common);
    if (typeof text !== 'string' || text.trim() === '') throw new InvalidInputError('text is empty', 'empty_text');
    const shownText = resolved.quirks ? cleanTextLikeTransformersInterpret(text) : text;
    const input = classificationInput(this.model, [shownText], resolved.quirks, options.truncation);

    const logits = await input.logits({ types: input.types });
    const names = classLabels(this.model.labels, logits.length);
    const probabilities = output === 'softmax' ? softmax(logits) : logits.map(sigmoid);
    const top = probabilities.indexOf(Math.max(...probabilities));
    const targets = [...new Set((options.labels ?? names.map((_, i) => i)).map((l) => parseTarget(l ?? '', names, -1)))];
    if (targets.length === 0) throw new InvalidInputError(`labels is empty; valid labels: ${names.join(', ')}`, 'unknown_target');
    const labels: Record<string, LabelAttributions> = {};
    for (const index of targets) {
      const explained = await input.explain(input.scorer(index, output), common, resolved);
      labels[names[index]!] = { index, label: names[index]!, probability: probabilities[index]!, ...explained };
    }
    return {
      kind: 'multi-label-classification',
      model: this.model.id,
      method: resolved.method,
      output,
      text: input.texts[0]!,
      labels,
      predicted: { index: top, label: names[top]!, score: probabilities[top]! },
      targets: targets.map((index) => ({ index, label: names[index]! })),
      logits,
      probabilities,
      ...(options.attention !== undefined && { attentions: await input.attentions(input.scorer(top, output), options.attention) }),
      ...(input.truncated && { truncated: input.truncated }),
    };
  }
}
