import type { Hierarchy } from '../../methods/hierarchy.ts';
import type { MaskedScorer, PerturbationOptions } from '../../methods/perturbation.ts';
import type { Attribution, DifferentiableFunction } from '../../methods/types.ts';
import type { HostTensor } from '../../tensor.ts';
import type { ExplainSettings } from '../textOptions.ts';

export type MethodFamily = 'gradient' | 'perturbation';

/**
 * One text method: what validation (optionRules.ts), dispatch (attributeTokens.ts), the CLI's
 * help and the demo's pickers know of it. A new method is one file in this folder and one line
 * in index.ts's TEXT_METHOD_TABLE.
 */
interface TextMethodBase<N extends string> {
  /** The `method` option's value, as the CLI and the demo's URLs name it. */
  name: N;
  /** What the demo's method picker shows. */
  label: string;
  /** The options it reads besides every text method's (TEXT_OPTIONS); any other method's option is 'unused_option'. */
  options: readonly string[];
  /** Its defaults of the options whose default depends on the method. */
  defaults: {
    /** How hidden dimensions become one number per token (gradient methods). */
    aggregate: 'sum' | 'l2';
    normalize: 'none' | 'l2';
    /** transformers-interpret's preprocessing when the output is 'softmax'. */
    quirks: boolean;
  };
  /** Whether several targets of one input share its passes (attributeTokensForTargets: one forward, a backward per target). */
  sharesPass: boolean;
}

/** A gradient method: attributes `fn` at `x` (the embeddings layer's value). */
export interface GradientMethod<N extends string = string> extends TextMethodBase<N> {
  family: 'gradient';
  /** Whether it integrates from a baseline (the layer's value of the `baseline` option, given to `attribute`). */
  integrates: boolean;
  /** `convergenceDelta`: also compute Captum's convergence delta (integrating methods). */
  attribute(
    fn: DifferentiableFunction,
    x: HostTensor,
    baseline: HostTensor | undefined,
    options: ExplainSettings,
    convergenceDelta: boolean,
  ): Promise<Attribution>;
}

/** What a perturbation method gets besides the masked input: the common settings and the units' hierarchy (built on demand). */
export interface PerturbationContext {
  common: PerturbationOptions;
  hierarchy: () => Hierarchy;
}

/** A perturbation method: scores the input with whole units removed (a MaskedScorer over the units). */
export interface PerturbationMethod<N extends string = string> extends TextMethodBase<N> {
  family: 'perturbation';
  /** Whether its values are Shapley (or Owen) values of the masked game: results then report f(∅) and f(x). */
  shapley: boolean;
  attribute(
    masked: MaskedScorer,
    options: ExplainSettings,
    context: PerturbationContext,
  ): Promise<{ values: ArrayLike<number>; inputScore?: number; baselineScore?: number }>;
}

export type TextMethod<N extends string = string> = GradientMethod<N> | PerturbationMethod<N>;

/** A gradient entry, its name kept as a literal type (MethodName is the union of the table's names). */
export const gradientMethod = <N extends string>(method: Omit<GradientMethod<N>, 'family'>): GradientMethod<N> => ({
  family: 'gradient',
  ...method,
});

/** A perturbation entry, its name kept as a literal type. */
export const perturbationMethod = <N extends string>(method: Omit<PerturbationMethod<N>, 'family'>): PerturbationMethod<N> => ({
  family: 'perturbation',
  ...method,
});
