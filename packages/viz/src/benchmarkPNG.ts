/**
 * The benchmark table (benchmarkTableView's rows and colours) drawn on any 2D canvas, and its
 * PNG: in a page on a DOM canvas; in Node on a canvas the caller makes (e.g. @napi-rs/canvas's
 * createCanvas, which draws text with the system's fonts). The pixels are read back and
 * encoded by fast-png, so the bytes do not depend on the canvas's own encoder. Tokens and
 * method names are drawn as text (fillText), never parsed.
 */
import { InvalidInputError } from '@glassbox/core';
import { attributionColours } from './colormap.ts';
import { type BenchmarkTable, METRIC_BETTER, benchmarkScale, formatMetric } from './benchmarkTable.ts';
import { pixelsPNG } from './imageFile.ts';
import { modelName } from './meta.ts';
import { metricColours } from './metricColours.ts';
import { displayToken } from './tokens.ts';

/** What benchmarkPNG uses of a 2D context (a DOM CanvasRenderingContext2D and @napi-rs/canvas's both have it). */
export interface Context2DLike {
  font: string;
  fillStyle: unknown;
  strokeStyle: unknown;
  lineWidth: number;
  textBaseline: string;
  textAlign: string;
  fillRect(x: number, y: number, w: number, h: number): void;
  strokeRect(x: number, y: number, w: number, h: number): void;
  fillText(text: string, x: number, y: number): void;
  measureText(text: string): { width: number };
  getImageData(
    x: number,
    y: number,
    w: number,
    h: number,
  ): { data: ArrayLike<number> & { buffer: ArrayBufferLike; byteOffset: number; byteLength: number } };
}

/** A canvas of the given size: `document.createElement('canvas')` sized, or @napi-rs/canvas's `createCanvas`. */
export type CreateCanvas = (width: number, height: number) => { getContext(type: '2d'): unknown };

/** Where each cell of the drawn table is, for tests and tools: the token and metric cells' boxes, row by row. */
export interface BenchmarkLayout {
  width: number;
  height: number;
  /** Per method: its token cells' and metric cells' boxes [x, y, w, h], in table order. */
  rows: { method: string; tokens: [number, number, number, number][]; metrics: [number, number, number, number][] }[];
}

const FONT = '13px sans-serif';
const BOLD = 'bold 13px sans-serif';
const PAD = 8;
const ROW = 26;
const GRID = '#d0d0d0';
const HEAD = '#f3f3f3';

function browserCanvas(width: number, height: number) {
  if (typeof document === 'undefined')
    throw new InvalidInputError("benchmarkPNG needs a canvas outside a page: pass createCanvas (e.g. @napi-rs/canvas's)", 'bad_option');
  const c = document.createElement('canvas');
  c.width = width;
  c.height = height;
  return c;
}

/**
 * Draws the table and returns its layout: a title line (model, target), the header (Method,
 * each token, each metric with ↑/↓ for which way is better), then one row per method: its
 * token cells coloured by attribution on the table's scale with the value to 2 decimals, its
 * metric cells coloured as ferret's evaluation table with the value to 3 decimals.
 */
