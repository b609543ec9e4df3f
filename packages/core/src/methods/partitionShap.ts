import { InvalidInputError } from '../errors.ts';
import { throwIfAborted, yieldBetweenPasses } from './batch.ts';
import { type Hierarchy, checkHierarchy } from './hierarchy.ts';
import { type MaskedScorer, type PerturbationAttribution, type PerturbationOptions, checkBatch, checkSeed } from './perturbation.ts';
import { Rng } from './rng.ts';

export interface PartitionShapOptions extends PerturbationOptions {
  /**
   * shap's `max_evals`: model evaluations allowed, f(x) and f(∅) included (the same budget
   * as `samples`, under shap's name; give one of them). Default 500 (shap's); for a flat
   * hierarchy KernelSHAP's 2n + 2048, which covers every coalition up to 11 features (exact
   * Shapley values; 500 would leave the root unsplit from 9 features on: equal shares).
   * Never exceeded.
   */
  maxEvals?: number;
  /**
   * shap's `fixed_context`. Default (undefined): every child of a node is scored against
   * every on/off state of its siblings, Shapley-weighted (shap's default; Owen values).
   * 0 (1): only against all siblings off (on), k evaluations per n-ary split instead of
   * 2^k − 2, the interaction left on the node and shared by its features, as shap does.
   */
  fixedContext?: 0 | 1;
}

/** shap's 500 evaluations, or for a flat hierarchy (one split of every feature) KernelSHAP's default budget. */
function defaultBudget(hierarchy: Hierarchy, n: number): number {
  const flat = hierarchy.children?.every((c) => c.children === undefined);
  return flat ? Math.max(500, 2 * n + 2048) : 500;
}

/** Nodes with more children than this are never split in the default mode (2^k − 2 masks per split). */
const MAX_EXACT_CHILDREN = 20;

interface Item {
  ctx: Uint8Array;
  node: Hierarchy;
  f0: number;
  f1: number;
  weight: number;
  key: number;
  tie: number;
}

/**
 * Partition SHAP (shap's PartitionExplainer, `explainers/_partition.py`): Owen values over
 * `hierarchy`, the nested Shapley values of coalitions (shap's docs call them Winter values).
 * A node is explained in a context (the features of the splits above it that are on): its
 * worth f(context ∪ node) − f(context) is split among its children by the Shapley values of
 * the game of its children in that context (for a binary node, shap's two masks m10 and m01
 * and the average of the two orders), each child then explained in its own contexts with the
 * Shapley weight. Splits are taken largest weighted |worth| first (shap's priority queue,
 * ties broken by the seeded RNG where shap draws np.random.randn) until the budget is spent;
 * a node not split in time gives its worth to its features in equal shares (shap's
 * `lower_credit`). Whatever the budget, the values sum to f(x) − f(∅).
 *
 * With unlimited budget: Shapley values for a flat hierarchy, Owen values for a two-level one,
 * shap's values for its binary clusterings. A split of k children costs 2^k − 2 evaluations
 * per context (2 for binary trees, shap's case); `binarizeHierarchy` makes word/sentence
 * hierarchies binary. Masks are scored `batchSize` at a time (default 64); as in shap, the
 * splits of one pass are chosen before its scores are known, so under a tight budget the
 * result depends on `batchSize` (not on it with a budget that covers every split).
 */
