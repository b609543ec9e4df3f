import { InvalidInputError } from '../errors.ts';

/**
 * A hierarchy of coalitions over a MaskedScorer's features (what Partition SHAP recurses
 * over). A node holds the features under it; its `children` partition them. A node
 * without children is never split: Partition SHAP gives its value to its features in
 * equal shares (shap marks such clusters with a negative distance, e.g. the word pieces
 * its Text masker merges first, and spreads their value with `lower_credit`).
 */
export interface Hierarchy {
  features: number[];
  children?: Hierarchy[];
}

/** Nested groups of feature indices: `[[sentence [word [token…]…]…]…]`; a number is a leaf. */
export type NestedGroups = number | readonly NestedGroups[];

/** Every feature a child of the root: Owen values over it are Shapley values (2^n − 2 evaluations). */
export function flatHierarchy(features: number): Hierarchy {
  checkCount(features);
  const leaves = Array.from({ length: features }, (_, i) => ({ features: [i] }));
  return features === 1 ? leaves[0]! : { features: leaves.map((l) => l.features[0]!), children: leaves };
}

/**
 * The hierarchy of nested groups, e.g. sentences of words of tokens:
 * `groupHierarchy([[[0, 1], [2]], [[3], [4, 5]]])`. A group of one element is that element.
 */
export function groupHierarchy(groups: NestedGroups): Hierarchy {
  const build = (g: NestedGroups): Hierarchy => {
    if (typeof g === 'number') {
      if (!Number.isInteger(g) || g < 0)
        throw new InvalidInputError(`hierarchy features must be non-negative integers, got ${g}`, 'bad_hierarchy');
      return { features: [g] };
    }
    if (g.length === 0) throw new InvalidInputError('hierarchy groups must not be empty', 'bad_hierarchy');
    if (g.length === 1) return build(g[0]!);
    const children = g.map(build);
    return { features: children.flatMap((c) => c.features), children };
  };
  return build(groups);
}

/**
 * A balanced binary tree over contiguous spans (recursive halving, the left half taking the
 * extra feature): the shape shap's docs give quadratic exact cost for. Not shap's text
 * default (that is `textHierarchy`); useful for image patches or any ordered features.
 */
export function balancedHierarchy(features: number | readonly number[]): Hierarchy {
  const order = typeof features === 'number' ? (checkCount(features), Array.from({ length: features }, (_, i) => i)) : [...features];
  if (order.length === 0) throw new InvalidInputError('a hierarchy needs at least one feature', 'bad_hierarchy');
  const build = (span: number[]): Hierarchy => {
    if (span.length === 1) return { features: span };
    const mid = Math.ceil(span.length / 2);
    return { features: span, children: [build(span.slice(0, mid)), build(span.slice(mid))] };
  };
  return build(order);
}

/**
 * Replaces every node with more than two children by a balanced binary tree over its
 * children (contiguous halving), keeping the grouping: a sentence of 15 words costs 2
 * evaluations per split instead of 2^15 − 2 for its one n-ary expansion.
 */
export function binarizeHierarchy(h: Hierarchy): Hierarchy {
  if (!h.children?.length) return h;
  const kids = h.children.map(binarizeHierarchy);
  const build = (span: Hierarchy[]): Hierarchy => {
    if (span.length === 1) return span[0]!;
    const mid = Math.ceil(span.length / 2);
    const children = [build(span.slice(0, mid)), build(span.slice(mid))];
    return { features: children.flatMap((c) => c.features), children };
  };
  return build(kids);
}

/**
 * shap's Text masker clustering (`shap.maskers._text.partition_tree`), from the decoded
 * tokens (`tokenizer.decode([id])` of each feature): adjacent groups are merged greedily by
 * shap's `merge_score` (word pieces `##…` first, then apostrophe endings; across
 * connectors, commas and sentence ends later; control tokens `[…]` last; groups joined
 * across two `specialTokens`, e.g. `[SEP]`, at the very end), the first best pair on ties
 * (numpy's argmax). A merge whose distance 10 − score is negative is never split (shap's
 * negative-distance clusters): such a node has no children and its tokens share its value.
 */
