import { describe, expect, it } from 'vitest';
import { tensor } from '@glassbox/core';
import { IMAGE_4X4, MAP_4X4 } from './testing.ts';
import {
  type Pixels,
  alphaScalingPixels,
  cumulativeSumThreshold,
  greyscale,
  heatmapPixels,
  imageMapPixels,
  maskedImagePixels,
  normalizeAttr,
  overlayPixels,
  scalePixels,
  unnormalizePixels,
  upsampleNearest,
} from './imageMaps.ts';

/**
 * Captum's image-map scaling on small maps worked out by hand. |MAP| holds 0, 2 … 16 (total
 * 135); ascending running sums 0 2 5 9 14 20 27 35 44 54 65 77 90 104 119 135, so the
 * threshold at 98% (outlier_perc 2) is 16, at 80% (outlier_perc 20) 15, at 50% 12.
 */
const MAP = MAP_4X4;
const IMAGE: Pixels = IMAGE_4X4;
const px = (p: Pixels, i: number) => Array.from(p.data.subarray(4 * i, 4 * i + 4));

// colormap.ts's RdBu: +1, the positive arm's middle stop (+0.5), 0, −1.
const BLUE = [33, 102, 172];
const BLUE_HALF = [146, 197, 222];
const NEUTRAL = [247, 247, 247];
const RED = [178, 24, 43];

describe("Captum's cumulative-sum threshold", () => {
  it('is the smallest sorted value whose running sum reaches the percentile', () => {
    const values = Array.from({ length: 16 }, (_, i) => 16 - i); // 1..16, total 136
    expect(cumulativeSumThreshold(values, 80)).toBe(15); // 108.8: 105 at 14, 120 at 15
    expect(cumulativeSumThreshold(values, 100)).toBe(16);
    expect(cumulativeSumThreshold(values, 0)).toBe(1);
    expect(() => cumulativeSumThreshold(values, 101)).toThrow(/between 0 and 100/);
  });
});

describe('normalizeAttr', () => {
  it("sign 'all': divides by the threshold of |map| and clips outliers to ±1", () => {
    const n = normalizeAttr(MAP, 'all', 20);
    expect(n.threshold).toBe(15);
    expect([n.width, n.height, n.sign]).toEqual([4, 4, 'all']);
    expect(Array.from(n.values)).toEqual(MAP.flat().map((v) => Math.max(-1, Math.min(1, v / 15))));
    expect(n.values[15]).toBe(-1); // −16 clipped
    expect(normalizeAttr(MAP, 'all').threshold).toBe(16); // Captum's default outlier_perc 2
    expect(normalizeAttr(MAP, 'all', 50).threshold).toBe(12);
  });

  it("'positive' and 'negative' drop the other sign first; 'absolute' (TI's name) is |map|", () => {
    // positives 2..15 without 9: total 110, 80% = 88; running sums … 81 (13), 95 (14)
    const pos = normalizeAttr(MAP, 'positive', 20);
    expect(pos.threshold).toBe(14);
    expect([pos.values[0], pos.values[7], pos.values[6], pos.values[8], pos.values[14], pos.values[15]]).toEqual([0, 8 / 14, 0.5, 0, 1, 0]);
    // negatives 9 and 16: total 25, 80% = 20 → 16; Captum's threshold is −16
    const neg = normalizeAttr(MAP, 'negative', 20);
    expect(neg.threshold).toBe(-16);
    expect(Array.from(neg.values)).toEqual(MAP.flat().map((v) => (v === -9 ? 9 / 16 : v === -16 ? 1 : 0)));
    const abs = normalizeAttr(MAP, 'absolute', 20);
    expect([abs.sign, abs.threshold, abs.values[8], abs.values[15]]).toEqual(['absolute_value', 15, 0.6, 1]);
  });

  it('an all-zero map (Captum asserts) is all 0, not NaN', () => {
    const n = normalizeAttr(
      [
        [0, 0],
        [0, 0],
      ],
      'all',
    );
    expect([n.threshold, ...n.values]).toEqual([0, 0, 0, 0, 0]);
    expect(px(heatmapPixels(n), 3)).toEqual([...NEUTRAL, 255]);
  });
});

