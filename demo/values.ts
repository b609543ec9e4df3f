/**
 * What the numbers of a text explanation are, in words, for the note beside every text
 * result: from the method and its resolved options (core's resolveOptions: integrated
 * gradients L2-normalised as transformers-interpret, every other method in the explained
 * output's units; gradient-only methods an L2 norm over the hidden dimensions) and the score
 * explained. One rule for every text page.
 */
import { type ExplainOptions, GRADIENT_METHODS, type ResolvedOptions, resolveOptions } from '@glassbox/core';

/** The explained score as the notes name it, e.g. P(POSITIVE), from a result's output space and label. */
export function scoreName(output: string, label: string): string {
  if (output === 'logits') return `the logit of ${label}`;
  if (output === 'log-softmax') return `log P(${label})`;
  return `P(${label})`;
}

/** What a caption describes: the resolved options, plus the options the call was given that say how units are removed or grouped. */
export type Described = Pick<ResolvedOptions, 'method' | 'normalize' | 'aggregate'> &
  Pick<ExplainOptions, 'granularity' | 'granularityAggregate' | 'masking' | 'baseline' | 'hierarchy' | 'occlusion'>;

const GRADIENT: ReadonlySet<string> = new Set(GRADIENT_METHODS);

const NOISE: Record<string, string> = {
  smoothgrad: 'averaged over noisy copies of the embeddings (SmoothGrad)',
  'smoothgrad-sq': 'squared and averaged over noisy copies of the embeddings (SmoothGrad²)',
  vargrad: 'its variance over noisy copies of the embeddings (VarGrad)',
};

/** How a removed unit is removed, in words (the masking, else the baseline token, else [PAD]). */
function removal(d: Described): string {
  const masking = d.masking ?? (d.baseline === 'mask' ? 'mask' : 'pad');
  return masking === 'attention' ? 'hidden from attention' : masking === 'mask' ? 'replaced by [MASK]' : 'replaced by [PAD]';
}

/** The sentence saying what each number is. */
function what(d: Described, score: string, unit: string): string {
  const removed = `with every ${unit} ${removal(d)}`;
  switch (d.method) {
    case 'integrated-gradients':
      return d.aggregate === 'l2'
        ? `the L2 norm, over the embedding dimensions, of the integrated gradients of ${score}`
        : `integrated gradients of ${score}, summed over the embedding dimensions${d.normalize === 'l2' ? '' : `; they add up to ${score} minus its value at the baseline`}`;
    case 'input-x-gradient':
      return `input × gradient of ${score}, ${d.aggregate === 'l2' ? 'its L2 norm' : 'summed'} over the embedding dimensions (a first-order estimate of each ${unit}'s effect)`;
    case 'saliency':
    case 'smoothgrad':
    case 'smoothgrad-sq':
    case 'vargrad': {
      const gradient = d.method === 'saliency' ? `the gradient of ${score}` : `the gradient of ${score}, ${NOISE[d.method]}`;
      return d.aggregate === 'l2'
        ? `the gradient norm (per ${unit}, the L2 norm over its embedding dimensions of ${gradient})`
        : `${gradient}, summed over each ${unit}'s embedding dimensions`;
    }
    case 'occlusion':
    case 'feature-ablation': {
      const window = (d.occlusion?.window ?? 1) > 1 ? `, averaged over the windows of ${d.occlusion!.window} ${unit}s that cover it` : '';
      return `the drop in ${score} when the ${unit} is ${removal(d)}${window}`;
    }
    case 'kernel-shap':
      return `Shapley values of ${score} (KernelSHAP's estimate): they add up to ${score} minus its value ${removed}`;
    case 'partition-shap':
      return (d.hierarchy ?? 'clustered') === 'flat'
        ? `Shapley values of ${score} (exact, flat Partition SHAP): they add up to ${score} minus its value ${removed}`
        : `Owen values of ${score} (Partition SHAP over the ${d.hierarchy ?? 'clustered'} coalition tree): they add up to ${score} minus its value ${removed}`;
    case 'lime':
      return `the weights of LIME's linear model of ${score}: the change it predicts from keeping each ${unit} rather than removing it (${removal(d)})`;
    case 'sobol':
      return `Sobol total-order indices of ${score}: the share of its variance, over random maskings (${removal(d)}), that involves each ${unit}`;
    default:
      return `attributions to ${score} (${d.method})`;
  }
}

/** Methods whose values are never negative (a norm, a variance share): one colour, darker is larger. */
const unsigned = (d: Described) => d.method === 'sobol' || (d.aggregate === 'l2' && GRADIENT.has(d.method));

/**
 * The caption of a text result explained with `options` (as given to explain(); the library's
 * defaults fill the rest), e.g. "L2-normalised token attributions (transformers-interpret):
 * integrated gradients of P(POSITIVE), …" or "Raw values: the drop in P(POSITIVE) when the
 * token is replaced by [PAD] …", then what the colours mean.
 */
export function valuesCaption(options: ExplainOptions, score: string): string {
  const d: Described = { ...options, ...resolveOptions(options) };
  const granularity = d.granularity ?? 'token';
  const unit = granularity === 'word' || granularity === 'sentence' ? granularity : 'token';
  const grouped =
    unit !== 'token' && GRADIENT.has(d.method) ? ` A ${unit}'s value is the ${d.granularityAggregate ?? 'sum'} of its tokens' values.` : '';
  const normalised = d.normalize === 'l2';
  const head = normalised
    ? `L2-normalised ${unit} attributions${d.method === 'integrated-gradients' ? ' (transformers-interpret)' : ''}`
    : 'Raw values';
  const tail = normalised ? `, then divided by their L2 norm over the ${unit}s (only relative size and sign count)` : '';
  const colours = unsigned(d)
    ? ` Never negative: how much ${score} depends on a ${unit}, not in which direction; all blue, darker is larger.`
    : ` Blue ${unit}s raise ${score}, red ones lower it.`;
  return `${head}: ${what(d, score, unit)}${tail}.${grouped}${colours}`;
}
