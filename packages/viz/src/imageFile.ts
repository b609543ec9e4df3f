/**
 * Image results as files without a DOM (Node, workers): the attribution map in one or all of
 * the four modes, and the original image beside it, as one PNG (`imagePNG`) or as the figure
 * toHTML writes (`imageFigureView`, its panels as PNG data: images). The pixels are those of
 * imageMaps.ts (Captum's scaling), enlarged by nearest neighbour, encoded by fast-png (pure
 * JS). Takes the library's ImageClassificationResult or the CLI's printed object (no
 * `attribution`: the map's pixel size is then the image's, else the map's own).
 */
import { type HostTensor, type ImageClassificationResult, InvalidInputError, type NestedPixels } from '@glassbox/core';
import { encode } from 'fast-png';
import { type Child, type VNode, h } from './dom.ts';
import {
  IMAGE_MAP_MODES,
  type ImageMapMode,
  type ImageSign,
  type NormalizedMap,
  type Pixels,
  imageMapPixels,
  scalePixels,
  unnormalizePixels,
  upsampleNearest,
} from './imageMaps.ts';
import { imageLegendView } from './imageResult.ts';
import { type MetaOptions, resultAttrs } from './meta.ts';
import { CSS } from './styles.ts';

/** One of the four modes, or 'all': the four side by side (heatmap, overlay, masked_image, alpha_scaling). */
export type ImageFileMode = ImageMapMode | 'all';
export const IMAGE_FILE_MODES: readonly ImageFileMode[] = [...IMAGE_MAP_MODES, 'all'];

/** What imagePNG and imageFigureView read of a result: the library's, or the CLI's printed object. */
export type ImageResultLike = Pick<ImageClassificationResult, 'map' | 'predicted' | 'target'> &
  Partial<Pick<ImageClassificationResult, 'attribution' | 'method' | 'model' | 'output'>>;

export interface ImageFileOptions extends MetaOptions {
  /**
   * The image behind the map, at the map's pixel size: RGBA pixels, or the model's
   * pixel_values with the processor's image_mean / image_std. Needed by every mode but
   * 'heatmap', and by sideBySide.
   */
  image?: Pixels | { pixelValues: HostTensor | NestedPixels; mean?: number | readonly number[]; std?: number | readonly number[] };
  /** Default 'overlay' with an image, 'heatmap' without. */
  mode?: ImageFileMode;
  /** The original image first, left of the map(s). Default false. */
  sideBySide?: boolean;
  /** As renderImageResult: fraction of the total |attribution| saturated. Default 0.1. */
  outlierThreshold?: number;
  /** As renderImageResult. Default 'all' ('positive' in masked_image and alpha_scaling). */
  sign?: ImageSign;
  /** Integer enlargement. Default ⌊256 / max(H, W)⌋, at least 1. */
  scale?: number;
  /** Overlay opacity (default 0.5). */
  alphaOverlay?: number;
}

/** One drawn panel: its name ('original' or the mode), title, pixels (enlarged) and the map's normalisation. */
export interface ImagePanel {
  name: 'original' | ImageMapMode;
  title: string;
  pixels: Pixels;
  normalized?: NormalizedMap;
}

const TITLES: Record<ImageMapMode, string> = {
  heatmap: 'Heatmap',
  overlay: 'Heatmap overlay',
  masked_image: 'Masked image',
  alpha_scaling: 'Alpha scaled',
};
/** Transparent pixels between panels in imagePNG. */
export const PANEL_GAP = 12;

function imagePixels(image: NonNullable<ImageFileOptions['image']>): Pixels {
  if ('pixelValues' in image) return unnormalizePixels(image.pixelValues, image.mean, image.std);
  if (image.data.length !== image.width * image.height * 4)
    throw new InvalidInputError('image data must be RGBA, 4 bytes per pixel', 'bad_image');
  return { data: Uint8ClampedArray.from(image.data), width: image.width, height: image.height };
}

/** The map's pixel size: the attribution's [.., H, W], else the image's, else the map's own. */
function mapSize(result: ImageResultLike, image: Pixels | undefined): { height: number; width: number } {
  const shape = result.attribution?.shape;
  if (shape && shape.length >= 2) return { height: shape[shape.length - 2]!, width: shape[shape.length - 1]! };
  if (image) return { height: image.height, width: image.width };
  return { height: result.map.length, width: result.map[0]?.length ?? 0 };
}

