/** How numbers are written in every view (tooltips, table, bar labels, legend). */

/** An attribution in a tooltip, a bar label or the legend: 4 decimals (3 significant digits below 0.001), signed; null (the method gave none) as "none". */
export function formatAttribution(value: number | null): string {
  if (value === null) return 'none';
  const digits = value === 0 || Math.abs(value) >= 1e-3 ? value.toFixed(4) : value.toExponential(2);
  return value > 0 ? `+${digits}` : digits;
}

/** A score in the table, with Captum's two decimals. */
export function formatFixed(value: number | null): string {
  return value === null ? '–' : value.toFixed(2);
}

/** What `data-attribution` holds: the exact number (String(value), which reads back to the same double; −0 reads "0"), or "null". */
export function attributionData(value: number | null): string {
  return String(value);
}

/** A score (a base value, f(x)): as an attribution, unsigned. */
export function formatScore(value: number): string {
  return formatAttribution(value).replace(/^\+/, '');
}
