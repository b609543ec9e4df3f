/**
 * What the task pages (image, pair, qa, ner, generation, attention) share on top of
 * controls.ts: the page head, the bundled-model note, URL state for free-text inputs,
 * probability bars and the Fashion-MNIST samples (their .gbp-* styles are in style.css).
 * Untrusted strings only ever become text nodes or attribute values.
 */
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
export function paramText(context: PageContext, param: string, fallback: string, options: { rows?: number; label: string; placeholder?: string }): { element: HTMLInputElement | HTMLTextAreaElement; flush(): void } {
  const element = options.rows
    ? el('textarea', { class: 'gb-textarea', name: param, rows: options.rows, spellcheck: 'true', 'aria-label': options.label, placeholder: options.placeholder })
    : el('input', { class: 'gb-input', type: 'text', name: param, spellcheck: 'false', 'aria-label': options.label, placeholder: options.placeholder });
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
export function verdict(label: string, score: string, labels: readonly string[], probabilities: readonly number[], top = labels.length): HTMLElement[] {
  const order = probabilities.map((p, i) => [p, i] as const).sort((a, b) => b[0] - a[0]).slice(0, top);
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
    el('div', { class: 'gb-verdict' }, el('span', { class: 'gb-verdict-label', 'data-field': 'predicted' }, label), el('span', { class: 'gb-verdict-score' }, score)),
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

/** Decoded RGBA pixels of an image or bitmap, at most `max` px on its longer side (larger uploads are shrunk first). */
export function imageDataOf(source: CanvasImageSource & { width: number; height: number }, max = 512): ImageData {
  const k = Math.min(1, max / Math.max(source.width, source.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(source.width * k));
  canvas.height = Math.max(1, Math.round(source.height * k));
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(source, 0, 0, canvas.width, canvas.height);
  return ctx.getImageData(0, 0, canvas.width, canvas.height);
}

export async function loadSample(s: Sample): Promise<ImageData> {
  const img = new Image();
  img.src = sampleURL(s);
  await img.decode();
  return imageDataOf(img);
}