/** The panels imagePNG and imageFigureView draw, left to right: the original (sideBySide), then the map in each mode. */
export function imagePanels(
  result: ImageResultLike,
  options: ImageFileOptions = {},
): { panels: ImagePanel[]; modes: ImageMapMode[]; outlierPerc: number; scale: number } {
  if (!result || !Array.isArray(result.map)) throw new InvalidInputError('an image result has a map: [H][W] numbers', 'bad_map');
  const mode = options.mode ?? (options.image ? 'overlay' : 'heatmap');
  if (!IMAGE_FILE_MODES.includes(mode))
    throw new InvalidInputError(`mode "${mode as string}": expected one of ${IMAGE_FILE_MODES.join(', ')}`, 'invalid_option');
  const modes = mode === 'all' ? [...IMAGE_MAP_MODES] : [mode];
  const outlierThreshold = options.outlierThreshold ?? 0.1;
  if (!(outlierThreshold >= 0))
    throw new InvalidInputError(`outlierThreshold ${outlierThreshold}: must be a fraction ≥ 0 (0.1 = 10%)`, 'invalid_option');
  const outlierPerc = Math.min(outlierThreshold * 100, 100);
  const needsImage = options.sideBySide || modes.some((m) => m !== 'heatmap');
  if (needsImage && !options.image)
    throw new InvalidInputError(
      `${options.sideBySide ? 'sideBySide' : `mode "${mode}"`} needs the image: pass options.image (RGBA pixels, or { pixelValues, mean, std })`,
      'bad_image',
    );
  const image = options.image && imagePixels(options.image);
  const { height, width } = mapSize(result, image);
  if (image && (image.width !== width || image.height !== height))
    throw new InvalidInputError(`image is ${image.width}×${image.height}, the attribution ${width}×${height}`, 'bad_image');
  const map = result.map.length === height && result.map[0]?.length === width ? result.map : upsampleNearest(result.map, height, width);
  const scale = options.scale ?? Math.max(1, Math.floor(256 / Math.max(height, width)));
  const panels: ImagePanel[] = [];
  if (options.sideBySide) panels.push({ name: 'original', title: 'Original image', pixels: scalePixels(image!, scale) });
  for (const m of modes) {
    let sign = options.sign ?? 'all';
    if (sign === 'all' && (m === 'masked_image' || m === 'alpha_scaling')) sign = 'positive';
    const { pixels, normalized } = imageMapPixels(m, map, image, { sign, outlierPerc, alphaOverlay: options.alphaOverlay });
    panels.push({
      name: m,
      title: `${TITLES[m]}${result.method === undefined ? '' : ` (${result.method})`}`,
      pixels: scalePixels(pixels, scale),
      normalized,
    });
  }
  return { panels, modes, outlierPerc, scale };
}

/** Pixels as PNG bytes (RGBA, 8 bits). */
export function pixelsPNG(p: Pixels): Uint8Array {
  return encode({
    width: p.width,
    height: p.height,
    data: new Uint8Array(p.data.buffer, p.data.byteOffset, p.data.byteLength),
    channels: 4,
    depth: 8,
  });
}

/**
 * The panels of imagePanels side by side in one PNG (top-aligned, PANEL_GAP transparent
 * pixels between them): the map in `mode` ('all': the four modes), after the original image
 * with sideBySide. Works anywhere (no canvas).
 */
export function imagePNG(result: ImageResultLike, options: ImageFileOptions = {}): Uint8Array {
  const { panels } = imagePanels(result, options);
  const width = panels.reduce((w, p) => w + p.pixels.width, 0) + PANEL_GAP * (panels.length - 1);
  const height = Math.max(...panels.map((p) => p.pixels.height));
  const out = new Uint8ClampedArray(width * height * 4);
  let x0 = 0;
  for (const { pixels } of panels) {
    for (let y = 0; y < pixels.height; y++)
      out.set(pixels.data.subarray(4 * y * pixels.width, 4 * (y + 1) * pixels.width), 4 * (y * width + x0));
    x0 += pixels.width + PANEL_GAP;
  }
  return pixelsPNG({ data: out, width, height });
}

/** Bytes as base64, without Buffer (browsers and workers too). */
function base64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/**
 * The figure renderImageResult draws, as a tree with every panel a PNG <img> (data: URL), for
 * toHTML without a DOM. With mode 'all' each map panel has its own legend.
 */
export function imageFigureView(result: ImageResultLike, options: ImageFileOptions = {}): VNode {
  const { panels, modes, outlierPerc } = imagePanels(result, options);
  const legendOf = (p: ImagePanel) => p.normalized && imageLegendView(p.name as ImageMapMode, p.normalized);
  const panelView = (p: ImagePanel) =>
    h(
      'div',
      {
        class: 'gbv-image-panel',
        'data-panel': p.name === 'original' ? 'original' : 'attribution',
        'data-mode': p.name === 'original' ? undefined : p.name,
        style: { display: 'flex', 'flex-direction': 'column', gap: '4px' },
      },
      h('img', {
        src: `data:image/png;base64,${base64(pixelsPNG(p.pixels))}`,
        width: p.pixels.width,
        height: p.pixels.height,
        alt: p.title,
      }),
      h('span', { class: 'gbv-image-title' }, p.title),
      modes.length > 1 && legendOf(p),
    );
  const { predicted, target } = result;
  const caption: Child[] = [
    h(
      'span',
      { 'data-field': 'predicted' },
      `Prediction: ${predicted.label}${typeof predicted.score === 'number' ? ` (${predicted.score.toFixed(3)})` : ''}`,
    ),
    ' · ',
    h('span', { 'data-field': 'target' }, `Target: ${target.label}`),
    result.method !== undefined && ' · ',
    result.method !== undefined && h('span', { 'data-field': 'method' }, `Method: ${result.method}`),
  ];
  const maps = panels.filter((p) => p.normalized);
  return h(
    'figure',
    {
      class: 'gbv gbv-image',
      ...resultAttrs(result, 'image', options),
      'data-mode': modes.length > 1 ? 'all' : modes[0],
      'data-sign': modes.length > 1 ? undefined : maps[0]!.normalized!.sign,
      'data-outlier-perc': outlierPerc,
      style: { display: 'inline-flex', 'flex-direction': 'column', gap: '8px', margin: '0' },
    },
    h('style', {}, CSS),
    h(
      'div',
      { class: 'gbv-image-panels', style: { display: 'flex', gap: '12px', 'align-items': 'flex-start', 'flex-wrap': 'wrap' } },
      ...panels.map(panelView),
    ),
    modes.length === 1 && legendOf(maps[0]!),
    h('figcaption', { class: 'gbv-meta' }, ...caption),
  );
}