describe('modes, pixel by pixel', () => {
  it('heatmap: full colour at the saturating value, neutral at 0, half way at half', () => {
    const p = heatmapPixels(normalizeAttr(MAP, 'all')); // threshold 16
    expect([p.width, p.height, p.data.length]).toEqual([4, 4, 64]);
    expect(px(p, 0)).toEqual([...NEUTRAL, 255]); // 0
    expect(px(p, 7)).toEqual([...BLUE_HALF, 255]); // 8/16
    expect(px(p, 15)).toEqual([...RED, 255]); // −16
    expect(px(p, 14)).not.toEqual([...BLUE, 255]); // 15/16 is not yet saturated…
    expect(px(heatmapPixels(normalizeAttr(MAP, 'all', 20)), 14)).toEqual([...BLUE, 255]); // …but is at outlier_perc 20
    // −9/16 = −0.5625: a quarter of the way from RdBu's #f4a582 to #d6604d
    expect(px(p, 8)).toEqual([237, 148, 117, 255]);
    // 'negative' uses the red arm for |negative| values
    expect(px(heatmapPixels(normalizeAttr(MAP, 'negative', 20)), 15)).toEqual([...RED, 255]);
  });

  it("overlay: half the heat colour over matplotlib's autoscaled grey of the image", () => {
    // grey 10i + 3 stretched from [3, 153] to ⌊256·i/15⌋, capped at 255
    expect(Array.from(greyscale(IMAGE))).toEqual(Array.from({ length: 16 }, (_, i) => Math.min(255, Math.floor((256 * i) / 15))));
    const p = overlayPixels(IMAGE, normalizeAttr(MAP, 'all'));
    expect(px(p, 0)).toEqual([124, 124, 124, 255]); // (247 + 0) / 2 = 123.5
    expect(px(p, 7)).toEqual([133, 158, 171, 255]); // grey 119 with (146, 197, 222)
    expect(px(p, 15)).toEqual([217, 140, 149, 255]); // grey 255 with (178, 24, 43)
    // a flat image has grey 0 everywhere (matplotlib's vmin = vmax)
    const flat: Pixels = { data: new Uint8ClampedArray(64).fill(200), width: 4, height: 4 };
    expect(px(overlayPixels(flat, normalizeAttr(MAP, 'all')), 0)).toEqual([124, 124, 124, 255]);
  });

  it('masked_image: the image times the normalised value, truncated', () => {
    const p = maskedImagePixels(IMAGE, normalizeAttr(MAP, 'positive', 20)); // threshold 14
    expect(px(p, 7)).toEqual([40, 41, 43, 255]); // (70, 73, 76)·8/14
    expect(px(p, 14)).toEqual([140, 143, 146, 255]); // 15 ≥ 14: unchanged
    expect(px(p, 8)).toEqual([0, 0, 0, 255]); // negative: black
    expect(px(p, 0)).toEqual([0, 0, 0, 255]);
  });

  it('alpha_scaling: the image with alpha ⌊255·value⌋', () => {
    const p = alphaScalingPixels(IMAGE, normalizeAttr(MAP, 'absolute_value', 20)); // threshold 15
    expect(px(p, 7)).toEqual([70, 73, 76, 136]); // 255·8/15 = 136
    expect(px(p, 8)).toEqual([80, 83, 86, 153]); // |−9|/15 = 0.6
    expect(px(p, 15)).toEqual([150, 153, 156, 255]);
    expect(px(p, 0)).toEqual([0, 3, 6, 0]);
  });

  it("masked_image and alpha_scaling refuse sign 'all' (Captum asserts); modes other than heatmap need the image", () => {
    expect(() => maskedImagePixels(IMAGE, normalizeAttr(MAP, 'all'))).toThrow(/both signs/);
    expect(() => alphaScalingPixels(IMAGE, normalizeAttr(MAP, 'all'))).toThrow(/both signs/);
    expect(() => imageMapPixels('overlay', MAP, undefined)).toThrow(/needs|image/);
    expect(() => overlayPixels({ ...IMAGE, width: 2, height: 8 }, normalizeAttr(MAP))).toThrow(/2×8/);
    const { pixels, normalized } = imageMapPixels('heatmap', MAP, undefined);
    expect(normalized.sign).toBe('absolute_value'); // Captum's default sign
    expect(px(pixels, 15)).toEqual([...BLUE, 255]);
  });
});

describe('helpers', () => {
  it('unnormalizePixels: (v·std + mean)·255, rounded, per channel', () => {
    const values = [[[-1, 1]], [[0, 0.5]], [[-0.5, 0.2]]]; // [3][1][2]
    const p = unnormalizePixels(values);
    expect([p.width, p.height]).toEqual([2, 1]);
    expect(Array.from(p.data)).toEqual([0, 128, 64, 255, 255, 191, 153, 255]);
    expect(Array.from(unnormalizePixels(tensor('float32', [1, 3, 1, 2], values.flat(2))).data)).toEqual(Array.from(p.data));
    // ImageNet's mean and std: 0·0.229 + 0.485 → 123.675 → 124, 0.456 → 116, 0.406 → 104
    expect(Array.from(unnormalizePixels([[[0]], [[0]], [[0]]], [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]).data)).toEqual([
      124, 116, 104, 255,
    ]);
    expect(Array.from(unnormalizePixels([[[0.5]]]).data)).toEqual([191, 191, 191, 255]); // one channel → grey
    expect(() => unnormalizePixels([[[0]], [[0]]])).toThrow(/1 or 3 channels/);
  });

  it('upsampleNearest spreads each cell over its block; scalePixels enlarges by whole pixels', () => {
    expect(
      upsampleNearest(
        [
          [1, 2],
          [3, 4],
        ],
        4,
        4,
      ),
    ).toEqual([
      [1, 1, 2, 2],
      [1, 1, 2, 2],
      [3, 3, 4, 4],
      [3, 3, 4, 4],
    ]);
    const p: Pixels = { data: Uint8ClampedArray.from([1, 2, 3, 4, 5, 6, 7, 8]), width: 2, height: 1 };
    const s = scalePixels(p, 2);
    expect([s.width, s.height]).toEqual([4, 2]);
    expect(Array.from(s.data)).toEqual([1, 2, 3, 4, 1, 2, 3, 4, 5, 6, 7, 8, 5, 6, 7, 8, 1, 2, 3, 4, 1, 2, 3, 4, 5, 6, 7, 8, 5, 6, 7, 8]);
    expect(() => scalePixels(p, 1.5)).toThrow(/positive integer/);
  });
});
