import { beforeAll, describe, expect, it } from 'vitest';
import { GlassboxError, InvalidInputError, TextModel } from '@glassbox/core';
import { occlusion } from '@glassbox/core/methods';
import { featureAblation } from '../packages/core/src/methods/featureAblation.ts';
import { kernelShap, shapleyKernel } from '../packages/core/src/methods/kernelShap.ts';
import { lime, limeDistance } from '../packages/core/src/methods/lime.ts';
import { linearFit } from '../packages/core/src/methods/linearFit.ts';
import type { MaskedScorer } from '../packages/core/src/methods/perturbation.ts';
import { type Json, expectClose, refsOf, useLocalFixtures } from './helpers.ts';
import { game, tokenScorer as tokenScorerOf } from './maskedTokens.ts';

const additiveWeights = [1.5, -2, 0.25, 3, 0, -0.75, 1, 2.5, -1.25, 0.5, 4, -3];
const additive = (n: number, bias = 0.7) => game(n, (z) => bias + z.reduce((a, zi, i) => a + zi * additiveWeights[i]!, 0));
const interactions = (n: number) => game(n, (z) => interactionValue(n, z));

/** Shapley values from the definition: the mean marginal contribution over every permutation. */
function shapleyByPermutations(n: number, v: (z: Uint8Array) => number): number[] {
  const phi = new Array<number>(n).fill(0);
  let count = 0;
  const permute = (prefix: number[], rest: number[]) => {
    if (rest.length === 0) {
      const z = new Uint8Array(n);
      let before = v(z);
      for (const i of prefix) {
        z[i] = 1;
        const after = v(z);
        phi[i]! += after - before;
        before = after;
      }
      count++;
      return;
    }
    rest.forEach((r, k) => permute([...prefix, r], [...rest.slice(0, k), ...rest.slice(k + 1)]));
  };
  permute(
    [],
    Array.from({ length: n }, (_, i) => i),
  );
  return phi.map((p) => p / count);
}

/** Shapley values from the subset form of the definition: Σ_S |S|!(n−|S|−1)!/n! (v(S∪i) − v(S)). */
function shapleyBySubsets(n: number, v: (z: Uint8Array) => number): number[] {
  const fact = (k: number): number => (k <= 1 ? 1 : k * fact(k - 1));
  const phi = new Array<number>(n).fill(0);
  for (let code = 0; code < 2 ** n; code++) {
    const z = Uint8Array.from({ length: n }, (_, i) => (code >> i) & 1);
    const size = z.reduce((a, b) => a + b, 0);
    for (let i = 0; i < n; i++) {
      if (z[i]) continue;
      const w = (fact(size) * fact(n - size - 1)) / fact(n);
      const with_ = Uint8Array.from(z);
      with_[i] = 1;
      phi[i]! += w * (v(with_) - v(z));
    }
  }
  return phi;
}

const sum = (xs: ArrayLike<number>) => Array.from(xs).reduce((a, b) => a + b, 0);

async function expectInvalid(call: () => Promise<unknown>, code: string): Promise<void> {
  const err = await call().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InvalidInputError);
  expect((err as GlassboxError).code).toBe(code);
}

