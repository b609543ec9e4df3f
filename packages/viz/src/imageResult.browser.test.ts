import { beforeAll, describe, expect, it } from 'vitest';
import { type ImageClassificationResult, ImageClassificationExplainer, env } from '@glassbox/core';
import { colourAt } from './colormap.ts';
import { formatAttribution } from './format.ts';
import {
  type Pixels,
  heatmapPixels,
  maskedImagePixels,
  normalizeAttr,
  overlayPixels,
  scalePixels,
  unnormalizePixels,
  upsampleNearest,
} from './imageMaps.ts';
import { renderImageResult } from './imageResult.ts';
import { IMAGE_4X4, MAP_4X4 } from './testing.ts';

const EVIL = '<img src=x onerror="window.__pwned=1">';
const MAP = MAP_4X4;
const IMAGE: Pixels = IMAGE_4X4;
const imageData = () => new ImageData(Uint8ClampedArray.from(IMAGE.data), 4, 4);

function fake(map: number[][], over: Partial<ImageClassificationResult> = {}): ImageClassificationResult {
  return {
    kind: 'image-classification',
    model: 'org/tiny-vit',
    method: 'integrated-gradients',
    output: 'logits',
    predicted: { index: 1, label: EVIL, score: 0.875 },
    target: { index: 0, label: 'cat & "dog"' },
    convergenceDelta: 0,
    logits: [0, 1],
    probabilities: [0.125, 0.875],
    attribution: { values: new Float64Array(48), shape: [3, 4, 4] },
    map,
    ...over,
  };
}

const canvases = (root: Element) => Array.from(root.querySelectorAll('canvas'));
const read = (c: HTMLCanvasElement): Pixels => ({
  data: c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data,
  width: c.width,
  height: c.height,
});
const bytes = (p: Pixels) => Array.from(p.data);

