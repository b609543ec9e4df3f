import { type VNode, h, toElement } from './dom.ts';
import { attributionData, formatFixed } from './format.ts';
import { legendView } from './legend.ts';
import { resultAttrs } from './meta.ts';
import { type PieceOptions, type RowSet, type TextResult, rowsOf, scaleOf, shownPieces } from './rows.ts';
import { CSS } from './styles.ts';
import { type TextViewOptions, tokenSpans } from './tokens.ts';

export const TABLE_COLUMNS = ['True Label', 'Predicted Label', 'Attribution Label', 'Attribution Score', 'Word Importance'] as const;

/** The table's body rows, one per explained score of `set`, coloured on `scale`; `attrs` go on every row. */
export function tableRowViews(set: RowSet, scale: number, options: PieceOptions = {}, attrs: Record<string, string> = {}): VNode[] {
  return set.rows.map((r) =>
    h(
      'tr',
      { ...attrs, 'data-row': r.key },
      h('td', { class: 'gbv-true' }, r.trueLabel),
      h('td', {}, r.predicted.score === null ? r.predicted.label : `${r.predicted.label} (${formatFixed(r.predicted.score)})`),
      h('td', {}, r.attributionLabel),
      h('td', { 'data-score': attributionData(r.attributionScore) }, formatFixed(r.attributionScore)),
      h('td', { class: 'gbv-text' }, ...tokenSpans(shownPieces(r, options), scale)),
    ),
  );
}

/** A table with Captum's columns around `rows` (tableRowViews). */
export function tableShell(rows: VNode[], granularity: PieceOptions['granularity'] = 'token'): VNode {
  return h(
    'table',
    { class: 'gbv-table', 'data-view': 'table', 'data-granularity': granularity },
    h('thead', {}, h('tr', {}, ...TABLE_COLUMNS.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ...rows),
  );
}

/** Captum's visualize_text table (as transformers-interpret shows it): one row per explained score. */
export function tableView(set: RowSet, scale: number, options: PieceOptions = {}): VNode {
  return tableShell(tableRowViews(set, scale, options), options.granularity);
}

/** The table of every row of a text result, with its legend. */
export function renderTable(result: TextResult, options: TextViewOptions = {}): HTMLElement {
  const set = rowsOf(result, options);
  const scale = options.colorMax ?? scaleOf(set.rows, options);
  const root = h(
    'div',
    { class: 'gbv', ...resultAttrs(result, set.kind, options) },
    h('style', {}, CSS),
    options.legend !== false && legendView(scale),
    tableView(set, scale, options),
  );
  return toElement(root) as HTMLElement;
}