describe('linearFit', () => {
  const x = [
    [1, 0, 1, 0],
    [0, 1, 1, 1],
    [1, 1, 0, 0],
    [0, 0, 1, 1],
    [1, 1, 1, 0],
    [0, 1, 0, 1],
    [1, 0, 0, 1],
  ];
  const w = [1, 2, 0.5, 1, 3, 1, 0.7];
  const y = [1.5, 2, 0.3, -1, 4, 2.2, 0.1];

  it('recovers a noiseless linear model with intercept exactly, whatever the weights', () => {
    const beta = [2, -1, 0.5, 3];
    const fit = linearFit(
      x,
      x.map((r) => 0.25 + r.reduce((a, v, j) => a + v * beta[j]!, 0)),
      { weights: w },
    );
    expectClose(fit.coef, beta, 1e-12);
    expect(fit.intercept).toBeCloseTo(0.25, 12);
    expect(fit.rank).toBe(4);
  });

  it('matches numpy on weighted least squares, ridge, and the sum constraint (values from numpy.linalg)', () => {
    // numpy: lstsq of the weighted normal equations; the constrained ones through the KKT system.
    const ols = linearFit(x, y, { weights: w });
    expectClose(ols.coef, [1.8295081967213112, 2.8016393442622953, 1.2377049180327864, 0.3459016393442619], 1e-12);
    expect(ols.intercept).toBeCloseTo(-2.0754098360655737, 12);
    const ridge = linearFit(x, y, { weights: w, ridge: 0.5 });
    expectClose(ridge.coef, [0.72854776, 2.01505877, 0.72241066, -0.68166759], 1e-8);
    expect(ridge.intercept).toBeCloseTo(0.01963398, 8);
    const constrained = linearFit(x, y, { weights: w, intercept: false, sumTo: 3 });
    expectClose(constrained.coef, [0.76796117, 2.36451898, 0.65639894, -0.78887908], 1e-8);
    expect(sum(constrained.coef)).toBeCloseTo(3, 13);
    const both = linearFit(x, y, { weights: w, ridge: 0.3, sumTo: 2 });
    expectClose(both.coef, [0.4268487, 2.03661066, 0.5958236, -1.05928296], 1e-8);
    expect(both.intercept).toBeCloseTo(0.46416111, 8);
  });

  it('gives the minimum-norm solution when rows do not determine it (numpy.linalg.lstsq)', () => {
    const fit = linearFit(x.slice(0, 3), y.slice(0, 3), { intercept: false });
    expect(fit.rank).toBe(3);
    expectClose(fit.coef, [0.2, 0.1, 1.3, 0.6], 1e-12);
    // A column that never varies gets 0 with an intercept (it is collinear with it).
    const flat = linearFit(
      [
        [1, 0],
        [1, 1],
        [1, 2],
      ],
      [1, 3, 5],
    );
    expectClose(flat.coef, [0, 2], 1e-12);
    expect(flat.intercept).toBeCloseTo(1, 12);
  });

  it('rejects malformed problems', () => {
    expect(() => linearFit([], [])).toThrow(InvalidInputError);
    expect(() => linearFit([[1], [2]], [1])).toThrow(InvalidInputError);
    expect(() => linearFit([[1], [2]], [1, 2], { weights: [1, -1] })).toThrow(InvalidInputError);
    expect(() => linearFit([[1], [2]], [1, 2], { ridge: -1 })).toThrow(InvalidInputError);
  });
});

describe('additive game: every method recovers the weights', () => {
  it('KernelSHAP, exact enumeration (n = 7)', async () => {
    const s = additive(7);
    const r = await kernelShap(s);
    expect(r.exact).toBe(true);
    expect(r.evaluations).toBe(2 ** 7);
    expect(s.evaluations()).toBe(2 ** 7);
    expectClose(r.values, additiveWeights.slice(0, 7), 1e-12);
    expect(r.inputScore).toBeCloseTo(0.7 + sum(additiveWeights.slice(0, 7)), 12);
    expect(r.baselineScore).toBeCloseTo(0.7, 12);
  });

  it('KernelSHAP, sampled (n = 12, 300 evaluations)', async () => {
    const s = additive(12);
    const r = await kernelShap(s, { samples: 300, batchSize: 50 });
    expect(r.exact).toBe(false);
    expect(r.evaluations).toBe(300);
    expect(s.evaluations()).toBe(300);
    expect(Math.max(...s.calls)).toBeLessThanOrEqual(50);
    expectClose(r.values, additiveWeights, 1e-10);
  });

  it('LIME with no ridge and enough samples, for every distance', async () => {
    for (const distance of ['cosine', 'euclidean', 'hamming'] as const) {
      const s = additive(12);
      const r = await lime(s, { samples: 200, distance, ridge: 0 });
      expect(r.evaluations).toBe(200);
      expect(s.evaluations()).toBe(200);
      expectClose(r.values, additiveWeights, 1e-10, 0, distance);
      expect(r.inputScore).toBeCloseTo(0.7 + sum(additiveWeights), 12);
    }
    // A ridge shrinks the coefficients towards 0.
    const shrunk = await lime(additive(12), { samples: 200, ridge: 5 });
    expect(Math.abs(shrunk.values[10]!)).toBeLessThan(3.99);
  });

  it('feature ablation, alone and in groups (Captum FeatureAblation)', async () => {
    const s = additive(8);
    const r = await featureAblation(s);
    expect(r.evaluations).toBe(9);
    expectClose(r.values, additiveWeights.slice(0, 8), 1e-12);
    const g = await featureAblation(additive(8), { groups: [[0, 3], [1], [5, 6, 7]] });
    const w = additiveWeights;
    expectClose(
      g.values,
      [w[0]! + w[3]!, w[1]!, 0, w[0]! + w[3]!, 0, w[5]! + w[6]! + w[7]!, w[5]! + w[6]! + w[7]!, w[5]! + w[6]! + w[7]!],
      1e-12,
    );
    expect(g.evaluations).toBe(4);
  });
});

