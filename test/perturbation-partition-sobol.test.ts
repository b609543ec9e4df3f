import { beforeAll, describe, expect, it } from 'vitest';
import { GlassboxError, InvalidInputError, TextModel } from '@glassbox/core';
import {
  type Hierarchy,
  balancedHierarchy,
  binarizeHierarchy,
  checkHierarchy,
  flatHierarchy,
  groupHierarchy,
  textHierarchy,
} from '../packages/core/src/methods/hierarchy.ts';
import { partitionShap } from '../packages/core/src/methods/partitionShap.ts';
import { sobol } from '../packages/core/src/methods/sobol.ts';
import { SobolSequence } from '../packages/core/src/methods/sobolSequence.ts';
import { type Json, expectClose, refsOf, useLocalFixtures } from './helpers.ts';
import { game, tokenScorer as tokenScorerOf } from './maskedTokens.ts';

const weights = [1.5, -2, 0.25, 3, 0, -0.75, 1, 2.5, -1.25, 0.5, 4, -3];
const additiveValue = (z: Uint8Array) => 0.7 + z.reduce((a, zi, i) => a + zi * weights[i]!, 0);
/** Pairwise and triple interactions, not symmetric in the features. */
const interactionValue = (z: Uint8Array) => {
  let v = additiveValue(z);
  for (let i = 0; i + 1 < z.length; i++) v += (i + 1) * 0.3 * z[i]! * z[i + 1]! - 0.2 * z[i]! * z[(i + 3) % z.length]!;
  if (z.length > 2) v += 2 * z[0]! * z[1]! * z[2]! - z[z.length - 1]! * z[0]!;
  return v;
};
const sum = (xs: ArrayLike<number>) => Array.from(xs).reduce((a, b) => a + b, 0);
const BIG = 1_000_000;

/** Every permutation of xs. */
function permutations<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [[...xs]];
  return xs.flatMap((x, k) => permutations([...xs.slice(0, k), ...xs.slice(k + 1)]).map((p) => [x, ...p]));
}

/**
 * Owen (Winter) values from the definition: the mean marginal contribution of each feature
 * over the orders of the features in which every coalition of the hierarchy is contiguous.
 */
function owenByOrders(n: number, h: Hierarchy, v: (z: Uint8Array) => number): number[] {
  const orders = (node: Hierarchy): number[][] => {
    if (!node.children?.length) {
      expect(node.features.length).toBe(1);
      return [node.features];
    }
    return permutations(node.children).flatMap((kids) =>
      kids.reduce<number[][]>((acc, kid) => acc.flatMap((prefix) => orders(kid).map((o) => [...prefix, ...o])), [[]]),
    );
  };
  const all = orders(h);
  const phi = new Array<number>(n).fill(0);
  for (const order of all) {
    const z = new Uint8Array(n);
    let before = v(z);
    for (const i of order) {
      z[i] = 1;
      const after = v(z);
      phi[i]! += after - before;
      before = after;
    }
  }
  return phi.map((p) => p / all.length);
}

/** Owen values of a two-level structure (blocks of features), from the subset formula. */
function owenTwoLevel(n: number, blocks: number[][], v: (z: Uint8Array) => number): number[] {
  const fact = (k: number): number => (k <= 1 ? 1 : k * fact(k - 1));
  const w = (s: number, k: number) => (fact(s) * fact(k - s - 1)) / fact(k);
  const phi = new Array<number>(n).fill(0);
  const m = blocks.length;
  blocks.forEach((block, b) => {
    const others = blocks.filter((_, c) => c !== b);
    for (let r = 0; r < 2 ** others.length; r++) {
      const base = new Uint8Array(n);
      let size = 0;
      others.forEach((o, c) => {
        if ((r >> c) & 1) size++, o.forEach((f) => (base[f] = 1));
      });
      for (const i of block) {
        const mates = block.filter((f) => f !== i);
        for (let t = 0; t < 2 ** mates.length; t++) {
          const z = base.slice();
          let tsize = 0;
          mates.forEach((f, c) => {
            if ((t >> c) & 1) tsize++, (z[f] = 1);
          });
          const zi = z.slice();
          zi[i] = 1;
          phi[i]! += w(size, m) * w(tsize, block.length) * (v(zi) - v(z));
        }
      }
    }
  });
  return phi;
}

