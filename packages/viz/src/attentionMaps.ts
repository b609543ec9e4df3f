import type { AggregateOver, Matrix, Reduction } from '@glassbox/core';
import { type VNode, h } from './dom.ts';
import { checkMatrix, heatmapView } from './heatmap.ts';
import { headView } from './headView.ts';

/** How the maps were reduced (the CLI's --attention-reduce and --attention-over), for their titles. */
export interface AttentionReduction {
  reduce: Reduction;
  over: AggregateOver;
}

/** How deep lists nest (a [T][T] matrix: 2). */
const depth = (a: unknown): number => (Array.isArray(a) ? 1 + depth(a[0]) : 0);

/** Each [T][T] map of `attentions` with its title: raw [layers][heads][T][T], reduced [n][T][T] or one [T][T]. */
function titledMaps(attentions: unknown, reduction: AttentionReduction | undefined): [string, Matrix][] {
  const d = depth(attentions);
  if (d === 2) return [[reduction ? `${reduction.reduce} over layers and heads` : 'Attention', attentions as Matrix]];
  if (d === 3) {
    const name = (i: number) =>
      reduction?.over === 'heads'
        ? `Layer ${i}, ${reduction.reduce} over heads`
        : reduction?.over === 'layers'
          ? `Head ${i}, ${reduction.reduce} over layers`
          : `Map ${i}`;
    return (attentions as Matrix[]).map((m, i) => [name(i), m]);
  }
  if (d === 4)
    return (attentions as Matrix[][]).flatMap((layer, l) => layer.map((m, hd): [string, Matrix] => [`Layer ${l}, head ${hd}`, m]));
  throw new Error(`@glassbox/viz: attentions must be [T][T], [n][T][T] or [layers][heads][T][T] maps (nesting ${d})`);
}

/**
 * The attention maps of a result as labelled heat maps (heatmapView: the tokens on both
 * axes), one per [T][T] map, each titled by where it comes from (`reduction` names the
 * reduced ones); raw [layers][heads][T][T] maps also get each layer's head view (bertviz's).
 * Static markup: it goes into toHTML's files as into the page.
 */
export function attentionMapsView(attentions: unknown, tokens: readonly string[], reduction?: AttentionReduction): VNode {
  const maps = titledMaps(attentions, reduction);
  const [queries, keys] = checkMatrix(maps[0]![1], 'attentions');
  const keyTokens = tokens.length === keys ? tokens : Array.from({ length: keys }, (_, k) => String(k));
  const queryTokens = keyTokens.slice(keys - queries);
  const heatmaps = maps.map(([title, m]) => {
    checkMatrix(m, title);
    return h(
      'figure',
      { class: 'gbv-figure gbv-attention-map', 'data-title': title },
      h('figcaption', {}, title),
      heatmapView(m, queryTokens, keyTokens),
    );
  });
  const heads =
    depth(attentions) === 4
      ? (attentions as Matrix[][]).map((layer, l) => headView(layer, keyTokens, { title: `Layer ${l}`, layer: l }))
      : [];
  return h('div', { class: 'gbv-attention-maps', 'data-view': 'attention' }, ...heads, ...heatmaps);
}

/** A text result's attention maps: its `attentions`, or (several targets) those of the explanation whose label is `rowKey`. */
export function attentionsOf(result: object, rowKey: string | undefined): unknown {
  if ('attentions' in result) return result.attentions;
  if ('explanations' in result && Array.isArray(result.explanations)) {
    return (result.explanations as { target?: { label?: string }; attentions?: unknown }[]).find((e) => e.target?.label === rowKey)
      ?.attentions;
  }
  return undefined;
}
