import { appendFileSync, writeFileSync } from 'node:fs';
import { GlassboxError, type ImageClassificationExplainer, InvalidInputError } from '@glassbox/core';
import { imageInput } from './tasks/imageClassification.ts';
import {
  type BenchmarkTable,
  type HTMLOptions,
  IMAGE_FILE_MODES,
  benchmarkPNG,
  type ImageFileMode,
  type ImageFileOptions,
  escapeHTML,
  imagePNG,
  isImageResult,
  recordsTableMarkup,
  resultMarkup,
  standaloneDocument,
  type TableRecord,
  type TextViewOptions,
  toHTML,
} from '@glassbox/viz';

/**
 * `glassbox explain --html <file>` / `--png <file>`: the result drawn by @glassbox/viz, written
 * next to the JSON it prints. One input: toHTML of the printed object (so that
 * `toHTML(JSON.parse(line))` gives the same page). `--inputs`: one page holding every input,
 * one section per input line in output order, appended as each result is printed (the page
 * shows what is done so far) and closed with one table of every text input (Captum's
 * visualize_text over a list of records); PNGs one file per line (out-<line>.png).
 */

/** The flags this file reads. */
export const VIZ_FLAGS = ['html', 'png', 'true-label', 'image-mode'] as const;

/** What a page of one result is drawn with beyond the printed object. */
export interface PageOptions {
  /** transformers-interpret's true class: one label for every row. */
  trueLabel?: string;
  /** How `attentions` were reduced (named in the maps' titles). */
  attentionReduction?: HTMLOptions['attentionReduction'];
  /** An image result's image: the model's pixel_values and the processor's mean and std. */
  image?: ImageFileOptions['image'];
}

/** The image behind an image result's map: the case's pixel_values as the model takes them, and the processor's mean and std to undo the normalisation. */
export async function imageOf(explainer: ImageClassificationExplainer, raw: Record<string, unknown>): Promise<PageOptions['image']> {
  const input = imageInput(raw);
  const m = explainer.model;
  const pixelValues =
    typeof input === 'object' && 'pixelValues' in input ? m.pixelValues(input.pixelValues) : await m.preprocess(input as never);
  const p = m.processor as unknown as { image_mean?: number | number[]; image_std?: number | number[] };
  return { pixelValues, mean: p.image_mean ?? 0.5, std: p.image_std ?? 0.5 };
}

/** `glassbox benchmark --png`: the table drawn on @napi-rs/canvas (loaded only then: a native module), as PNG bytes. */
export async function benchmarkTablePNG(result: BenchmarkTable): Promise<Uint8Array> {
  const { createCanvas } = await import('@napi-rs/canvas');
  return benchmarkPNG(result, createCanvas as never);
}

/** The --image-mode value, checked: one of the four modes or all (default overlay, the original image beside it). */
function imageMode(value: unknown): ImageFileMode {
  if (value === undefined) return 'overlay';
  if (!(IMAGE_FILE_MODES as readonly unknown[]).includes(value))
    throw new InvalidInputError(`--image-mode must be one of ${IMAGE_FILE_MODES.join(', ')}, got ${JSON.stringify(value)}`, 'bad_option');
  return value as ImageFileMode;
}

/** `out.png` → `out-<line>.png` (several inputs: one PNG per line). */
export function numberedFile(file: string, line: number): string {
  const dot = file.lastIndexOf('.');
  return dot > file.lastIndexOf('/') ? `${file.slice(0, dot)}-${line}${file.slice(dot)}` : `${file}-${line}`;
}

export class VizOutput {
  readonly html?: string;
  readonly png?: string;
  readonly trueLabel?: string;
  readonly mode: ImageFileMode;
  /** The page's closing tags while a page of several inputs is open. */
  private foot?: string;
  /** The text results of a page of several inputs, for its table of every input. */
  private records: TableRecord[] = [];

  /** undefined where none of --html and --png is given (then --true-label and --image-mode are errors). */
  static of(values: Record<string, unknown>): VizOutput | undefined {
    const html = values.html as string | undefined;
    const png = values.png as string | undefined;
    if (html === undefined && png === undefined) {
      const given = ['true-label', 'image-mode'].filter((f) => values[f] !== undefined);
      if (given.length)
        throw new InvalidInputError(
          `--${given.join(' and --')} ${given.length > 1 ? 'are' : 'is'} read with --html or --png`,
          'unused_option',
        );
      return undefined;
    }
    if (html === '' || png === '') throw new InvalidInputError('--html and --png take a file name', 'bad_option');
    return new VizOutput(html, png, values['true-label'] as string | undefined, imageMode(values['image-mode']));
  }

