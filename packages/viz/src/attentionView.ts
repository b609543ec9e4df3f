/**
 * Attention maps in the page: a layer × head grid of small heat maps (buttons: click, Enter
 * or Space selects) and the selected map as a matrix with token labels on both axes, rows
 * queries and columns keys. With `aggregate` ('mean', 'median' — the course notebook's —,
 * 'max', 'min'), the grid gains a column reducing each layer over its heads, a row reducing
 * each head over the layers and a corner reducing both, computed by core's `aggregate`.
 * Next to the grid, bertviz's head view of the selected layer (headView.ts).
 * Token strings are written as text nodes and attribute values only.
 */
import { type AttentionOutput, InvalidInputError, type Matrix, REDUCTIONS, type Reduction, aggregate } from '@glassbox/core';
import { h, toElement } from './dom.ts';
import { cellColour, checkMatrix, heatmapView, maxOf } from './heatmap.ts';
import { headView } from './headView.ts';
import type { Pixels } from './imageMaps.ts';
import { CSS } from './styles.ts';
import { pixelsCanvas } from './imageResult.ts';

export interface RenderAttentionOptions {
  /** The layer shown first (default 0; with `aggregate`, the heads' reduction of this layer when `head` is not given). */
  layer?: number;
  /** The head shown first (default 0; with `aggregate`, this head's reduction over layers when `layer` is not given). */
  head?: number;
  /** Reduce over heads and layers: 'none' (default), 'mean', 'median', 'max' or 'min'. With neither layer nor head, the map reduced over both is shown. */
  aggregate?: 'none' | Reduction;
  /** Written to the root's data-model. */
  model?: string;
  /** Written to the root's data-method. Default 'raw' for [layers][heads][T][T] maps, 'attention' for one [T][T] map. */
  method?: string;
}

/** A selection: a layer and head, or null for "reduced over this axis". */
interface Selection {
  layer: number | null;
  head: number | null;
}

function matrixPixels(m: Matrix): Pixels {
  const max = maxOf(m);
  const width = m[0]!.length;
  const data = new Uint8ClampedArray(m.length * width * 4);
  m.flat().forEach((v, i) => {
    data.set(cellColour(v, max), 4 * i);
    data[4 * i + 3] = 255;
  });
  return { data, width, height: m.length };
}

function checkIndex(value: number | undefined, count: number, what: string): number | undefined {
  if (value !== undefined && !(Number.isInteger(value) && value >= 0 && value < count)) {
    throw new InvalidInputError(`${what} ${value}: expected an integer from 0 to ${count - 1}`, 'invalid_option');
  }
  return value;
}

function selectionTitle(sel: Selection, reduce: string): string {
  if (sel.layer !== null && sel.head !== null) return `Layer ${sel.layer}, head ${sel.head}`;
  if (sel.layer !== null) return `Layer ${sel.layer}, ${reduce} over heads`;
  if (sel.head !== null) return `Head ${sel.head}, ${reduce} over layers`;
  return `${reduce} over layers and heads`;
}

/**
 * The matrix as a table: column headers are the keys' tokens, row headers the queries'; each
 * cell holds its value in data-value and title. One cell is in the tab order; arrow keys move
 * between cells, and the focused cell's value is read out below the table.
 */
function matrixTable(m: Matrix, queryTokens: readonly string[], keyTokens: readonly string[]): Element {
  const table = toElement(heatmapView(m, queryTokens, keyTokens));
  const readout = toElement(
    h('output', {
      class: 'gbv-attention-readout',
      'aria-live': 'polite',
      style: { display: 'block', 'min-height': '1.2em', 'font-size': '12px' },
    }),
  );
  const cell = (q: number, k: number) => table.querySelector<HTMLElement>(`td[data-query="${q}"][data-key="${k}"]`);
  table.addEventListener('focusin', (e) => {
    const td = e.target as HTMLElement;
    if (td.tagName !== 'TD') return;
    table.querySelectorAll('td[tabindex="0"]').forEach((other) => other.setAttribute('tabindex', '-1'));
    td.setAttribute('tabindex', '0');
    readout.textContent = td.title;
  });
  table.addEventListener('keydown', (e) => {
    const td = e.target as HTMLElement;
    const moves: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    const move = moves[(e as KeyboardEvent).key];
    if (td.tagName !== 'TD' || !move) return;
    const next = cell(Number(td.dataset.query) + move[0], Number(td.dataset.key) + move[1]);
    if (next) {
      e.preventDefault();
      next.focus();
    }
  });
  const wrap = toElement(h('div', { class: 'gbv-attention-matrix-wrap' }));
  wrap.append(table, readout);
  return wrap;
}

/**
 * An attention view: `attentions` is [layers][heads][queries][keys] (raw maps, with the grid)
 * or one [queries][keys] map (rollout, gradient-weighted relevance; no grid). `tokens` labels
 * the keys (the last `queries` of them label the queries). The root carries data-model and
 * data-method; the shown matrix's section carries data-layer and data-head (absent when
 * reduced over that axis).
 */
