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
const GAP = 6; // between a label and its bar, and between tick labels

const px = (v: number) => Math.round(v * 100) / 100;

/**
 * A character's width at the chart's 12 px, estimated high (DejaVu Sans, the widest common
 * sans, is the reference): wide and symbol characters 12 px, capitals and m/w 10.5 px, others 8 px.
 */
function charWidth(c: string): number {
  const cp = c.codePointAt(0)!;
  if (cp >= 0x1100 || /[mwMW@%]/.test(c)) return 12;
  return /\p{Lu}/u.test(c) ? 10.5 : 8;
}
const textWidth = (text: string) => Array.from(text).reduce((w, c) => w + charWidth(c), 0);

/** The label cut (whole characters, an ellipsis added) to fit the label column left of the bars. */
function shortLabel(label: string): string {
  const room = LABEL - GAP - 2;
  if (textWidth(label) <= room) return label;
  const chars = Array.from(label);
  let width = charWidth('…');
  let n = 0;
  while (n < chars.length && width + charWidth(chars[n]!) <= room) width += charWidth(chars[n++]!);
  return `${chars.slice(0, n).join('')}…`;
}

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
  const ticks: Tick[] = [...new Set(values)].sort((a, b) => a - b).map((v) => ({ v, text: v === 0 ? '0' : formatAttribution(v), at: x(v), anchor: 'middle' }));
  for (let i = 1; i < ticks.length; i++) {
    const [a, b] = [ticks[i - 1]!, ticks[i]!];
    if (extent(a)[1] + GAP <= extent(b)[0]) continue;
    Object.assign(a, { anchor: 'end', at: x(a.v) - GAP / 2 });
    Object.assign(b, { anchor: 'start', at: x(b.v) + GAP / 2 });
  }
  return ticks.map((t) => s('text', { x: px(t.at), y, 'text-anchor': t.anchor, 'data-tick': String(t.v) }, t.text));
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
      s('text', { x: LABEL - GAP, y: y + ROW / 2, 'text-anchor': 'end', 'dominant-baseline': 'middle' }, shortLabel(label)),
      p.attribution !== null &&
        s('rect', { x: Math.min(x(0), x(p.attribution)), y: y + (ROW - BAR) / 2, width: px(Math.abs(x(p.attribution) - x(0))), height: BAR, fill: barFill(p.attribution) }),
      s('text', { x: LABEL + PLOT + GAP, y: y + ROW / 2, 'dominant-baseline': 'middle' }, formatAttribution(p.attribution)),
    );
  });
  const ticks = tickLabels([lo, 0, hi], x, bottom + 15);
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
