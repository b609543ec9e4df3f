import { beforeAll, describe, expect, it } from 'vitest';
import { ImageClassificationExplainer, env, loadInWorker } from '@glassbox/core';
import type { Json } from './expectClose.ts';
import {
  ANKLE_BOOT_SCORE,
  type Where,
  expectPixelValuesArePillows,
  expectPngDecodingIsPillows,
  expectResizeIsPillows,
  pilPixelValues,
} from './image-preprocess-checks.ts';

/**
 * The Node checks of image-preprocess.test.ts in Chromium, on the same files fetched by URL:
 * decoded PNGs and resized bytes equal Pillow's, pixel_values within 1e-6 of Pillow + NumPy's
 * (so within 2e-6 of Node's), and ankle-boot-0.png scores what the CLI prints, on the page (cpu
 * and webgpu) and in a worker.
 */
const IMAGES = '/test/fixtures/images';
const MODEL = '/test/fixtures/models/vit-fashion-tiny';
const ANKLE_BOOT = '/models/samples/ankle-boot-0.png';
const where: Where = {
  file: (name) => (name === 'ankle-boot-0.png' ? ANKLE_BOOT : `${IMAGES}/${name}`),
  processor: (name) => (name === 'vit-fashion-tiny' ? MODEL : `${IMAGES}/processors/${name}`),
};
let refs: Json;

beforeAll(async () => {
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
  refs = await (await fetch(`${IMAGES}/pil-refs.json`)).json();
});

describe('image preprocessing in Chromium = Pillow', () => {
  it('PNG decoding: every colour type and bit depth, interlaced, several IDATs, gAMA ignored', async () => {
    expect(await expectPngDecodingIsPillows(refs, where)).toBeGreaterThanOrEqual(15);
  });

  it('resize: every PIL filter, up (ankle boot 28 → 32), down (chelsea 451×300 → 32), mixed and one-pass sizes, byte for byte', async () => {
    expect(await expectResizeIsPillows(refs, where)).toBeGreaterThanOrEqual(42);
  });

  it('pixel_values: ViT (the fixture), DeiT, ConvNeXT crop_pct, BiT, MobileViT, center crop with padding', async () => {
    const worst = await expectPixelValuesArePillows(refs, where);
    console.log(`chromium pixel_values max |Δ| from Pillow + NumPy: ${worst}`);
  });
});

describe.each(['cpu', 'webgpu'] as const)('ankle-boot-0.png on %s scores what the CLI prints', (device) => {
  it('an image URL, the PIL pixel values and a worker give the CLI score', async () => {
    const explainer = await ImageClassificationExplainer.fromPretrained(MODEL, { device });
    const fromUrl = await explainer.explain(ANKLE_BOOT, { method: 'saliency' });
    const fromPil = await explainer.explain(
      { pixelValues: pilPixelValues(refs, 'ankle-boot-0.png', 'vit-fashion-tiny') },
      { method: 'saliency' },
    );
    const worker = await loadInWorker('image-classification', MODEL, { device });
    try {
      const inWorker = await worker.explain(new URL(ANKLE_BOOT, location.href).href, { method: 'saliency' });
      console.log(
        `${device}: ankle-boot-0.png scores ${fromUrl.predicted.score} (URL), ${inWorker.predicted.score} (worker); the CLI ${ANKLE_BOOT_SCORE}`,
      );
      for (const r of [fromUrl, fromPil, inWorker]) {
        expect(r.predicted.label).toBe('Ankle boot');
        expect(Math.abs(r.predicted.score - ANKLE_BOOT_SCORE)).toBeLessThan(1e-5);
      }
    } finally {
      await worker.dispose();
      await explainer.dispose();
    }
  });
});
