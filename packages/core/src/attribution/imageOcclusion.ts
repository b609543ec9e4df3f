import { InvalidInputError } from '../errors.ts';
import { type ProgressOptions, forEachBatch } from '../methods/batch.ts';
import { checkOcclusionWindow } from '../methods/occlusion.ts';
import type { Attribution, BatchOptions, DifferentiableFunction } from '../methods/types.ts';
import { type HostTensor, formatShape, sizeOf } from '../tensor.ts';

export interface PatchOcclusionOptions extends BatchOptions, ProgressOptions {
  /** Side of the square window, in pixels; it spans every channel. */
  window: number;
  /** Shift between windows, in pixels. */
  stride: number;
  /** Values written into occluded pixels, in the input's [C, H, W] layout. Default: 0. */
  baseline?: ArrayLike<number>;
}

export interface PatchOcclusion extends Attribution {
  /** score(input) − score(input with the window occluded), one per window position: [rows][columns]. */
  drops: number[][];
  inputScore: number;
}

/** Window positions along one axis, Captum's way: ⌈(size − window) / stride⌉ + 1, the last one clipped at the edge. */
function positions(size: number, window: number, stride: number): number[] {
  const count = Math.ceil((size - window) / stride) + 1;
  return Array.from({ length: count }, (_, i) => i * stride);
}

/**
 * Captum's Occlusion on one [C, H, W] image with a (C, window, window) sliding window and
 * (C, stride, stride) strides: each window is replaced by the baseline and the score drop is
 * recorded. The per-pixel attribution is the mean drop over the windows covering the pixel
 * (Captum's output); `drops` are the drops themselves on the window grid.
 */
export async function patchOcclusion(
  fn: DifferentiableFunction,
  input: HostTensor,
  options: PatchOcclusionOptions,
): Promise<PatchOcclusion> {
  const { window, stride } = options;
  if (input.shape.length !== 3)
    throw new InvalidInputError(`patch occlusion takes a [C, H, W] image, got shape ${formatShape(input.shape)}`, 'bad_occlusion');
  const [c, h, w] = input.shape as [number, number, number];
  checkOcclusionWindow(window, stride);
  if (window > h || window > w)
    throw new InvalidInputError(`occlusion window ${window} is larger than the ${h}×${w} image`, 'bad_occlusion');
  const n = sizeOf(input.shape);
  const baseline = options.baseline ?? new Float32Array(n);
  if (baseline.length !== n)
    throw new InvalidInputError(`occlusion baseline has ${baseline.length} values, the image ${n}`, 'bad_baseline');
  const rows = positions(h, window, stride);
  const cols = positions(w, window, stride);
  const windows = rows.flatMap((y) => cols.map((x) => [y, x] as const));
  const eachPixel = (k: number, visit: (i: number) => void) => {
    const [y0, x0] = windows[k]!;
    for (let ch = 0; ch < c; ch++) {
      for (let y = y0; y < Math.min(y0 + window, h); y++) {
        for (let x = x0; x < Math.min(x0 + window, w); x++) visit((ch * h + y) * w + x);
      }
    }
  };

  const [inputScore] = await fn.scores({ dtype: 'float32', shape: [1, c, h, w], data: input.data });
  const drops = new Float64Array(windows.length);
  await forEachBatch(
    windows.length,
    input.shape,
    options.internalBatchSize ?? fn.rowsPerPass?.(),
    (k, row) => {
      row.set(input.data);
      eachPixel(k, (i) => (row[i] = baseline[i]!));
    },
    async (batch, start) => {
      const scores = await fn.scores(batch);
      scores.forEach((s, k) => (drops[start + k] = inputScore! - s));
    },
    { onProgress: options.onProgress, signal: options.signal, stage: 'occlusion' },
  );

  const sum = new Float64Array(n);
  const count = new Float64Array(n);
  windows.forEach((_, k) => eachPixel(k, (i) => ((sum[i]! += drops[k]!), (count[i]! += 1))));
  return {
    values: sum.map((s, i) => (count[i] ? s / count[i]! : 0)),
    shape: [...input.shape],
    drops: rows.map((_, r) => Array.from(drops.subarray(r * cols.length, (r + 1) * cols.length))),
    inputScore: inputScore!,
  };
}
