import { InvalidInputError } from '../errors.ts';
import type { SequenceClassificationResult } from '../explainers/sequenceClassification.ts';
import { checkTaskOptions, optionsFor, taskRule } from '../attribution/optionRules.ts';
import { type MethodName, type ExplainOptions, METHODS } from '../attribution/explainOptions.ts';
import type { TextModel } from '../model/textModel.ts';
import {
  type MetricName,
  type MetricOptions,
  type MetricScores,
  classificationScorer,
  defaultMetrics,
  evaluateScorer,
  parseMetrics,
} from './text.ts';

/** What `benchmark` runs by default: every text method but SmoothGrad (random, and a noise tunnel over the others). */
export const BENCHMARK_METHODS: readonly MethodName[] = METHODS.filter((m) => m !== 'smoothgrad');

export interface BenchmarkOptions extends MetricOptions {
  /** Default BENCHMARK_METHODS. */
  methods?: readonly MethodName[];
  /** Default METRICS, and PLAUSIBILITY_METRICS when `rationale` is given. */
  metrics?: readonly MetricName[];
  /** Class explained by every method: index or label. Default: the predicted class. */
  target?: number | string;
  /**
   * Further options for the methods' runs (steps, baseline, output, …): each method gets those it
   * reads (optionsFor); one that no method of the run reads is an error ('unused_option').
   * `method`, `target`, `normalize`, `transformersInterpretQuirks` are the benchmark's; it returns no attention maps.
   */
  explain?: Omit<ExplainOptions, 'method' | 'target' | 'normalize' | 'onProgress' | 'signal' | 'attention' | 'transformersInterpretQuirks'>;
}

export interface BenchmarkRow {
  method: MethodName;
  /** Every token of the text (special tokens included, attribution null where the method gives none), L1-normalised as ferret's Benchmark.explain. */
  tokens: { token: string; attribution: number | null }[];
  metrics: MetricScores;
}

export interface BenchmarkResult {
  model: string;
  text: string;
  textPair?: string;
  predicted: SequenceClassificationResult['predicted'];
  target: SequenceClassificationResult['target'];
  /** The metrics, in the order asked (the table's metric columns). */
  metrics: MetricName[];
  methods: BenchmarkRow[];
}

/** ferret's `lp_normalize(ord=1)`: every score divided by the L1 norm of all of them (nulls left out and kept null). */
export function l1Normalize(values: readonly (number | null)[]): (number | null)[] {
  const norm = values.reduce<number>((s, v) => s + Math.abs(v ?? 0), 0);
  return norm > 0 ? values.map((v) => (v === null ? null : v / norm)) : [...values];
}

interface ClassificationExplainer {
  model: TextModel;
  explain(text: string, options?: ExplainOptions): Promise<SequenceClassificationResult>;
}

/** What `explain` (the options of every run) takes: each method gets those it reads (optionsFor); benchmark sets the rest. */
const BENCHMARK_EXPLAIN = taskRule('benchmark', {
  without: ['target', 'method', 'normalize', 'attention', 'onProgress', 'signal', 'transformersInterpretQuirks'],
});

/**
 * ferret's `Benchmark.explain` + `evaluate_explanations` on one text: each method explains the
 * same class (the first run's target: `target`, else the predicted class), its token
 * attributions are L1-normalised (ferret's default `normalize_scores=True, order=1`), and each
 * is scored on the metrics (see metrics/text.ts). Every run uses the same input (the model's own
 * token types and position ids unless `transformersInterpretQuirks` is set, so every method sees the same tokens).
 * onProgress covers the methods in turn, each its explanation then its metrics.
 */
export async function benchmark(
  explainer: ClassificationExplainer,
  text: string,
  options: BenchmarkOptions = {},
): Promise<BenchmarkResult> {
  const methods = [...new Set(options.methods ?? BENCHMARK_METHODS)];
  if (methods.length === 0) throw new InvalidInputError(`no method given; use some of ${METHODS.join(', ')}`, 'bad_method');
  const unknown = methods.filter((m) => !(METHODS as readonly string[]).includes(m));
  if (unknown.length > 0)
    throw new InvalidInputError(
      `unknown method${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `"${u}"`).join(', ')}; use ${METHODS.join(', ')}`,
      'bad_method',
    );
  const metrics = parseMetrics(options.metrics ?? defaultMetrics(options.rationale !== undefined));
  const quirks = options.transformersInterpretQuirks ?? false;
  const explain = options.explain ?? {};
  checkTaskOptions(BENCHMARK_EXPLAIN, explain, null);
  const rows: BenchmarkRow[] = [];
  let first: SequenceClassificationResult | undefined;
  // Each method's share of onProgress: its explanation, then its metrics at the end of the share.
  const progress = (k: number) =>
    options.onProgress && ((f: number, stage: string) => options.onProgress!((k + f) / methods.length, stage));
  for (const [k, method] of methods.entries()) {
    const result = await explainer.explain(text, {
      ...optionsFor(method, explain, methods),
      method,
      target: first ? first.target.index : options.target,
      normalize: 'none',
      transformersInterpretQuirks: quirks,
      signal: options.signal,
      onProgress: progress(k),
    });
    first ??= result;
    const normalised = l1Normalize(result.tokens.map((t) => t.attribution));
    const normalisedResult = { ...result, tokens: result.tokens.map((t, i) => ({ ...t, attribution: normalised[i]! })) };
    const { scorer, attributions, rationale } = classificationScorer(explainer, normalisedResult, {
      ...options,
      granularity: options.granularity ?? options.explain?.granularity,
      transformersInterpretQuirks: quirks,
    });
    const scores = await evaluateScorer(scorer, attributions, metrics, { ...options, onProgress: undefined }, rationale);
    rows.push({ method, tokens: result.tokens.map((t, i) => ({ token: t.token, attribution: normalised[i]! })), metrics: scores });
    options.onProgress?.((k + 1) / methods.length, 'metrics');
  }
  const r = first!;
  return {
    model: r.model,
    text: r.text,
    ...(r.textPair !== undefined && { textPair: r.textPair }),
    predicted: r.predicted,
    target: r.target,
    metrics,
    methods: rows,
  };
}
