import { ATTENTION_MODES, type ExplainOptions, InvalidInputError } from '@glassbox/core';
import { MAX_STEPS } from '@glassbox/core/methods';
import { targetList } from './targets.ts';

/**
 * Fields every task takes (flags or JSONL fields), exactly as the library names the options
 * (window and stride are `occlusion`'s, stdev is `noise`'s); the explainer says which the
 * chosen method reads.
 */
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
  'engine',
  'onnxruntime',
  'attention',
  'samples',
  'window',
  'stride',
  'granularity',
  'granularityAggregate',
  'layer',
  'hierarchy',
  'masking',
  'seed',
  'truncation',
  'internalBatchSize',
  'stdev',
  'distance',
  'kernelWidth',
  'ridge',
  'transformersInterpretQuirks',
  'noise',
  'occlusion',
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
  if (typeof v !== 'string' && typeof v !== 'number')
    throw new InvalidInputError(`"${field}" must be a string, got ${JSON.stringify(v)}`, 'bad_option');
  return String(v);
};

/** A number field (flag string or JSON number), or undefined when absent; the explainer checks its range. */
export function numberField(raw: Record<string, unknown>, field: string): number | undefined {
  const v = raw[field];
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw new InvalidInputError(`"${field}" must be a number, got ${JSON.stringify(v)}`, `bad_${field}`);
  return n;
}

/** A true/false field (a flag's "true"/"false" or a JSON boolean), or undefined when absent. */
export function booleanField(raw: Record<string, unknown>, field: string, code = 'bad_option'): boolean | undefined {
  const v = raw[field];
  if (v === undefined || v === null) return undefined;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw new InvalidInputError(`"${field}" must be true or false, got ${JSON.stringify(v)}`, code);
}

/** A list field: a JSON list on a JSONL line, or comma-separated from a flag; undefined when absent. */
export function listField(raw: Record<string, unknown>, field: string, code = 'bad_option'): unknown[] | undefined {
  const v = raw[field];
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v;
  if (typeof v === 'string')
    return v
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  throw new InvalidInputError(`"${field}" must be a list (or comma-separated), got ${JSON.stringify(v)}`, code);
}

/** A field holding text the task needs: present and a string. */
export function requiredText(raw: Record<string, unknown>, field: string): string {
  const v = raw[field];
  if (typeof v !== 'string') throw new InvalidInputError(`"${field}" is required and must be a string`, 'missing_input');
  return v;
}

/** The text to explain: `text`, or `sentence` (as in GLUE's SST-2, and the demo's Data set page); a line with neither is 'missing_text'. */
export function textField(raw: Record<string, unknown>): string {
  const [text, sentence] = [raw.text, raw.sentence];
  if (text !== undefined && sentence !== undefined) throw new InvalidInputError('give "text" or "sentence", not both', 'missing_input');
  const v = text ?? sentence;
  if (typeof v !== 'string')
    throw new InvalidInputError(
      `"text" (or "sentence") is required and must be a string${v === undefined ? '' : `, got ${JSON.stringify(v)}`}`,
      'missing_text',
    );
  return v;
}

/** Fields of `raw` that are neither common options nor the task's inputs and options (a JSONL line may carry ids or expected values along). */
export const extraFields = (raw: Record<string, unknown>, taskFields: readonly string[]) =>
  Object.keys(raw).filter((k) => !(COMMON_FIELDS as readonly string[]).includes(k) && !taskFields.includes(k));

/**
 * An object option (`noise`, `occlusion`) as the library names it: a JSONL line's object (or a
 * flag's JSON text), with
 * the flat fields (window, stride, stdev) merged in; the same key given both ways must agree.
 * The explainer checks the keys. Undefined when neither is given.
 */
function withFlat(
  raw: Record<string, unknown>,
  field: 'noise' | 'occlusion',
  flat: Record<string, number | undefined>,
): Record<string, unknown> | undefined {
  const v = typeof raw[field] === 'string' ? parseObject(field, raw[field] as string) : raw[field];
  if (v !== undefined && v !== null && (typeof v !== 'object' || Array.isArray(v))) {
    throw new InvalidInputError(`"${field}" must be a JSON object, got ${JSON.stringify(v)}`, 'bad_option');
  }
  const merged: Record<string, unknown> = { ...(v as Record<string, unknown> | undefined) };
  for (const [key, value] of Object.entries(flat)) {
    if (value === undefined) continue;
    if (merged[key] !== undefined && merged[key] !== value) {
      throw new InvalidInputError(
        `"${key}" (${value}) and "${field}.${key}" (${JSON.stringify(merged[key])}) are the same option; give one`,
        'bad_option',
      );
    }
    merged[key] = value;
  }
  return v === undefined || v === null ? (Object.keys(merged).length ? merged : undefined) : merged;
}

