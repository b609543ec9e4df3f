import { barFill } from './colormap.ts';
import { type VNode, h, s, toElement } from './dom.ts';
import { attributionData, formatAttribution } from './format.ts';
import { type MetaOptions, resultAttrs } from './meta.ts';
import { type PieceOptions, type Row, type RowOptions, type TextResult, rowsOf, shownPieces } from './rows.ts';
import { CSS } from './styles.ts';
import { displayToken, tooltip } from './tokens.ts';

const LABEL = 150; // label column
const PLOT = 360; // bars
const VALUE = 80; // value column
const ROW = 22;
const BAR = 16;
const TOP = 6;
const AXIS = 22;
const MAX_LABEL = 22;

const px = (v: number) => Math.round(v * 100) / 100;

/** The label cut to MAX_LABEL UTF-16 units with an ellipsis, never between the halves of a surrogate pair (an emoji). */
function shortLabel(label: string): string {
  if (label.length <= MAX_LABEL) return label;
  const cut = /[\ud800-\udbff]/.test(label[MAX_LABEL - 2]!) ? MAX_LABEL - 2 : MAX_LABEL - 1;
  return `${label.slice(0, cut)}…`;
}

/**
 * A horizontal bar per token (or word) of one row, top to bottom in text order, as the
 * course notebook's matplotlib barh plot: labels on the left, bars from a zero axis (the
 * x range spans 0 and every value), blue for positive and red for negative
 * attributions (the colormap's arms), the value on the right. Each bar group carries
 * `data-token` / `data-attribution` like the highlights, a <title> and tabindex 0.
 */
export function barChartView(row: Row | undefined, options: PieceOptions = {}): VNode {
  const pieces = row ? shownPieces(row, options) : [];
  const values = pieces.flatMap((p) => (p.attribution === null ? [] : [p.attribution]));
  const lo = Math.min(0, ...values);
  const hi = Math.max(0, ...values) === lo ? lo + 1 : Math.max(0, ...values);
  const x = (v: number) => px(LABEL + ((v - lo) / (hi - lo)) * PLOT);
  const height = TOP + pieces.length * ROW + AXIS;
  const bottom = TOP + pieces.length * ROW;
  const bars = pieces.map((p, i) => {
    const y = TOP + i * ROW;
    const label = displayToken(p.text);
    const tip = tooltip(p);
    return s(
      'g',
      { class: 'gbv-bar', 'data-token': p.text, 'data-attribution': attributionData(p.attribution), 'data-rank': p.rank, tabindex: 0, 'aria-label': tip },
      s('title', {}, tip),
      s('text', { x: LABEL - 6, y: y + ROW / 2, 'text-anchor': 'end', 'dominant-baseline': 'middle' }, shortLabel(label)),
      p.attribution !== null &&
        s('rect', { x: Math.min(x(0), x(p.attribution)), y: y + (ROW - BAR) / 2, width: px(Math.abs(x(p.attribution) - x(0))), height: BAR, fill: barFill(p.attribution) }),
      s('text', { x: LABEL + PLOT + 6, y: y + ROW / 2, 'dominant-baseline': 'middle' }, formatAttribution(p.attribution)),
    );
  });
  const ticks = [...new Set([lo, 0, hi])].map((v) =>
    s('text', { x: x(v), y: bottom + 15, 'text-anchor': 'middle', 'data-tick': String(v) }, v === 0 ? '0' : formatAttribution(v)),
  );
  return s(
    'svg',
    {
      class: 'gbv-bars',
      'data-view': 'bars',
      'data-granularity': options.granularity ?? 'token',
      'data-row': row?.key,
      width: LABEL + PLOT + VALUE,
      height,
      viewBox: `0 0 ${LABEL + PLOT + VALUE} ${height}`,
      role: 'group',
      'aria-label': `attribution per ${options.granularity ?? 'token'}`,
    },
    ...bars,
    s('line', { class: 'gbv-axis', x1: x(0), x2: x(0), y1: TOP, y2: bottom, stroke: '#1b1b1b', 'stroke-width': 1 }),
    ...ticks,
  );
}

export interface BarChartOptions extends PieceOptions, RowOptions, MetaOptions {}

/** The bar chart of one row of a text result (`select`, default the predicted one). */
export function renderBarChart(result: TextResult, options: BarChartOptions = {}): HTMLElement {
  const set = rowsOf(result, options);
  return toElement(h('div', { class: 'gbv', ...resultAttrs(result, set.kind, options) }, h('style', {}, CSS), barChartView(set.selected, options))) as HTMLElement;
}