describe('renderImageResult on hand-made results', () => {
  it("defaults to transformers-interpret's: overlay, sign all, outlier_threshold 0.1; labels are text", () => {
    const root = renderImageResult(fake(MAP), { image: imageData(), scale: 2 });
    document.body.append(root);
    expect(root.tagName).toBe('FIGURE');
    expect({ ...root.dataset }).toMatchObject({
      model: 'org/tiny-vit',
      method: 'integrated-gradients',
      kind: 'image',
      mode: 'overlay',
      sign: 'all',
      outlierPerc: '10',
    });
    const [canvas, ...more] = canvases(root);
    expect(more).toHaveLength(0);
    expect([canvas!.width, canvas!.height]).toEqual([8, 8]);
    // threshold at 90% of 135 (121.5) is 16
    expect(bytes(read(canvas!))).toEqual(bytes(scalePixels(overlayPixels(IMAGE, normalizeAttr(MAP, 'all', 10)), 2)));
    expect(root.querySelector('.gbv-legend')!.getAttribute('data-scale')).toBe('16');
    const caption = root.querySelector('figcaption')!.textContent!;
    expect(caption).toContain(`Prediction: ${EVIL} (0.875)`);
    expect(caption).toContain('Target: cat & "dog"');
    expect(caption).toContain('Method: integrated-gradients');
    expect(root.querySelector('img')).toBeNull();
    expect((window as { __pwned?: number }).__pwned).toBeUndefined();
    root.remove();
  });

  it('scales a tiny image to 256 px by default', () => {
    const [canvas] = canvases(renderImageResult(fake(MAP), { mode: 'heatmap' }));
    expect([canvas!.width, canvas!.height]).toEqual([256, 256]);
    expect(bytes(read(canvas!))).toEqual(bytes(scalePixels(heatmapPixels(normalizeAttr(MAP, 'all', 10)), 64)));
  });

  it("masked_image and alpha_scaling use sign 'positive' for 'all' (as TI); sideBySide puts the original image first", () => {
    for (const mode of ['masked_image', 'alpha_scaling'] as const) {
      const root = renderImageResult(fake(MAP), { image: imageData(), mode, sign: 'all', sideBySide: true, scale: 1 });
      expect(root.dataset.sign).toBe('positive');
      const panels = Array.from(root.querySelectorAll('[data-panel]'), (p) => p.getAttribute('data-panel'));
      expect(panels).toEqual(['original', 'attribution']);
      const [original, map] = canvases(root).map(read);
      expect(bytes(original!)).toEqual(bytes(IMAGE));
      const norm = normalizeAttr(MAP, 'positive', 10); // positives total 110, 90% = 99 → 15
      expect(norm.threshold).toBe(15);
      expect(root.querySelector('.gbv-legend')!.getAttribute('data-scale')).toBe('15');
      expect(root.querySelector('.gbv-legend [data-tick="max"]')!.textContent).toBe(formatAttribution(15));
      if (mode === 'masked_image') expect(bytes(map!)).toEqual(bytes(maskedImagePixels(IMAGE, norm)));
      else expect(bytes(map!).filter((_, k) => k % 4 === 3)).toEqual(Array.from(norm.values, (v) => Math.trunc(255 * v)));
    }
  });

  it("spreads occlusion's per-patch map over each patch; un-normalises pixelValues", () => {
    const patches = [
      [1, -2],
      [0, 4],
    ];
    const occlusion = fake(patches, { method: 'occlusion' });
    const [heat] = canvases(renderImageResult(occlusion, { mode: 'heatmap', scale: 1 })).map(read);
    const spread = upsampleNearest(patches, 4, 4);
    expect(spread[3]).toEqual([0, 0, 4, 4]);
    expect(bytes(heat!)).toEqual(bytes(heatmapPixels(normalizeAttr(spread, 'all', 10))));
    expect(Array.from(heat!.data.subarray(4 * 15, 4 * 15 + 3))).toEqual([...colourAt(1)]); // 4: saturated blue
    // pixelValues [3][4][4] in ViT's normalisation (mean = std = 0.5)
    const pixelValues = [0, 1, 2].map((c) =>
      [0, 1, 2, 3].map((y) => [0, 1, 2, 3].map((x) => IMAGE.data[4 * (4 * y + x) + c]! / 127.5 - 1)),
    );
    const root = renderImageResult(occlusion, { image: { pixelValues }, sideBySide: true, scale: 1 });
    const [original, overlay] = canvases(root).map(read);
    expect(bytes(original!)).toEqual(bytes(IMAGE));
    expect(bytes(overlay!)).toEqual(bytes(overlayPixels(IMAGE, normalizeAttr(spread, 'all', 10))));
  });

  it('resizes a decoded image of another size to the map', () => {
    const big = new ImageData(8, 8);
    for (let i = 0; i < 64; i++) big.data.set([10, 20, 30, 255], 4 * i);
    const [original] = canvases(renderImageResult(fake(MAP), { image: big, mode: 'heatmap', sideBySide: true, scale: 1 })).map(read);
    expect([original!.width, original!.height]).toEqual([4, 4]);
    expect(bytes(original!)).toEqual(Array.from({ length: 16 }, () => [10, 20, 30, 255]).flat());
  });

  it('refuses what it cannot draw', () => {
    expect(() => renderImageResult(fake(MAP))).toThrow(/needs the image/);
    expect(() => renderImageResult(fake(MAP), { mode: 'heatmap', sideBySide: true })).toThrow(/needs the image/);
    expect(() => renderImageResult(fake(MAP), { mode: 'contour' as never })).toThrow(/expected one of/);
    expect(() => renderImageResult(fake(MAP), { mode: 'heatmap', outlierThreshold: -1 })).toThrow(/fraction/);
    expect(() => renderImageResult(fake(MAP), { mode: 'heatmap', sign: 'both' as never })).toThrow(/sign "both"/);
  });
});

