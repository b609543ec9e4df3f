import { InvalidInputError, METRICS, type MetricName, type MetricOptions, PLAUSIBILITY_METRICS, parseMetrics } from '@glassbox/core';
import { integerField } from './options.ts';

/** The metric fields (flags or JSONL fields): which metrics, and the human rationale and top-k of the plausibility ones. */
export const METRIC_FIELDS = ['metrics', 'rationale', 'topKRationale'] as const;

/** A `metrics` flag or field: names separated by commas, or (in JSONL) a list of names. */
export function metricsField(v: unknown): MetricName[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string' || (Array.isArray(v) && v.every((m) => typeof m === 'string'))) return parseMetrics(v as string | string[]);
  throw new InvalidInputError(
    `"metrics" must be names separated by commas or a list of names (${[...METRICS, ...PLAUSIBILITY_METRICS].join(', ')}), got ${JSON.stringify(v)}`,
    'unknown_metric',
  );
}

/** A `rationale` flag or field: 0/1 values separated by commas (`--rationale 0,1,1,0`), or (in JSONL) a list of 0/1 or booleans. The library checks its length. */
export function rationaleField(v: unknown): number[] | undefined {
  if (v === undefined || v === null) return undefined;
  const items: unknown[] | null = Array.isArray(v) ? v : typeof v === 'string' ? v.split(',').map((s) => s.trim()) : null;
  const bit = (x: unknown) => (x === 1 || x === '1' || x === true ? 1 : x === 0 || x === '0' || x === false ? 0 : null);
  if (!items || items.length === 0 || items.some((x) => bit(x) === null)) {
    throw new InvalidInputError(
      `"rationale" must be 0/1 values, one per token or per word (--rationale 0,1,1,0 or "rationale": [0, 1, 1, 0]), got ${JSON.stringify(v)}`,
      'bad_rationale',
    );
  }
  return items.map((x) => bit(x)!);
}

/** The metric fields of a flag set or JSONL line: the metrics asked (undefined: none asked) and the options they read. */
export function metricFields(raw: Record<string, unknown>): {
  metrics: MetricName[] | undefined;
  options: Pick<MetricOptions, 'rationale' | 'topKRationale'>;
} {
  const rationale = rationaleField(raw.rationale);
  const topKRationale = integerField(raw, 'topKRationale', 1, 1_000_000);
  return {
    metrics: metricsField(raw.metrics),
    options: { ...(rationale && { rationale }), ...(topKRationale !== undefined && { topKRationale }) },
  };
}
