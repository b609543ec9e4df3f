import type { ImageClassificationResult } from '@glassbox/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hostileString } from './fuzzStrings.ts';
import { toHTML } from './html.ts';
import { modelName } from './meta.ts';
import { type AnyResult, type RenderOptions, isImageResult, render } from './render.ts';
import { rowsOf, shownPieces } from './rows.ts';
import { sampleResults } from './samples.ts';
import { MAP_4X4 } from './testing.ts';

/**
 * toHTML fuzzed with hostile strings put straight into result objects (the text fuzzer's go
 * through a tokenizer, which never yields a token holding markup): every token, word, label
 * (`labels` keys too), model name, method, output and text of every result kind toHTML takes.
 * The document, read by the browser's own HTML parser (DOMParser; nothing runs), has exactly
 * the elements and attribute names of the same result with harmless strings, and exactly the
 * text and attribute values of the live DOM that render() builds from the same view tree,
 * where strings are set as text nodes and attribute values and never parsed: every string
 * comes back exactly. HTML cannot hold U+0000; toHTML writes it as U+FFFD.
 */

/** The result fields that hold untrusted strings (and `labels`, whose keys are labels). */
const UNTRUSTED = new Set([
  'model',
  'method',
  'output',
  'token',
  'word',
  'label',
  'predictedLabel',
  'predictedAnswer',
  'text',
  'textPair',
  'question',
  'context',
  'prompt',
  'generatedText',
  'hypothesis',
  'hypothesisTemplate',
]);

function imageSample(): ImageClassificationResult {
  return {
    kind: 'image-classification',
    model: 'sample/vit',
    method: 'integrated-gradients',
    output: 'logits',
    predicted: { index: 1, label: 'sandal', score: 0.875 },
    target: { index: 0, label: 'boot' },
    convergenceDelta: 0,
    logits: [0, 1],
    probabilities: [0.125, 0.875],
    attribution: { values: new Float64Array(48), shape: [3, 4, 4] },
    map: MAP_4X4,
  };
}

const SAMPLES: [string, AnyResult][] = [...Object.entries(sampleResults()), ['image-classification', imageSample()]];

/** The untrusted strings of a result, each once, in the order met. */
function untrustedStrings(value: unknown, key = '', out = new Set<string>()): Set<string> {
  if (typeof value === 'string' && UNTRUSTED.has(key)) out.add(value);
  else if (Array.isArray(value)) for (const v of value) untrustedStrings(v, key, out);
  else if (typeof value === 'object' && value !== null && !ArrayBuffer.isView(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (key === 'labels') out.add(k);
      untrustedStrings(v, k, out);
    }
  }
  return out;
}

/** The result with each untrusted string swapped for its image under `swap` (object keys made with CreateDataProperty: "__proto__" stays a key). */
function swapped<T>(value: T, swap: ReadonlyMap<string, string>, key = ''): T {
  if (typeof value === 'string') return (UNTRUSTED.has(key) ? swap.get(value)! : value) as T;
  if (Array.isArray(value)) return value.map((v) => swapped(v, swap, key)) as T;
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [key === 'labels' ? swap.get(k)! : k, swapped(v, swap, k)])) as T;
}

const PUNCTUATION = /^[\p{P}\p{S}]+$/u;

/**
 * A harmless string standing for hostile string `s` (the i-th): what the views rightly read
 * from a string is kept (its "##" and "Ġ"/"▁" subword markers, whether the rest is all
 * punctuation: they decide how tokens group into words), the rest is plain letters.
 */
