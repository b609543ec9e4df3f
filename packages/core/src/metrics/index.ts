/** Faithfulness metrics of token attributions, and ferret-style benchmarks of several methods. */
export { deletionAUC, deletionCurve } from './deletion.ts';
export { insertionAUC, insertionCurve } from './insertion.ts';
export { comprehensiveness } from './comprehensiveness.ts';
export { sufficiency } from './sufficiency.ts';
export { perturbationCurve, trapezoidAUC, type Curve, type CurveOptions } from './curve.ts';
export { aopc, ferretRationales, ferretTopK, FERRET_BINS, type Aopc, type AopcOptions } from './aopc.ts';
export { attributionValues, descendingOrder, type AttributionValues } from './ranking.ts';
export { METRICS, type MetricName, type MetricScores, type MetricOptions, parseMetrics, metricOptionsOf, classificationScorer, evaluateScorer, evaluate } from './text.ts';
export { benchmark, BENCHMARK_METHODS, l1Normalize, type BenchmarkOptions, type BenchmarkResult, type BenchmarkRow } from './benchmark.ts';
