/**
 * PNG export of what the views draw: canvases as they are, SVG charts rasterised by the
 * browser (serialised, loaded into an Image, drawn on a canvas at their own size).
 */
import { InvalidInputError } from '@glassbox/core';
import { type CreateCanvas, benchmarkPNG } from './benchmarkPNG.ts';
import type { BenchmarkTable } from './benchmarkTable.ts';
import { type ImageFileOptions, type ImageResultLike, imagePNG } from './imageFile.ts';

/** An SVG's size in CSS pixels: its width/height attributes (plain numbers or px), else its layout box, else its viewBox. */
function svgSize(svg: SVGSVGElement): { width: number; height: number } {
  const attr = (name: string) => {
    const v = svg.getAttribute(name);
    return v !== null && /^\s*\d+(\.\d+)?(px)?\s*$/.test(v) ? parseFloat(v) : 0;
  };
  const rect = svg.getBoundingClientRect();
  const box = svg.viewBox.baseVal;
  const width = Math.round(attr('width') || rect.width || box?.width || 0);
  const height = Math.round(attr('height') || rect.height || box?.height || 0);
  if (!width || !height)
    throw new InvalidInputError('toPNG: the svg has no size (give it width and height, a viewBox, or put it in the page)', 'bad_element');
  return { width, height };
}

/**
 * The SVG drawn on a canvas of its size. Styles must be in the SVG itself (attributes or
 * inline style): the page's stylesheets do not apply to the serialised copy.
 */
export async function svgToCanvas(svg: SVGSVGElement): Promise<HTMLCanvasElement> {
  const { width, height } = svgSize(svg);
  const clone = svg.cloneNode(true) as SVGSVGElement;
  clone.setAttribute('width', String(width));
  clone.setAttribute('height', String(height));
  const url = URL.createObjectURL(new Blob([new XMLSerializer().serializeToString(clone)], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    canvas.getContext('2d')!.drawImage(img, 0, 0, width, height);
    return canvas;
  } finally {
    URL.revokeObjectURL(url);
  }
}

/**
 * A PNG of a canvas, of an SVG chart, or of the first canvas or svg (document order) inside
 * an element: for a side-by-side image figure, that is the original image; pass
 * `figure.querySelector('[data-panel="attribution"] canvas')` for the map. Given an image
 * result instead (the library's or the CLI's printed object), it needs no DOM: the PNG of
 * imagePNG(result, options) (in Node, `imagePNG` gives the bytes directly). A benchmark result
 * gives its table's PNG (benchmarkPNG; in Node pass `createCanvas`, e.g. @napi-rs/canvas's).
 */
export async function toPNG(
  element: HTMLCanvasElement | SVGSVGElement | Element | ImageResultLike | BenchmarkTable,
  options: ImageFileOptions & { createCanvas?: CreateCanvas } = {},
): Promise<Blob> {
  // An image result (no DOM needed: Node too): imagePNG's bytes, the map in options.mode ('all': the four modes).
  // A benchmark result: its table (benchmarkPNG; outside a page on options.createCanvas, e.g. @napi-rs/canvas's).
  if (typeof Element === 'undefined' || !(element instanceof Element)) {
    const bytes = 'methods' in element ? benchmarkPNG(element, options.createCanvas) : imagePNG(element as ImageResultLike, options);
    return new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'image/png' });
  }
  const target = element instanceof HTMLCanvasElement || element instanceof SVGSVGElement ? element : element.querySelector('canvas, svg');
  if (!target) throw new InvalidInputError('toPNG: expected a canvas, an svg, or an element holding one', 'bad_element');
  const canvas = target instanceof SVGSVGElement ? await svgToCanvas(target) : (target as HTMLCanvasElement);
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('toPNG: the canvas could not be encoded'))), 'image/png'),
  );
}