export function renderAttention(attentions: AttentionOutput, tokens: readonly string[], options: RenderAttentionOptions = {}): HTMLElement {
  const reduce = options.aggregate ?? 'none';
  if (reduce !== 'none' && !REDUCTIONS.includes(reduce))
    throw new InvalidInputError(`aggregate "${reduce as string}": expected none, ${REDUCTIONS.join(', ')}`, 'invalid_option');
  const raw = Array.isArray(attentions[0]?.[0]);
  const maps = raw ? (attentions as number[][][][]) : [[attentions as number[][]]];
  const layers = maps.length;
  const heads = maps[0]?.length ?? 0;
  if (!layers || !heads || maps.some((layer) => layer.length !== heads))
    throw new InvalidInputError('attentions: every layer must have the same, nonzero number of heads', 'attention_shape');
  const [queries, keys] = checkMatrix(maps[0]![0], 'attentions');
  maps.forEach((layer, l) =>
    layer.forEach((m, hd) => {
      const [q, k] = checkMatrix(m, `attentions layer ${l} head ${hd}`);
      if (q !== queries || k !== keys)
        throw new InvalidInputError(`attentions layer ${l} head ${hd} is ${q}×${k}, layer 0 head 0 ${queries}×${keys}`, 'attention_shape');
    }),
  );
  if (queries > keys || tokens.length !== keys)
    throw new InvalidInputError(`${tokens.length} tokens for ${queries}×${keys} attention maps: need one token per key`, 'attention_shape');
  const queryTokens = tokens.slice(keys - queries);

  const agg = raw && reduce !== 'none';
  const overHeads = agg ? aggregate(maps, { over: 'heads', reduce }) : [];
  const overLayers = agg ? aggregate(maps, { over: 'layers', reduce }) : [];
  const overBoth = agg ? aggregate(maps, { over: 'both', reduce }) : [];
  const matrixOf = ({ layer, head }: Selection): Matrix =>
    layer !== null && head !== null
      ? maps[layer]![head]!
      : layer !== null
        ? overHeads[layer]!
        : head !== null
          ? overLayers[head]!
          : overBoth;

  const layer = checkIndex(options.layer, layers, 'layer');
  const head = checkIndex(options.head, heads, 'head');
  const initial: Selection = agg ? { layer: layer ?? null, head: head ?? null } : { layer: layer ?? 0, head: head ?? 0 };

  const root = toElement(
    h(
      'div',
      {
        class: 'gbv gbv-attention',
        'data-model': options.model ?? '',
        'data-method': options.method ?? (raw ? 'raw' : 'attention'),
        'data-kind': 'attention',
        'data-aggregate': raw ? reduce : null,
        style: { display: 'flex', gap: '16px', 'align-items': 'flex-start', 'flex-wrap': 'wrap' },
      },
      h('style', {}, CSS),
    ),
  ) as HTMLElement;
  let view = toElement(h('section', { class: 'gbv-attention-view' }));
  // bertviz's head view of the selected layer (or of the maps reduced over layers), next to the grid.
  let headLines = toElement(h('figure', { class: 'gbv-head-view' }));

  const show = (sel: Selection) => {
    const title = raw ? selectionTitle(sel, reduce) : `Attention (${options.method ?? 'map'})`;
    const fresh = toElement(
      h(
        'section',
        { class: 'gbv-attention-view', 'data-layer': raw ? sel.layer : null, 'data-head': raw ? sel.head : null },
        h('p', { class: 'gbv-attention-title', style: { margin: '0 0 4px' } }, title),
      ),
    );
    fresh.append(matrixTable(matrixOf(sel), queryTokens, tokens));
    view.replaceWith(fresh);
    view = fresh;
    if (raw) {
      const lines = toElement(
        headView(sel.layer !== null ? maps[sel.layer]! : overLayers, tokens, {
          title: sel.layer !== null ? `Layer ${sel.layer}` : `${reduce} over layers`,
          layer: sel.layer,
        }),
      );
      headLines.replaceWith(lines);
      headLines = lines;
    }
    root.querySelectorAll<HTMLButtonElement>('button.gbv-attention-cell').forEach((b) => {
      const pressed = String(b.dataset.layer ?? null) === String(sel.layer) && String(b.dataset.head ?? null) === String(sel.head);
      b.setAttribute('aria-pressed', String(pressed));
      b.style.outline = pressed ? '2px solid #000' : 'none';
    });
  };

  if (raw) {
    const columns = heads + 1 + (agg ? 1 : 0);
    const grid = toElement(
      h('div', {
        class: 'gbv-attention-grid',
        role: 'group',
        'aria-label': 'attention maps by layer and head',
        style: {
          display: 'grid',
          'grid-template-columns': `repeat(${columns}, auto)`,
          gap: '2px',
          'align-items': 'center',
          'font-size': '11px',
        },
      }),
    );
    const text = (t: string) => toElement(h('span', { class: 'gbv-attention-axis' }, t));
    const button = (sel: Selection) => {
      const b = toElement(
        h('button', {
          type: 'button',
          class: 'gbv-attention-cell',
          'data-layer': sel.layer,
          'data-head': sel.head,
          'aria-label': selectionTitle(sel, reduce),
          title: selectionTitle(sel, reduce),
          style: { padding: '1px', border: '1px solid #ccc', background: '#fff', cursor: 'pointer', 'line-height': '0' },
        }),
      ) as HTMLButtonElement;
      const canvas = pixelsCanvas(matrixPixels(matrixOf(sel)));
      canvas.style.width = canvas.style.height = '40px';
      canvas.style.imageRendering = 'pixelated';
      b.append(canvas);
      b.addEventListener('click', () => show(sel));
      return b;
    };
    grid.append(text(''), ...Array.from({ length: heads }, (_, hd) => text(`head ${hd}`)), ...(agg ? [text(`${reduce} of heads`)] : []));
    for (let l = 0; l < layers; l++) {
      grid.append(text(`layer ${l}`));
      for (let hd = 0; hd < heads; hd++) grid.append(button({ layer: l, head: hd }));
      if (agg) grid.append(button({ layer: l, head: null }));
    }
    if (agg) {
      grid.append(text(`${reduce} of layers`));
      for (let hd = 0; hd < heads; hd++) grid.append(button({ layer: null, head: hd }));
      grid.append(button({ layer: null, head: null }));
    }
    root.append(grid, headLines);
  }
  root.append(view);
  show(initial);
  return root;
}
