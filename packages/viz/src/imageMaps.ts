/**
 * Image attribution maps as RGBA pixels: pure functions, no DOM. The scaling is Captum's
 * `visualize_image_attr` (captum/attr/_utils/visualization.py): `_normalize_attr` picks the
 * sign, divides by `_cumulative_sum_threshold` at 100 − outlier_perc and clips to [−1, 1];
 * then 'heat_map', 'blended_heat_map' (here `overlay`), 'masked_image' and 'alpha_scaling'
 * draw it. Only the colours differ: colormap.ts's colour-blind-safe RdBu instead of Captum's
 * red-white-green, Greens, Reds and Blues (see signColor). Maps are [H][W],
 * one number per pixel (for pixel_values attributions [C, H, W], Captum sums the channels
 * first: that is ImageClassificationResult.map for integrated gradients).
 */
import { type HostTensor, InvalidInputError, type NestedPixels } from '@glassbox/core';
import { type Rgb, colourAt } from './colormap.ts';

/** RGBA bytes, row-major, 4 per pixel: a canvas ImageData's layout. */
export interface Pixels {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

/** Captum's signs; `absolute` is transformers-interpret's name for `absolute_value`. */
export type ImageSign = 'all' | 'positive' | 'negative' | 'absolute_value' | 'absolute';
export type CaptumSign = 'all' | 'positive' | 'negative' | 'absolute_value';
/** transformers-interpret's visualization methods (Captum's heat_map, blended_heat_map, masked_image, alpha_scaling). */
export const IMAGE_MAP_MODES = ['heatmap', 'overlay', 'masked_image', 'alpha_scaling'] as const;
export type ImageMapMode = (typeof IMAGE_MAP_MODES)[number];

/** A map after Captum's `_normalize_attr`: values in [−1, 1] (`all`) or [0, 1] (other signs), row-major. */
export interface NormalizedMap {
  values: Float64Array;
  width: number;
  height: number;
  sign: CaptumSign;
  /**
   * The attribution that maps to 1 (Captum's scale factor; negative for `negative`). 0 when
   * the chosen sign has no nonzero value: Captum asserts there, here every value is 0.
   */
  threshold: number;
}

export function captumSign(sign: ImageSign): CaptumSign {
  if (sign === 'absolute') return 'absolute_value';
  if (!['all', 'positive', 'negative', 'absolute_value'].includes(sign)) {
    throw new InvalidInputError(
      `sign "${sign as string}": expected all, positive, negative or absolute_value (absolute)`,
      'invalid_option',
    );
  }
  return sign;
}

/**
 * Captum's `_cumulative_sum_threshold`: the smallest of the ascending sorted (non-negative)
 * values whose running sum reaches `percentile`% of the total.
 */
export function cumulativeSumThreshold(values: ArrayLike<number>, percentile: number): number {
  if (!(percentile >= 0 && percentile <= 100))
    throw new InvalidInputError(`percentile ${percentile}: must be between 0 and 100`, 'invalid_option');
  const sorted = Float64Array.from(values).sort();
  let total = 0;
  for (const v of sorted) total += v;
  const target = total * 0.01 * percentile;
  let sum = 0;
  for (const v of sorted) {
    sum += v;
    if (sum >= target) return v;
  }
  return sorted[sorted.length - 1] ?? 0;
}

/**
 * Captum's `_normalize_attr` of a [H][W] map: `all` divides by the threshold of |map|;
 * `positive` (`negative`) zeroes the other sign first; `absolute_value` takes |map|; the
 * threshold is taken at 100 − outlierPerc percent of the cumulative sum (Captum's default
 * outlier_perc 2), and the quotient clipped to [−1, 1].
 */
export function normalizeAttr(map: readonly (readonly number[])[], sign: ImageSign = 'absolute_value', outlierPerc = 2): NormalizedMap {
  const s = captumSign(sign);
  const height = map.length;
  const width = map[0]?.length ?? 0;
  if (!height || !width || map.some((row) => row.length !== width))
    throw new InvalidInputError('attribution map must be a non-empty [H][W] array of equal rows', 'bad_map');
  const flat = Float64Array.from(map.flat());
  const combined = flat.map((v) =>
    s === 'positive' ? (v > 0 ? v : 0) : s === 'negative' ? (v < 0 ? v : 0) : s === 'absolute_value' ? Math.abs(v) : v,
  );
  const t = cumulativeSumThreshold(combined.map(Math.abs), 100 - outlierPerc);
  const threshold = s === 'negative' ? -t : t;
  // + 0 turns the −0 of 0 / (negative threshold) into 0
  const values = combined.map((v) => (threshold === 0 ? 0 : Math.min(1, Math.max(-1, v / threshold)) + 0));
  return { values, width, height, sign: s, threshold };
}

/**
 * The heat-map colour of a normalised value (colormap.ts's RdBu): `all` the whole diverging
 * map (−1 red, 0 near-white, +1 blue); `negative` its red arm; `positive` and
 * `absolute_value` its blue arm (Captum: red-white-green, Reds, Greens, Blues).
 */
export function signColor(sign: CaptumSign, v: number): Rgb {
  return colourAt(sign === 'negative' ? -v : v);
}

function blank(width: number, height: number): Pixels {
  return { data: new Uint8ClampedArray(width * height * 4), width, height };
}

function sameSize(image: Pixels, norm: NormalizedMap): void {
  if (image.width !== norm.width || image.height !== norm.height) {
    throw new InvalidInputError(`image is ${image.width}×${image.height}, the attribution map ${norm.width}×${norm.height}`, 'bad_image');
  }
  if (image.data.length !== image.width * image.height * 4)
    throw new InvalidInputError('image data must be RGBA, 4 bytes per pixel', 'bad_image');
}

/** Captum's 'heat_map': every pixel its colour, opaque. */
export function heatmapPixels(norm: NormalizedMap): Pixels {
  const out = blank(norm.width, norm.height);
  norm.values.forEach((v, i) => {
    out.data.set(signColor(norm.sign, v), 4 * i);
    out.data[4 * i + 3] = 255;
  });
  return out;
}

/**
 * Captum's greyscale copy for 'blended_heat_map': the mean of R, G and B, shown by
 * matplotlib's `imshow(cmap='gray')` with automatic limits, i.e. stretched so that the
 * darkest pixel is 0 and the brightest 255 (byte = min(255, ⌊256·x⌋), matplotlib's lookup;
 * all 0 when every pixel is the same grey). One byte per pixel.
 */
export function greyscale(image: Pixels): Uint8ClampedArray {
  const n = image.width * image.height;
  const mean = new Float64Array(n);
  for (let i = 0; i < n; i++) mean[i] = (image.data[4 * i]! + image.data[4 * i + 1]! + image.data[4 * i + 2]!) / 3;
  let lo = Infinity;
  let hi = -Infinity;
  for (const m of mean) {
    lo = Math.min(lo, m);
    hi = Math.max(hi, m);
  }
  return Uint8ClampedArray.from(mean, (m) => (hi === lo ? 0 : Math.min(255, Math.floor((256 * (m - lo)) / (hi - lo)))));
}

/** Captum's 'blended_heat_map': the heat map at `alphaOverlay` (default 0.5) over the greyscale copy, opaque. */
export function overlayPixels(image: Pixels, norm: NormalizedMap, alphaOverlay = 0.5): Pixels {
  sameSize(image, norm);
  const grey = greyscale(image);
  const heat = heatmapPixels(norm);
  const out = blank(norm.width, norm.height);
  for (let i = 0; i < grey.length; i++) {
    for (let c = 0; c < 3; c++) out.data[4 * i + c] = Math.round(alphaOverlay * heat.data[4 * i + c]! + (1 - alphaOverlay) * grey[i]!);
    out.data[4 * i + 3] = 255;
  }
  return out;
}

function unsigned(norm: NormalizedMap, what: string): void {
  if (norm.sign === 'all')
    throw new InvalidInputError(
      `${what} cannot show both signs (Captum asserts): choose positive, negative or absolute_value`,
      'invalid_option',
    );
}

/** Captum's 'masked_image': each channel times the normalised value, truncated to a byte (numpy's astype(int)); opaque. */
export function maskedImagePixels(image: Pixels, norm: NormalizedMap): Pixels {
  sameSize(image, norm);
  unsigned(norm, 'masked_image');
  const out = blank(norm.width, norm.height);
  norm.values.forEach((v, i) => {
    for (let c = 0; c < 3; c++) out.data[4 * i + c] = Math.trunc(image.data[4 * i + c]! * v);
    out.data[4 * i + 3] = 255;
  });
  return out;
}

/** Captum's 'alpha_scaling': the image's colours with alpha ⌊255·value⌋. */
export function alphaScalingPixels(image: Pixels, norm: NormalizedMap): Pixels {
  sameSize(image, norm);
  unsigned(norm, 'alpha_scaling');
  const out = blank(norm.width, norm.height);
  norm.values.forEach((v, i) => {
    out.data.set(image.data.subarray(4 * i, 4 * i + 3), 4 * i);
    out.data[4 * i + 3] = Math.trunc(255 * v);
  });
  return out;
}

export interface ImageMapOptions {
  /** Default Captum's `absolute_value`. */
  sign?: ImageSign;
  /** Percent of the total |attribution| treated as outliers (Captum's outlier_perc, default 2). */
  outlierPerc?: number;
  /** The heat map's opacity in `overlay` (Captum's alpha_overlay, default 0.5). */
  alphaOverlay?: number;
}

/** One mode's pixels for a [H][W] map; every mode but `heatmap` needs the image (same size as the map). */
export function imageMapPixels(
  mode: ImageMapMode,
  map: readonly (readonly number[])[],
  image: Pixels | undefined,
  options: ImageMapOptions = {},
): { pixels: Pixels; normalized: NormalizedMap } {
  if (!IMAGE_MAP_MODES.includes(mode))
    throw new InvalidInputError(`mode "${mode as string}": expected one of ${IMAGE_MAP_MODES.join(', ')}`, 'invalid_option');
  const normalized = normalizeAttr(map, options.sign, options.outlierPerc);
  if (mode === 'heatmap') return { pixels: heatmapPixels(normalized), normalized };
  if (!image) throw new InvalidInputError(`mode "${mode}" draws on the image: pass one`, 'bad_image');
  const pixels =
    mode === 'overlay'
      ? overlayPixels(image, normalized, options.alphaOverlay)
      : mode === 'masked_image'
        ? maskedImagePixels(image, normalized)
        : alphaScalingPixels(image, normalized);
  return { pixels, normalized };
}

/**
 * Pixel values in the model's normalisation ([C, H, W] or [1, C, H, W], C 1 or 3) back to
 * bytes: (v·std + mean)·255, rounded and clamped. `mean`/`std` are the image processor's
 * image_mean / image_std (one number or one per channel; default 0.5 and 0.5, ViT's).
 */
export function unnormalizePixels(
  pixelValues: HostTensor | NestedPixels,
  mean: number | readonly number[] = 0.5,
  std: number | readonly number[] = 0.5,
): Pixels {
  let shape: number[];
  let data: ArrayLike<number>;
  if (Array.isArray(pixelValues)) {
    const nested = (pixelValues.length === 1 && Array.isArray(pixelValues[0]?.[0]?.[0]) ? pixelValues[0] : pixelValues) as number[][][];
    shape = [nested.length, nested[0]?.length ?? 0, nested[0]?.[0]?.length ?? 0];
    data = nested.flat(2);
  } else {
    shape = [...(pixelValues as HostTensor).shape];
    if (shape.length === 4 && shape[0] === 1) shape.shift();
    data = (pixelValues as HostTensor).data;
  }
  const [c, h, w] = shape as [number, number, number];
  if (shape.length !== 3 || (c !== 1 && c !== 3) || !h || !w || data.length !== c * h * w) {
    throw new InvalidInputError(
      `pixel values must be [C, H, W] or [1, C, H, W] with 1 or 3 channels, got [${shape.join(', ')}] (${data.length} values)`,
      'bad_pixel_values',
    );
  }
  const at = (x: number | readonly number[], ch: number) => (typeof x === 'number' ? x : x[ch]!);
  const out = blank(w, h);
  for (let i = 0; i < h * w; i++) {
    for (let k = 0; k < 3; k++) {
      const ch = c === 1 ? 0 : k;
      out.data[4 * i + k] = (data[ch * h * w + i]! * at(std, ch) + at(mean, ch)) * 255;
    }
    out.data[4 * i + 3] = 255;
  }
  return out;
}

/** A [rows][cols] map (e.g. occlusion's one value per patch) at height × width, each pixel taking the value of the cell it falls in. */
export function upsampleNearest(map: readonly (readonly number[])[], height: number, width: number): number[][] {
  const rows = map.length;
  const cols = map[0]?.length ?? 0;
  return Array.from({ length: height }, (_, y) =>
    Array.from({ length: width }, (_, x) => map[Math.floor((y * rows) / height)]![Math.floor((x * cols) / width)]!),
  );
}

/** Pixels enlarged `scale` times (a positive integer), nearest neighbour. */
export function scalePixels(p: Pixels, scale: number): Pixels {
  if (!Number.isInteger(scale) || scale < 1) throw new InvalidInputError(`scale ${scale}: must be a positive integer`, 'invalid_option');
  if (scale === 1) return p;
  const out = blank(p.width * scale, p.height * scale);
  for (let y = 0; y < out.height; y++) {
    for (let x = 0; x < out.width; x++) {
      const from = 4 * (Math.floor(y / scale) * p.width + Math.floor(x / scale));
      out.data.set(p.data.subarray(from, from + 4), 4 * (y * out.width + x));
    }
  }
  return out;
}
