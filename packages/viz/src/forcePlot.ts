import { type VNode, h, s, toElement } from './dom.ts';
import { attributionData, formatScore } from './format.ts';
import { cutLabel, textWidth } from './labels.ts';
import { type MetaOptions, resultAttrs } from './meta.ts';
import { type PieceOptions, type Row, type RowOptions, type ShownPiece, type TextResult, rowsOf } from './rows.ts';
import { SHAP_BLUE, SHAP_RED, shapFeatures } from './shap.ts';
import { CSS } from './styles.ts';
import { displayToken, tooltip } from './tokens.ts';

const WIDTH = 640;
const SIDE = 24; // margin left and right of the axis
const LEGEND_Y = 12;
const FX_Y = 30; // f(x) label
const BASE_Y = 46; // base value label
const AXIS_Y = 56;
const TICK_Y = 70;
const BAR_TOP = 78;
const BAR_H = 18;
const LABEL_Y = 112; // feature labels
const HEIGHT = 120;
const ARROW = 4; // how far a segment's point reaches into the next one

const px = (v: number) => Math.round(v * 100) / 100;

/** About `count` round tick values (steps of 1, 2 or 5 × 10^k) within [lo, hi]. */
function niceTicks(lo: number, hi: number, count = 5): number[] {
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((st) => st >= raw)!;
  const out: number[] = [];
  for (let k = Math.ceil(lo / step); k * step <= hi; k++) out.push(Number((k * step).toPrecision(12)));
  return out;
}

/** A text at `at`, anchored so that it stays inside the plot. */
function placed(text: string, at: number, y: number, attrs: Record<string, string> = {}): VNode {
  const w = textWidth(text);
  const [x, anchor] = at - w / 2 < 2 ? [2, 'start'] : at + w / 2 > WIDTH - 2 ? [WIDTH - 2, 'end'] : [at, 'middle'];
  return s('text', { x: px(x), y, 'text-anchor': anchor, ...attrs }, text);
}

/** A segment from x0 to x1 (x0 < x1) with a point at its end on the side `dir` points to, notched at the other end, so that segments fit into each other. */
function chevron(x0: number, x1: number, dir: 1 | -1): string {
  const [top, mid, bottom] = [BAR_TOP, BAR_TOP + BAR_H / 2, BAR_TOP + BAR_H];
  const a = dir * ARROW;
  const points = [
    [x0, top],
    [x1, top],
    [x1 + a, mid],
    [x1, bottom],
    [x0, bottom],
    [x0 + a, mid],
  ];
  return points.map(([x, y]) => `${px(x!)},${y}`).join(' ');
}

/**
 * shap's force plot of one row, as the top of shap.plots.text draws it: an axis holding the
 * base value (f of the fully masked input) and the output f(x), and the features laid end
 * to end between them, each as wide as |value|: those pushing the output up in red, ending
 * at f(x) from the left, those pushing it down in blue, from f(x) to the right, the largest
 * next to f(x); under each its token or word, cut to its width. Each feature is a group with
 * `data-feature`, `data-attribution`, a <title> and tabindex 0; the <svg> carries
 * `data-base-value` and `data-fx`. A row without a base value (not a Shapley method) gets a note instead.
 */
