import type { TextModel } from '../model/textModel.ts';
import {
  type SequenceClassificationResult,
  type TargetSpec,
  classificationInput,
  explainClasses,
  targetsPerInput,
} from './sequenceClassification.ts';
import { checkTaskOptions, taskRule } from '../attribution/optionRules.ts';
import { type ExplainOptions, resolveOptions } from '../attribution/explainOptions.ts';
import { ClassifierExplainer } from './modelExplainer.ts';

export interface PairwiseExplainOptions extends Omit<ExplainOptions, 'textPair'> {
  /**
   * Single-output models (cross-encoders): explain the sigmoid of the logit towards 0
   * (why the texts are dissimilar) instead of towards 1. The attributions are those of
   * −σ(logit), and so is the convergence delta (transformers-interpret flips the
   * attributions and leaves its delta as is). Refused for models with several classes.
   */
  flipSign?: boolean;
}

export interface PairwiseClassificationResult extends Omit<SequenceClassificationResult, 'kind'> {
  /** What the result is: the task that explained it (viz draws by it). */
  kind: 'pair-classification';
  textPair: string;
  flipSign: boolean;
}

/**
 * Explains a classifier of text pairs (NLI, cross-encoders), as transformers-interpret's
 * PairwiseSequenceClassificationExplainer: the two texts are encoded as a pair (token types
 * from the tokenizer) and attributions cover both; tokens of `textPair` have segment 1.
 * The target is the softmax probability of the predicted class, or for a single-output
 * model the sigmoid of its logit (towards 1, or towards 0 with `flipSign`). Unlike the
 * single-text explainer, transformers-interpret does not clean pair texts, and neither
 * does this one. Its baseline is [CLS] [PAD]… [SEP] [PAD]… [SEP] (the 'pad' baseline: every
 * non-special token replaced by the pad token) and its position ids 0..T−1.
 */
export class PairwiseSequenceClassificationExplainer extends ClassifierExplainer<TextModel> {
  static override readonly task = taskRule('pair-classification', { own: ['flipSign'], without: ['textPair'] });

  async explain(text: string, textPair: string, options: PairwiseExplainOptions = {}): Promise<PairwiseClassificationResult> {
    return (await this.explainTargets(text, textPair, [options.target], options))[0]!;
  }

  /**
   * Several classes of one pair in one call, in the order asked: `targets` is a list of
   * indices or labels (undefined: the predicted class) or 'all'. The targets share passes
   * as explainBatch's do; `options.target` is not read.
   */
  async explainTargets(
    text: string,
    textPair: string,
    targets: readonly TargetSpec[] | 'all',
    options: PairwiseExplainOptions = {},
  ): Promise<PairwiseClassificationResult[]> {
    checkTaskOptions(PairwiseSequenceClassificationExplainer.task, options, options.method);
    const resolved = resolveOptions(options);
    const input = classificationInput(this.model, [text, textPair], resolved.quirks, options.truncation);
    const flipSign = options.flipSign === true;
    const [results] = await explainClasses([input], targetsPerInput(targets, 1), options, resolved, flipSign ? -1 : 1);
    return results!.map((result) => ({ ...result, kind: 'pair-classification', textPair, flipSign }));
  }
}