export function textHierarchy(tokens: readonly string[], specialTokens?: readonly string[]): Hierarchy {
  if (tokens.length === 0) throw new InvalidInputError('a hierarchy needs at least one feature', 'bad_hierarchy');
  type Tok = { s: string; balanced: boolean };
  type Group = { toks: Tok[]; node: Hierarchy };
  const groups: Group[] = tokens.map((s, i) => ({ toks: [{ s, balanced: !(s in OPENERS || s in CLOSERS) }], node: { features: [i] } }));
  while (groups.length > 1) {
    let best = 0;
    let bestScore = -Infinity;
    for (let i = 0; i < groups.length - 1; i++) {
      const s = mergeScore(groups[i]!.toks, groups[i + 1]!.toks, specialTokens);
      if (s > bestScore || i === 0) [best, bestScore] = [i, s];
    }
    const [l, r] = [groups[best]!, groups[best + 1]!];
    const toks = [...l.toks, ...r.toks];
    // shap checks the merged group's first token against the right group's last one
    const first = toks[0]!.s;
    if (first in OPENERS && r.toks.at(-1)!.s === OPENERS[first]) toks[0]!.balanced = r.toks.at(-1)!.balanced = true;
    const distance = 10 - bestScore;
    const features = [...l.node.features, ...r.node.features];
    // a negative-distance merge is a leaf group: its parts are never explained apart
    const node: Hierarchy = distance < 0 ? { features } : { features, children: [l.node, r.node] };
    groups.splice(best, 2, { toks, node });
  }
  return groups[0]!.node;
}

const OPENERS: Record<string, string> = { '(': ')' };
const CLOSERS: Record<string, string> = { ')': '(' };
const CONNECTORS = ['but', 'and', 'or'];

/** shap's `merge_score` (maskers/_text.py), term by term. */
function mergeScore(
  g1: readonly { s: string; balanced: boolean }[],
  g2: readonly { s: string; balanced: boolean }[],
  special?: readonly string[],
): number {
  let score = 0;
  const last1 = g1.at(-1)!;
  const first2 = g2[0]!;
  if (special?.includes(last1.s) && special.includes(first2.s)) score -= Infinity;
  if (first2.s.startsWith('##')) score += 20;
  if (first2.s === "'" && (g2.length === 1 || (g2.length === 2 && ['t', 's'].includes(g2[1]!.s)))) score += 15;
  if (last1.s === "'" && ['t', 's'].includes(first2.s)) score += 15;
  const startCtrl = g1[0]!.s.startsWith('[') && g1[0]!.s.endsWith(']');
  const endCtrl = g2.at(-1)!.s.startsWith('[') && g2.at(-1)!.s.endsWith(']');
  if (startCtrl !== endCtrl) score -= 1000;
  if (first2.s in OPENERS && !first2.balanced) score -= 100;
  if (last1.s in CLOSERS && !last1.balanced) score -= 100;
  // shap tests `group2[-1] in closers` on a Token object, which is never a key: always true
  if (g1[0]!.s in OPENERS) score -= 2;
  if (CONNECTORS.includes(last1.s) || CONNECTORS.includes(first2.s)) score -= 2;
  if (last1.s === ',') score -= 10;
  if (first2.s === ',') score -= g2.length > 1 ? 10 : 1;
  if (['.', '?', '!'].includes(last1.s)) score -= 20;
  if (['.', '?', '!'].includes(first2.s)) score -= g2.length > 1 ? 20 : 1;
  return score - g1.length - g2.length;
}

/** Throws unless `h` covers features 0..features−1 once each, every node's children partitioning it. */
export function checkHierarchy(h: Hierarchy, features: number): void {
  checkCount(features);
  const bad = (why: string) => new InvalidInputError(`bad hierarchy: ${why}`, 'bad_hierarchy');
  const seen = new Uint8Array(features);
  const visit = (node: Hierarchy): void => {
    if (!node.features?.length) throw bad('a node has no features');
    if (!node.children?.length) {
      for (const f of node.features) {
        if (!Number.isInteger(f) || f < 0 || f >= features) throw bad(`feature ${f} is not in 0..${features - 1}`);
        if (seen[f]) throw bad(`feature ${f} appears twice`);
        seen[f] = 1;
      }
      return;
    }
    const under = node.children.flatMap((c) => c.features);
    const mine = [...node.features].sort((a, b) => a - b);
    if (under.length !== mine.length || [...under].sort((a, b) => a - b).some((f, i) => f !== mine[i])) {
      throw bad(`the children of [${node.features.join(', ')}] do not partition it`);
    }
    node.children.forEach(visit);
  };
  visit(h);
  const missing = seen.indexOf(0);
  if (missing >= 0) throw bad(`feature ${missing} is not in the hierarchy`);
}

function checkCount(features: number): void {
  if (!Number.isInteger(features) || features < 1)
    throw new InvalidInputError(`a hierarchy needs a positive integer number of features, got ${features}`, 'bad_hierarchy');
}
