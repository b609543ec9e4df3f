import { InvalidInputError } from '../errors.ts';
import type { IntegrationMethod } from '../methods/integration.ts';
import type { LimeDistance } from '../methods/lime.ts';
import type { NoiseTunnelOptions } from '../methods/noiseTunnel.ts';
import type { HostTensor } from '../tensor.ts';
import type { AttentionMode } from '../attention/attentionFor.ts';
import type { Granularity } from '../text/units.ts';
import type { OutputSpace } from './classification.ts';
import type { UnitAggregate } from './maskedText.ts';
import type { TextLayer } from './textLayer.ts';

export const HIERARCHIES = ['flat', 'words', 'sentences', 'clustered'] as const;
/** Partition SHAP's coalition tree over the units: all flat (Shapley values), units grouped by word, by sentence and word, or shap's text clustering. */
export type HierarchyName = (typeof HIERARCHIES)[number];
export const MASKINGS = ['pad', 'mask', 'attention'] as const;
export type MaskingName = (typeof MASKINGS)[number];
export const BASELINES = ['pad', 'zero', 'mask'] as const;
export type BaselineName = (typeof BASELINES)[number];

/** Every option of a text explanation but `method` (ExplainOptions): what the methods read (textMethods/) and what the tasks read. */
export interface ExplainSettings {
  /** Class to explain: index or label. Default: the predicted class. */
  target?: number | string;
  /**
   * IG baseline: 'pad' (default; every non-special token replaced by the pad token, specials
   * kept), 'mask' (same with the mask token), 'zero' (all-zero embeddings), a list of
   * baseline token ids, or a [T, H] embedding tensor. For occlusion, the replacement token.
   */
  baseline?: BaselineName | number[] | HostTensor;
  /**
   * Gradient methods: which tensor is attributed (Captum's LayerIntegratedGradients layer):
   * 'word' (default: the word-embedding lookup), 'position' (the position-embedding lookup),
   * 'token-type' (the token-type lookup) or 'embeddings' (the whole embeddings block's output,
   * as interpret-flair; GPT-2: wte + wpe). The integrated-gradients baseline of 'position'
   * runs with position ids 0, that of 'token-type' with token types 0 (transformers-interpret's
   * reference). A model without the layer is an error naming both; perturbation methods refuse it.
   */
  layer?: TextLayer;
  /** Default 'gausslegendre' (Captum's default). */
  integration?: IntegrationMethod;
  /** IG points. Default 50. */
  steps?: number;
  /**
   * Explain the target's raw logit, its softmax probability or its log-probability
   * ('log-softmax'; log-sigmoid for a single-output head). Default 'softmax', as transformers-interpret.
   */
  output?: OutputSpace;
  /**
   * How hidden dimensions become one number per token: 'sum' or 'l2' norm. Default 'l2' for the
   * gradient-only methods (saliency, SmoothGrad, SquareGrad, VarGrad), 'sum' for the methods
   * that multiply by the input (integrated gradients, input × gradient).
   */
  aggregate?: 'sum' | 'l2';
  /**
   * 'l2' divides the attributions by their L2 norm, as transformers-interpret does. Default 'l2'
   * for integrated gradients (transformers-interpret's explainers) and 'none' for every other
   * method, whose values are then in the explained output's units (Captum, shap, interpreto):
   * KernelSHAP's sum to f(x) − f(baseline), occlusion's are the drop of the explained output.
   */
  normalize?: 'none' | 'l2';
  /** Points (integrated gradients, noise tunnels) or masked copies (perturbation methods) per pass. Default: chosen from the input size. */
  internalBatchSize?: number;
  /** Noise tunnel settings (methods 'smoothgrad', 'smoothgrad-sq', 'vargrad'); `type` is set by the method. */
  noise?: Pick<NoiseTunnelOptions, 'type' | 'samples' | 'stdev' | 'seed'>;
  /** Occlusion window and stride in units (tokens at the default granularity). Default 1 and 1 (leave-one-out). */
  occlusion?: { window?: number; stride?: number };
  /**
   * What attributions are computed over: 'token' (default; non-special tokens), 'word',
   * 'sentence' (split after . ! ?) or 'all-tokens' (specials included). Perturbation
   * methods remove whole units; gradient methods aggregate their token values per unit
   * (`granularityAggregate`). Every token carries its unit's value; tokens in no unit
   * (specials, except under 'all-tokens') get null. 'word' and 'sentence' need the text:
   * sequence classification, pairs and the tasks built on it.
   */
  granularity?: Granularity;
  /** Gradient methods at 'word' or 'sentence' granularity: how a unit's token values combine: 'sum' (default), 'mean', 'max' or 'signed-max' (largest magnitude, sign kept). */
  granularityAggregate?: UnitAggregate;
  /**
   * How perturbation methods remove a unit: 'pad' (default) or 'mask' replace its tokens
   * with that token, 'attention' keeps them and sets their attention_mask to 0. Default:
   * the `baseline` option when it is 'pad' or 'mask', else 'pad'.
   */
  masking?: MaskingName;
  /**
   * Model evaluations allowed to LIME, KernelSHAP, Partition SHAP and Sobol (each method's
   * default otherwise); for the SmoothGrad family, the noisy samples (`noise.samples`).
   */
  samples?: number;
  /** Seed of the random draws of LIME, KernelSHAP, Partition SHAP (ties), Sobol and the SmoothGrad family (`noise.seed`). Default 42. */
  seed?: number;
  /** LIME's distance between a sample and the input: 'cosine' (default), 'euclidean' or 'hamming' (methods/lime.ts). */
  distance?: LimeDistance;
  /** Width of LIME's similarity kernel exp(−d²/width²). Default 0.75·√(units). */
  kernelWidth?: number;
  /** L2 penalty of LIME's linear fit. Default 0. */
  ridge?: number;
  /** Partition SHAP's hierarchy over the units. Default 'clustered' (shap's Text masker clustering). */
  hierarchy?: HierarchyName;
  /**
   * A text longer than the model's positions is an error naming both lengths; with `truncation`
   * (every text task: question answering cuts the context, zero-shot the text beside its longest hypothesis, text generation the prompt to leave room for the continuation) its first tokens that fit are explained
   * instead and the result says so in `truncated`.
   */
  truncation?: boolean;
  /** Second text of a sentence pair (token types from the tokenizer). */
  textPair?: string;
  /**
   * Reproduce transformers-interpret's preprocessing: its text cleaning (spaces around
   * . , ! ? ( )), its token types, position ids 0..T−1, and its convergence delta (baseline
   * run with zero position ids and token types). Default: on exactly when the configuration
   * is transformers-interpret's (integrated gradients on a softmax target), off otherwise
   * (Captum's conventions: the model's own inputs).
   */
  transformersInterpretQuirks?: boolean;
  /** Also return the attention maps of the explained forward pass (result field `attentions`). */
  attention?: AttentionMode;
  /**
   * Called after each forward/backward pass of the method with the fraction done (0..1]
   * and the stage (the method's name): integrated gradients, SmoothGrad and occlusion report
   * after every pass, saliency and input × gradient once. Tasks that explain several scores
   * (QA's start and end, NER's tokens, zero-shot's labels) report each one from 0 to 1.
   */
  onProgress?: (fraction: number, stage: string) => void;
  /**
   * Cancels the explanation: checked between passes; once aborted, the call rejects with a
   * GlassboxError of code 'aborted' and the explainer stays usable.
   */
  signal?: AbortSignal;
}

/** `value` (or `fallback` when absent) if it is one of `allowed`; else an error naming the valid values. */
export function oneOf<T extends string>(what: string, value: T | undefined, allowed: readonly T[], fallback: T): T {
  const v = value ?? fallback;
  if (!allowed.includes(v)) throw new InvalidInputError(`unknown ${what} "${v}"; use one of ${allowed.join(', ')}`, `bad_${what}`);
  return v;
}
