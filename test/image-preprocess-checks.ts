import { expect } from 'vitest';
import { type ImageFile, type Pixels8, readImage } from '@glassbox/core';
import { resizeImage } from '../packages/core/src/image/resize.ts';
import { loadImageProcessor, preprocessImage } from '../packages/core/src/model/imageModel.ts';
import type { Json } from './expectClose.ts';

/**
 * Glassbox's image reading and preprocessing against Pillow (test/fixtures/images/pil-refs.json,
 * written by scripts/make_pil_image_refs.py): decoded PNGs and resized pixels byte for byte,
 * pixel_values to 1e-6. Shared by the Node test and the Chromium test, which pass where the files
 * are (paths or URLs): the same numbers in both.
 */
export interface Where {
  /** An image file named as in pil-refs.json ('png/rgb8.png', 'chelsea.png', 'ankle-boot-0.png'). */
  file: (name: string) => ImageFile;
  /** A folder holding a preprocessor_config.json: 'vit-fashion-tiny' or a name under images/processors. */
  processor: (name: string) => string;
}

/** pixel_values may differ from NumPy's float32 arithmetic by a rounding or two (values within ±3). */
export const PIXEL_TOLERANCE = 1e-6;

const bytes = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
const floats = (b64: string) => new Float32Array(bytes(b64).buffer);

/** Count of values that differ, and the first one. */
function mismatches(actual: ArrayLike<number>, expected: ArrayLike<number>): { count: number; first?: string } {
  let count = 0;
  let first: string | undefined;
  for (let i = 0; i < expected.length; i++) {
    if (actual[i] !== expected[i]) {
      count++;
      first ??= `[${i}] ${actual[i]} ≠ ${expected[i]}`;
    }
  }
  return { count, first };
}

/** Pillow's convert('RGB') of decoded pixels (grey repeated, alpha dropped). */
function rgbOf({ data, width, height, channels }: Pixels8): Pixels8 {
  const rgb = Uint8Array.from({ length: width * height * 3 }, (_, i) => data[Math.floor(i / 3) * channels + (channels === 1 ? 0 : i % 3)]!);
  return { data: rgb, width, height, channels: 3 };
}

/** What the script resizes: a greyscale file as Pillow's mode L, any other as RGB. */
const asPillowMode = (p: Pixels8): Pixels8 => (p.channels === 1 ? p : rgbOf(p));

export async function expectPngDecodingIsPillows(refs: Json, where: Where): Promise<number> {
  for (const c of refs.decode as Json[]) {
    const rgb = rgbOf(await readImage(where.file(c.file)));
    expect([rgb.width, rgb.height], c.file).toEqual([c.width, c.height]);
    expect(mismatches(rgb.data, bytes(c.rgb)), `${c.file}: decoded RGB values ≠ Pillow's`).toEqual({ count: 0 });
  }
  return refs.decode.length;
}

export async function expectResizeIsPillows(refs: Json, where: Where): Promise<number> {
  const sources = new Map<string, Pixels8>();
  for (const c of refs.resize as Json[]) {
    if (!sources.has(c.file)) sources.set(c.file, asPillowMode(await readImage(where.file(c.file))));
    const out = resizeImage(sources.get(c.file)!, c.width, c.height, c.resample);
    const what = `${c.file} → ${c.width}×${c.height}, resample ${c.resample}`;
    expect([out.width, out.height], what).toEqual([c.width, c.height]);
    expect(mismatches(out.data, bytes(c.out)), `${what}: values ≠ Pillow's`).toEqual({ count: 0 });
  }
  return refs.resize.length;
}

/** Runs every pipeline case; returns the largest |Δ| from Pillow + NumPy's pixel_values. */
export async function expectPixelValuesArePillows(refs: Json, where: Where): Promise<number> {
  let worst = 0;
  for (const c of refs.pipeline as Json[]) {
    const processor = await loadImageProcessor(where.processor(c.processor));
    const px = await preprocessImage(processor, where.file(c.file));
    const what = `${c.file} through ${c.processor}`;
    expect(px.shape, what).toEqual([1, ...c.shape]);
    const ref = floats(c.pixel_values);
    const diff = ref.reduce((m, v, i) => Math.max(m, Math.abs(px.data[i]! - v)), 0);
    expect(diff, `${what}: max |Δ| from Pillow's pixel_values`).toBeLessThanOrEqual(PIXEL_TOLERANCE);
    worst = Math.max(worst, diff);
  }
  return worst;
}

/** The PIL pixel_values of a pipeline case, [3][H][W]. */
export function pilPixelValues(refs: Json, file: string, processor: string): number[][][] {
  const c = (refs.pipeline as Json[]).find((p) => p.file === file && p.processor === processor)!;
  const [ch, h, w] = c.shape as number[];
  const data = floats(c.pixel_values);
  return Array.from({ length: ch! }, (_, k) =>
    Array.from({ length: h! }, (_, y) => Array.from(data.subarray((k * h! + y) * w!, (k * h! + y + 1) * w!))),
  );
}

/**
 * vit-fashion-tiny's probability of "Ankle boot" for models/samples/ankle-boot-0.png, as the CLI
 * prints it in Node (`glassbox explain --task image-classification`, cpu) and the Chromium test
 * computes it: one number for both (to 1e-5).
 */
export const ANKLE_BOOT_SCORE = 0.9230007573697107;