export function drawBenchmark(
  result: BenchmarkTable,
  createCanvas: CreateCanvas = browserCanvas,
): { canvas: { getContext(type: '2d'): unknown }; layout: BenchmarkLayout } {
  if (!result || !Array.isArray(result.methods) || !Array.isArray(result.metrics))
    throw new InvalidInputError('a benchmark result has methods and metrics', 'bad_option');
  const scale = benchmarkScale(result);
  const tokens: BenchmarkTable['methods'][number]['tokens'] = result.methods[0]?.tokens ?? [];
  const arrow = (name: string) => (METRIC_BETTER[name] === 'lower' ? ' ↓' : METRIC_BETTER[name] === 'higher' ? ' ↑' : '');
  const title = `Glassbox benchmark${result.model === undefined ? '' : `: ${modelName(result.model)}`}${result.target ? ` (target ${result.target.label})` : ''}`;
  const cellText = (v: number | null) => (v === null ? '–' : v.toFixed(2));

  // Measure on a scratch canvas, then draw on one of the table's size.
  const measure = createCanvas(1, 1).getContext('2d') as Context2DLike;
  const width = (text: string, font = FONT) => {
    measure.font = font;
    return Math.ceil(measure.measureText(text).width);
  };
  const methodW = Math.max(width('Method', BOLD), ...result.methods.map((m) => width(m.method, BOLD))) + 2 * PAD;
  const tokenW = tokens.map(
    (t, i) =>
      Math.max(width(displayToken(t.token), BOLD), ...result.methods.map((m) => width(cellText(m.tokens[i]?.attribution ?? null)))) +
      2 * PAD,
  );
  const metricW = result.metrics.map(
    (name) => Math.max(width(`${name}${arrow(name)}`, BOLD), ...result.methods.map((m) => width(formatMetric(m.metrics[name])))) + 2 * PAD,
  );
  const tableW = methodW + tokenW.reduce((a, b) => a + b, 0) + metricW.reduce((a, b) => a + b, 0);
  const W = Math.max(tableW, width(title, BOLD)) + 2 * PAD;
  const top = ROW + PAD;
  const H = top + ROW * (result.methods.length + 1) + PAD;

  const canvas = createCanvas(W, H);
  const ctx = canvas.getContext('2d') as Context2DLike;
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, W, H);
  ctx.textBaseline = 'middle';
  const text = (s: string, x: number, y: number, w: number, colour = '#1b1b1b', font = FONT, align: 'left' | 'center' = 'center') => {
    ctx.font = font;
    ctx.fillStyle = colour;
    ctx.textAlign = align;
    ctx.fillText(s, align === 'center' ? x + w / 2 : x + PAD, y + ROW / 2);
  };
  const cell = (x: number, y: number, w: number, background: string) => {
    ctx.fillStyle = background;
    ctx.fillRect(x, y, w, ROW);
    ctx.strokeStyle = GRID;
    ctx.lineWidth = 1;
    ctx.strokeRect(x + 0.5, y + 0.5, w - 1, ROW - 1);
  };
  text(title, 0, PAD / 2, W, '#555555', BOLD, 'left');

  // header
  let x = PAD;
  cell(x, top, methodW, HEAD);
  text('Method', x, top, methodW, '#1b1b1b', BOLD, 'left');
  x += methodW;
  tokens.forEach((t, i) => {
    cell(x, top, tokenW[i]!, HEAD);
    text(displayToken(t.token), x, top, tokenW[i]!, '#1b1b1b', BOLD);
    x += tokenW[i]!;
  });
  result.metrics.forEach((name, i) => {
    cell(x, top, metricW[i]!, HEAD);
    text(`${name}${arrow(name)}`, x, top, metricW[i]!, '#1b1b1b', BOLD);
    x += metricW[i]!;
  });

  const rows: BenchmarkLayout['rows'] = [];
  result.methods.forEach((m, r) => {
    const y = top + ROW * (r + 1);
    const row: BenchmarkLayout['rows'][number] = { method: m.method, tokens: [], metrics: [] };
    x = PAD;
    cell(x, y, methodW, HEAD);
    text(m.method, x, y, methodW, '#1b1b1b', BOLD, 'left');
    x += methodW;
    tokens.forEach((_, i) => {
      const a = m.tokens[i]?.attribution ?? null;
      const colours = a === null ? { background: '#ffffff', color: '#555555' } : attributionColours(a, scale);
      cell(x, y, tokenW[i]!, colours.background);
      text(cellText(a), x, y, tokenW[i]!, colours.color);
      row.tokens.push([x, y, tokenW[i]!, ROW]);
      x += tokenW[i]!;
    });
    result.metrics.forEach((name, i) => {
      const v = m.metrics[name];
      const colours = metricColours(name, v) ?? { background: '#ffffff', color: '#1b1b1b' };
      cell(x, y, metricW[i]!, colours.background);
      text(formatMetric(v), x, y, metricW[i]!, colours.color);
      row.metrics.push([x, y, metricW[i]!, ROW]);
      x += metricW[i]!;
    });
    rows.push(row);
  });
  return { canvas, layout: { width: W, height: H, rows } };
}

/** The benchmark table as PNG bytes (drawBenchmark's canvas, read back and encoded by fast-png). */
export function benchmarkPNG(result: BenchmarkTable, createCanvas?: CreateCanvas): Uint8Array {
  const { canvas, layout } = drawBenchmark(result, createCanvas);
  const { data } = (canvas.getContext('2d') as Context2DLike).getImageData(0, 0, layout.width, layout.height);
  return pixelsPNG({
    data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength),
    width: layout.width,
    height: layout.height,
  });
}
