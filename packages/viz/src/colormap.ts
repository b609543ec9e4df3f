/**
 * The attribution colormap: diverging, centred on 0, colour-blind safe.
 *
 * Why this map: ColorBrewer's RdBu (Brewer & Harrower) is one of the diverging schemes
 * ColorBrewer marks colour-blind safe: its arms differ along the blue–yellow axis that
 * protanopes and deuteranopes keep, and both get darker with |value|, so sign and size still
 * read without full colour vision. Captum's and transformers-interpret's red–green map is
 * exactly the pair those readers confuse. Positive attributions are blue, negative red (as
 * the image maps, which use the same map: ±1 are #2166ac / #b2182b), 0 the
 * scheme's near-white #f7f7f7 (R = G = B). Lightness falls monotonically with |value| on
 * both arms.
 *
 * The value is scaled by the largest |value| shown (`scale`), so the strongest token gets
 * the darkest colour; the map is piecewise linear in sRGB through ColorBrewer's 9-class
 * stops, which is also how a CSS linear-gradient through the same stops interpolates (the
 * legend).
 */

export type Rgb = readonly [number, number, number];

/** From 0 outwards: RdBu's (9 classes) centre and its four red (negative) and four blue (positive) classes. */
const NEGATIVE: Rgb[] = [
  [0xf7, 0xf7, 0xf7],
  [0xfd, 0xdb, 0xc7],
  [0xf4, 0xa5, 0x82],
  [0xd6, 0x60, 0x4d],
  [0xb2, 0x18, 0x2b],
];
const POSITIVE: Rgb[] = [
  [0xf7, 0xf7, 0xf7],
  [0xd1, 0xe5, 0xf0],
  [0x92, 0xc5, 0xde],
  [0x43, 0x93, 0xc3],
  [0x21, 0x66, 0xac],
];

export const css = ([r, g, b]: Rgb): string => `rgb(${r}, ${g}, ${b})`;

/** value / scale clamped to [−1, 1]; 0 when the scale is 0 (every attribution 0). */
export function normalise(value: number, scale: number): number {
  if (!(scale > 0)) return 0;
  return Math.max(-1, Math.min(1, value / scale));
}

/** The colour of a normalised value t ∈ [−1, 1]. */
export function colourAt(t: number): Rgb {
  const stops = t < 0 ? NEGATIVE : POSITIVE;
  const x = Math.min(1, Math.abs(t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [stops[i]!, stops[i + 1]!];
  const mix = (c: 0 | 1 | 2) => Math.round(a[c] + (b[c] - a[c]) * f);
  return [mix(0), mix(1), mix(2)];
}

/** WCAG relative luminance of an sRGB colour. */
export function luminance([r, g, b]: Rgb): number {
  const lin = (v: number) => {
    const c = v / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** Black or white, whichever contrasts more with the background (WCAG contrast ratio). */
export function textColourOn(background: Rgb): Rgb {
  const l = luminance(background);
  return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? [0, 0, 0] : [255, 255, 255];
}

/** Background and text colour (CSS) of an attribution, the colour scaled by `scale` (the largest |attribution| shown). */
export function attributionColours(value: number, scale: number): { background: string; color: string } {
  const bg = colourAt(normalise(value, scale));
  return { background: css(bg), color: css(textColourOn(bg)) };
}

/** Fill of a bar: the map at ±0.8, one colour per sign, so that small bars stay visible. */
export function barFill(value: number): string {
  return css(colourAt(value < 0 ? -0.8 : 0.8));
}

/** The whole map from −1 (left) to +1 (right) as a CSS gradient, for the legend. */
export function gradientCSS(): string {
  const stops = [...NEGATIVE.slice(1).reverse(), ...POSITIVE];
  return `linear-gradient(to right, ${stops.map((c, i) => `${css(c)} ${(i * 100) / (stops.length - 1)}%`).join(', ')})`;
}