export function forcePlotView(row: Row | undefined, options: PieceOptions = {}): VNode {
  if (row?.baseValue === undefined || row.fx === undefined) {
    return h(
      'p',
      { class: 'gbv-empty', 'data-view': 'force' },
      'no force plot: only Shapley methods (kernel-shap, partition-shap) give a base value',
    );
  }
  const { baseValue: base, fx } = row;
  const features = shapFeatures(row, options);
  const up = features.filter((p) => p.attribution! > 0).sort((a, b) => b.attribution! - a.attribution!);
  const down = features.filter((p) => p.attribution! < 0).sort((a, b) => a.attribution! - b.attribution!);
  const pushUp = up.reduce((a, p) => a + p.attribution!, 0);
  const pushDown = down.reduce((a, p) => a - p.attribution!, 0);
  let lo = Math.min(fx - pushUp, base, fx);
  let hi = Math.max(fx + pushDown, base, fx);
  const pad = hi > lo ? (hi - lo) * 0.04 : Math.max(Math.abs(fx), 1) * 0.5;
  [lo, hi] = [lo - pad, hi + pad];
  const x = (v: number) => px(SIDE + ((v - lo) / (hi - lo)) * (WIDTH - 2 * SIDE));

  /** Feature p over [from, to] of the axis. */
  const segment = (p: ShownPiece, from: number, to: number, dir: 1 | -1) => {
    const [x0, x1] = [x(from), x(to)];
    const colour = dir === 1 ? SHAP_RED : SHAP_BLUE;
    const tip = tooltip(p);
    return s(
      'g',
      {
        class: 'gbv-force-feature',
        'data-feature': p.text,
        'data-attribution': attributionData(p.attribution),
        'data-rank': p.rank,
        tabindex: 0,
        'aria-label': tip,
      },
      s('title', {}, tip),
      s('polygon', { points: chevron(x0, x1, dir), fill: colour, stroke: '#fff', 'stroke-width': 1 }),
      s('text', { x: px((x0 + x1) / 2), y: LABEL_Y, 'text-anchor': 'middle', fill: colour }, cutLabel(displayToken(p.text), x1 - x0 - 2)),
    );
  };
  const segments: VNode[] = [];
  let left = fx;
  for (const p of up) {
    segments.push(segment(p, left - p.attribution!, left, 1));
    left -= p.attribution!;
  }
  let right = fx;
  for (const p of down) {
    segments.push(segment(p, right, right - p.attribution!, -1));
    right -= p.attribution!;
  }
  // A tick label where a marker line crosses it is left out (the marker's own label gives the number).
  const ticks = niceTicks(lo, hi).filter((t) => Math.min(Math.abs(x(t) - x(base)), Math.abs(x(t) - x(fx))) > 16);
  return s(
    'svg',
    {
      class: 'gbv-force',
      'data-view': 'force',
      'data-row': row.key,
      'data-base-value': String(base),
      'data-fx': String(fx),
      width: WIDTH,
      height: HEIGHT,
      viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
      role: 'group',
      'aria-label': `force plot: base value ${formatScore(base)}, f(x) ${formatScore(fx)}`,
    },
    s('text', { x: SIDE, y: LEGEND_Y }, s('tspan', { fill: SHAP_RED }, 'higher'), ' ⇄ ', s('tspan', { fill: SHAP_BLUE }, 'lower')),
    placed(`f(x) = ${formatScore(fx)}`, x(fx), FX_Y, { 'font-weight': 'bold', 'data-field': 'fx' }),
    placed(`base value = ${formatScore(base)}`, x(base), BASE_Y, { fill: '#555', 'data-field': 'base-value' }),
    s('line', { class: 'gbv-axis', x1: SIDE, x2: WIDTH - SIDE, y1: AXIS_Y, y2: AXIS_Y, stroke: '#8a8a8a', 'stroke-width': 1 }),
    ...ticks.flatMap((t) => [
      s('line', { x1: x(t), x2: x(t), y1: AXIS_Y, y2: AXIS_Y + 4, stroke: '#8a8a8a', 'stroke-width': 1 }),
      s('text', { x: x(t), y: TICK_Y, 'text-anchor': 'middle', fill: '#555', 'data-tick': String(t) }, String(t)),
    ]),
    ...segments,
    s('line', {
      class: 'gbv-base-marker',
      x1: x(base),
      x2: x(base),
      y1: BASE_Y + 4,
      y2: BAR_TOP + BAR_H,
      stroke: '#555',
      'stroke-width': 1,
      'stroke-dasharray': '3 2',
    }),
    s('line', { class: 'gbv-fx-marker', x1: x(fx), x2: x(fx), y1: FX_Y + 4, y2: BAR_TOP + BAR_H, stroke: '#1b1b1b', 'stroke-width': 1.5 }),
  );
}

export interface ForcePlotOptions extends PieceOptions, RowOptions, MetaOptions {}

/** shap's force plot of one row of a text result from a Shapley method (`select`, default the predicted one). */
export function renderForcePlot(result: TextResult, options: ForcePlotOptions = {}): HTMLElement {
  const set = rowsOf(result, options);
  return toElement(
    h('div', { class: 'gbv', ...resultAttrs(result, set.kind, options) }, h('style', {}, CSS), forcePlotView(set.selected, options)),
  ) as HTMLElement;
}
