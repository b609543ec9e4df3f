/**
 * The task explainers, one export statement a task: its class and the names its users need
 * (options, result types, choices). The task table (worker/tasks.ts) is every class here that
 * names a task (`static task`), and the package's entry exports all of it: a new task is its
 * explainer file plus its statement here.
 */
export {
  type SequenceClassificationResult,
  SequenceClassificationExplainer,
  type TargetSpec,
  type TargetsSpec,
  type BatchExplainOptions,
  type BatchInput,
} from './sequenceClassification.ts';
export {
  ImageClassificationExplainer,
  IMAGE_METHODS,
  type ImageMethodName,
  type ImageExplainOptions,
  type ImageExplainInput,
  type ImageClassificationResult,
} from './imageClassification.ts';
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
} from './questionAnswering.ts';
export {
  TokenClassificationExplainer,
  type TokenClassificationOptions,
  type TokenClassificationResult,
  type TokenPrediction,
  type PredictedToken,
  type ExplainedToken,
} from './tokenClassification.ts';
export * from './pairwiseClassification.ts';
export * from './multiLabelClassification.ts';
export * from './zeroShotClassification.ts';
export * from './textGeneration.ts';
