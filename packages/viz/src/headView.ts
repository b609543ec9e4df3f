import { type VNode, h, s, toElement } from './dom.ts';
import { checkMatrix } from './heatmap.ts';
import { cutLabel, textWidth } from './labels.ts';
import { CSS } from './styles.ts';

/** One colour per head, as bertviz's head view (d3's category10), repeating after ten heads. */
export const HEAD_COLOURS = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
] as const;
export const headColour = (head: number): string => HEAD_COLOURS[head % HEAD_COLOURS.length]!;

export interface HeadViewOptions {
  /** The caption, e.g. "Layer 3" (default "Attention by head"). */
  title?: string;
  /** Written to the figure's data-layer. */
  layer?: number | null;
  /** Lines of weight at most this are left out (default 0: every line with weight above 0). */
  minWeight?: number;
}

const ROW = 20; // one token
const TOP = 28; // the heads' legend
const GAP = 140; // between the two columns of tokens, where the lines run
const PAD = 6; // between a token and its lines
const MAX_LABEL = 150;

/**
 * bertviz's head view of one layer: its tokens twice, queries on the left and keys on the
 * right, and for every head a line from each query to each key it attends to, of opacity
 * its attention weight, one colour per head (legend above). `heads` is [heads][queries][keys]
 * (a layer of raw maps, or maps reduced over layers); `tokens` labels the keys, the last
 * `queries` of them the queries. Every line carries data-head, data-query, data-key and
 * data-weight (the exact value); token strings are written as SVG text and attribute values only.
 */
export function headView(
  heads: readonly (readonly (readonly number[])[])[],
  tokens: readonly string[],
  options: HeadViewOptions = {},
): VNode {
  const [queries, keys] = checkMatrix(heads[0], 'head view');
  heads.forEach((m, hd) => {
    const [q, k] = checkMatrix(m, `head view head ${hd}`);
    if (q !== queries || k !== keys) throw new Error(`@glassbox/viz: head ${hd} is ${q}×${k}, head 0 ${queries}×${keys}`);
  });
  const keyTokens = tokens.length === keys ? tokens : Array.from({ length: keys }, (_, k) => String(k));
  const queryTokens = keyTokens.slice(keys - queries);
  const label = Math.min(MAX_LABEL, Math.max(...keyTokens.map(textWidth)));
  const [left, right] = [label + PAD, label + PAD + GAP];
  const width = right + PAD + label;
  const y = (i: number) => TOP + i * ROW + ROW / 2;
  const offset = keys - queries; // query q is token offset + q
  const text = (t: string, i: number, x: number, anchor: 'start' | 'end', side: string) =>
    s(
      'text',
      {
        x,
        y: y(i),
        'text-anchor': anchor,
        'dominant-baseline': 'middle',
        'data-token': t,
        [`data-${side}`]: side === 'query' ? i - offset : i,
      },
      s('title', {}, t),
      cutLabel(t, label),
    );
  const minWeight = options.minWeight ?? 0;
  const lines = heads.flatMap((m, hd) =>
    m.flatMap((row, q) =>
      row.flatMap((w, k) =>
        w > minWeight
          ? [
              s('line', {
                x1: left,
                y1: y(offset + q),
                x2: right,
                y2: y(k),
                stroke: headColour(hd),
                'stroke-opacity': Number(w.toPrecision(4)),
                'stroke-width': 2,
                'data-head': hd,
                'data-query': q,
                'data-key': k,
                'data-weight': String(w),
              }),
            ]
          : [],
      ),
    ),
  );
  const legend = heads.map((_, hd) =>
    s(
      'g',
      { class: 'gbv-head-key', 'data-head': hd },
      s('rect', { x: hd * 34, y: 4, width: 14, height: 14, fill: headColour(hd) }),
      s('text', { x: hd * 34 + 17, y: 11, 'dominant-baseline': 'middle' }, String(hd)),
    ),
  );
  const title = options.title ?? 'Attention by head';
  return h(
    'figure',
    { class: 'gbv-figure gbv-head-view', 'data-view': 'heads', 'data-layer': options.layer ?? undefined },
    h('figcaption', {}, title),
    s(
      'svg',
      {
        width,
        height: TOP + Math.max(keys, 1) * ROW,
        viewBox: `0 0 ${width} ${TOP + keys * ROW}`,
        role: 'img',
        'aria-label': `${title}: lines from each token (left) to the tokens it attends to (right), one colour per head, darker where the weight is larger`,
      },
      s('g', { class: 'gbv-head-legend' }, ...legend),
      s('g', { class: 'gbv-head-lines' }, ...lines),
      s('g', { class: 'gbv-head-queries' }, ...queryTokens.map((t, q) => text(t, offset + q, left - PAD, 'end', 'query'))),
      s('g', { class: 'gbv-head-keys' }, ...keyTokens.map((t, k) => text(t, k, right + PAD, 'start', 'key'))),
    ),
  );
}

/** The head view as an element, with the stylesheet. */
export function renderHeadView(
  heads: readonly (readonly (readonly number[])[])[],
  tokens: readonly string[],
  options: HeadViewOptions = {},
): HTMLElement {
  return toElement(h('div', { class: 'gbv' }, h('style', {}, CSS), headView(heads, tokens, options))) as HTMLElement;
}
