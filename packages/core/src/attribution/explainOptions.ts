import { INTEGRATION_METHODS } from '../methods/integration.ts';
import { GRANULARITIES, type Granularity } from '../text/units.ts';
import { OUTPUT_SPACES, type OutputSpace } from './classification.ts';
import { UNIT_AGGREGATES, type UnitAggregate } from './maskedText.ts';
import { checkMethodOptions } from './optionRules.ts';
import { TEXT_LAYERS } from './textLayer.ts';
import {
  type GradientMethodName,
  type MethodName,
  type PerturbationMethodName,
  TEXT_METHOD_TABLE,
  gradientMethods,
  perturbationMethods,
  textMethodOf,
} from './textMethods/index.ts';
import { type ExplainSettings, HIERARCHIES, MASKINGS, oneOf } from './textOptions.ts';

export type { MethodName };

/** Every text method, in the table's order (textMethods/index.ts): the first is the default. */
export const METHODS: readonly MethodName[] = TEXT_METHOD_TABLE.map((m) => m.name);
export const GRADIENT_METHODS: readonly GradientMethodName[] = gradientMethods().map((m) => m.name);
/**
 * Gradient-only methods (no multiplication by the input): their token value is the L2 norm of
 * the gradient over the hidden dimensions by default, as ferret and inseq (Captum's Saliency
 * takes absolute values). Summing would give float noise at the word-embedding output, which
 * feeds a LayerNorm: its input gradient sums to zero over the hidden dimensions.
 */
export const GRADIENT_ONLY_METHODS: ReadonlySet<string> = new Set(
  gradientMethods()
    .filter((m) => m.defaults.aggregate === 'l2')
    .map((m) => m.name),
);
/** Perturbation methods: they score masked copies of the input (whole units removed) through a MaskedScorer. */
export const PERTURBATION_METHODS: readonly PerturbationMethodName[] = perturbationMethods().map((m) => m.name);

/** How a text explainer attributes: the same options for every text task. */
export interface ExplainOptions extends ExplainSettings {
  /** Default 'integrated-gradients' (layer IG on the word embeddings). */
  method?: MethodName;
}

export interface ResolvedOptions {
  method: MethodName;
  output: OutputSpace;
  aggregate: 'sum' | 'l2';
  normalize: 'none' | 'l2';
  quirks: boolean;
  /** Default 'token'. Optional so that resolved options built by hand keep working. */
  granularity?: Granularity;
  granularityAggregate?: UnitAggregate;
}

/** Defaults (transformers-interpret's) and validation, naming the valid values. */
export function resolveOptions(options: ExplainOptions): ResolvedOptions {
  const method = oneOf('method', options.method, METHODS, METHODS[0]!);
  checkMethodOptions(options, method);
  const output = oneOf<OutputSpace>('output', options.output, OUTPUT_SPACES, 'softmax');
  const { defaults } = textMethodOf(method);
  const aggregate = oneOf('aggregate', options.aggregate, ['sum', 'l2'] as const, defaults.aggregate);
  const normalize = oneOf('normalize', options.normalize, ['none', 'l2'] as const, defaults.normalize);
  if (options.integration !== undefined) oneOf('integration', options.integration, INTEGRATION_METHODS, 'gausslegendre');
  const quirks = options.transformersInterpretQuirks ?? (defaults.quirks && output === 'softmax');
  const granularity = oneOf<Granularity>('granularity', options.granularity, GRANULARITIES, 'token');
  const granularityAggregate = oneOf<UnitAggregate>('granularityAggregate', options.granularityAggregate, UNIT_AGGREGATES, 'sum');
  if (options.layer !== undefined) oneOf('layer', options.layer, TEXT_LAYERS, 'word');
  if (options.masking !== undefined) oneOf('masking', options.masking, MASKINGS, 'pad');
  if (options.hierarchy !== undefined) oneOf('hierarchy', options.hierarchy, HIERARCHIES, 'clustered');
  return { method, output, aggregate, normalize, quirks, granularity, granularityAggregate };
}
