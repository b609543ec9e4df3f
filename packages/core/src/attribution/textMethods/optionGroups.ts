/**
 * Option lists that several text methods read (besides every text method's, TEXT_OPTIONS).
 * `layer`: the tensor gradient methods attribute (textLayer.ts); perturbation methods remove tokens and have none.
 */
export const GRADIENT_OPTIONS = ['aggregate', 'granularityAggregate', 'layer'];
/** The SmoothGrad family reads `samples` and `seed` as its noise's (noise.samples, noise.seed). */
export const NOISE_TUNNEL_OPTIONS = [...GRADIENT_OPTIONS, 'noise', 'samples', 'seed', 'internalBatchSize'];
/** `baseline` names the token that replaces removed units when `masking` is not given. */
export const MASKING_OPTIONS = ['baseline', 'masking', 'internalBatchSize'];
/** Perturbation methods that draw samples: a budget of model evaluations and a seed. */
export const SAMPLED_OPTIONS = [...MASKING_OPTIONS, 'samples', 'seed'];

/** Defaults of the methods that are neither integrated gradients nor gradient-only. */
export const SUM_DEFAULTS = { aggregate: 'sum', normalize: 'none', quirks: false } as const;
/** Gradient-only methods (no multiplication by the input): the L2 norm over hidden dimensions (ferret's, inseq's). */
export const L2_DEFAULTS = { aggregate: 'l2', normalize: 'none', quirks: false } as const;