async function expectInvalid(call: () => Promise<unknown> | unknown, code: string): Promise<void> {
  const err = await (async () => call())().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InvalidInputError);
  expect((err as GlassboxError).code).toBe(code);
}

describe('hierarchies', () => {
  it('flat, groups, balanced and binarized trees cover every feature once', () => {
    expect(flatHierarchy(3)).toEqual({ features: [0, 1, 2], children: [{ features: [0] }, { features: [1] }, { features: [2] }] });
    const g = groupHierarchy([
      [[0, 1], [2]],
      [[3], [4, 5]],
    ]);
    expect(g).toEqual({
      features: [0, 1, 2, 3, 4, 5],
      children: [
        { features: [0, 1, 2], children: [{ features: [0, 1], children: [{ features: [0] }, { features: [1] }] }, { features: [2] }] },
        { features: [3, 4, 5], children: [{ features: [3] }, { features: [4, 5], children: [{ features: [4] }, { features: [5] }] }] },
      ],
    });
    checkHierarchy(g, 6);
    expect(balancedHierarchy(5)).toEqual({
      features: [0, 1, 2, 3, 4],
      children: [
        { features: [0, 1, 2], children: [{ features: [0, 1], children: [{ features: [0] }, { features: [1] }] }, { features: [2] }] },
        { features: [3, 4], children: [{ features: [3] }, { features: [4] }] },
      ],
    });
    const b = binarizeHierarchy(flatHierarchy(5));
    expect(b).toEqual(balancedHierarchy(5));
    checkHierarchy(
      binarizeHierarchy(
        groupHierarchy([
          [0, 1, 2, 3],
          [4, 5, 6],
        ]),
      ),
      7,
    );
  });

  it('rejects hierarchies that miss, repeat or misplace features', async () => {
    await expectInvalid(() => checkHierarchy(groupHierarchy([0, 1]), 3), 'bad_hierarchy');
    await expectInvalid(() => checkHierarchy(groupHierarchy([0, [1, 0]]), 2), 'bad_hierarchy');
    await expectInvalid(() => checkHierarchy({ features: [0, 1], children: [{ features: [0] }, { features: [2] }] }, 3), 'bad_hierarchy');
    await expectInvalid(() => groupHierarchy([0, []]), 'bad_hierarchy');
    await expectInvalid(() => flatHierarchy(0), 'bad_hierarchy');
  });

  it("reproduces shap's Text masker clustering (partition_tree): word pieces and 's unsplittable, specials last", () => {
    // leaves as feature lists, splits as [left, right]: the tree of shap.maskers._text.partition_tree's output
    const shape = (h: Hierarchy): unknown => (h.children?.length ? h.children.map(shape) : h.features);
    const one = ['[CLS]', 'it', "'", 's', 'charm', '##ing', ',', 'really', '.', '[SEP]'];
    const h1 = textHierarchy(one);
    checkHierarchy(h1, one.length);
    expect(shape(h1)).toEqual([
      [
        [0],
        [
          [
            [1, 2, 3],
            [[4, 5], [6]],
          ],
          [[7], [8]],
        ],
      ],
      [9],
    ]);
    const two = ['(', 'a', 'b', ')', 'c', 'and', 'd', '?', 'e', "'", 't', 'f', '[SEP]', '[SEP]', 'g', '##h'];
    const h2 = textHierarchy(two, ['[SEP]']);
    checkHierarchy(h2, two.length);
    expect(shape(h2)).toEqual([
      [
        [
          [
            [[0], [[[1], [2]], [3]]],
            [
              [[4], [5]],
              [[6], [7]],
            ],
          ],
          [[8, 9, 10], [11]],
        ],
        [12],
      ],
      [[13], [14, 15]],
    ]);
  });
});

