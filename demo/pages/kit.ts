/**
 * What the task pages (image, pair, qa, ner, generation, attention) share on top of
 * controls.ts: the page head, the bundled-model note, URL state for free-text inputs,
 * probability bars and the Fashion-MNIST samples (their .gbp-* styles are in style.css).
 * Untrusted strings only ever become text nodes or attribute values.
 */
import { type ImageFile, readImage } from '@glassbox/core';
import { el, setParam } from '../controls.ts';
import type { PageContext } from '../page.ts';

/** The note every task page shows about its bundled model. */
export function bundledNote(what: string, hubExample: string): HTMLElement {
  return el(
    'p',
    { class: 'gb-note gb-note-warn', 'data-role': 'bundled-note' },
    el('strong', {}, 'Bundled model: '),
    `${what} The bundled models are tiny so the page works offline, and all but the SST-2 and Fashion-MNIST ones have random weights: their predictions mean nothing. Any Hugging Face hub model with ONNX weights works online (“Hugging Face Hub model…”, e.g. ${hubExample}); only then does the page request anything outside this site.`,
  );
}

/**
 * A text input or textarea kept in URL parameter `param` (written as the user types,
 * debounced; `flush()` writes it at once, as a run does).
 */
export function paramText(
  context: PageContext,
  param: string,
  fallback: string,
  options: { rows?: number; label: string; placeholder?: string },
): { element: HTMLInputElement | HTMLTextAreaElement; flush(): void } {
  const element = options.rows
    ? el('textarea', {
        class: 'gb-textarea',
        name: param,
        rows: options.rows,
        spellcheck: 'true',
        'aria-label': options.label,
        placeholder: options.placeholder,
      })
    : el('input', {
        class: 'gb-input',
        type: 'text',
        name: param,
        spellcheck: 'false',
        'aria-label': options.label,
        placeholder: options.placeholder,
      });
  element.value = context.params.get(param) ?? fallback;
  let typing: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    clearTimeout(typing);
    setParam(context, param, element.value, fallback);
  };
  element.addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(flush, 250);
  });
  return { element, flush };
}

/** Mark the URL as reproducing the shown result (run=1) once a run finished. */
export function markRun(context: PageContext): void {
  context.params.set('run', '1');
  context.saveParams();
}

/** The prediction summary (style.css's verdict and probability bars): the top `top` labels, largest first; rows carry data-label and data-probability. */
export function verdict(
  label: string,
  score: string,
  labels: readonly string[],
  probabilities: readonly number[],
  top = labels.length,
): HTMLElement[] {
  const order = probabilities
    .map((p, i) => [p, i] as const)
    .sort((a, b) => b[0] - a[0])
    .slice(0, top);
  const best = order[0]?.[1];
  const probs = el(
    'div',
    { class: 'gb-probs', 'aria-label': 'Probabilities' },
    ...order.flatMap(([p, i]) => {
      const fill = el('div', { class: 'gb-prob-fill', 'data-top': String(i === best) });
      fill.style.width = `${(p * 100).toFixed(1)}%`;
      return [
        el('span', { 'data-label': labels[i] ?? String(i), 'data-probability': String(p) }, labels[i] ?? String(i)),
        el('div', { class: 'gb-prob-bar' }, fill),
        el('span', { class: 'gb-prob-value' }, `${(p * 100).toFixed(1)}%`),
      ];
    }),
  );
  return [
    el('div', { class: 'gb-hint' }, 'Prediction'),
    el(
      'div',
      { class: 'gb-verdict' },
      el('span', { class: 'gb-verdict-label', 'data-field': 'predicted' }, label),
      el('span', { class: 'gb-verdict-score' }, score),
    ),
    probs,
  ];
}

// ---------------------------------------------------------------- Fashion-MNIST samples

/** A bundled Fashion-MNIST test image (models/samples/, made by scripts/make_fashion_samples.py). */
export interface Sample {
  file: string;
  label: string;
  /** Position in the Fashion-MNIST test set. */
  index: number;
}

let samplesLoad: Promise<Sample[]> | undefined;
/** The bundled samples (samples/samples.json on this site). */
export function samples(): Promise<Sample[]> {
  samplesLoad ??= fetch(new URL('samples/samples.json', document.baseURI))
    .then((r) => (r.ok ? (r.json() as Promise<Sample[]>) : []))
    .catch(() => []);
  return samplesLoad;
}

export const sampleURL = (s: Sample) => new URL(`samples/${s.file}`, document.baseURI).href;

/**
 * Decoded RGBA pixels of an image file (a URL or the user's File), read by the library as the
 * CLI reads a file (a PNG by Glassbox's decoder, no colour management), at full size: the
 * explainer gets the CLI's pixels.
 */
export async function imageDataOf(file: ImageFile): Promise<ImageData> {
  const { data, width, height, channels } = await readImage(file);
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) rgba[4 * p + c] = data[p * channels + (channels < 3 ? 0 : c)]!;
    rgba[4 * p + 3] = channels === 4 ? data[4 * p + 3]! : 255;
  }
  return new ImageData(rgba, width, height);
}

export const loadSample = (s: Sample): Promise<ImageData> => imageDataOf(sampleURL(s));
