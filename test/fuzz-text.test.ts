import { GlassboxError, SequenceClassificationExplainer, type SequenceClassificationResult } from '@glassbox/core';
import { toHTML } from '@glassbox/viz';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLocalFixtures } from './helpers.ts';

/**
 * Property-based tests of the text path with hostile strings (markup, control characters,
 * bidi marks, ZWJ emoji, lone surrogates, 5000-character tokens, random Unicode):
 * tokenization and an explanation either give finite numbers with in-range offsets or a
 * GlassboxError, and the standalone HTML of the result has exactly the markup of the same
 * result with harmless strings: the untrusted text adds no element and no attribute.
 */

/** Strings known to break naive renderers and tokenizers. */
const NASTY = [
  '<script>window.pwned=1</script>',
  '<img src=x onerror="window.pwned=1">',
  '"><svg onload=window.pwned=1>',
  "'><iframe srcdoc='<script>parent.pwned=1</script>'>",
  '</style><script>1</script>',
  '<!--',
  ']]>',
  '&lt;b&gt;',
  '&amp;',
  'javascript:alert(1)',
  '\u0000\u0001\u0008\u000b\u000c\u001b\u001f',
  '\r\n\t',
  '\u202eevil\u202c',
  '\u200f\u200e\u2066x\u2069',
  '👩‍👩‍👧‍👦',
  '🏳️‍🌈',
  'e\u0301\u0301\u0301',
  '\ufeff\ufffe\uffff',
  '[CLS]',
  '[SEP] [PAD] [MASK] [UNK]',
  '##ing',
  '\u00a0\u2028\u2029',
];
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const longToken = fc
  .tuple(fc.constantFrom('a', 'é', '<', '字', '😀', '\u0000', '"'), fc.integer({ min: 5000, max: 6000 }))
  .map(([c, n]) => c.repeat(n));
const piece = fc.oneof(
  fc.constantFrom(...NASTY),
  loneSurrogate,
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: 'binary-ascii', maxLength: 12 }),
  fc.constantFrom('good', 'bad', 'movie', 'awful', 'the'),
);
const hostileText = fc.oneof(
  { weight: 6, arbitrary: fc.array(piece, { minLength: 1, maxLength: 8 }).chain((ps) => fc.constantFrom(ps.join(' '), ps.join(''))) },
  { weight: 1, arbitrary: fc.tuple(fc.array(piece, { maxLength: 2 }), longToken).map(([ps, t]) => [...ps, t].join(' ')) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 600 }) },
);
const hostileLabel = fc.oneof(fc.constantFrom(...NASTY), fc.string({ unit: 'binary', maxLength: 20 }), loneSurrogate);

/** Explain, and return the result or the GlassboxError; any other error fails the property. */
async function explainOrNamedError(explainer: SequenceClassificationExplainer, text: string, method: 'saliency' | 'occlusion') {
  try {
    return await explainer.explain(text, { method });
  } catch (e) {
    if (e instanceof GlassboxError) return e;
    throw new Error(
      `explain(${JSON.stringify(text.slice(0, 80))}) threw a raw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`,
      { cause: e },
    );
  }
}

/** Case and accents folded, as the token alignment compares. */
const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