function harmlessTwin(s: string, i: number): string {
  const marker = /^(##)?[Ġ▁]?/u.exec(s)![0];
  const rest = s.slice(marker.length);
  return marker + (rest === '' ? '' : PUNCTUATION.test(rest) ? '.'.repeat(i + 1) : `w${i}`);
}

/** Every element of the document in order, as its namespace, tag and sorted attribute names. */
function elementsOf(doc: Document): string[] {
  return Array.from(doc.querySelectorAll('*'), (el) => `${el.namespaceURI} ${el.tagName} ${el.getAttributeNames().sort().join(' ')}`);
}

/**
 * What a tree shows, in document order: each element with its attribute values (sorted by
 * name; not the style attribute, which the live DOM writes through the CSSOM, nor svg's
 * xmlns, which only markup needs) and each text node's text. A canvas and the <img> toHTML
 * writes for it show as the same node. <style> elements (the package's constant CSS) are left out.
 */
function shownOf(root: Element): unknown[] {
  const out: unknown[] = [];
  const walk = (node: Node) => {
    if (node.nodeType === Node.TEXT_NODE) return void out.push((node as Text).data);
    if (node.nodeType !== Node.ELEMENT_NODE) return;
    const el = node as Element;
    if (el.tagName.toLowerCase() === 'style') return;
    if (el.tagName === 'CANVAS' || el.tagName === 'IMG')
      return void out.push(['picture', el.getAttribute('aria-label') ?? el.getAttribute('alt')]);
    const attrs = el
      .getAttributeNames()
      .filter((n) => n !== 'style' && n !== 'xmlns')
      .sort()
      .map((n) => [n, el.getAttribute(n)]);
    out.push([el.tagName.toLowerCase(), attrs]);
    el.childNodes.forEach(walk);
  };
  walk(root);
  return out;
}

/** The same, with every string as an HTML document can hold it: U+0000 as U+FFFD. */
const asHTMLHolds = (shown: unknown[]): unknown[] => JSON.parse(JSON.stringify(shown).replaceAll('\\u0000', '\\ufffd'));

const parse = (html: string) => new DOMParser().parseFromString(html, 'text/html');

const kindAndStrings = fc.constantFrom(...SAMPLES).chain(([kind, sample]) => {
  const n = untrustedStrings(sample).size;
  return fc.tuple(
    fc.constant(kind),
    fc.constant(sample),
    fc.uniqueArray(hostileString, { minLength: n, maxLength: n }),
    fc.constantFrom('token', 'word') as fc.Arbitrary<'token' | 'word'>,
  );
});

describe('toHTML with hostile strings given directly in every result kind', () => {
  it('parses to the elements and attributes of harmless strings, and shows every string exactly as the live DOM does', () => {
    fc.assert(
      fc.property(kindAndStrings, ([kind, sample, strings, granularity]) => {
        const originals = [...untrustedStrings(sample)];
        const hostile = swapped(sample, new Map(originals.map((o, i) => [o, strings[i]!])));
        const harmless = swapped(sample, new Map(originals.map((o, i) => [o, harmlessTwin(strings[i]!, i)])));
        // The last row (generation: it shows the generated tokens; labelled rows: a hostile key).
        const options = (r: AnyResult): RenderOptions =>
          isImageResult(r) ? { mode: 'heatmap', scale: 1 } : { granularity, select: rowsOf(r).rows.at(-1)!.key };

        const doc = parse(toHTML(hostile, options(hostile)));
        expect(elementsOf(doc), kind).toEqual(elementsOf(parse(toHTML(harmless, options(harmless)))));

        const live = render(hostile, options(hostile));
        live.normalize();
        expect(shownOf(doc.body.firstElementChild!), kind).toEqual(asHTMLHolds(shownOf(live)));

        // And read straight from the parsed document: the model, the title, every token of every row.
        const holds = (s: string) => s.replaceAll('\u0000', '\ufffd');
        expect(doc.body.firstElementChild!.getAttribute('data-model')).toBe(holds(modelName(hostile.model!)));
        expect(doc.querySelector('title')!.textContent).toBe(holds(`Glassbox: ${modelName(hostile.model!)} (${hostile.method})`));
        if (!isImageResult(hostile)) {
          const tokens = Array.from(doc.querySelectorAll('[data-view="table"] [data-token]'), (e) => e.getAttribute('data-token'));
          expect(tokens, kind).toEqual(rowsOf(hostile).rows.flatMap((row) => shownPieces(row, { granularity }).map((p) => holds(p.text))));
        }
      }),
      { numRuns: 150 },
    );
  });
});
