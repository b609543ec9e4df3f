/**
 * What @glassbox/viz shows beyond the contract's object: with --html or --png each printed
 * object also carries `model`, `method` and `output` (the page's heading), `special: true` on
 * its special tokens (drawn muted), and, where the
 * library's result has them, `words` (the word view: text-classification, pair-classification
 * and each of their `explanations`; each label of zero-shot and multi-label), so that
 * `toHTML(JSON.parse(line))` draws the page the CLI wrote. Taken from the library's result
 * objects, recorded as the task's explainer returns them.
 */

type Json = Record<string, unknown>;

/**
 * Records the library's results behind each printed object: `wrap` gives the explainer with
 * its explain* methods keeping what the first call after `reset` resolves to (flattened: an
 * explainBatch of one input gives that input's results); later calls (a metric's) are not kept.
 * Cases run one after the other, so one recorder serves every cached explainer.
 */
export class ResultRecorder {
  private kept: Json[] | undefined;

  reset(): void {
    this.kept = undefined;
  }

  results(): Json[] {
    return this.kept ?? [];
  }

  wrap<E extends object>(explainer: E): E {
    return new Proxy(explainer, {
      get: (target, prop, receiver) => {
        const value = Reflect.get(target, prop, receiver);
        if (typeof prop !== 'string' || !prop.startsWith('explain') || typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          const r = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          this.kept ??= [r].flat(2) as Json[];
          return r;
        };
      },
    });
  }
}

const wordsOf = (r: Json | undefined) =>
  Array.isArray(r?.words)
    ? (r.words as { word: string; attribution: number | null }[]).map((w) => ({ word: w.word, attribution: w.attribution }))
    : undefined;

/**
 * The printed object's token lists with the library's `special: true` on special tokens ([CLS],
 * [SEP]: drawn muted, as the library's results are), walking the printed object and the
 * library's result side by side (`tokens` wherever they are: top level, labels, start/end,
 * explained).
 */
function markSpecial(json: unknown, result: unknown): unknown {
  if (!json || !result || typeof json !== 'object' || typeof result !== 'object') return json;
  if (Array.isArray(json)) {
    if (!Array.isArray(result) || json.length !== result.length || typeof json[0] !== 'object') return json;
    return json.map((j, i) => markSpecial(j, result[i]));
  }
  const r = result as Json;
  const out: Json = { ...(json as Json) };
  for (const [key, value] of Object.entries(out)) {
    if (key === 'tokens' && Array.isArray(value) && Array.isArray(r.tokens) && value.length === r.tokens.length) {
      out.tokens = value.map((t: Json, i) =>
        (r.tokens as Json[])[i]?.special === true && t && typeof t === 'object' ? { ...t, special: true } : t,
      );
    } else if (value && typeof value === 'object' && key !== 'attentions' && key !== 'map' && key !== 'matrix')
      out[key] = markSpecial(value, r[key]);
  }
  return out;
}

/** The printed object with model, method, output and words added from the library's results (fields it already has are kept), and its special tokens marked. */
export function withVizFields(json: Json, results: readonly Json[]): Json {
  const first = results[0];
  if (!first) return json;
  const out: Json = Array.isArray(json.explanations)
    ? { ...json, explanations: (json.explanations as Json[]).map((e, j) => markSpecial(e, results[j]) as Json) }
    : (markSpecial(json, first) as Json);
  for (const key of ['model', 'method', 'output']) if (out[key] === undefined && first[key] !== undefined) out[key] = first[key];
  const words = wordsOf(first);
  if (Array.isArray(json.tokens) && words) out.words = words;
  if (Array.isArray(out.explanations))
    out.explanations = (out.explanations as Json[]).map((e, j) => ({ ...e, ...(wordsOf(results[j]) && { words: wordsOf(results[j]) }) }));
  const labels = out.labels as Record<string, Json> | undefined;
  const given = first.labels as Record<string, Json> | undefined;
  if (labels && given && typeof labels === 'object')
    out.labels = Object.fromEntries(
      Object.entries(labels).map(([k, l]) => [k, { ...l, ...(wordsOf(given[k]) && { words: wordsOf(given[k]) }) }]),
    );
  return out;
}
