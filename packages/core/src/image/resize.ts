/**
 * Pillow's Image.resize on 8-bit images, to the last digit: what transformers' image processors
 * (through PIL) do in Python. Separable convolution, horizontal pass first, each pass rounded to
 * uint8 with Pillow's 22-bit fixed-point coefficients; the filter's support grows with the
 * downscale factor (antialiasing). NEAREST is Pillow's affine nearest-neighbour sampling.
 * Port of Pillow's libImaging/Resample.c (precompute_coeffs, normalize_coeffs_8bpc,
 * ImagingResample{Horizontal,Vertical}_8bpc) and Geometry.c (ImagingScaleAffine).
 */
import type { Pixels8 } from './pixels.ts';

/** PIL's resampling filters by their code in preprocessor_config.json (`resample`), and by name. */
export const RESAMPLE_NAMES = ['nearest', 'lanczos', 'bilinear', 'bicubic', 'box', 'hamming'] as const;
export type ResampleName = (typeof RESAMPLE_NAMES)[number];

interface Filter {
  support: number;
  at: (x: number) => number;
}

const sinc = (x: number) => (x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x));
const F054 = Math.fround(0.54); // Pillow writes 0.54f and 0.46f
const F046 = Math.fround(0.46);

const FILTERS: Record<Exclude<ResampleName, 'nearest'>, Filter> = {
  box: { support: 0.5, at: (x) => (x > -0.5 && x <= 0.5 ? 1 : 0) },
  bilinear: { support: 1, at: (x) => Math.max(0, 1 - Math.abs(x)) },
  hamming: {
    support: 1,
    at: (x) => {
      x = Math.abs(x);
      if (x === 0) return 1;
      if (x >= 1) return 0;
      x *= Math.PI;
      return (Math.sin(x) / x) * (F054 + F046 * Math.cos(x));
    },
  },
  bicubic: {
    support: 2,
    at: (x) => {
      const a = -0.5;
      x = Math.abs(x);
      if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
      if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
      return 0;
    },
  },
  lanczos: { support: 3, at: (x) => (x >= -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0) },
};

const PRECISION_BITS = 32 - 8 - 2;

/** The filter's name for a `resample` value (a PIL code 0–5 or a name); anything else is an error. */
export function resampleName(resample: number | string): ResampleName {
  const name = typeof resample === 'number' ? RESAMPLE_NAMES[resample] : RESAMPLE_NAMES.find((n) => n === resample);
  if (name === undefined)
    throw new Error(`unknown resample ${JSON.stringify(resample)}: expected a PIL code 0–5 or one of ${RESAMPLE_NAMES.join(', ')}`);
  return name;
}

/** Per output index: first input index, and fixed-point weights of the inputs from there. */
function coefficients(inSize: number, outSize: number, filter: Filter): { first: Int32Array; weights: Int32Array[] } {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filter.support * filterScale;
  const ss = 1 / filterScale;
  const first = new Int32Array(outSize);
  const weights: Int32Array[] = [];
  for (let o = 0; o < outSize; o++) {
    const center = (o + 0.5) * scale;
    const lo = Math.max(0, Math.trunc(center - support + 0.5));
    const hi = Math.min(inSize, Math.trunc(center + support + 0.5));
    const w = Array.from({ length: Math.max(0, hi - lo) }, (_, i) => filter.at((i + lo - center + 0.5) * ss));
    const total = w.reduce((s, v) => s + v, 0);
    first[o] = lo;
    // C's (int) cast of ±0.5 + w·2^22: rounds half away from zero.
    weights.push(
      Int32Array.from(w, (v) => {
        const k = (total !== 0 ? v / total : v) * (1 << PRECISION_BITS);
        return Math.trunc(k < 0 ? k - 0.5 : k + 0.5);
      }),
    );
  }
  return { first, weights };
}

const clip8 = (v: number) => (v <= 0 ? 0 : v >= 1 << (PRECISION_BITS + 8) ? 255 : v >> PRECISION_BITS);

/** One pass along x (`alongX`) or y: `out` has the other dimension of `image`. */
function pass(image: Pixels8, outSize: number, alongX: boolean, filter: Filter): Pixels8 {
  const { width, height, channels: c, data } = image;
  const { first, weights } = coefficients(alongX ? width : height, outSize, filter);
  const [ow, oh] = alongX ? [outSize, height] : [width, outSize];
  const out = new Uint8Array(ow * oh * c);
  const step = alongX ? c : width * c; // input stride along the pass
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      const o = alongX ? x : y;
      const k = weights[o]!;
      const base = alongX ? (y * width + first[o]!) * c : (first[o]! * width + x) * c;
      for (let ch = 0; ch < c; ch++) {
        let sum = 1 << (PRECISION_BITS - 1);
        for (let i = 0; i < k.length; i++) sum += data[base + i * step + ch]! * k[i]!;
        out[(y * ow + x) * c + ch] = clip8(sum);
      }
    }
  }
  return { data: out, width: ow, height: oh, channels: c };
}

/** Pillow's nearest neighbour: input index of each output index, accumulated as Pillow does. */
function nearestIndex(inSize: number, outSize: number): Int32Array {
  const a = inSize / outSize;
  const index = new Int32Array(outSize);
  for (let o = 0, v = a * 0.5; o < outSize; o++, v += a) index[o] = Math.min(inSize - 1, Math.trunc(v));
  return index;
}

function nearest(image: Pixels8, width: number, height: number): Pixels8 {
  const { channels: c, data } = image;
  const xs = nearestIndex(image.width, width);
  const ys = nearestIndex(image.height, height);
  const out = new Uint8Array(width * height * c);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++)
      out.set(data.subarray((ys[y]! * image.width + xs[x]!) * c, (ys[y]! * image.width + xs[x]! + 1) * c), (y * width + x) * c);
  }
  return { data: out, width, height, channels: c };
}

/**
 * `image` resized to width × height as PIL's `image.resize((width, height), resample)` does for
 * an 8-bit image of the same bands (L, RGB, RGBX). The same size gives a copy.
 */
export function resizeImage(image: Pixels8, width: number, height: number, resample: number | string = 2): Pixels8 {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1)
    throw new Error(`resize to ${width}×${height}: sizes must be positive integers`);
  const name = resampleName(resample);
  if (width === image.width && height === image.height) return { ...image, data: Uint8Array.from(image.data) };
  if (name === 'nearest') return nearest(image, width, height);
  const filter = FILTERS[name];
  const wide = width === image.width ? image : pass(image, width, true, filter);
  return height === image.height ? wide : pass(wide, height, false, filter);
}
