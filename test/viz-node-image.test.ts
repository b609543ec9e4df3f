import { join } from 'node:path';
import { ImageClassificationExplainer, type ImageClassificationResult } from '@glassbox/core';
import { IMAGE_MAP_MODES, imageMapPixels, imagePNG, imagePanels, scalePixels, toHTML, toPNG, unnormalizePixels } from '@glassbox/viz';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, useLocalFixtures } from './helpers.ts';

/** @glassbox/viz's image files in Node (no DOM, no canvas): toHTML, toPNG and imagePNG of a library result, decoded by pngjs. */
const IMAGE = join(FIXTURES, 'images', 'chelsea.png');
const decode = (bytes: Uint8Array) => PNG.sync.read(Buffer.from(bytes));
const same = (a: ArrayLike<number>, b: ArrayLike<number>) => Buffer.from(Uint8Array.from(a)).equals(Buffer.from(Uint8Array.from(b)));

describe('image results in Node', () => {
  let result: ImageClassificationResult;
  let image: { pixelValues: Awaited<ReturnType<ImageClassificationExplainer['model']['preprocess']>>; mean: number; std: number };
  beforeAll(async () => {
    useLocalFixtures();
    const explainer = await ImageClassificationExplainer.fromPretrained('vit-fashion-tiny');
    result = await explainer.explain(IMAGE, { method: 'occlusion' }); // a [4][4] patch map, spread over 32×32 pixels
    image = { pixelValues: await explainer.model.preprocess(IMAGE), mean: 0.5, std: 0.5 };
  });

  it("imagePNG / toPNG: each mode's pixels as imageMaps computes them, enlarged 8×", async () => {
    expect(result.map).toHaveLength(4);
    const original = unnormalizePixels(image.pixelValues);
    for (const mode of IMAGE_MAP_MODES) {
      const png = decode(imagePNG(result, { image, mode }));
      const sign = mode === 'masked_image' || mode === 'alpha_scaling' ? 'positive' : 'all';
      const spread = Array.from({ length: 32 }, (_, y) => Array.from({ length: 32 }, (_, x) => result.map[y >> 3]![x >> 3]!));
      const expected = scalePixels(imageMapPixels(mode, spread, original, { sign, outlierPerc: 10 }).pixels, 8);
      expect([png.width, png.height], mode).toEqual([256, 256]);
      expect(same(png.data, expected.data), mode).toBe(true);
    }
    const blob = await toPNG(result, { mode: 'heatmap' });
    expect(blob.type).toBe('image/png');
    expect(same(decode(new Uint8Array(await blob.arrayBuffer())).data, decode(imagePNG(result, { mode: 'heatmap' })).data)).toBe(true);
  });

  it('toHTML: the figure with every panel as a PNG data: image, no script; mode all shows the four modes', () => {
    const html = toHTML(result, { image, mode: 'all', sideBySide: true });
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('data-kind="image"');
    const images = [...html.matchAll(/<img src="data:image\/png;base64,([^"]+)"/g)].map((m) => decode(Buffer.from(m[1]!, 'base64')));
    const { panels } = imagePanels(result, { image, mode: 'all', sideBySide: true });
    expect(images).toHaveLength(5);
    images.forEach((png, i) => expect(same(png.data, panels[i]!.pixels.data), panels[i]!.name).toBe(true));
    expect([...html.matchAll(/data-panel="attribution" data-mode="([a-z_]+)"/g)].map((m) => m[1])).toEqual([...IMAGE_MAP_MODES]);
    // one mode: as the browser's figure (data-mode, data-sign, one legend)
    const overlay = toHTML(result, { image, mode: 'overlay', sideBySide: true });
    expect(overlay).toContain('data-mode="overlay" data-sign="all"');
    expect(overlay.match(/data-view="legend"/g)).toHaveLength(1);
  });

  it("hostile labels, model and method in an image object (the CLI's shape) stay text", () => {
    const x = '<script>alert(1)</script>"\'&';
    const hostile = { map: result.map, predicted: { index: 0, label: x, score: 0.5 }, target: { index: 0, label: x }, model: x, method: x };
    for (const mode of ['heatmap', 'all'] as const) {
      const html = toHTML(hostile as never, { image, mode, sideBySide: true });
      expect(html).not.toMatch(/<script/i);
      expect(html).toContain('Target: &lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;');
      expect(html).toContain(`<title>Glassbox: &lt;script&gt;`);
    }
  });
});