/** A flag's JSON object text (`--noise '{"samples": 3}'`). */
function parseObject(field: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidInputError(`"${field}" must be a JSON object, got ${JSON.stringify(text)}`, 'bad_option');
  }
}

/** The common fields as explainer options; task inputs are read by the task. */
export function commonOptions(raw: Record<string, unknown>): {
  task: string | undefined;
  device?: string;
  engine?: string;
  onnxruntime?: string;
  options: ExplainOptions;
} {
  const options: ExplainOptions = {};
  const target = raw.target;
  // Several targets (a list or 'all') are the task's to read (targetList).
  if (target !== undefined && target !== null && targetList(target) === undefined) {
    if (typeof target === 'number') options.target = target;
    else if (typeof target === 'string') options.target = /^\d+$/.test(target.trim()) ? Number(target) : target;
    else throw new InvalidInputError(`"target" must be a class index or label, got ${JSON.stringify(target)}`, 'unknown_target');
  }
  // Enumerated options pass through as strings; the explainer validates them and names the valid values.
  for (const field of [
    'method',
    'baseline',
    'integration',
    'output',
    'aggregate',
    'normalize',
    'granularity',
    'granularityAggregate',
    'layer',
    'hierarchy',
    'masking',
  ] as const) {
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
  const samples = integerField(raw, 'samples', 1, 1_000_000);
  if (samples !== undefined) options.samples = samples;
  const seed = integerField(raw, 'seed', -(2 ** 31), 2 ** 31 - 1);
  if (seed !== undefined) options.seed = seed;
  const window = integerField(raw, 'window', 1, 100_000);
  const stride = integerField(raw, 'stride', 1, 100_000);
  const occlusion = withFlat(raw, 'occlusion', { window, stride });
  if (occlusion) options.occlusion = occlusion;
  const noise = withFlat(raw, 'noise', { stdev: numberField(raw, 'stdev') });
  if (noise) options.noise = noise;
  const internalBatchSize = integerField(raw, 'internalBatchSize', 1, 1_000_000);
  if (internalBatchSize !== undefined) options.internalBatchSize = internalBatchSize;
  const distance = asString('distance', raw.distance);
  if (distance !== undefined) options.distance = distance as ExplainOptions['distance']; // lime validates it and names the valid values
  const kernelWidth = numberField(raw, 'kernelWidth');
  if (kernelWidth !== undefined) options.kernelWidth = kernelWidth;
  const ridge = numberField(raw, 'ridge');
  if (ridge !== undefined) options.ridge = ridge;
  const truncation = booleanField(raw, 'truncation', 'bad_truncation');
  if (truncation !== undefined) options.truncation = truncation;
  const quirks = booleanField(raw, 'transformersInterpretQuirks');
  if (quirks !== undefined) options.transformersInterpretQuirks = quirks;
  const attention = asString('attention', raw.attention);
  if (attention !== undefined) {
    if (!(ATTENTION_MODES as readonly string[]).includes(attention)) {
      throw new InvalidInputError(`unknown attention "${attention}"; use one of ${ATTENTION_MODES.join(', ')}`, 'bad_attention');
    }
    options.attention = attention as ExplainOptions['attention'];
  }
  // The model loader validates device, engine and onnxruntime and names their valid values.
  const engine = asString('engine', raw.engine);
  const onnxruntime = asString('onnxruntime', raw.onnxruntime);
  return { task: asString('task', raw.task), device: asString('device', raw.device), engine, onnxruntime, options };
}

/** Token attributions as the contract prints them; at 'word' or 'sentence' granularity each token also names its `unit` (the tokens of a unit share its value). */
export const tokensJson = (tokens: readonly { token: string; id: number; attribution: number | null; unit?: number }[]) =>
  tokens.map((t) => ({ token: t.token, id: t.id, attribution: t.attribution, ...(t.unit !== undefined && { unit: t.unit }) }));

/** The fields a result carries only when asked for, printed only when present: its attention maps and what truncation cut. */
export const optionalJson = (r: { attentions?: unknown; truncated?: unknown }) => ({
  ...(r.attentions !== undefined && { attentions: r.attentions }),
  ...(r.truncated !== undefined && { truncated: r.truncated }),
});
