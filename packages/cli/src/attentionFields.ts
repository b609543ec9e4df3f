import { type AggregateOver, type AttentionMaps, InvalidInputError, REDUCTIONS, type Reduction, aggregate } from '@glassbox/core';
import { asString, listField } from './options.ts';

/** The attention summary fields (flags or JSONL fields): `--attention-reduce median --attention-over layers,heads`. */
export const ATTENTION_FIELDS = ['attention-reduce', 'attention-over'] as const;

/** How the raw maps are reduced: core's `aggregate` options. */
export interface AttentionReduction {
  reduce: Reduction;
  over: AggregateOver;
}

const AXES = ['layers', 'heads'];

/**
 * The summary asked by `attention-reduce` (mean, median as torch's, max, min) and
 * `attention-over` (layers, heads, or both: `layers,heads` or `both`; default both), or undefined when
 * none is. It reduces `--attention raw`'s [layers][heads][T][T] maps.
 */
export function attentionReduction(raw: Record<string, unknown>): AttentionReduction | undefined {
  const reduce = asString('attention-reduce', raw['attention-reduce']);
  const over = listField(raw, 'attention-over', 'bad_attention');
  if (reduce === undefined) {
    if (over !== undefined)
      throw new InvalidInputError(
        '"attention-over" is read with --attention-reduce (e.g. --attention-reduce median --attention-over layers,heads)',
        'unused_option',
      );
    return undefined;
  }
  if (!(REDUCTIONS as readonly string[]).includes(reduce))
    throw new InvalidInputError(`unknown attention-reduce "${reduce}"; use one of ${REDUCTIONS.join(', ')}`, 'bad_attention');
  if (raw.attention !== 'raw') {
    throw new InvalidInputError(
      `--attention-reduce reduces the raw maps: give --attention raw${raw.attention === undefined ? '' : ` (attention ${JSON.stringify(raw.attention)} is already one [T][T] map)`}`,
      'bad_attention',
    );
  }
  const axes = new Set((over ?? AXES).flatMap((a) => (a === 'both' ? AXES : [a])));
  if (axes.size === 0 || [...axes].some((a) => !AXES.includes(a as string))) {
    throw new InvalidInputError(
      `"attention-over" must be layers, heads or both (layers,heads), got ${JSON.stringify(raw['attention-over'])}`,
      'bad_attention',
    );
  }
  return { reduce: reduce as Reduction, over: axes.size === 2 ? 'both' : (axes.values().next().value as 'layers' | 'heads') };
}

/**
 * The result object with its `attentions` (and each of its `explanations`' attentions) reduced: [T][T] over both, [heads][T][T] over
 * layers, [layers][T][T] over heads; `attentionReduction` says how, so that toHTML of the printed object titles the maps.
 */
export function reduceAttentions(json: Record<string, unknown>, reduction: AttentionReduction): Record<string, unknown> {
  const reduced = (obj: Record<string, unknown>) =>
    obj.attentions === undefined ? obj : { ...obj, attentions: aggregate(obj.attentions as AttentionMaps, reduction) };
  const out = { ...reduced(json), attentionReduction: reduction };
  return Array.isArray(json.explanations) ? { ...out, explanations: json.explanations.map(reduced) } : out;
}
