/**
 * Label widths in the SVG views, without a DOM to measure them (toHTML runs in Node): a
 * character's width at 12 px, estimated high (DejaVu Sans, the widest common sans, is the
 * reference): wide and symbol characters 12 px, capitals and m/w 10.5 px, others 8 px.
 */
function charWidth(c: string): number {
  const cp = c.codePointAt(0)!;
  if (cp >= 0x1100 || /[mwMW@%]/.test(c)) return 12;
  return /\p{Lu}/u.test(c) ? 10.5 : 8;
}

export const textWidth = (text: string): number => Array.from(text).reduce((w, c) => w + charWidth(c), 0);

/** The label cut (whole characters, an ellipsis added) to fit `room` px; empty where not even the ellipsis fits. */
export function cutLabel(label: string, room: number): string {
  if (textWidth(label) <= room) return label;
  const chars = Array.from(label);
  let width = charWidth('…');
  if (width > room) return '';
  let n = 0;
  while (n < chars.length && width + charWidth(chars[n]!) <= room) width += charWidth(chars[n++]!);
  return `${chars.slice(0, n).join('')}…`;
}
