import { barsView } from './barChart.ts';
import { type VNode, h, toElement } from './dom.ts';
import { textWidth } from './labels.ts';
import { type MetaOptions, resultAttrs } from './meta.ts';
import { type PieceOptions, type Row, type RowOptions, type ShownPiece, type TextResult, rowsOf } from './rows.ts';
import { shapFeatures, shapFill } from './shap.ts';
import { CSS } from './styles.ts';

export interface ShapBarOptions extends PieceOptions {
  /** Bars drawn, the "Sum of N other features" bar included (shap's max_display). Default 10. */
  maxDisplay?: number;
}

/** shap's label of the bar that sums the features left out. */
export const otherFeaturesLabel = (n: number): string => `Sum of ${n} other features`;

/**
 * The bars of shap.plots.bar for one explanation: the row's features (shapFeatures) by
 * |value|, largest first; when there are more than `maxDisplay`, the first maxDisplay − 1
 * and one last bar, without a rank, holding the sum of the others' values.
 */
export function shapBars(row: Row, options: ShapBarOptions = {}): ShownPiece[] {
  const max = options.maxDisplay ?? 10;
  if (!Number.isInteger(max) || max < 1) throw new Error(`@glassbox/viz: maxDisplay must be a positive integer, got ${max}`);
  const features = shapFeatures(row, options).sort((a, b) => a.rank! - b.rank!);
  if (features.length <= max) return features;
  const rest = features.slice(max - 1);
  const sum = rest.reduce((a, p) => a + p.attribution!, 0);
  return [
    ...features.slice(0, max - 1),
    { text: otherFeaturesLabel(rest.length), attribution: sum, special: false, rank: null, ranked: features.length },
  ];
}

/**
 * shap's bar plot of one row: a bar per feature sorted by |value| (shapBars), red for
 * positive and blue for negative values as shap draws them, each bar group carrying
 * `data-feature` (the token or word) and `data-attribution`.
 */
export function shapBarPlotView(row: Row | undefined, options: ShapBarOptions = {}): VNode {
  const bars = row ? shapBars(row, options) : [];
  const labelWidth = Math.max(150, ...bars.filter((b) => b.rank === null).map((b) => textWidth(b.text) + 10));
  const attrs = {
    class: 'gbv-bars gbv-shap-bars',
    'data-view': 'shap-bars',
    'data-row': row?.key,
    'data-max-display': options.maxDisplay ?? 10,
  };
  return barsView(bars, attrs, 'features by absolute attribution', { key: 'data-feature', fill: shapFill, labelWidth });
}

export interface ShapBarPlotOptions extends ShapBarOptions, RowOptions, MetaOptions {}

/** shap's bar plot of one row of a text result (`select`, default the predicted one). */
export function renderShapBarPlot(result: TextResult, options: ShapBarPlotOptions = {}): HTMLElement {
  const set = rowsOf(result, options);
  return toElement(
    h('div', { class: 'gbv', ...resultAttrs(result, set.kind, options) }, h('style', {}, CSS), shapBarPlotView(set.selected, options)),
  ) as HTMLElement;
}
