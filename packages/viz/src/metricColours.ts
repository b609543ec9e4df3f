import { luminance } from './colormap.ts';

/**
 * ferret's colouring of its evaluation table (`show_evaluation_table(style="heatmap")`: pandas'
 * `background_gradient` per metric column): each metric on its own range [min, max]
 * (ferret's MIN_VALUE, MAX_VALUE), through seaborn's `light_palette("purple")`, darker where
 * better (reversed when lower is better); a metric whose best value is the middle of [−1, 1]
 * (AOPC sufficiency, BEST_VALUE 0) through white–purple–white. Deletion and insertion are
 * interpreto's, not ferret's: probability areas on [0, 1], lower and higher better.
 */
export interface MetricScale {
  min: number;
  max: number;
  better: 'lower' | 'higher';
  /** Where the best value lies: at one end ('end', the light palette) or in the middle ('middle', white–purple–white). */
  best: 'end' | 'middle';
}

export const METRIC_SCALES: Readonly<Record<string, MetricScale>> = {
  deletion: { min: 0, max: 1, better: 'lower', best: 'end' },
  insertion: { min: 0, max: 1, better: 'higher', best: 'end' },
  comprehensiveness: { min: -1, max: 1, better: 'higher', best: 'end' },
  sufficiency: { min: -1, max: 1, better: 'lower', best: 'middle' },
  taucorr_loo: { min: -1, max: 1, better: 'higher', best: 'end' },
  auprc_plau: { min: 0, max: 1, better: 'higher', best: 'end' },
  token_f1_plau: { min: 0, max: 1, better: 'higher', best: 'end' },
  token_iou_plau: { min: 0, max: 1, better: 'higher', best: 'end' },
};

type Rgb01 = readonly [number, number, number];
/** matplotlib's "purple" (#800080). */
const PURPLE: Rgb01 = [128 / 255, 0, 128 / 255];
/**
 * The light end of seaborn's light_palette("purple"): purple's HUSL hue, 0.15 × its saturation,
 * lightness 95 (seaborn's husl), back in sRGB; computed once from seaborn's formulas.
 */
const LIGHT: Rgb01 = [0.9520620893501853, 0.9400497244820778, 0.9519714734001828];
const WHITE: Rgb01 = [1, 1, 1];

/**
 * matplotlib's LinearSegmentedColormap.from_list(stops) (N = 256) at x: the stops evenly spaced,
 * the entry ⌊x · 256⌋ (x = 1 → 255; outside [0, 1] the end colours) of the 256 sampled at i / 255.
 */
function colormap(stops: readonly Rgb01[], x: number): Rgb01 {
  const i = Math.max(0, Math.min(255, Math.floor(x * 256)));
  const at = (i / 255) * (stops.length - 1);
  const k = Math.min(stops.length - 2, Math.floor(at));
  const f = at - k;
  const [a, b] = [stops[k]!, stops[k + 1]!];
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

const hex = (c: Rgb01) =>
  `#${c
    .map((v) =>
      Math.round(v * 255)
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;

/**
 * A metric cell's colours as pandas writes them: the map at (value − min) / (max − min) as a
 * hex background, and text #f1f1f1 on a background of relative luminance below 0.408, else
 * #000000. Undefined for a metric without a scale or a value that is not finite.
 */
export function metricColours(metric: string, value: number | null | undefined): { background: string; color: string } | undefined {
  const scale = METRIC_SCALES[metric];
  if (!scale || typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  const stops = scale.best === 'middle' ? [WHITE, PURPLE, WHITE] : scale.better === 'higher' ? [LIGHT, PURPLE] : [PURPLE, LIGHT];
  const c = colormap(stops, (value - scale.min) / (scale.max - scale.min));
  const dark = luminance([c[0] * 255, c[1] * 255, c[2] * 255]) < 0.408;
  return { background: hex(c), color: dark ? '#f1f1f1' : '#000000' };
}
