import { type BenchmarkTable, benchmarkTableHTML } from './benchmarkTable.ts';
import { fromElement, toMarkup } from './dom.ts';
import { standaloneDocument } from './standaloneDocument.ts';
import { type ImageFileMode, type ImageFileOptions, imageFigureView } from './imageFile.ts';
import { modelName } from './meta.ts';
import { type AnyResult, type RenderOptions, isImageResult, render, textResultView } from './render.ts';

/**
 * An image result's figure as markup: rendered in the DOM (canvas), each canvas replaced by
 * an <img> holding its PNG as a data: URL, then written by toMarkup as text results are.
 * Needs a document with canvas (a browser).
 */
function imageMarkup(result: AnyResult, options: RenderOptions): string {
  if (typeof document === 'undefined') throw new Error('@glassbox/viz: toHTML of an image result needs a DOM with canvas (a browser page)');
  const el = render(result, options);
  for (const canvas of Array.from(el.querySelectorAll('canvas'))) {
    const img = document.createElement('img');
    img.src = canvas.toDataURL('image/png');
    img.width = canvas.width;
    img.height = canvas.height;
    img.alt = canvas.getAttribute('aria-label') ?? 'attribution map';
    canvas.replaceWith(img);
  }
  return toMarkup(fromElement(el));
}

const isBenchmarkTable = (r: object): r is BenchmarkTable =>
  Array.isArray((r as BenchmarkTable).methods) && Array.isArray((r as BenchmarkTable).metrics);

/** toHTML's options: render's, and for an image result `mode: 'all'` (the four modes side by side). */
export type HTMLOptions = Omit<RenderOptions, 'mode'> & { mode?: ImageFileMode };

/**
 * What toHTML puts in the page's body for one result. Image results: in a browser, the
 * rendered canvases as PNG <img>s; without a DOM (Node), imageFigureView (mode 'all' too).
 */
export function resultMarkup(result: AnyResult, options: HTMLOptions = {}): string {
  if (!isImageResult(result)) return toMarkup(textResultView(result, options as RenderOptions));
  if (typeof document === 'undefined' || options.mode === 'all') return toMarkup(imageFigureView(result, options as ImageFileOptions));
  return imageMarkup(result, options as RenderOptions);
}

/**
 * A standalone HTML document showing `render(result)`: inline CSS, no script, nothing
 * fetched (a Content-Security-Policy forbids it: only inline styles and data: images), the
 * tooltips as title attributes (and CSS on focus), every string of the result escaped.
 * Text results need no DOM (Node, workers); image results are drawn without one too
 * (imageFigureView; in a browser their canvases become PNG <img>s). `mode: 'all'` draws an
 * image result's map in the four modes side by side. A benchmark result gives its table
 * (benchmarkTableHTML).
 */
export function toHTML(result: AnyResult | BenchmarkTable, options: HTMLOptions = {}): string {
  // core's benchmark result (the CLI's `glassbox benchmark` line): its table, as `benchmark --html` writes it.
  if (isBenchmarkTable(result)) return benchmarkTableHTML(result, options);
  const body = resultMarkup(result, options);
  const model = result.model ?? options.model;
  return standaloneDocument(
    `Glassbox${model === undefined ? '' : `: ${modelName(model, options)}`}${result.method === undefined ? '' : ` (${result.method})`}`,
    body,
  );
}
