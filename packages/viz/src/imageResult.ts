/**
 * An image classification result as a figure: the attribution drawn on canvas in one of
 * transformers-interpret's four visualization methods, optionally next to the original image,
 * with a colour legend and a caption. Defaults are transformers-interpret 0.10.0's
 * `ImageClassificationExplainer.visualize`: method 'overlay', sign 'all', outlier_threshold 0.1
 * (Captum outlier_perc 10), side_by_side false. Labels are written as text nodes.
 */
import { type HostTensor, type ImageClassificationResult, InvalidInputError, type NestedPixels } from '@glassbox/core';
import { css } from './colormap.ts';
import { type Child, type VNode, h, toElement } from './dom.ts';
import { formatAttribution } from './format.ts';
import { legendView } from './legend.ts';
import { type MetaOptions, resultAttrs } from './meta.ts';
import { CSS } from './styles.ts';
import {
  IMAGE_MAP_MODES,
  type ImageMapMode,
  type ImageSign,
  type NormalizedMap,
  type Pixels,
  imageMapPixels,
  scalePixels,
  signColor,
  unnormalizePixels,
  upsampleNearest,
} from './imageMaps.ts';

/** The image behind the map: decoded pixels (RGBA, resized to the map's size if needed), or the model's pixel_values with the processor's mean/std. */
export type ImageSource =
  | ImageData
  | Pixels
  | { pixelValues: HostTensor | NestedPixels; mean?: number | readonly number[]; std?: number | readonly number[] };

export interface RenderImageOptions extends MetaOptions {
  /** Needed by every mode but 'heatmap', and by sideBySide. */
  image?: ImageSource;
  /** Default 'overlay' (transformers-interpret's): the heat map at half opacity over a greyscale copy of the image. */
  mode?: ImageMapMode;
  /**
   * transformers-interpret's side_by_side: one row of two panels, the original image on the
   * left and the map on the right (Captum's visualize_image_attr_multiple with methods
   * ['original_image', mode]), then one legend and caption. Default false.
   */
  sideBySide?: boolean;
  /**
   * transformers-interpret's outlier_threshold: the fraction of the total |attribution| treated
   * as outliers (colour saturated); Captum's outlier_perc is min(100·t, 100). Default 0.1.
   */
  outlierThreshold?: number;
  /**
   * Default 'all'; 'masked_image' and 'alpha_scaling' cannot show both signs and use
   * 'positive' instead, as transformers-interpret does.
   */
  sign?: ImageSign;
  /** Integer upscaling, nearest neighbour. Default ⌊256 / max(H, W)⌋ (at least 1): a 32×32 ViT input becomes 256 px. */
  scale?: number;
  /** The heat map's opacity in 'overlay' (Captum's alpha_overlay, default 0.5). */
  alphaOverlay?: number;
}

const TITLES: Record<ImageMapMode, string> = {
  heatmap: 'Heatmap',
  overlay: 'Heatmap overlay',
  masked_image: 'Masked image',
  alpha_scaling: 'Alpha scaled',
};

function isPixelValues(image: ImageSource): image is Extract<ImageSource, { pixelValues: unknown }> {
  return 'pixelValues' in image;
}

/** The image as RGBA pixels of the map's size (decoded images of another size are resized on a canvas, as transformers-interpret resizes its PIL image). */
function imagePixels(image: ImageSource, width: number, height: number): Pixels {
  if (isPixelValues(image)) {
    const p = unnormalizePixels(image.pixelValues, image.mean, image.std);
    if (p.width !== width || p.height !== height)
      throw new InvalidInputError(`pixel values are ${p.width}×${p.height}, the attribution ${width}×${height}`, 'bad_image');
    return p;
  }
  if (image.width === width && image.height === height) return { data: Uint8ClampedArray.from(image.data), width, height };
  const from = document.createElement('canvas');
  from.width = image.width;
  from.height = image.height;
  from.getContext('2d')!.putImageData(new ImageData(Uint8ClampedArray.from(image.data), image.width, image.height), 0, 0);
  const to = document.createElement('canvas');
  to.width = width;
  to.height = height;
  const ctx = to.getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(from, 0, 0, width, height);
  return { data: ctx.getImageData(0, 0, width, height).data, width, height };
}

