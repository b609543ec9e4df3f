import { barFill } from './colormap.ts';
import { type Attrs, type VNode, h, s, toElement } from './dom.ts';
import { attributionData, formatAttribution } from './format.ts';
import { cutLabel, textWidth } from './labels.ts';
import { type MetaOptions, resultAttrs } from './meta.ts';
import { type PieceOptions, type Row, type RowOptions, type ShownPiece, type TextResult, rowsOf, shownPieces } from './rows.ts';
import { CSS } from './styles.ts';
import { displayToken, tooltip } from './tokens.ts';

const LABEL = 150; // label column
const PLOT = 360; // bars
const VALUE = 80; // value column
const ROW = 22;
const BAR = 16;
const TOP = 6;
const AXIS = 22;
const GAP = 6; // between a label and its bar, and between tick labels

const px = (v: number) => Math.round(v * 100) / 100;

type Tick = { v: number; text: string; at: number; anchor: 'start' | 'middle' | 'end' };
/** Where a tick label spans horizontally, by its anchor. */
function extent(t: Tick): [number, number] {
  const w = textWidth(t.text);
  return t.anchor === 'start' ? [t.at, t.at + w] : t.anchor === 'end' ? [t.at - w, t.at] : [t.at - w / 2, t.at + w / 2];
}

/**
 * The axis ticks (lo, 0 and hi, distinct) as text: each centred under its value, except where
 * two centred labels would overlap: then the left one ends and the right one starts at its value.
 */
function tickLabels(values: number[], x: (v: number) => number, y: number) {
  const ticks: Tick[] = [...new Set(values)]
    .sort((a, b) => a - b)
    .map((v) => ({ v, text: v === 0 ? '0' : formatAttribution(v), at: x(v), anchor: 'middle' }));
  for (let i = 1; i < ticks.length; i++) {
    const [a, b] = [ticks[i - 1]!, ticks[i]!];
    if (extent(a)[1] + GAP <= extent(b)[0]) continue;
    Object.assign(a, { anchor: 'end', at: x(a.v) - GAP / 2 });
    Object.assign(b, { anchor: 'start', at: x(b.v) + GAP / 2 });
  }
  return ticks.map((t) => s('text', { x: px(t.at), y, 'text-anchor': t.anchor, 'data-tick': String(t.v) }, t.text));
}

/** How barsView draws: the attribute naming each bar's piece, the bars' colours, the label column's width. */
export interface BarsLook {
  /** Default 'data-token'. */
  key?: string;
  /** Default the colormap's arms (barFill). */
  fill?: (value: number) => string;
  /** Default 150 px. */
  labelWidth?: number;
}

/**
 * A horizontal bar per piece, top to bottom in the order given: labels on the left, bars
 * from a zero axis (the x range spans 0 and every value), the value on the right. Each bar
 * group carries `key` (the piece's text) and `data-attribution`, a <title> and tabindex 0;
 * `attrs` go on the <svg>, `ariaLabel` names it.
 */
export function barsView(pieces: readonly ShownPiece[], attrs: Attrs, ariaLabel: string, look: BarsLook = {}): VNode {
  const { key = 'data-token', fill = barFill, labelWidth = LABEL } = look;
  const values = pieces.flatMap((p) => (p.attribution === null ? [] : [p.attribution]));
  const lo = Math.min(0, ...values);
  const hi = Math.max(0, ...values) === lo ? lo + 1 : Math.max(0, ...values);
  const x = (v: number) => px(labelWidth + ((v - lo) / (hi - lo)) * PLOT);
  const height = TOP + pieces.length * ROW + AXIS;
  const bottom = TOP + pieces.length * ROW;
  const bars = pieces.map((p, i) => {
    const y = TOP + i * ROW;
    const label = displayToken(p.text);
    const tip = tooltip(p);
    return s(
      'g',
      {
        class: 'gbv-bar',
        [key]: p.text,
        'data-attribution': attributionData(p.attribution),
        'data-rank': p.rank,
        tabindex: 0,
        'aria-label': tip,
      },
      s('title', {}, tip),
      s(
        'text',
        { x: labelWidth - GAP, y: y + ROW / 2, 'text-anchor': 'end', 'dominant-baseline': 'middle' },
        cutLabel(label, labelWidth - GAP - 2),
      ),
      p.attribution !== null &&
        s('rect', {
          x: Math.min(x(0), x(p.attribution)),
          y: y + (ROW - BAR) / 2,
          width: px(Math.abs(x(p.attribution) - x(0))),
          height: BAR,
          fill: fill(p.attribution),
        }),
      s('text', { x: labelWidth + PLOT + GAP, y: y + ROW / 2, 'dominant-baseline': 'middle' }, formatAttribution(p.attribution)),
    );
  });
  const ticks = tickLabels([lo, 0, hi], x, bottom + 15);
  const width = labelWidth + PLOT + VALUE;
  return s(
    'svg',
    { ...attrs, width, height, viewBox: `0 0 ${width} ${height}`, role: 'group', 'aria-label': ariaLabel },
    ...bars,
    s('line', { class: 'gbv-axis', x1: x(0), x2: x(0), y1: TOP, y2: bottom, stroke: '#1b1b1b', 'stroke-width': 1 }),
    ...ticks,
  );
}

/**
 * A horizontal bar per token (or word) of one row, top to bottom in text order, as the
 * course notebook's matplotlib barh plot (barsView): blue for positive and red for negative
 * attributions (the colormap's arms). Each bar group carries `data-token` /
 * `data-attribution` like the highlights.
 */
export function barChartView(row: Row | undefined, options: PieceOptions = {}): VNode {
  const granularity = options.granularity ?? 'token';
  const attrs = { class: 'gbv-bars', 'data-view': 'bars', 'data-granularity': granularity, 'data-row': row?.key };
  return barsView(row ? shownPieces(row, options) : [], attrs, `attribution per ${granularity}`);
}

export interface BarChartOptions extends PieceOptions, RowOptions, MetaOptions {}

/** The bar chart of one row of a text result (`select`, default the predicted one). */
export function renderBarChart(result: TextResult, options: BarChartOptions = {}): HTMLElement {
  const set = rowsOf(result, options);
  return toElement(
    h('div', { class: 'gbv', ...resultAttrs(result, set.kind, options) }, h('style', {}, CSS), barChartView(set.selected, options)),
  ) as HTMLElement;
}
