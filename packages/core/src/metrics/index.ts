/** Faithfulness and plausibility metrics of token attributions, and ferret-style benchmarks of several methods. */
export { deletionAUC, deletionCurve } from './deletion.ts';
export { insertionAUC, insertionCurve } from './insertion.ts';
export { comprehensiveness } from './comprehensiveness.ts';
export { sufficiency } from './sufficiency.ts';
export { perturbationCurve, trapezoidAUC, type Curve, type CurveOptions } from './curve.ts';
export { aopc, ferretRationales, ferretTopK, FERRET_BINS, type Aopc, type AopcOptions } from './aopc.ts';
export { attributionValues, descendingOrder, type AttributionValues } from './ranking.ts';
export { tauLoo, type TauLoo } from './tauLoo.ts';
export { kendallTauB } from './kendallTau.ts';
export { auprc, tokenF1, tokenIou, checkRationale, type PlausibilityOptions } from './plausibility.ts';
export { unitRationale } from './textRationale.ts';
export {
  METRICS,
  PLAUSIBILITY_METRICS,
  defaultMetrics,
  type MetricName,
  type MetricScores,
  type MetricOptions,
  parseMetrics,
  metricOptionsOf,
  classificationScorer,
  evaluateScorer,
  evaluate,
} from './text.ts';
export { benchmark, BENCHMARK_METHODS, l1Normalize, type BenchmarkOptions, type BenchmarkResult, type BenchmarkRow } from './benchmark.ts';
export {
  GENERATION_METRICS,
  type GenerationMetricName,
  type GenerationMetricOptions,
  type GenerationMetric,
  type GeneratedTokenCurve,
  generatedTokenScorer,
  generationCurves,
  evaluateGeneration,
} from './generation.ts';
