import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImageClassificationExplainer, InvalidInputError, readImage } from '@glassbox/core';
import { glassbox } from './cliRunner.ts';
import { FIXTURES, MODELS, readJson } from './helpers.ts';
import {
  ANKLE_BOOT_SCORE,
  type Where,
  expectPixelValuesArePillows,
  expectPngDecodingIsPillows,
  expectResizeIsPillows,
  pilPixelValues,
} from './image-preprocess-checks.ts';

/**
 * Image files read and preprocessed in Node as Pillow and transformers do in Python (decoded PNG
 * and resized bytes exact, pixel_values to 1e-6); image-preprocess.browser.test.ts runs the same
 * checks in Chromium.
 */
const IMAGES = join(FIXTURES, 'images');
const ANKLE_BOOT = join(FIXTURES, '..', '..', 'models', 'samples', 'ankle-boot-0.png');
const refs = readJson(join(IMAGES, 'pil-refs.json'));
const where: Where = {
  file: (name) => (name === 'ankle-boot-0.png' ? ANKLE_BOOT : join(IMAGES, name)),
  processor: (name) => (name === 'vit-fashion-tiny' ? join(MODELS, name) : join(IMAGES, 'processors', name)),
};

describe('image preprocessing in Node = Pillow', () => {
  it('PNG decoding: every colour type and bit depth, interlaced, several IDATs, gAMA ignored', async () => {
    expect(await expectPngDecodingIsPillows(refs, where)).toBeGreaterThanOrEqual(15);
  });

  it('resize: every PIL filter, up (ankle boot 28 → 32), down (chelsea 451×300 → 32), mixed and one-pass sizes, byte for byte', async () => {
    expect(await expectResizeIsPillows(refs, where)).toBeGreaterThanOrEqual(42);
  });

  it('pixel_values: ViT (the fixture), DeiT, ConvNeXT crop_pct, BiT, MobileViT, center crop with padding', async () => {
    const worst = await expectPixelValuesArePillows(refs, where);
    console.log(`pixel_values max |Δ| from Pillow + NumPy: ${worst}`);
  });

  it('a file path, its bytes, a Blob and a file: URL decode alike; a broken PNG is bad_image', async () => {
    const bytes = new Uint8Array(readFileSync(ANKLE_BOOT));
    const fromPath = await readImage(ANKLE_BOOT);
    expect(fromPath).toMatchObject({ width: 28, height: 28, channels: 1 });
    for (const other of [bytes, new Blob([bytes]), new URL(`file://${ANKLE_BOOT}`)])
      expect((await readImage(other)).data).toEqual(fromPath.data);
    const explainer = await ImageClassificationExplainer.fromPretrained(join(MODELS, 'vit-fashion-tiny'));
    const truncated = bytes.subarray(0, bytes.length - 40);
    await expect(explainer.model.preprocess(truncated)).rejects.toThrow(InvalidInputError);
    await expect(explainer.model.preprocess(truncated)).rejects.toThrow(/could not read image \(Uint8Array\)/);
  });
});

describe('ankle-boot-0.png: the CLI scores the PIL pixel values', () => {
  let explainer: ImageClassificationExplainer;
  beforeAll(async () => {
    explainer = await ImageClassificationExplainer.fromPretrained(join(MODELS, 'vit-fashion-tiny'));
  });

  it('the CLI, a path and the PIL pixel_values give one score', async () => {
    const pixelValues = pilPixelValues(refs, 'ankle-boot-0.png', 'vit-fashion-tiny');
    const fromPil = await explainer.explain({ pixelValues }, { method: 'saliency' });
    const fromFile = await explainer.explain(ANKLE_BOOT, { method: 'saliency' });
    const { code, stdout, stderr } = await glassbox([
      '--model',
      join(MODELS, 'vit-fashion-tiny'),
      '--task',
      'image-classification',
      '--image',
      ANKLE_BOOT,
      '--method',
      'saliency',
    ]);
    expect(code, stderr).toBe(0);
    const cli = JSON.parse(stdout);
    expect(cli.predicted.label).toBe('Ankle boot');
    for (const score of [fromFile.predicted.score, cli.predicted.score])
      expect(Math.abs(score - fromPil.predicted.score)).toBeLessThan(1e-5);
    expect(Math.abs(cli.predicted.score - ANKLE_BOOT_SCORE)).toBeLessThan(1e-5);
  });
});