describe('partitionShap', () => {
  it('an additive game: Owen = Shapley = the weights, on any hierarchy and any budget', async () => {
    const n = 8;
    for (const h of [
      flatHierarchy(n),
      balancedHierarchy(n),
      groupHierarchy([
        [0, 1, 2],
        [[3, 4], 5],
        [6, 7],
      ]),
    ]) {
      for (const maxEvals of [BIG, 20]) {
        const g = game(n, additiveValue);
        const r = await partitionShap(g, h, { maxEvals, batchSize: 4 });
        if (maxEvals === BIG) expectClose(r.values, weights.slice(0, n), 1e-12);
        expect(sum(r.values)).toBeCloseTo(r.inputScore! - r.baselineScore!, 12);
        expect(r.evaluations).toBe(g.evaluations());
        expect(r.evaluations).toBeLessThanOrEqual(maxEvals);
        expect(Math.max(...g.calls)).toBeLessThanOrEqual(4);
      }
    }
  });

  it('a flat hierarchy with the full budget gives exact Shapley values (2^n evaluations)', async () => {
    const n = 6;
    const g = game(n, interactionValue);
    const r = await partitionShap(g, flatHierarchy(n), { maxEvals: BIG });
    expect(r.evaluations).toBe(2 ** n);
    expectClose(r.values, owenByOrders(n, flatHierarchy(n), interactionValue), 1e-10);
  });

  it('a two-level hierarchy gives the Owen values of the definition', async () => {
    const n = 7;
    const blocks = [[0, 1, 2], [3], [4, 5, 6]];
    const h = groupHierarchy(blocks);
    // z0·z1·z3 across blocks: Shapley gives each 1/3, Owen 1/4, 1/4 and 1/2
    const v = (z: Uint8Array) => interactionValue(z) + 1.5 * z[0]! * z[1]! * z[3]!;
    const r = await partitionShap(game(n, v), h, { maxEvals: BIG, batchSize: 5 });
    const owen = owenTwoLevel(n, blocks, v);
    expectClose(r.values, owen, 1e-10);
    expectClose(owenByOrders(n, h, v), owen, 1e-10);
    // not the Shapley values: the coalitions matter for this game
    const shapley = owenByOrders(n, flatHierarchy(n), v);
    expect(Math.max(...owen.map((o, i) => Math.abs(o - shapley[i]!)))).toBeGreaterThan(1e-3);
  });

  it("deeper and binary hierarchies (shap's case) give the nested Owen values", async () => {
    const n = 7;
    for (const h of [
      balancedHierarchy(n),
      groupHierarchy([
        [[0, 1], 2],
        [[3, 4, 5], 6],
      ]),
      binarizeHierarchy(flatHierarchy(n)),
    ]) {
      const g = game(n, interactionValue);
      const r = await partitionShap(g, h, { maxEvals: BIG, batchSize: 3 });
      expectClose(r.values, owenByOrders(n, h, interactionValue), 1e-10);
      expect(r.evaluations).toBe(g.evaluations());
    }
  });

  it('a small budget keeps efficiency, spends at most the budget, and splits the largest worth first', async () => {
    const n = 12;
    for (const maxEvals of [2, 3, 9, 40, 101]) {
      for (const h of [
        balancedHierarchy(n),
        binarizeHierarchy(
          groupHierarchy([
            [0, 1, 2, 3],
            [4, 5, 6, 7, 8],
            [9, 10, 11],
          ]),
        ),
      ]) {
        const g = game(n, interactionValue);
        const r = await partitionShap(g, h, { maxEvals, batchSize: 2 });
        expect(r.evaluations).toBe(g.evaluations());
        expect(r.evaluations).toBeLessThanOrEqual(maxEvals);
        expect(sum(r.values)).toBeCloseTo(interactionValue(new Uint8Array(n).fill(1)) - interactionValue(new Uint8Array(n)), 10);
      }
    }
    // with only f(x) and f(∅), every feature gets an equal share
    const r = await partitionShap(game(4, additiveValue), balancedHierarchy(4), { maxEvals: 3 });
    expect(r.evaluations).toBe(2);
    expectClose(r.values, new Array(4).fill((additiveValue(new Uint8Array(4).fill(1)) - 0.7) / 4), 1e-12);
    // one split: the two halves get their Shapley values, shared within each half
    const one = await partitionShap(game(4, additiveValue), balancedHierarchy(4), { maxEvals: 4 });
    expect(one.evaluations).toBe(4);
    expectClose(one.values, [-0.25, -0.25, 1.625, 1.625], 1e-12);
  });

  it("fixedContext 0 and 1 are shap's one-sided splits: k evaluations per split, interaction left on the node", async () => {
    const n = 6;
    for (const fixedContext of [0, 1] as const) {
      const g = game(n, interactionValue);
      const r = await partitionShap(g, flatHierarchy(n), { maxEvals: BIG, fixedContext });
      expect(r.evaluations).toBe(2 + n);
      expect(sum(r.values)).toBeCloseTo(r.inputScore! - r.baselineScore!, 12);
      // leave-one-in (0) or leave-one-out (1) effects plus an equal share of the remainder
      const full = new Uint8Array(n).fill(1);
      const effect = (i: number) => {
        const z = fixedContext === 0 ? new Uint8Array(n) : full.slice();
        z[i] = fixedContext === 0 ? 1 : 0;
        return fixedContext === 0
          ? interactionValue(z) - interactionValue(new Uint8Array(n))
          : interactionValue(full) - interactionValue(z);
      };
      const effects = Array.from({ length: n }, (_, i) => effect(i));
      const rest = (interactionValue(full) - interactionValue(new Uint8Array(n)) - sum(effects)) / n;
      expectClose(
        r.values,
        effects.map((e) => e + rest),
        1e-12,
      );
    }
    // for an additive game both equal the weights
    const add = await partitionShap(game(5, additiveValue), balancedHierarchy(5), { maxEvals: BIG, fixedContext: 0 });
    expectClose(add.values, weights.slice(0, 5), 1e-12);
  });

  it('is reproducible, reports progress, stops on abort and rejects bad options', async () => {
    const n = 10;
    const h = balancedHierarchy(n);
    const seen: number[] = [];
    const a = await partitionShap(game(n, interactionValue), h, {
      maxEvals: 30,
      batchSize: 4,
      seed: 7,
      onProgress: (f, stage) => (expect(stage).toBe('partition-shap'), seen.push(f)),
    });
    const b = await partitionShap(game(n, interactionValue), h, { maxEvals: 30, batchSize: 4, seed: 7 });
    expect(Array.from(a.values)).toEqual(Array.from(b.values));
    expect(seen.at(-1)).toBe(1);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThanOrEqual(seen[i - 1]!);
    const controller = new AbortController();
    const err = await partitionShap(game(n, interactionValue), h, {
      maxEvals: BIG,
      batchSize: 2,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GlassboxError);
    expect((err as GlassboxError).code).toBe('aborted');
    const g = game(3, additiveValue);
    await expectInvalid(() => partitionShap(g, flatHierarchy(3), { maxEvals: 1 }), 'bad_samples');
    await expectInvalid(() => partitionShap(g, flatHierarchy(3), { maxEvals: 10, samples: 20 }), 'bad_samples');
    await expectInvalid(() => partitionShap(g, flatHierarchy(3), { seed: 0.5 }), 'bad_seed');
    await expectInvalid(() => partitionShap(g, flatHierarchy(3), { batchSize: 0 }), 'bad_batch_size');
    await expectInvalid(() => partitionShap(g, flatHierarchy(4)), 'bad_hierarchy');
    await expectInvalid(() => partitionShap(g, flatHierarchy(3), { fixedContext: 2 as 0 }), 'bad_perturbation');
    expect(g.calls).toEqual([]);
  });
});

describe('Sobol sequence', () => {
  it('unscrambled, its first points are the Sobol sequence (Joe–Kuo directions, as scipy.stats.qmc.Sobol)', () => {
    const pts = new SobolSequence(1024, { scramble: false }).points(9);
    const dims = [0, 1, 2, 3, 9, 100, 1023];
    // scipy.stats.qmc.Sobol(1024, scramble=False).random(9)[:, dims]
    const expected = [
      [0, 0, 0, 0, 0, 0, 0],
      [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5],
      [0.75, 0.25, 0.25, 0.25, 0.75, 0.25, 0.75],
      [0.25, 0.75, 0.75, 0.75, 0.25, 0.75, 0.25],
      [0.375, 0.375, 0.625, 0.875, 0.625, 0.625, 0.875],
      [0.875, 0.875, 0.125, 0.375, 0.125, 0.125, 0.375],
      [0.625, 0.125, 0.875, 0.625, 0.375, 0.875, 0.125],
      [0.125, 0.625, 0.375, 0.125, 0.875, 0.375, 0.625],
      [0.1875, 0.3125, 0.9375, 0.4375, 0.3125, 0.0625, 0.0625],
    ];
    expect(pts.map((p) => dims.map((d) => p[d]))).toEqual(expected);
  });

  it('scrambled, each dimension stays a (0, m, 1)-net: one point in each of 2^m cells', () => {
    for (const seed of [1, 2]) {
      const pts = new SobolSequence(40, { seed }).points(64);
      for (let d = 0; d < 40; d++) {
        const cells = new Set(pts.map((p) => Math.floor(p[d]! * 64)));
        expect(cells.size).toBe(64);
      }
      expect(new SobolSequence(40, { seed }).points(64)).toEqual(pts);
    }
    expect(new SobolSequence(3, { seed: 1 }).next()).not.toEqual(new SobolSequence(3, { seed: 2 }).next());
  });
});

describe('sobol', () => {
  it('total indices of an additive game are w_i² / Σw² (exactly, with the estimator’s k/(k−1) and 1e-6)', async () => {
    // For f = b + Σ w_i z_i with balanced independent binary columns, mean (f(A) − f(C_i))² = w_i²/2
    // and the unbiased variance of f(A) over k designs is k/(k−1) · Σ w²/4.
    const d = 4;
    const k = 32;
    const w2 = weights.slice(0, d).map((w) => w * w);
    const expected = w2.map((x) => x / 2 / (((2 * k) / (k - 1)) * (sum(w2) / 4) + 1e-6));
    for (const seed of [42, 5]) {
      const g = game(d, additiveValue);
      const r = await sobol(g, { seed, batchSize: 16 });
      expect(r.designs).toBe(32);
      expect(r.evaluations).toBe(k * (d + 1));
      expect(g.evaluations()).toBe(r.evaluations);
      expect(Math.max(...g.calls)).toBeLessThanOrEqual(16);
      expectClose(r.values, expected, 1e-12);
    }
  });

  it('total indices see interactions; first order does not count them; seeds reproduce', async () => {
    // f = z0·z1 + z2: ST_0 = ST_1 = (1/4)/(2·Var), ST_2 = (1/2)/(2·Var), Var = 3/16 + 1/4 = 7/16
    const v = (z: Uint8Array) => z[0]! * z[1]! + z[2]!;
    const total = await sobol(game(3, v), { designs: 1024 });
    expectClose(total.values, [2 / 7, 2 / 7, 4 / 7], 0.01);
    const first = await sobol(game(3, v), { designs: 1024, order: 'first' });
    expect(first.evaluations).toBe(1024 * 5);
    // first order: V_0 = V_1 = 1/16, V_2 = 1/4
    expectClose(first.values, [1 / 7, 1 / 7, 4 / 7], 0.01);
    const again = await sobol(game(3, v), { designs: 1024 });
    expect(Array.from(again.values)).toEqual(Array.from(total.values));
    // the scrambling (seeded) changes the masks and so the estimates of a non-additive game
    const seeded = await Promise.all([3, 3, 4].map((seed) => sobol(game(6, interactionValue), { designs: 8, seed })));
    expect(Array.from(seeded[0]!.values)).toEqual(Array.from(seeded[1]!.values));
    expect(Array.from(seeded[0]!.values)).not.toEqual(Array.from(seeded[2]!.values));
  });

  it('takes its designs from the budget, reports progress, stops on abort and rejects bad options', async () => {
    const r = await sobol(game(5, additiveValue), { samples: 200 });
    expect(r.designs).toBe(33);
    expect(r.evaluations).toBeLessThanOrEqual(200);
    const seen: number[] = [];
    await sobol(game(3, additiveValue), {
      designs: 8,
      batchSize: 10,
      onProgress: (f, stage) => (expect(stage).toBe('sobol'), seen.push(f)),
    });
    expect(seen).toEqual([10 / 32, 20 / 32, 30 / 32, 1]);
    const controller = new AbortController();
    const err = await sobol(game(3, additiveValue), {
      batchSize: 4,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    }).catch((e: unknown) => e);
    expect((err as GlassboxError).code).toBe('aborted');
    const g = game(3, additiveValue);
    await expectInvalid(() => sobol(g, { samples: 7 }), 'bad_samples');
    await expectInvalid(() => sobol(g, { designs: 1 }), 'bad_samples');
    await expectInvalid(() => sobol(g, { designs: 32, samples: 100 }), 'bad_samples');
    await expectInvalid(() => sobol(g, { seed: 0.5 }), 'bad_seed');
    await expectInvalid(() => sobol(g, { order: 'second' as 'first' }), 'bad_perturbation');
    await expectInvalid(() => sobol(game(513, additiveValue)), 'bad_features');
    await expectInvalid(() => sobol(g, { batchSize: 1.5 }), 'bad_batch_size');
    expect(g.calls).toEqual([]);
  });
});

describe('on the bundled distilbert-sst2-tiny (tokens masked with [PAD], special tokens kept)', () => {
  const SST2 = 'distilbert-sst2-tiny';
  const refs = refsOf(SST2);
  let model: TextModel;
  beforeAll(async () => {
    useLocalFixtures();
    model = await TextModel.load(SST2);
  });

  const tokenScorer = (inp: Json, c: number) => tokenScorerOf(model, inp, c);

  it('a flat hierarchy with the full budget equals brute-force Shapley values', async () => {
    const inp = refs.inputs[1];
    const { masked, cache } = tokenScorer(inp, 1);
    expect(masked.features).toBeLessThanOrEqual(8);
    const n = masked.features;
    const r = await partitionShap(masked, flatHierarchy(n), { maxEvals: 2 ** n });
    expect(r.evaluations).toBe(2 ** n);
    expect(cache.size).toBe(2 ** n);
    const brute = owenByOrders(n, flatHierarchy(n), (z) => cache.get(z.join(''))!);
    expectClose(r.values, brute, 1e-9);
    expect(sum(r.values)).toBeCloseTo(r.inputScore! - r.baselineScore!, 9);
    const entry = inp.attributions.find((a: Json) => a.target.class_index === 1);
    expect(r.inputScore).toBeCloseTo(entry.target_logit, 4);
  });

  it("shap's text clustering of a long review under shap's default budget keeps efficiency; Sobol runs on it", async () => {
    const { masked, tokens } = tokenScorer(refs.inputs[3], 1);
    const h = textHierarchy(tokens);
    checkHierarchy(h, masked.features);
    const r = await partitionShap(masked, h);
    expect(r.evaluations).toBeLessThanOrEqual(500);
    expect(r.evaluations).toBeGreaterThan(400);
    expect(sum(r.values)).toBeCloseTo(r.inputScore! - r.baselineScore!, 8);
    const s = await sobol(masked, { designs: 8 });
    expect(s.evaluations).toBe(8 * (masked.features + 1));
    expect(Array.from(s.values).every((x) => Number.isFinite(x) && x >= 0)).toBe(true);
  });
});