function expectSound(r: SequenceClassificationResult): void {
  for (const v of [...r.logits, ...r.probabilities, r.predicted.score]) expect(Number.isFinite(v)).toBe(true);
  expect(r.tokens.length).toBeGreaterThan(0);
  for (const t of [...r.tokens, ...r.words]) {
    if (t.attribution !== null) expect(Number.isFinite(t.attribution)).toBe(true);
    if (t.start !== null)
      expect(0 <= t.start && t.start <= t.end! && t.end! <= r.text.length, `${t.start}..${t.end} in ${r.text.length}`).toBe(true);
  }
  // A token's span is where its text is (WordPiece: the token without "##").
  for (const t of r.tokens) if (t.start !== null) expect(fold(r.text.slice(t.start, t.end!))).toBe(fold(t.token.replace(/^##/, '')));
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
const unescapeHtml = (s: string) => s.replace(/&(amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e]!);

/**
 * The document's markup: each tag with its attribute names, in order; and the data-token
 * values, unescaped. Only the page's own constant stylesheet is skipped (raw text).
 */
function markupOf(html: string): { tags: string[]; dataTokens: string[] } {
  const body = html.replace(/<style>[^<]*<\/style>/, '<style></style>');
  const tags: string[] = [];
  const dataTokens: string[] = [];
  for (const [, tag, attrs] of body.matchAll(/<(\/?[a-zA-Z!][^\s>]*)([^>]*)>/g)) {
    const names: string[] = [];
    for (const [, name, value] of attrs!.matchAll(/\s([^\s=>]+)(?:="([^"]*)")?/g)) {
      names.push(name!);
      if (name === 'data-token') dataTokens.push(unescapeHtml(value!));
    }
    tags.push(`${tag} ${names.join(' ')}`);
  }
  return { tags, dataTokens };
}

/** The same result with every untrusted string (text, tokens, words, labels, model id) replaced by a harmless one of its own. */
function harmless(r: SequenceClassificationResult): SequenceClassificationResult {
  return {
    ...r,
    model: 'model',
    text: 'text',
    tokens: r.tokens.map((t, i) => ({ ...t, token: `tok${i}` })),
    words: r.words.map((w, i) => ({ ...w, word: `word${i}` })),
    predicted: { ...r.predicted, label: `label${r.predicted.index}` },
    target: { ...r.target, label: `label${r.target.index}` },
  };
}

describe('hostile text through tokenization, explanation and HTML export', () => {
  let explainer: SequenceClassificationExplainer;
  beforeAll(async () => {
    useLocalFixtures();
    explainer = await SequenceClassificationExplainer.fromPretrained('distilbert-sst2-tiny');
  });

  it('the known refusals are GlassboxErrors with their codes (the property below accepts these)', async () => {
    for (const text of ['', '   \n\t ', '\u00a0\u2028'])
      expect(await explainOrNamedError(explainer, text, 'saliency')).toMatchObject({ code: 'empty_text' });
    expect(await explainOrNamedError(explainer, 'word '.repeat(600), 'saliency')).toMatchObject({ code: 'text_too_long' });
    expect(await explainOrNamedError(explainer, '<img src=x onerror=alert(1)>', 'saliency')).not.toBeInstanceOf(Error);
    // Characters outside the BMP take two UTF-16 units: the spans after them still land on their tokens.
    const r = await explainOrNamedError(explainer, '😀 good 👩‍👩‍👧 film', 'saliency');
    if (r instanceof GlassboxError) throw r;
    expectSound(r);
    expect(r.tokens.filter((t) => t.start !== null).map((t) => r.text.slice(t.start!, t.end!))).toEqual(
      expect.arrayContaining(['good', 'film']),
    );
  });

  it('saliency: finite numbers and in-range offsets, or a GlassboxError', async () => {
    await fc.assert(
      fc.asyncProperty(hostileText, async (text) => {
        const r = await explainOrNamedError(explainer, text, 'saliency');
        if (!(r instanceof GlassboxError)) expectSound(r);
      }),
      { numRuns: 120 },
    );
  });

  it('occlusion on short texts: finite numbers, or a GlassboxError', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(piece, { minLength: 1, maxLength: 4 }).map((ps) => ps.join(' ')),
        async (text) => {
          const r = await explainOrNamedError(explainer, text, 'occlusion');
          if (!(r instanceof GlassboxError)) expectSound(r);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('toHTML: the hostile strings add no markup and come back exactly from the data-token attributes', async () => {
    await fc.assert(
      fc.asyncProperty(
        hostileText,
        hostileLabel,
        hostileLabel,
        fc.constantFrom('token', 'word') as fc.Arbitrary<'token' | 'word'>,
        async (text, label, model, granularity) => {
          const explained = await explainOrNamedError(explainer, text, 'saliency');
          if (explained instanceof GlassboxError) return;
          const hostile = { ...explained, model, predicted: { ...explained.predicted, label }, target: { ...explained.target, label } };
          const html = toHTML(hostile, { granularity });
          const safe = toHTML(harmless(hostile), { granularity });
          const shown = markupOf(html);
          const expected = markupOf(safe);
          expect(shown.tags).toEqual(expected.tags);
          for (const tag of shown.tags) expect(tag).not.toMatch(/^(script|img|iframe|object|embed)\b|\son/i);
          // Each data-token carries the untrusted string itself: the harmless rendering says which one.
          const byName = new Map<string, string>([
            ...hostile.tokens.map((t, i) => [`tok${i}`, t.token] as const),
            ...hostile.words.map((w, i) => [`word${i}`, w.word] as const),
          ]);
          expect(shown.dataTokens).toEqual(expected.dataTokens.map((name) => byName.get(name) ?? name));
        },
      ),
      { numRuns: 60 },
    );
  });
});