describe('renderImageResult on a real result: vit-fashion-tiny, integrated gradients on the refs pixel values (cpu)', () => {
  const BASE = '/test/fixtures/models';
  let result: ImageClassificationResult;
  let pixelValues: number[][][];
  let predictedLabel: string;
  beforeAll(async () => {
    env.allowLocalModels = true;
    env.allowRemoteModels = false;
    const refs = await (await fetch(`${BASE}/vit-fashion-tiny/refs.json`)).json();
    const inp = refs.inputs.find((i: { id: string }) => i.id === 'chelsea');
    pixelValues = inp.pixel_values;
    predictedLabel = inp.predicted_label;
    const explainer = await ImageClassificationExplainer.fromPretrained(`${BASE}/vit-fashion-tiny`, { device: 'cpu' });
    result = await explainer.explain({ pixelValues });
  });

  it('the refs pixel values are whole bytes once un-normalised', () => {
    expect(result.predicted.label).toBe(predictedLabel);
    const worst = Math.max(...pixelValues.flat(2).map((v) => Math.abs((v * 0.5 + 0.5) * 255 - Math.round((v * 0.5 + 0.5) * 255))));
    expect(worst).toBeLessThan(1e-3);
  });

  it('renders all four modes side by side, scaled as Captum scales them', () => {
    const map = result.map.flat();
    const figures = Object.fromEntries(
      (['heatmap', 'overlay', 'masked_image', 'alpha_scaling'] as const).map((mode) => {
        const root = renderImageResult(result, { image: { pixelValues }, mode, sideBySide: true });
        document.body.append(root);
        expect({ ...root.dataset }).toMatchObject({ method: 'integrated-gradients', kind: 'image', mode });
        expect(root.dataset.model).toContain('vit-fashion-tiny');
        expect(root.querySelector('figcaption')!.textContent).toContain(`Prediction: ${predictedLabel}`);
        const pair = canvases(root);
        expect(pair.map((c) => [c.width, c.height])).toEqual([
          [256, 256],
          [256, 256],
        ]);
        expect(bytes(read(pair[0]!))).toEqual(bytes(scalePixels(unnormalizePixels(pixelValues), 8)));
        return [mode, { root, threshold: Number(root.querySelector('.gbv-legend')!.getAttribute('data-scale')), pixels: read(pair[1]!) }];
      }),
    );
    // the pixel (x, y) of the 32×32 map, read at the middle of its 8×8 block
    const at = (p: Pixels, i: number) =>
      Array.from(
        p.data.subarray(
          4 * ((8 * Math.floor(i / 32) + 4) * 256 + 8 * (i % 32) + 4),
          4 * ((8 * Math.floor(i / 32) + 4) * 256 + 8 * (i % 32) + 4) + 4,
        ),
      );

    // heatmap, sign all, outlier_perc 10: Captum's threshold t leaves < 90% of Σ|map| below it and reaches 90% with it
    const t = figures.heatmap!.threshold;
    const total = map.reduce((s, v) => s + Math.abs(v), 0);
    const below = map.reduce((s, v) => s + (Math.abs(v) < t ? Math.abs(v) : 0), 0);
    expect(below).toBeLessThan(0.9 * total);
    expect(below + t).toBeGreaterThanOrEqual(0.9 * total * (1 - 1e-12));
    const saturated = map.flatMap((v, i) => (Math.abs(v) >= t ? [i] : []));
    expect(saturated.length).toBeGreaterThan(0);
    for (const i of saturated) expect(at(figures.heatmap!.pixels, i)).toEqual([...colourAt(Math.sign(map[i]!)), 255]);

    // overlay: half the heat map over matplotlib's autoscaled greyscale copy of the image
    const image = unnormalizePixels(pixelValues);
    const mean = Array.from({ length: 1024 }, (_, i) => (image.data[4 * i]! + image.data[4 * i + 1]! + image.data[4 * i + 2]!) / 3);
    const [lo, hi] = [Math.min(...mean), Math.max(...mean)];
    for (let i = 0; i < 1024; i++) {
      const grey = Math.min(255, Math.floor((256 * (mean[i]! - lo)) / (hi - lo)));
      const heat = at(figures.heatmap!.pixels, i);
      expect(at(figures.overlay!.pixels, i)).toEqual([0, 1, 2].map((c) => Math.round((heat[c]! + grey) / 2)).concat(255));
    }

    // masked_image and alpha_scaling show the positive attributions: black / transparent where the map is ≤ 0, the image where it saturates
    expect([figures.masked_image!.root.dataset.sign, figures.alpha_scaling!.root.dataset.sign]).toEqual(['positive', 'positive']);
    const tp = figures.masked_image!.threshold;
    expect(figures.alpha_scaling!.threshold).toBe(tp);
    expect(tp).toBeGreaterThan(0);
    for (let i = 0; i < 1024; i++) {
      const original = Array.from(image.data.subarray(4 * i, 4 * i + 4));
      const masked = at(figures.masked_image!.pixels, i);
      const alpha = at(figures.alpha_scaling!.pixels, i)[3];
      if (map[i]! <= 0) {
        expect(masked).toEqual([0, 0, 0, 255]);
        expect(alpha).toBe(0);
      } else if (map[i]! >= tp) {
        expect(masked).toEqual(original);
        expect(alpha).toBe(255);
      } else {
        expect(alpha).toBe(Math.trunc(255 * (map[i]! / tp)));
      }
    }
    for (const f of Object.values(figures)) f.root.remove();
  });
});
