export * from './errors.ts';
export * from './tensor.ts';
export type { Backend, Tensor, Attrs, Kernel, MemoryStats } from './backend/backend.ts';
export { CpuBackend, cpuBackend } from './backend/cpu/index.ts';
export { Ops } from './backend/ops.ts';
export { Scope } from './backend/scope.ts';
export { WebGpuBackend, requestGpu } from './backend/webgpu/index.ts';
export { type WebGpuAdapterKind, autoDevice, selectBackend, webGpuAdapterKind } from './backend/select.ts';
export type { Graph, Node, ValueInfo } from './graph/ir.ts';
export { loadOnnx } from './onnx/load.ts';
export { onnxSchema } from './onnx/schema.ts';
export { OnnxModel } from './model/onnxModel.ts';
export { TextModel, type LoadOptions, type Device } from './model/textModel.ts';
export {
  findWordEmbedding,
  findPositionEmbedding,
  findTokenTypeEmbedding,
  findEmbeddingsOutput,
  findEmbeddingSum,
  findEmbeddingsBlock,
} from './model/embeddings.ts';
export { TEXT_LAYERS, type TextLayer, layerTensor } from './explainers/textLayer.ts';
export { readModelFile, isHubId } from './model/hub.ts';
export * from './methods/types.ts';
export { integratedGradients, type IntegratedGradientsOptions } from './methods/integratedGradients.ts';
export { integrationScheme, legendreGauss, INTEGRATION_METHODS, MAX_STEPS, type IntegrationMethod } from './methods/integration.ts';
export { layerIntegratedGradients, type Layer } from './methods/layerIntegratedGradients.ts';
export { saliency } from './methods/saliency.ts';
export { inputXGradient } from './methods/inputXGradient.ts';
export { noiseTunnel, NOISE_TUNNEL_TYPES, type NoiseTunnelOptions } from './methods/noiseTunnel.ts';
export { occlusion, type OcclusionOptions } from './methods/occlusion.ts';
export { Rng } from './methods/rng.ts';
export * from './explainers/sequenceClassification.ts';
export { resolveOptions, type ResolvedOptions } from './explainers/textOptions.ts';
export {
  TEXT_OPTIONS,
  TEXT_METHOD_RULES,
  IMAGE_OPTIONS,
  IMAGE_METHOD_RULES,
  TEXT_TASKS,
  TASK_OPTIONS,
  checkMethodOptions,
  checkTaskOptions,
  checkImageOptions,
  methodsReading,
  readsOption,
  optionsFor,
  type MethodFamily,
  type OptionTask,
  type TextTaskName,
} from './explainers/optionRules.ts';
export { TEXT_METHOD_TABLE } from './explainers/textMethods/index.ts';
export type { TextMethod, GradientMethod, PerturbationMethod, PerturbationContext } from './explainers/textMethods/textMethod.ts';
export { TextRunner, type Scorer, type Segments } from './explainers/textRunner.ts';
export { attributeTokens, type TokenScores } from './explainers/attributeTokens.ts';
export { type ShapleyBase, shapleyBase } from './explainers/shapleyBase.ts';
export { softmax, sigmoid, headProbabilities, classLabels, type ScoreSpace } from './explainers/classification.ts';
export { cleanTextLikeTransformersInterpret } from './text/clean.ts';
export { alignTokens, groupWords } from './text/tokens.ts';
export { env } from './env.ts';
export type { ExplainedForward } from './explainers/explainedForward.ts';
export { attentionFor, ATTENTION_MODES, type AttentionMode, type AttentionOutput } from './attention/attentionFor.ts';
export { findAttentionProbabilities } from './attention/findAttentionProbabilities.ts';
export { captureAttentions, captureAttentionGradients } from './attention/captureAttentions.ts';
export { aggregate, AGGREGATE_OVER, REDUCTIONS, type AggregateOver, type Reduction } from './attention/aggregate.ts';
export { rollout, HEAD_FUSIONS, type HeadFusion, type RolloutOptions } from './attention/rollout.ts';
export { gradientWeightedRelevance } from './attention/gradientWeighted.ts';
export type { AttentionMaps, Matrix } from './attention/maps.ts';
export {
  ImageModel,
  loadImageProcessor,
  preprocessImage,
  type ImageInput,
  type ImageDataLike,
  type NestedPixels,
} from './model/imageModel.ts';
export { readImage, type ImageFile } from './image/read.ts';
export { resizeImage, RESAMPLE_NAMES, type ResampleName } from './image/resize.ts';
export type { Pixels8 } from './image/pixels.ts';
export {
  ImageClassificationExplainer,
  IMAGE_METHODS,
  type ImageMethodName,
  type ImageExplainOptions,
  type ImageExplainInput,
  type ImageClassificationResult,
} from './explainers/imageClassification.ts';
export { patchOcclusion, type PatchOcclusionOptions, type PatchOcclusion } from './explainers/imageOcclusion.ts';
export {
  QuestionAnsweringExplainer,
  EMBEDDING_TYPES,
  ANSWER_SIDES,
  type EmbeddingType,
  type AnswerSide,
  type QuestionAnsweringOptions,
  type QuestionAnsweringResult,
  type AnswerSideAttribution,
  type AnswerTokenAttribution,
} from './explainers/questionAnswering.ts';
export {
  TokenClassificationExplainer,
  type TokenClassificationOptions,
  type TokenClassificationResult,
  type TokenPrediction,
  type PredictedToken,
  type ExplainedToken,
} from './explainers/tokenClassification.ts';
export { entryScorer, type LogitEntry } from './explainers/tokenScores.ts';
export * from './explainers/pairwiseClassification.ts';
export * from './explainers/multiLabelClassification.ts';
export * from './explainers/zeroShotClassification.ts';
export {
  ExplainedText,
  textTokens,
  checkLength,
  firstTextEnd,
  fitTexts,
  type FitOptions,
  type Truncation,
} from './explainers/explainedText.ts';
export * from './explainers/textGeneration.ts';
export { greedy, decoderFeeds, logitsOutput, pastPairs, type Generation, type GreedyOptions } from './model/generate.ts';
export { nextTokenScorer, findLmHead, type LmHead } from './explainers/nextTokenScorer.ts';
export { type MaskedScorer, type PerturbationOptions, type PerturbationAttribution, scoreMasks } from './methods/perturbation.ts';
export { linearFit, leastSquaresMinNorm, type LinearFit, type LinearFitOptions } from './methods/linearFit.ts';
export { featureAblation, type FeatureAblationOptions } from './methods/featureAblation.ts';
export { lime, limeDistance, LIME_DISTANCES, type LimeDistance, type LimeOptions } from './methods/lime.ts';
export { kernelShap, shapleyKernel, type KernelShapAttribution } from './methods/kernelShap.ts';
export {
  type Hierarchy,
  type NestedGroups,
  flatHierarchy,
  groupHierarchy,
  balancedHierarchy,
  binarizeHierarchy,
  textHierarchy,
  checkHierarchy,
} from './methods/hierarchy.ts';
export { partitionShap, type PartitionShapOptions } from './methods/partitionShap.ts';
export { sobol, type SobolOptions, type SobolAttribution } from './methods/sobol.ts';
export { SobolSequence, SOBOL_MAX_DIMENSIONS } from './methods/sobolSequence.ts';
export * from './metrics/index.ts';
export {
  maskedTokens,
  spreadUnits,
  aggregateUnits,
  UNIT_AGGREGATES,
  type UnitAggregate,
  type TextMasking,
} from './explainers/maskedText.ts';
export { unitsOf, sentenceRanges, GRANULARITIES, type Granularity } from './text/units.ts';
export {
  GRADIENT_METHODS,
  PERTURBATION_METHODS,
  HIERARCHIES,
  MASKINGS,
  type HierarchyName,
  type MaskingName,
  oneOf,
} from './explainers/textOptions.ts';
export { OUTPUT_SPACES, type ClassScoreSpace, classScores } from './explainers/classification.ts';
export type { TextLayout } from './explainers/attributeTokens.ts';
export { OrtForward } from './model/ortForward.ts';
export { ENGINES, ORT_BUILDS, type EngineChoice, type OrtBuild, type ForwardEngine, type GradientEngine } from './model/pretrained.ts';
export { OrtGradients } from './model/ortGradients.ts';
export { compileGradients, type ScoreSpec } from './compile/gradientModel.ts';
export { textFeeds } from './model/feeds.ts';
export { SharedForward, type TextRow } from './explainers/sharedForward.ts';
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
