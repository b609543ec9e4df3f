import { type ExplainOptions, InvalidInputError } from '@glassbox/core';

/** Fields a JSONL line (or the flags) may set, exactly as the CLI contract names them. */
export const OPTION_FIELDS = ['text', 'target', 'method', 'baseline', 'integration', 'steps', 'output', 'aggregate', 'normalize', 'device'] as const;
export type OptionField = (typeof OPTION_FIELDS)[number];
export type RawOptions = Partial<Record<OptionField, unknown>>;

const asString = (field: string, v: unknown): string | undefined => {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' && typeof v !== 'number') throw new InvalidInputError(`"${field}" must be a string, got ${JSON.stringify(v)}`, 'bad_option');
  return String(v);
};

/** Fields of `raw` that are not options (a JSONL line may carry ids or expected values along). */
export const extraFields = (raw: Record<string, unknown>) => Object.keys(raw).filter((k) => !(OPTION_FIELDS as readonly string[]).includes(k));

/** Map contract fields to explainer options; fields that are not options are ignored. */
export function toExplainOptions(raw: Record<string, unknown>): { text: string; device?: string; options: ExplainOptions } {
  const text = raw.text;
  if (typeof text !== 'string') throw new InvalidInputError('"text" is required and must be a string', 'empty_text');
  const options: ExplainOptions = {};
  const target = raw.target;
  if (target !== undefined && target !== null) {
    if (typeof target === 'number') options.target = target;
    else if (typeof target === 'string') options.target = /^\d+$/.test(target.trim()) ? Number(target) : target;
    else throw new InvalidInputError(`"target" must be a class index or label, got ${JSON.stringify(target)}`, 'unknown_target');
  }
  // Enumerated options pass through as strings; the explainer validates them and names the valid values.
  for (const field of ['method', 'baseline', 'integration', 'output', 'aggregate', 'normalize'] as const) {
    const v = asString(field, raw[field]);
    if (v !== undefined) (options as Record<string, unknown>)[field] = v;
  }
  if (raw.steps !== undefined && raw.steps !== null) {
    const steps = Number(raw.steps);
    if (!Number.isInteger(steps) || steps < 1 || steps > 10_000) {
      throw new InvalidInputError(`"steps" must be an integer from 1 to 10000, got ${JSON.stringify(raw.steps)}`, 'bad_steps');
    }
    options.steps = steps;
  }
  return { text, device: asString('device', raw.device), options };
}
