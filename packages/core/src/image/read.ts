/**
 * Reading an image file into 8-bit pixels, the same in Node and in the browser for PNG: its bytes
 * (a path in Node, else a URL fetched; or a Blob or bytes given), decoded by Glassbox's own PNG
 * decoder. Other formats (JPEG, WebP, GIF, ...) are decoded by the platform: sharp in Node, the
 * browser's decoder without colour conversion or premultiplied alpha elsewhere; lossy formats can
 * differ by a level or two between decoders.
 */
import { RawImage } from '@huggingface/transformers';
import { readBytes } from '../readBytes.ts';
import { decodePng, isPng } from './png.ts';
import type { Pixels8 } from './pixels.ts';

/** An image file: a path (Node) or URL, a Blob (a browser File), or its bytes. */
export type ImageFile = string | URL | Blob | ArrayBuffer | Uint8Array;

export const isImageFile = (x: unknown): x is ImageFile =>
  typeof x === 'string' || x instanceof URL || x instanceof Blob || x instanceof ArrayBuffer || x instanceof Uint8Array;

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

async function bytesOf(file: ImageFile): Promise<Uint8Array> {
  if (file instanceof Uint8Array) return file;
  if (file instanceof ArrayBuffer) return new Uint8Array(file);
  if (file instanceof Blob) return new Uint8Array(await file.arrayBuffer());
  return readBytes(file);
}

async function decodeInBrowser(bytes: Uint8Array): Promise<Pixels8> {
  const bitmap = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>]), {
    colorSpaceConversion: 'none',
    premultiplyAlpha: 'none',
  });
  const { width, height } = bitmap;
  const ctx = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  return { data: ctx.getImageData(0, 0, width, height).data, width, height, channels: 4 };
}

/** The decoded pixels of an image file (see the module comment). */
export async function readImage(file: ImageFile): Promise<Pixels8> {
  const bytes = await bytesOf(file);
  if (isPng(bytes)) return decodePng(bytes);
  if (!isNode) return decodeInBrowser(bytes);
  const { data, width, height, channels } = await RawImage.fromBlob(new Blob([bytes as Uint8Array<ArrayBuffer>]));
  return { data, width, height, channels };
}
