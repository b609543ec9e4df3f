import { attributionColours } from './colormap.ts';
import { type Child, type VNode, h, toElement } from './dom.ts';
import { attributionData, formatAttribution } from './format.ts';
import { legendView } from './legend.ts';
import { type MetaOptions, resultAttrs } from './meta.ts';
import { type PieceOptions, type Row, type RowOptions, type ShownPiece, type TextResult, rowsOf, scaleOf, shownPieces } from './rows.ts';
import { CSS } from './styles.ts';

/** What hover (title) and focus (CSS, from the title) show, and what a screen reader reads: the token, its score and its rank. */
export function tooltip(p: ShownPiece): string {
  return `${p.text}\nattribution: ${formatAttribution(p.attribution)}\nrank: ${p.rank === null ? '–' : `${p.rank} of ${p.ranked}`}`;
}

/** How a token reads inline: byte-level BPE / SentencePiece word-start markers dropped (as transformers-interpret shows them). */
export function displayToken(text: string): string {
  return text.replace(/^[Ġ▁]/, '') || text;
}

/**
 * One span per token (or word), in order, separated by spaces. Each carries `data-token`
 * (the token or word exactly as in the result), `data-attribution` (String(value): the exact
 * number, or "null" where the method gave none, drawn with a dashed outline and no colour),
 * `data-rank`, tabindex 0, a title and an aria-label.
 */
export function tokenSpans(pieces: readonly ShownPiece[], scale: number): Child[] {
  return pieces.flatMap((p, i) => {
    const tip = tooltip(p);
    const span = h(
      'span',
      {
        class: p.special ? 'gbv-token gbv-special' : 'gbv-token',
        'data-token': p.text,
        'data-attribution': attributionData(p.attribution),
        'data-rank': p.rank,
        tabindex: 0,
        title: tip,
        'aria-label': tip,
        style: p.attribution === null ? {} : attributionColours(p.attribution, scale),
      },
      displayToken(p.text),
    );
    return i === 0 ? [span] : [' ', span];
  });
}

/** The highlighted text of one row. */
export function highlightsView(row: Row | undefined, scale: number, options: PieceOptions = {}): VNode {
  const attrs = { class: 'gbv-tokens', 'data-view': 'tokens', 'data-granularity': options.granularity ?? 'token', 'data-row': row?.key };
  if (!row) return h('div', attrs, h('p', { class: 'gbv-empty' }, 'nothing was explained'));
  return h('div', attrs, h('p', { class: 'gbv-text' }, ...tokenSpans(shownPieces(row, options), scale)));
}

/** Options of every text view. */
export interface TextViewOptions extends PieceOptions, RowOptions, MetaOptions {
  /** Show the colour legend. Default true. */
  legend?: boolean;
  /** The |attribution| drawn darkest. Default: the largest over the result's rows as shown. */
  colorMax?: number;
}

/**
 * The explained text with each token (or word) coloured by its attribution, for any text
 * result: `select` picks the row (a label, 'start'/'end', an explained token's position, a
 * generated token's number), by default the predicted one.
 */
export function renderTokens(result: TextResult, options: TextViewOptions = {}): HTMLElement {
  const set = rowsOf(result, options);
  const scale = options.colorMax ?? scaleOf(set.rows, options);
  const root = h(
    'div',
    { class: 'gbv', ...resultAttrs(result, set.kind, options) },
    h('style', {}, CSS),
    highlightsView(set.selected, scale, options),
    options.legend !== false && legendView(scale),
  );
  return toElement(root) as HTMLElement;
}
