/** Faithfulness and plausibility metrics of token attributions, and ferret-style benchmarks of several methods. */
export { deletionAUC, deletionCurve } from './deletion.ts';
export { insertionAUC, insertionCurve } from './insertion.ts';
export { comprehensiveness } from './comprehensiveness.ts';
export { sufficiency } from './sufficiency.ts';
export { perturbationCurve, type Curve, type CurveOptions } from './curve.ts';
export { aopc, FERRET_BINS, type Aopc, type AopcOptions } from './aopc.ts';
export { tauLoo, type TauLoo } from './tauLoo.ts';
export { kendallTauB } from './kendallTau.ts';
export type { AttributionValues } from './ranking.ts';
export { auprc, tokenF1, tokenIou, type PlausibilityOptions } from './plausibility.ts';
export {
  METRICS,
  PLAUSIBILITY_METRICS,
  type MetricName,
  type MetricScores,
  type MetricOptions,
  parseMetrics,
  metricOptionsOf,
  classificationScorer,
  evaluate,
} from './text.ts';
export { benchmark, BENCHMARK_METHODS, type BenchmarkOptions, type BenchmarkResult, type BenchmarkRow } from './benchmark.ts';
export {
  GENERATION_METRICS,
  type GenerationMetricName,
  type GenerationMetricOptions,
  type GenerationMetric,
  type GeneratedTokenCurve,
  generationCurves,
  evaluateGeneration,
} from './generation.ts';