  private constructor(html: string | undefined, png: string | undefined, trueLabel: string | undefined, mode: ImageFileMode) {
    this.html = html;
    this.png = png;
    this.trueLabel = trueLabel;
    this.mode = mode;
  }

  /** viz's options for one result: the image modes with the original image beside the map(s). */
  private options(page: PageOptions): HTMLOptions & ImageFileOptions {
    const trueLabel = page.trueLabel ?? this.trueLabel;
    return {
      ...(trueLabel !== undefined && { trueLabel }),
      ...(page.attentionReduction && { attentionReduction: page.attentionReduction }),
      ...(page.image && { image: page.image, mode: this.mode, sideBySide: true }),
    } as HTMLOptions & ImageFileOptions;
  }

  /** --png reads image results: refuse another task before explaining. */
  checkTask(task: string): void {
    if (this.png !== undefined && task !== 'image-classification')
      throw new InvalidInputError(`--png draws image results (--task image-classification), not ${task}; use --html`, 'bad_option');
  }

  /** One input's files: the page (toHTML of the printed object) and the PNG. */
  writeOne(json: Record<string, unknown>, page: PageOptions): void {
    const options = this.options(page);
    if (this.png !== undefined) writeFileSync(this.png, this.pngOf(json, options));
    if (this.html !== undefined) writeFileSync(this.html, toHTML(json as never, options));
  }

  private pngOf(json: Record<string, unknown>, options: ImageFileOptions): Uint8Array {
    if (!isImageResult(json)) throw new InvalidInputError('--png draws image results (--task image-classification)', 'bad_option');
    return imagePNG(json as never, options);
  }

  /** Several inputs: the page's head now (title and styles), so that the file exists and opens from the start. */
  open(title: string): void {
    if (this.html === undefined) return;
    const [head, foot] = standaloneDocument(title, '\u0000').split('\u0000') as [string, string];
    writeFileSync(this.html, `${head}\n`);
    this.foot = foot;
  }

  /** One input line's section (`line`: its 1-based number in the input), appended to the open page; its PNG as out-<line>.png. */
  append(json: Record<string, unknown>, page: PageOptions, line: number): void {
    const options = this.options(page);
    if (this.png !== undefined) writeFileSync(numberedFile(this.png, line), this.pngOf(json, options));
    if (this.html === undefined) return;
    appendFileSync(this.html, section(line, resultMarkup(json as never, options)));
    if (!isImageResult(json)) this.records.push({ result: json as never, options: options as TextViewOptions });
  }

  /** A line that gave an error line: its section says so. */
  appendError(error: unknown, line: number): void {
    if (this.html === undefined) return;
    const code = error instanceof GlassboxError ? error.code : undefined;
    const text = error instanceof Error ? error.message : String(error);
    appendFileSync(
      this.html,
      section(
        line,
        `<p class="gbv-record-error"${code ? ` data-code="${escapeHTML(code)}"` : ''} style="color: #b00020">error: ${escapeHTML(text)}</p>`,
        true,
      ),
    );
  }

  /** The page's table of every text input (Captum's visualize_text over the records), then its closing tags. */
  close(): void {
    if (this.html !== undefined && this.foot !== undefined) {
      if (this.records.length > 1) appendFileSync(this.html, recordsSection(recordsTableMarkup(this.records)));
      appendFileSync(this.html, this.foot);
    }
    this.foot = undefined;
    this.records = [];
  }
}

const SECTION_STYLE = 'font: 14px/1.5 system-ui, sans-serif; border-top: 1px solid #ddd; margin-top: 1.25rem';
const HEADING_STYLE = 'font-size: 1.1rem; margin: 0.75rem 0 0.25rem';

/** A section of a page of several inputs: `attrs` on it (its class first), a heading of that class's title, then `body`. */
function pageSection(className: string, attrs: string, heading: string, body: string): string {
  return `<section class="${className}"${attrs} style="${SECTION_STYLE}">\n<h2 class="${className}-title" style="${HEADING_STYLE}">${heading}</h2>\n${body}\n</section>\n`;
}

/** The closing section of a page of several inputs: one table with a row per explained score of every text input. */
const recordsSection = (table: string): string => pageSection('gbv-records', '', 'Every input', table);

/** One input's section of a page of several: its line number as a heading, then its views. */
const section = (line: number, body: string, error = false): string =>
  pageSection('gbv-record', ` data-line="${line}"${error ? ' data-error=""' : ''}`, `Input ${line}`, body);