describe('a game with interactions', () => {
  for (const n of [3, 4, 5, 6]) {
    it(`exact KernelSHAP equals the Shapley values over all ${n}! permutations (n = ${n})`, async () => {
      const s = interactions(n);
      const r = await kernelShap(s, { samples: 2 ** n });
      expect(r.exact).toBe(true);
      expectClose(
        r.values,
        shapleyByPermutations(n, (z) => interactionValue(n, z)),
        1e-10,
      );
    });
  }

  it('one sample short of 2^n, it samples instead, within the budget, and keeps efficiency', async () => {
    const r = await kernelShap(interactions(6), { samples: 63 });
    expect(r.exact).toBe(false);
    expect(r.evaluations).toBeLessThanOrEqual(63);
    expect(sum(r.values)).toBeCloseTo(r.inputScore! - r.baselineScore!, 12);
  });

  it('sampled KernelSHAP keeps efficiency exactly, reproduces with a seed and changes with it', async () => {
    const n = 11;
    const a = await kernelShap(interactions(n), { samples: 150, seed: 7 });
    const b = await kernelShap(interactions(n), { samples: 150, seed: 7, batchSize: 13 });
    const c = await kernelShap(interactions(n), { samples: 150, seed: 8 });
    expect(a.exact).toBe(false);
    expect(Math.abs(sum(a.values) - (a.inputScore! - a.baselineScore!))).toBeLessThan(1e-12);
    expect(Math.abs(sum(c.values) - (c.inputScore! - c.baselineScore!))).toBeLessThan(1e-12);
    expect(Array.from(b.values)).toEqual(Array.from(a.values));
    expect(Array.from(c.values)).not.toEqual(Array.from(a.values));
    // A large budget approaches the exact values (the estimator is consistent).
    const exact = shapleyBySubsets(n, (z) => interactionValue(n, z));
    const big = await kernelShap(interactions(n), { samples: 1800, seed: 1 });
    expectClose(big.values, exact, 0.05);
  });

  it('LIME reproduces with a seed, changes with it, and its kernel width and distance matter', async () => {
    const n = 8;
    const a = await lime(interactions(n), { seed: 3 });
    const b = await lime(interactions(n), { seed: 3, batchSize: 9 });
    const c = await lime(interactions(n), { seed: 4 });
    expect(a.evaluations).toBe(100);
    expect(Array.from(b.values)).toEqual(Array.from(a.values));
    expect(Array.from(c.values)).not.toEqual(Array.from(a.values));
    const narrow = await lime(interactions(n), { seed: 3, kernelWidth: 0.1 });
    const hamming = await lime(interactions(n), { seed: 3, distance: 'hamming' });
    expect(Array.from(narrow.values)).not.toEqual(Array.from(a.values));
    expect(Array.from(hamming.values)).not.toEqual(Array.from(a.values));
    // Kernel weights from the mask: n − k removed features (hamming), √(n − k), 1 − √(k/n).
    const z = Uint8Array.of(1, 0, 1, 1, 0, 0, 1, 1);
    expect(limeDistance(z, 'hamming')).toBe(3);
    expect(limeDistance(z, 'euclidean')).toBeCloseTo(Math.sqrt(3), 15);
    expect(limeDistance(z, 'cosine')).toBeCloseTo(1 - Math.sqrt(5 / 8), 15);
    expect(limeDistance(new Uint8Array(8), 'cosine')).toBe(1);
  });

  it('Shapley kernel: the weight of a coalition of size s among n is (n−1)/(C(n,s)·s·(n−s))', () => {
    expect(shapleyKernel(4, 1)).toBeCloseTo(3 / (4 * 1 * 3), 15);
    expect(shapleyKernel(4, 2)).toBeCloseTo(3 / (6 * 2 * 2), 15);
    expect(shapleyKernel(10, 3)).toBeCloseTo(9 / (120 * 3 * 7), 15);
  });
});

/** A game with interactions: v = z0·z1 + 2·z2 (+ 0.5·z3·z4·z5 − z1·z5 from 6 features, and pairwise terms past them). */
function interactionValue(n: number, z: Uint8Array): number {
  let v = z[0]! * z[1]! + 2 * z[2]! + (n > 5 ? 0.5 * z[3]! * z[4]! * z[5]! - z[1]! * z[5]! : 0);
  for (let i = 6; i < n; i++) v += (i % 3) * z[i]! * z[i - 1]! - 0.3 * z[i]!;
  return v;
}