export async function partitionShap(
  scorer: MaskedScorer,
  hierarchy: Hierarchy,
  options: PartitionShapOptions = {},
): Promise<PerturbationAttribution> {
  const n = scorer.features;
  checkHierarchy(hierarchy, n);
  if (options.maxEvals !== undefined && options.samples !== undefined && options.maxEvals !== options.samples) {
    throw new InvalidInputError(
      `partitionShap: maxEvals (${options.maxEvals}) and samples (${options.samples}) are the same budget; give one`,
      'bad_samples',
    );
  }
  const budget = options.maxEvals ?? options.samples ?? defaultBudget(hierarchy, n);
  if (!Number.isInteger(budget) || budget < 2) {
    throw new InvalidInputError(`partitionShap: maxEvals must be an integer ≥ 2 (f(x) and f(∅)), got ${budget}`, 'bad_samples');
  }
  const batchSize = checkBatch(options.batchSize);
  const fixed = options.fixedContext;
  if (fixed !== undefined && fixed !== 0 && fixed !== 1)
    throw new InvalidInputError(`partitionShap: fixedContext must be 0, 1 or undefined, got ${fixed}`, 'bad_perturbation');
  const seed = checkSeed(options.seed);
  const rng = new Rng(seed);
  const planned = Math.min(budget, 2 + fullCost(hierarchy, fixed));

  let evaluations = 0;
  let reported = 0;
  const score = async (masks: Uint8Array[]): Promise<Float64Array> => {
    const out = new Float64Array(masks.length);
    for (let s = 0; s < masks.length; s += batchSize) {
      throwIfAborted(options.signal);
      const chunk = masks.slice(s, s + batchSize);
      const got = await scorer.scores(chunk);
      if (got.length !== chunk.length)
        throw new InvalidInputError(`MaskedScorer returned ${got.length} scores for ${chunk.length} masks`, 'bad_scorer');
      out.set(got, s);
      evaluations += chunk.length;
      reported = Math.min(1, evaluations / planned);
      options.onProgress?.(reported, 'partition-shap');
      await yieldBetweenPasses(options);
    }
    throwIfAborted(options.signal);
    return out;
  };

  const empty = new Uint8Array(n);
  const full = new Uint8Array(n).fill(1);
  const [f00, f11] = await score([empty, full]);
  const values = new Float64Array(n);
  const credit = (node: Hierarchy, amount: number) => {
    for (const f of node.features) values[f]! += amount / node.features.length;
  };
  const heap = new Heap();
  heap.push({ ctx: empty, node: hierarchy, f0: f00!, f1: f11!, weight: 1, key: 0, tie: 0 });
  const push = (ctx: Uint8Array, node: Hierarchy, f0: number, f1: number, weight: number) =>
    heap.push({ ctx, node, f0, f1, weight, key: Math.abs(f1 - f0) * weight, tie: rng.next() });

  while (heap.size > 0) {
    const round: { item: Item; start: number; masks: Uint8Array[] }[] = [];
    const masks: Uint8Array[] = [];
    while (heap.size > 0 && masks.length < batchSize) {
      const item = heap.pop();
      const kids = item.node.children;
      if (!kids?.length) {
        credit(item.node, item.weight * (item.f1 - item.f0));
        continue;
      }
      const k = kids.length;
      if (k === 1) {
        push(item.ctx, kids[0]!, item.f0, item.f1, item.weight);
        continue;
      }
      const cost = fixed === undefined ? 2 ** k - 2 : k;
      if ((fixed === undefined && k > MAX_EXACT_CHILDREN) || cost > budget - evaluations - masks.length) {
        credit(item.node, item.weight * (item.f1 - item.f0));
        continue;
      }
      const mine = splitMasks(item.ctx, kids, fixed);
      round.push({ item, start: masks.length, masks: mine });
      masks.push(...mine);
    }
    if (round.length === 0) continue;
    const out = await score(masks);
    for (const { item, start, masks: mine } of round) {
      const kids = item.node.children!;
      const k = kids.length;
      const f = (i: number) => out[start + i]!;
      if (fixed === undefined) {
        // subset s of the children (bit j: child j on); s = 0 and s = all are the item's own scores
        const all = (1 << k) - 1;
        const at = (s: number) => (s === 0 ? item.f0 : s === all ? item.f1 : f(s - 1));
        const ctxOf = (s: number) => (s === 0 ? item.ctx : mine[s - 1]!);
        const shapley = shapleyWeights(k);
        for (let s = 0; s < all; s++) {
          const w = item.weight * shapley[popcount(s)]!;
          for (let j = 0; j < k; j++) if (!(s & (1 << j))) push(ctxOf(s), kids[j]!, at(s), at(s | (1 << j)), w);
        }
      } else {
        let explained = 0;
        for (let j = 0; j < k; j++) {
          if (fixed === 0) push(item.ctx, kids[j]!, item.f0, f(j), item.weight);
          else push(mine[j]!, kids[j]!, f(j), item.f1, item.weight);
          explained += fixed === 0 ? f(j) - item.f0 : item.f1 - f(j);
        }
        // the interaction no single child carries stays on the node (shap's fixed_context)
        credit(item.node, item.weight * (item.f1 - item.f0 - explained));
      }
    }
  }
  if (reported < 1) options.onProgress?.(1, 'partition-shap');
  return { values, inputScore: f11!, baselineScore: f00!, evaluations };
}

/** The masks a split of `kids` in context `ctx` needs: every proper non-empty subset (bit order), or one per child in a fixed context. */
function splitMasks(ctx: Uint8Array, kids: readonly Hierarchy[], fixed: 0 | 1 | undefined): Uint8Array[] {
  const k = kids.length;
  const withKids = (on: (j: number) => boolean) => {
    const m = ctx.slice();
    for (let j = 0; j < k; j++) if (on(j)) for (const f of kids[j]!.features) m[f] = 1;
    return m;
  };
  if (fixed === 0) return kids.map((_, i) => withKids((j) => j === i));
  if (fixed === 1) return kids.map((_, i) => withKids((j) => j !== i));
  const out: Uint8Array[] = [];
  for (let s = 1; s < (1 << k) - 1; s++) out.push(withKids((j) => (s & (1 << j)) !== 0));
  return out;
}

/** Shapley weight of a coalition of size s among the other k − 1 players: s!(k−s−1)!/k!. */
function shapleyWeights(k: number): Float64Array {
  const w = new Float64Array(k);
  for (let s = 0; s < k; s++) {
    let v = 1 / k;
    // 1 / (k · C(k−1, s))
    for (let i = 1; i <= s; i++) v *= i / (k - i);
    w[s] = v;
  }
  return w;
}

function popcount(s: number): number {
  let c = 0;
  for (; s; s &= s - 1) c++;
  return c;
}

/** Evaluations a full run needs beyond f(x) and f(∅) (for progress reports). */
function fullCost(h: Hierarchy, fixed: 0 | 1 | undefined, contexts = 1): number {
  const kids = h.children;
  if (!kids?.length) return 0;
  const k = kids.length;
  if (k === 1) return fullCost(kids[0]!, fixed, contexts);
  if (fixed === undefined && k > MAX_EXACT_CHILDREN) return 0;
  const own = contexts * (fixed === undefined ? 2 ** k - 2 : k);
  const next = fixed === undefined ? contexts * 2 ** (k - 1) : contexts;
  return kids.reduce((sum, c) => sum + fullCost(c, fixed, next), own);
}

/** Max-heap on key, ties by the smaller random draw. */
class Heap {
  private items: Item[] = [];
  get size(): number {
    return this.items.length;
  }
  private before(a: Item, b: Item): boolean {
    return a.key > b.key || (a.key === b.key && a.tie < b.tie);
  }
  push(item: Item): void {
    const a = this.items;
    a.push(item);
    for (let i = a.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!this.before(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  pop(): Item {
    const a = this.items;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.before(a[l]!, a[m]!)) m = l;
        if (r < a.length && this.before(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}
