import type { Attrs } from './dom.ts';

/** What every rendered result carries for tests and tools: `data-model` and `data-method`. */
export interface MetaOptions {
  /** `data-model` as given, instead of the one derived from the result's `model`. */
  model?: string;
}

/**
 * The result's model as `data-model`: a hub id (or any name that is not an absolute path)
 * as is; an absolute URL path under the page's own folder (a model bundled with the site,
 * loaded as `new URL('./name', location.href).pathname`) relative to that folder, i.e. to
 * the built site's root. Without a document (Node, workers) the model is kept as is.
 */
export function modelName(model: string, options: MetaOptions = {}): string {
  if (options.model !== undefined) return options.model;
  if (!model.startsWith('/') || typeof document === 'undefined') return model;
  const base = new URL('.', document.baseURI).pathname;
  return model.startsWith(base) ? model.slice(base.length) : model;
}

/** The root's data attributes; a result without a model or method (the CLI's multi-target JSON) leaves those out unless `options.model` names it. */
export function resultAttrs(result: { model?: string; method?: string }, kind: string, options: MetaOptions = {}): Attrs {
  const model = result.model ?? options.model;
  return { 'data-model': model === undefined ? undefined : modelName(model, options), 'data-method': result.method, 'data-kind': kind };
}