describe('progress, cancellation and bad options', () => {
  it('reports progress per batch up to 1 and stops between batches when aborted', async () => {
    for (const run of [
      (o: object) => kernelShap(additive(6), { samples: 40, batchSize: 8, ...o }),
      (o: object) => lime(additive(6), { samples: 40, batchSize: 8, ...o }),
      (o: object) => featureAblation(additive(6), { batchSize: 2, ...o }),
    ]) {
      const fractions: number[] = [];
      await run({ onProgress: (f: number) => fractions.push(f) });
      expect(fractions.length).toBeGreaterThan(1);
      expect(fractions.at(-1)).toBe(1);
      for (let i = 1; i < fractions.length; i++) expect(fractions[i]!).toBeGreaterThan(fractions[i - 1]!);
      const controller = new AbortController();
      const err = await run({ signal: controller.signal, onProgress: () => controller.abort() }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(GlassboxError);
      expect((err as GlassboxError).code).toBe('aborted');
    }
  });

  it('rejects bad options with InvalidInputError', async () => {
    await expectInvalid(() => kernelShap(additive(4), { samples: 1 }), 'bad_samples');
    await expectInvalid(() => lime(additive(4), { samples: 1.5 }), 'bad_samples');
    await expectInvalid(() => kernelShap(game(0, () => 0)), 'bad_features');
    await expectInvalid(() => lime(game(0, () => 0)), 'bad_features');
    await expectInvalid(() => featureAblation(game(0, () => 0)), 'bad_features');
    await expectInvalid(() => kernelShap(additive(4), { batchSize: 0 }), 'bad_batch_size');
    await expectInvalid(() => kernelShap(additive(4), { seed: 0.5 }), 'bad_seed');
    await expectInvalid(() => lime(additive(4), { distance: 'manhattan' as 'cosine' }), 'bad_distance');
    await expectInvalid(() => lime(additive(4), { kernelWidth: 0 }), 'bad_kernel_width');
    await expectInvalid(() => lime(additive(4), { ridge: -1 }), 'bad_ridge');
    await expectInvalid(
      () =>
        featureAblation(additive(4), {
          groups: [
            [0, 1],
            [1, 2],
          ],
        }),
      'bad_groups',
    );
    await expectInvalid(() => featureAblation(additive(4), { groups: [[4]] }), 'bad_groups');
    await expectInvalid(() => featureAblation(additive(4), { groups: [[]] }), 'bad_groups');
    const short: MaskedScorer = { features: 3, scores: async (m) => new Float64Array(m.length - 1) };
    await expectInvalid(() => featureAblation(short), 'bad_scorer');
  });

  it('one feature, or no coalition left in the budget, still sums to f(x) − f(baseline)', async () => {
    const one = await kernelShap(additive(1));
    expect(one.values[0]).toBeCloseTo(additiveWeights[0]!, 14);
    expect(one.evaluations).toBe(2);
    const two = await kernelShap(additive(5), { samples: 2 });
    expect(two.evaluations).toBe(2);
    expectClose(two.values, new Array(5).fill(sum(additiveWeights.slice(0, 5)) / 5), 1e-12);
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

  it('exact KernelSHAP equals brute-force Shapley values of the same masked model (10 tokens)', async () => {
    const inp = refs.inputs[2];
    const { masked, cache } = tokenScorer(inp, 1);
    expect(masked.features).toBe(10);
    const r = await kernelShap(masked, { samples: 1024 });
    expect(r.exact).toBe(true);
    expect(cache.size).toBe(1024);
    const brute = shapleyBySubsets(10, (z) => cache.get(z.join(''))!);
    expectClose(r.values, brute, 1e-9);
    expect(sum(r.values)).toBeCloseTo(r.inputScore! - r.baselineScore!, 10);
    const entry = inp.attributions.find((a: Json) => a.target.class_index === 1);
    expect(r.inputScore).toBeCloseTo(entry.target_logit, 4);
  });

  it("feature ablation equals the occlusion method and Captum's occlusion_pad logit drops", async () => {
    for (const inp of refs.inputs.slice(0, 3) as Json[]) {
      for (const entry of inp.attributions as Json[]) {
        const c = entry.target.class_index as number;
        const { masked, runner, scorer, ids, positions, pad } = tokenScorer(inp, c);
        const r = await featureAblation(masked, { batchSize: 4 });
        const occ = await occlusion((rows) => runner.scoreIds(rows, scorer), ids, { replacement: pad, positions });
        const perToken = ids.map((_, i) => (positions.includes(i) ? r.values[positions.indexOf(i)]! : null));
        expectClose(perToken, occ.values, 1e-12, 0, 'vs occlusion');
        expectClose(perToken, entry.occlusion_pad.logit_drop, 1e-4, 0, 'vs Captum occlusion_pad');
        expect(entry.occlusion_pad.replacement_id).toBe(pad);
      }
    }
  });
});
