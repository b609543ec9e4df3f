import { describe, expect, it } from 'vitest';
import type { ImageClassificationResult } from '@glassbox/core';
import { renderImageResult } from './imageResult.ts';
import { toPNG } from './png.ts';

/** The PNG's pixels as the browser decodes them (no premultiplication, no colour conversion). */
async function decode(blob: Blob): Promise<{ width: number; height: number; data: number[] }> {
  const bitmap = await createImageBitmap(blob, { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
  const canvas = document.createElement('canvas');
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  const ctx = canvas.getContext('2d')!;
  ctx.drawImage(bitmap, 0, 0);
  return { width: bitmap.width, height: bitmap.height, data: Array.from(ctx.getImageData(0, 0, bitmap.width, bitmap.height).data) };
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function canvasWith(width: number, height: number, pixel: (i: number) => number[]): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set(pixel(i), 4 * i);
  canvas.getContext('2d')!.putImageData(new ImageData(data, width, height), 0, 0);
  return canvas;
}
const pixelsOf = (c: HTMLCanvasElement) => Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data);

describe('toPNG', () => {
  it("a canvas: a PNG blob whose decoded pixels are the canvas's", async () => {
    const canvas = canvasWith(7, 5, (i) => [(37 * i) % 256, (91 * i) % 256, (13 * i + 5) % 256, 255]);
    const blob = await toPNG(canvas);
    expect(blob.type).toBe('image/png');
    expect(Array.from(new Uint8Array(await blob.arrayBuffer()).subarray(0, 8))).toEqual(PNG_SIGNATURE);
    const png = await decode(blob);
    expect([png.width, png.height]).toEqual([7, 5]);
    expect(png.data).toEqual(pixelsOf(canvas));
  });

  it('an SVG chart, rasterised at its size', async () => {
    const NS = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(NS, 'svg');
    svg.setAttribute('width', '4');
    svg.setAttribute('height', '2');
    for (const [x, fill] of [
      [0, 'rgb(255, 0, 0)'],
      [2, 'rgb(0, 0, 255)'],
    ] as const) {
      const rect = document.createElementNS(NS, 'rect');
      for (const [k, v] of Object.entries({ x, y: 0, width: 2, height: 2, fill })) rect.setAttribute(k, String(v));
      svg.append(rect);
    }
    const text = document.createElementNS(NS, 'text');
    text.textContent = '<img src=x onerror="window.__pwned=1">'; // text, serialised escaped
    svg.append(text);
    const png = await decode(await toPNG(svg));
    expect([png.width, png.height]).toEqual([4, 2]);
    const at = (x: number, y: number) => png.data.slice(4 * (y * 4 + x), 4 * (y * 4 + x) + 4);
    expect([at(0, 0), at(1, 1), at(2, 0), at(3, 1)]).toEqual([
      [255, 0, 0, 255],
      [255, 0, 0, 255],
      [0, 0, 255, 255],
      [0, 0, 255, 255],
    ]);
    expect((window as { __pwned?: number }).__pwned).toBeUndefined();
  });

  it("an element: its first canvas, e.g. an image figure's map", async () => {
    const result = {
      model: 'm',
      method: 'saliency',
      predicted: { index: 0, label: 'a', score: 1 },
      target: { index: 0, label: 'a' },
      attribution: { values: new Float64Array(12), shape: [3, 2, 2] },
      map: [
        [0, 1],
        [2, 3],
      ],
    } as unknown as ImageClassificationResult;
    const figure = renderImageResult(result, { mode: 'heatmap', scale: 3 });
    const png = await decode(await toPNG(figure));
    expect([png.width, png.height]).toEqual([6, 6]);
    expect(png.data).toEqual(pixelsOf(figure.querySelector('canvas')!));
    await expect(toPNG(document.createElement('div'))).rejects.toThrow(/canvas, an svg/);
  });
});
