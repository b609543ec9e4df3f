import type { ImageClassificationResult } from '@glassbox/core';
import { type AttentionReduction, attentionMapsView, attentionsOf } from './attentionMaps.ts';
import { barChartView } from './barChart.ts';
import { type VNode, h, toElement } from './dom.ts';
import { forcePlotView } from './forcePlot.ts';
import { formatFixed } from './format.ts';
import { type RenderImageOptions, renderImageResult } from './imageResult.ts';
import { legendView } from './legend.ts';
import { modelName, resultAttrs } from './meta.ts';
import { classesView } from './classes.ts';
import { type RowSet, type TextResult, rowsOf, scaleOf } from './rows.ts';
import { type ShapBarOptions, shapBarPlotView } from './shapBarPlot.ts';
import { CSS } from './styles.ts';
import { tableView } from './table.ts';
import { type TextViewOptions, highlightsView } from './tokens.ts';

export type AnyResult = TextResult | ImageClassificationResult;

export const TEXT_VIEWS = ['tokens', 'classes', 'legend', 'force', 'bars', 'shap-bars', 'table', 'attention'] as const;
export type TextView = (typeof TEXT_VIEWS)[number];

/** shap's force and bar plots: shown by default where the row has a base value (a Shapley method's). */
const SHAP_VIEWS: ReadonlySet<TextView> = new Set(['force', 'shap-bars']);
/**
 * Every class's highlights (classesView) instead of one row's: the default of a multi-target
 * result. The attention maps where the result has them.
 */
const defaultViews = (set: RowSet, attentions: unknown) =>
  TEXT_VIEWS.filter(
    (v) =>
      (!SHAP_VIEWS.has(v) || set.selected?.baseValue !== undefined) &&
      (v === 'classes' ? set.kind === 'multi-target' : v !== 'tokens' || set.kind !== 'multi-target') &&
      (v !== 'attention' || attentions !== undefined),
  );

export interface RenderOptions extends TextViewOptions, ShapBarOptions, RenderImageOptions {
  /** How the result's `attentions` were reduced (the CLI's --attention-reduce and --attention-over), named in their titles. */
  attentionReduction?: AttentionReduction;
  /**
   * Text results: which views, in this order. Default: highlights, legend, bar chart, table,
   * and for a Shapley method's row shap's force plot and bar plot too; a multi-target result
   * shows every class's highlights ('classes', one line per class) instead of one row's; a
   * result with `attentions` (--attention) its maps as labelled heat maps ('attention'; raw
   * maps also each layer's head view).
   */
  views?: readonly TextView[];
}

export function isImageResult(result: object): result is ImageClassificationResult {
  // The CLI's printed object has the map and no attribution; no text result has a map.
  return 'map' in result && Array.isArray((result as { map: unknown }).map);
}

/** The tree of a text result's views (shared by render and toHTML); `style` puts the stylesheet inside. */
export function textResultView(result: TextResult, options: RenderOptions = {}, style = false): VNode {
  const set = rowsOf(result, options);
  const scale = options.colorMax ?? scaleOf(set.rows, options);
  const row = set.selected;
  const attentions = attentionsOf(result, row?.key);
  const views = (options.views ?? defaultViews(set, attentions)).filter((v) => v !== 'legend' || options.legend !== false);
  const parts: Record<TextView, () => VNode> = {
    tokens: () => highlightsView(row, scale, options),
    classes: () => classesView(set, scale, options),
    legend: () => legendView(scale),
    force: () => h('figure', { class: 'gbv-figure' }, forcePlotView(row, options)),
    bars: () => h('figure', { class: 'gbv-figure' }, barChartView(row, options)),
    'shap-bars': () => h('figure', { class: 'gbv-figure' }, shapBarPlotView(row, options)),
    table: () => tableView(set, scale, options),
    attention: () =>
      attentionMapsView(
        attentions,
        row?.tokens.map((t) => t.text) ?? [],
        options.attentionReduction ?? (result as { attentionReduction?: AttentionReduction }).attentionReduction,
      ),
  };
  const model = result.model ?? options.model;
  // A result without model or method (the CLI's multi-target JSON) shows what it has.
  const fields = [
    model !== undefined && h('span', { 'data-field': 'model' }, modelName(model, options)),
    result.method !== undefined && h('span', { 'data-field': 'method' }, `${result.method} (${result.output})`),
    row &&
      h(
        'span',
        { 'data-field': 'row' },
        `${row.attributionLabel}; predicted ${row.predicted.label}${row.predicted.score === null ? '' : ` (${formatFixed(row.predicted.score)})`}`,
      ),
  ].filter((f): f is VNode => f !== false && f !== undefined);
  const meta = h('p', { class: 'gbv-meta' }, ...fields.flatMap((f, i) => (i === 0 ? [f] : [' · ', f])));
  return h(
    'section',
    { class: 'gbv', ...resultAttrs(result, set.kind, options) },
    style && h('style', {}, CSS),
    meta,
    ...views.map((v) => parts[v]()),
  );
}

/**
 * The element for any Glassbox result: a text result's highlighted tokens, legend, bar
 * chart and Captum-style table (one row per explained score), with shap's force and bar
 * plots for a Shapley method's result; an image result's map
 * (renderImageResult). The root carries data-model, data-method and data-kind.
 */
export function render(result: AnyResult, options: RenderOptions = {}): HTMLElement {
  if (isImageResult(result)) return renderImageResult(result, options);
  return toElement(textResultView(result, options, true)) as HTMLElement;
}
