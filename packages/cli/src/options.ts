import { ATTENTION_MODES, type ExplainOptions, InvalidInputError, MAX_STEPS } from '@glassbox/core';

/** Fields every task reads (flags or JSONL fields), exactly as the CLI contract names them. */
export const COMMON_FIELDS = [
  'task',
  'target',
  'method',
  'baseline',
  'integration',
  'steps',
  'output',
  'aggregate',
  'normalize',
  'device',
  'forward',
  'attention',
  'samples',
  'window',
  'stride',
  'granularity',
  'granularityAggregate',
  'hierarchy',
  'masking',
  'seed',
  'truncation',
] as const;

/** An integer field (flag string or JSON number) within [min, max], or undefined when absent; else an error naming the field and its range. */
export function integerField(raw: Record<string, unknown>, field: string, min: number, max: number): number | undefined {
  const v = raw[field];
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new InvalidInputError(`"${field}" must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`, `bad_${field}`);
  }
  return n;
}

export const asString = (field: string, v: unknown): string | undefined => {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' && typeof v !== 'number') throw new InvalidInputError(`"${field}" must be a string, got ${JSON.stringify(v)}`, 'bad_option');
  return String(v);
};

/** A field holding text the task needs: present and a string. */
export function requiredText(raw: Record<string, unknown>, field: string): string {
  const v = raw[field];
  if (typeof v !== 'string') throw new InvalidInputError(`"${field}" is required and must be a string`, field === 'text' ? 'empty_text' : 'missing_input');
  return v;
}

/** Fields of `raw` that are neither common options nor the task's inputs (a JSONL line may carry ids or expected values along). */
export const extraFields = (raw: Record<string, unknown>, taskInputs: readonly string[]) =>
  Object.keys(raw).filter((k) => !(COMMON_FIELDS as readonly string[]).includes(k) && !taskInputs.includes(k));

/** The common fields as explainer options; task inputs are read by the task. */
export function commonOptions(raw: Record<string, unknown>): { task: string | undefined; device?: string; forward?: string; options: ExplainOptions } {
  const options: ExplainOptions = {};
  const target = raw.target;
  if (target !== undefined && target !== null) {
    if (typeof target === 'number') options.target = target;
    else if (typeof target === 'string') options.target = /^\d+$/.test(target.trim()) ? Number(target) : target;
    else throw new InvalidInputError(`"target" must be a class index or label, got ${JSON.stringify(target)}`, 'unknown_target');
  }
  // Enumerated options pass through as strings; the explainer validates them and names the valid values.
  for (const field of ['method', 'baseline', 'integration', 'output', 'aggregate', 'normalize', 'granularity', 'granularityAggregate', 'hierarchy', 'masking'] as const) {
    const v = asString(field, raw[field]);
    if (v !== undefined) (options as Record<string, unknown>)[field] = v;
  }
  if (raw.steps !== undefined && raw.steps !== null) {
    const steps = Number(raw.steps);
    if (!Number.isInteger(steps) || steps < 1 || steps > MAX_STEPS) {
      throw new InvalidInputError(`"steps" must be an integer from 1 to ${MAX_STEPS}, got ${JSON.stringify(raw.steps)}`, 'bad_steps');
    }
    options.steps = steps;
  }
  const samples = integerField(raw, 'samples', 2, 1_000_000);
  if (samples !== undefined) options.samples = samples;
  const seed = integerField(raw, 'seed', -(2 ** 31), 2 ** 31 - 1);
  if (seed !== undefined) options.seed = seed;
  const window = integerField(raw, 'window', 1, 100_000);
  const stride = integerField(raw, 'stride', 1, 100_000);
  if (window !== undefined || stride !== undefined) options.occlusion = { ...(window !== undefined && { window }), ...(stride !== undefined && { stride }) };
  const truncation = raw.truncation;
  if (truncation !== undefined && truncation !== null) {
    if (truncation !== true && truncation !== false && truncation !== 'true' && truncation !== 'false') {
      throw new InvalidInputError(`"truncation" must be true or false, got ${JSON.stringify(truncation)}`, 'bad_truncation');
    }
    options.truncation = truncation === true || truncation === 'true';
  }
  const attention = asString('attention', raw.attention);
  if (attention !== undefined) {
    if (!(ATTENTION_MODES as readonly string[]).includes(attention)) {
      throw new InvalidInputError(`unknown attention "${attention}"; use one of ${ATTENTION_MODES.join(', ')}`, 'bad_attention');
    }
    options.attention = attention as ExplainOptions['attention'];
  }
  // The model loader validates device and forward and names their valid values.
  return { task: asString('task', raw.task), device: asString('device', raw.device), forward: asString('forward', raw.forward), options };
}

/** Token attributions as the contract prints them; at 'word' or 'sentence' granularity each token also names its `unit` (the tokens of a unit share its value). */
export const tokensJson = (tokens: readonly { token: string; id: number; attribution: number | null; unit?: number }[]) =>
  tokens.map((t) => ({ token: t.token, id: t.id, attribution: t.attribution, ...(t.unit !== undefined && { unit: t.unit }) }));
