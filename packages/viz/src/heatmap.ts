import { InvalidInputError, type Matrix } from '@glassbox/core';
import { type Rgb, colourAt, css } from './colormap.ts';
import { type VNode, h } from './dom.ts';

/** A value's colour: colormap.ts's blue arm (near-white at 0 and below, darkest blue at the matrix's largest value). */
export const cellColour = (v: number, max: number): Rgb => colourAt(max > 0 ? Math.max(0, v / max) : 0);
export const maxOf = (m: Matrix): number => m.reduce((best, row) => row.reduce((b, v) => Math.max(b, v), best), -Infinity);

/** Checks that `m` is a non-empty [queries][keys] matrix of numbers; returns [queries, keys]. */
export function checkMatrix(m: unknown, where: string): [number, number] {
  if (!Array.isArray(m) || !m.length || !Array.isArray(m[0]) || !m[0].length)
    throw new InvalidInputError(`${where}: expected a non-empty [queries][keys] matrix`, 'attention_shape');
  const keys = m[0].length;
  if (m.some((row) => !Array.isArray(row) || row.length !== keys || row.some((v: unknown) => typeof v !== 'number'))) {
    throw new InvalidInputError(`${where}: rows must all hold ${keys} numbers`, 'attention_shape');
  }
  return [m.length, keys];
}

/**
 * A [queries][keys] matrix as a labelled heat map: a table whose column headers are the keys'
 * tokens and row headers the queries'; each cell holds its value in data-value and title
 * ("query → key: value"), coloured on the matrix's own scale. The first cell is in the tab order.
 */
export function heatmapView(m: Matrix, queryTokens: readonly string[], keyTokens: readonly string[]): VNode {
  const max = maxOf(m);
  const label = (q: number, k: number) => `${queryTokens[q]} → ${keyTokens[k]}: ${Number(m[q]![k]!.toPrecision(4))}`;
  const cellStyle = { width: '20px', height: '20px', padding: '0', border: '1px solid #fff' };
  return h(
    'table',
    { class: 'gbv-attention-matrix', style: { 'border-collapse': 'collapse', 'font-size': '12px' } },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'query \\ key'),
        ...keyTokens.map((t, k) =>
          h(
            'th',
            {
              scope: 'col',
              'data-key': k,
              style: { 'writing-mode': 'vertical-rl', transform: 'rotate(180deg)', 'text-align': 'left', 'font-weight': 'normal' },
            },
            t,
          ),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      ...m.map((row, q) =>
        h(
          'tr',
          {},
          h(
            'th',
            { scope: 'row', 'data-query': q, style: { 'text-align': 'right', 'font-weight': 'normal', 'padding-right': '4px' } },
            queryTokens[q]!,
          ),
          ...row.map((v, k) =>
            h('td', {
              'data-query': q,
              'data-key': k,
              'data-value': v,
              title: label(q, k),
              tabindex: q === 0 && k === 0 ? 0 : -1,
              style: { ...cellStyle, background: css(cellColour(v, max)) },
            }),
          ),
        ),
      ),
    ),
  );
}