/** A canvas showing the pixels enlarged `scale` times. */
export function pixelsCanvas(p: Pixels, scale = 1): HTMLCanvasElement {
  const s = scalePixels(p, scale);
  const canvas = document.createElement('canvas');
  canvas.width = s.width;
  canvas.height = s.height;
  canvas.getContext('2d')!.putImageData(new ImageData(Uint8ClampedArray.from(s.data), s.width, s.height), 0, 0);
  return canvas;
}

/**
 * The colour bar: for heat maps of both signs the shared legend (−threshold red … 0 …
 * +threshold blue); otherwise what 0 and the saturating attribution (the threshold) look like
 * in this mode. data-scale holds the threshold.
 */
export function imageLegendView(mode: ImageMapMode, norm: NormalizedMap): VNode {
  if (norm.sign === 'all') return legendView(norm.threshold);
  const bar =
    mode === 'masked_image'
      ? 'linear-gradient(to right, rgb(0, 0, 0), rgb(255, 255, 255))'
      : mode === 'alpha_scaling'
        ? 'linear-gradient(to right, rgba(0, 0, 0, 0), rgb(0, 0, 0))'
        : `linear-gradient(to right, ${[0, 25, 50, 75, 100].map((p) => `${css(signColor(norm.sign, p / 100))} ${p}%`).join(', ')})`;
  const t = formatAttribution(norm.threshold);
  const described =
    mode === 'masked_image'
      ? `image brightness: black at 0, full at ${t} or beyond`
      : mode === 'alpha_scaling'
        ? `opacity: transparent at 0, opaque at ${t} or beyond`
        : `colour scale: 0 white, ${t} or beyond ${norm.sign === 'negative' ? 'red' : 'blue'}`;
  const what = norm.sign === 'absolute_value' ? '|attribution|' : `${norm.sign} attributions`;
  return h(
    'div',
    { class: 'gbv-legend', 'data-view': 'legend', 'data-scale': String(norm.threshold) },
    h('span', { class: 'gbv-legend-title' }, `Legend: ${what}`),
    h(
      'div',
      { class: 'gbv-legend-scale' },
      h('div', { class: 'gbv-legend-bar', role: 'img', 'aria-label': described, style: { 'background-image': bar } }),
      h('div', { class: 'gbv-legend-ticks' }, h('span', { 'data-tick': '0' }, '0'), h('span', { 'data-tick': 'max' }, t)),
    ),
  );
}

function panel(name: string, title: string, canvas: HTMLCanvasElement): Element {
  const el = toElement(
    h('div', { class: 'gbv-image-panel', 'data-panel': name, style: { display: 'flex', 'flex-direction': 'column', gap: '4px' } }),
  );
  canvas.setAttribute('aria-label', title);
  el.append(canvas, toElement(h('span', { class: 'gbv-image-title' }, title)));
  return el;
}

/**
 * A figure for an image classification result: its attribution map in the chosen mode (an
 * occlusion map of one value per patch is spread over the patch's pixels), the original image
 * beside it with `sideBySide`, a colour legend, and a caption with the prediction, target and
 * method. The root carries data-model, data-method, data-kind ('image'), data-mode, data-sign
 * (the sign used) and data-outlier-perc.
 *
 * The map drawn is `result.map`: for integrated gradients, the noise tunnel and input ×
 * gradient that is the channel sum Captum's visualize_image_attr takes of the [H, W, C]
 * attribution transformers-interpret passes it; for saliency the largest |gradient| over
 * channels (where Captum would sum the channels). An occlusion map [H/P][W/P] is spread over
 * the pixels by nearest neighbour, which (the threshold being a value of the map, the scaling
 * a division) gives the same colours as Captum's per-pixel occlusion attribution when the
 * windows tile the image. Differences from the pictures transformers-interpret shows: the
 * colours (colour-blind safe), no matplotlib resampling, and the image is the given one
 * (resized by the canvas, bilinear, where transformers-interpret resizes with PIL) or the
 * un-normalised pixel values.
 */
