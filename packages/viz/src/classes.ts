import { type VNode, h } from './dom.ts';
import { type PieceOptions, type RowSet, shownPieces } from './rows.ts';
import { tokenSpans } from './tokens.ts';

/**
 * interpreto's multi-class plot: every row's highlighted text side by side, one line per
 * class (its label, then the tokens), on one colour scale so that classes compare.
 */
export function classesView(set: RowSet, scale: number, options: PieceOptions = {}): VNode {
  return h(
    'div',
    { class: 'gbv-classes', 'data-view': 'classes', 'data-granularity': options.granularity ?? 'token' },
    ...set.rows.map((r) =>
      h(
        'div',
        { class: 'gbv-class', 'data-row': r.key },
        h('span', { class: 'gbv-class-label' }, r.attributionLabel),
        h('p', { class: 'gbv-text' }, ...tokenSpans(shownPieces(r, options), scale)),
      ),
    ),
  );
}
