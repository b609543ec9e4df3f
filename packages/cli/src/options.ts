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
  const method = asString('method', raw.method);
  if (method !== undefined) options.method = method as ExplainOptions['method'];
  const baseline = asString('baseline', raw.baseline);
  if (baseline !== undefined) options.baseline = baseline as ExplainOptions['baseline'];
  const integration = asString('integration', raw.integration);
  if (integration !== undefined) options.integration = integration as ExplainOptions['integration'];
  if (raw.steps !== undefined && raw.steps !== null) {
    const steps = Number(raw.steps);
    if (!Number.isInteger(steps) || steps < 1 || steps > 10_000) {
      throw new InvalidInputError(`"steps" must be an integer from 1 to 10000, got ${JSON.stringify(raw.steps)}`, 'bad_steps');
    }
    options.steps = steps;
  }
  const output = asString('output', raw.output);
  if (output !== undefined) options.output = output as ExplainOptions['output'];
  const aggregate = asString('aggregate', raw.aggregate);
  if (aggregate !== undefined) options.aggregate = aggregate as ExplainOptions['aggregate'];
  const normalize = asString('normalize', raw.normalize);
  if (normalize !== undefined) options.normalize = normalize as ExplainOptions['normalize'];
  return { text, device: asString('device', raw.device), options };
}