export function renderImageResult(result: ImageClassificationResult, options: RenderImageOptions = {}): HTMLElement {
  const mode = options.mode ?? 'overlay';
  if (!IMAGE_MAP_MODES.includes(mode))
    throw new InvalidInputError(`mode "${mode as string}": expected one of ${IMAGE_MAP_MODES.join(', ')}`, 'invalid_option');
  const outlierThreshold = options.outlierThreshold ?? 0.1;
  if (!(outlierThreshold >= 0))
    throw new InvalidInputError(`outlierThreshold ${outlierThreshold}: must be a fraction ≥ 0 (0.1 = 10%)`, 'invalid_option');
  const outlierPerc = Math.min(outlierThreshold * 100, 100);
  let sign = options.sign ?? 'all';
  if (sign === 'all' && (mode === 'masked_image' || mode === 'alpha_scaling')) sign = 'positive';

  // The CLI's printed object has no attribution: the map's size is then the image's, else the map's own.
  const shape = result.attribution?.shape;
  const given =
    options.image &&
    (isPixelValues(options.image) ? unnormalizePixels(options.image.pixelValues, options.image.mean, options.image.std) : options.image);
  const [height, width] = shape
    ? [shape[shape.length - 2]!, shape[shape.length - 1]!]
    : given
      ? [given.height, given.width]
      : [result.map.length, result.map[0]?.length ?? 0];
  const map = result.map.length === height && result.map[0]?.length === width ? result.map : upsampleNearest(result.map, height, width);
  const scale = options.scale ?? Math.max(1, Math.floor(256 / Math.max(height, width)));
  if ((mode !== 'heatmap' || options.sideBySide) && !options.image) {
    throw new InvalidInputError(
      `${options.sideBySide ? 'sideBySide' : `mode "${mode}"`} needs the image: pass options.image (ImageData, or { pixelValues })`,
      'bad_image',
    );
  }
  const image = options.image && imagePixels(options.image, width, height);
  const { pixels, normalized } = imageMapPixels(mode, map, image, { sign, outlierPerc, alphaOverlay: options.alphaOverlay });

  const { predicted, target } = result;
  const caption: Child[] = [
    h('span', { 'data-field': 'predicted' }, `Prediction: ${predicted.label} (${predicted.score.toFixed(3)})`),
    ' · ',
    h('span', { 'data-field': 'target' }, `Target: ${target.label}`),
    ' · ',
    h('span', { 'data-field': 'method' }, `Method: ${result.method}`),
  ];
  const root = toElement(
    h(
      'figure',
      {
        class: 'gbv gbv-image',
        ...resultAttrs(result, 'image', options),
        'data-mode': mode,
        'data-sign': normalized.sign,
        'data-outlier-perc': outlierPerc,
        style: { display: 'inline-flex', 'flex-direction': 'column', gap: '8px', margin: '0' },
      },
      h('style', {}, CSS),
    ),
  ) as HTMLElement;
  const panels = toElement(h('div', { class: 'gbv-image-panels', style: { display: 'flex', gap: '12px', 'align-items': 'flex-start' } }));
  if (options.sideBySide) panels.append(panel('original', 'Original image', pixelsCanvas(image!, scale)));
  panels.append(panel('attribution', `${TITLES[mode]} (${result.method})`, pixelsCanvas(pixels, scale)));
  root.append(panels, toElement(imageLegendView(mode, normalized)), toElement(h('figcaption', { class: 'gbv-meta' }, ...caption)));
  return root;
}
