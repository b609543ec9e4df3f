export * from './errors.ts';
export { type DType, type TensorData, type HostTensor, tensor } from './tensor.ts';
export { TextModel, type LoadOptions, type Device } from './model/textModel.ts';
export { TEXT_LAYERS, type TextLayer } from './attribution/textLayer.ts';
export { isHubId } from './model/hub.ts';
export * from './explainers/tasks.ts';
export {
  type ExplainOptions,
  METHODS,
  type MethodName,
  GRADIENT_METHODS,
  PERTURBATION_METHODS,
  type ResolvedOptions,
  resolveOptions,
} from './attribution/explainOptions.ts';
export {
  BASELINES,
  type BaselineName,
  HIERARCHIES,
  MASKINGS,
  type HierarchyName,
  type MaskingName,
  type ExplainSettings,
} from './attribution/textOptions.ts';
export type { ImageExplainSettings } from './attribution/imageOptions.ts';
export {
  TEXT_OPTIONS,
  TEXT_METHOD_RULES,
  IMAGE_OPTIONS,
  IMAGE_METHOD_RULES,
  TASK_OPTIONS,
  checkTaskOptions,
  methodsReading,
  readsOption,
  type MethodFamily,
  type TaskRule,
  type TaskOptionName,
} from './attribution/optionRules.ts';
export { TEXT_METHOD_TABLE } from './attribution/textMethods/index.ts';
export { IMAGE_METHOD_TABLE } from './attribution/imageMethods/index.ts';
export type { ImageMethod, ImageMethodContext } from './attribution/imageMethods/imageMethod.ts';
export type { TextMethod, GradientMethod, PerturbationMethod, PerturbationContext } from './attribution/textMethods/textMethod.ts';
export { type ShapleyBase, shapleyBase } from './attribution/shapleyBase.ts';
export { classLabels, type ScoreSpace } from './attribution/classification.ts';
export { env } from './env.ts';
export { ATTENTION_MODES, type AttentionMode, type AttentionOutput } from './attention/attentionFor.ts';
export { aggregate, AGGREGATE_OVER, REDUCTIONS, type AggregateOver, type Reduction } from './attention/aggregate.ts';
export { rollout, HEAD_FUSIONS, type HeadFusion, type RolloutOptions } from './attention/rollout.ts';
export { gradientWeightedRelevance } from './attention/gradientWeighted.ts';
export type { AttentionMaps, Matrix } from './attention/maps.ts';
export {
  ImageModel,
  type ImageInput,
  type ImageDataLike,
  type NestedPixels,
} from './model/imageModel.ts';
export { readImage, type ImageFile } from './image/read.ts';
export type { Pixels8 } from './image/pixels.ts';
export type { Segment, TextAttributions, TokenAttribution, WordAttribution, Truncation } from './attribution/explainedText.ts';
export * from './metrics/index.ts';
export { UNIT_AGGREGATES, type UnitAggregate } from './attribution/maskedText.ts';
export { GRANULARITIES, type Granularity } from './text/units.ts';
export { OUTPUT_SPACES, type ClassScoreSpace } from './attribution/classification.ts';
export { ENGINES, ORT_BUILDS, type EngineChoice, type OrtBuild } from './model/pretrained.ts';
export { explainAll, type Explained, type ExplainAllOptions } from './explainers/explainAll.ts';
export { loadInWorker, type Remote } from './worker/workerExplainer.ts';
export {
  EXPLAINER_TASKS,
  TASK_NAMES,
  EXPLAINER_FUNCTIONS,
  type TaskName,
  type ExplainerOf,
  type ExplainerFunctionName,
} from './worker/tasks.ts';
