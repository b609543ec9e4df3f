/**
 * `@glassbox/core/methods`: the attribution methods themselves, Captum-level, over a
 * `DifferentiableFunction` (gradient methods) or a `MaskedScorer` (perturbation methods),
 * for people who explain their own function rather than a Hugging Face model. The
 * explainers in `@glassbox/core` run these on a model's embeddings.
 */
export type { DifferentiableFunction, Attribution, BatchOptions } from './methods/types.ts';
export { integratedGradients, type IntegratedGradientsOptions } from './methods/integratedGradients.ts';
export { INTEGRATION_METHODS, MAX_STEPS, type IntegrationMethod } from './methods/integration.ts';
export { layerIntegratedGradients, type Layer } from './methods/layerIntegratedGradients.ts';
export { saliency } from './methods/saliency.ts';
export { inputXGradient } from './methods/inputXGradient.ts';
export { noiseTunnel, NOISE_TUNNEL_TYPES, type NoiseTunnelOptions } from './methods/noiseTunnel.ts';
export { occlusion, type OcclusionOptions } from './methods/occlusion.ts';
export type { MaskedScorer, PerturbationOptions, PerturbationAttribution } from './methods/perturbation.ts';
export { featureAblation, type FeatureAblationOptions } from './methods/featureAblation.ts';
export { lime, LIME_DISTANCES, type LimeDistance, type LimeOptions } from './methods/lime.ts';
export { kernelShap, type KernelShapAttribution } from './methods/kernelShap.ts';
export {
  type Hierarchy,
  type NestedGroups,
  flatHierarchy,
  groupHierarchy,
  balancedHierarchy,
  binarizeHierarchy,
  textHierarchy,
} from './methods/hierarchy.ts';
export { partitionShap, type PartitionShapOptions } from './methods/partitionShap.ts';
export { sobol, type SobolOptions, type SobolAttribution } from './methods/sobol.ts';
