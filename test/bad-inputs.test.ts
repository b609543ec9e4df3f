import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import {
  GlassboxError,
  ImageClassificationExplainer,
  InvalidInputError,
  ModelLoadError,
  QuestionAnsweringExplainer,
  SequenceClassificationExplainer,
  TextGenerationExplainer,
  TokenClassificationExplainer,
  UnsupportedOpError,
  ZeroShotClassificationExplainer,
  evaluate,
} from '@glassbox/core';
import { onnxSchema } from '@glassbox/core/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { glassbox } from './cliRunner.ts';
import { type Json, MODELS } from './helpers.ts';
import { startHub } from './hubServer.ts';

/**
 * The README's bad-input table, row by row: every bad input gets an error that names what
 * was wrong, with a stable code; in the CLI's JSONL mode each is one {"error", "code"} line
 * and the valid lines after it still give the results they give alone.
 */
const SST2 = join(MODELS, 'distilbert-sst2-tiny');
const VIT = join(MODELS, 'vit-fashion-tiny');
const LONG = Array.from({ length: 700 }, () => 'word').join(' ');
const parse = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Json);
const tmp = mkdtempSync(join(tmpdir(), 'glassbox-bad-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** [JSONL line, expected error pattern, expected code]; null marks a valid line. */
const TEXT_CASES: [Json, RegExp, string][] = [
  [{ text: '' }, /text is empty/, 'empty_text'],
  [{ text: ' \n\t ' }, /text is empty/, 'empty_text'],
  [{ text: LONG }, /702 tokens long.*at most 512.*truncation/, 'text_too_long'],
  [
    { text: 'good film', target: 'NEUTRAL' },
    /unknown target label "NEUTRAL"; valid targets: 0 \(NEGATIVE\), 1 \(POSITIVE\)/,
    'unknown_target',
  ],
  [{ text: 'good film', target: 5 }, /target 5 is out of range; valid targets/, 'unknown_target'],
  [{ text: 'good film', method: 'lrp' }, /unknown method "lrp"; use one of integrated-gradients/, 'bad_method'],
  [{ text: 'good film', integration: 'simpson' }, /unknown integration "simpson"; use one of gausslegendre/, 'bad_integration'],
  [{ text: 'good film', baseline: 'noise' }, /unknown baseline "noise"/, 'bad_baseline'],
  [
    { task: 'summarization', text: 'good film' },
    /unknown task "summarization"; use one of image-classification, multi-label, pair-classification, question-answering, text-classification, /,
    'unknown_task',
  ],
  [{ text: 'good film', steps: 0 }, /"steps" must be an integer from 1 to 10000, got 0/, 'bad_steps'],
  [{ text: 'good film', steps: -5 }, /"steps" must be an integer from 1 to 10000, got -5/, 'bad_steps'],
  [{ text: 'good film', steps: 1e9 }, /"steps" must be an integer from 1 to 10000/, 'bad_steps'],
  [{ text: 'good film', device: 'tpu' }, /unknown device "tpu"/, 'bad_device'],
  [{ text: 'good film', truncation: 'maybe' }, /"truncation" must be true or false/, 'bad_truncation'],
  [{ method: 'saliency' }, /^"text" \(or "sentence"\) is required and must be a string$/, 'missing_text'],
  [
    { text: 'good film', method: 'saliency', samples: 3 },
    /^option "samples" is not read by method "saliency"; saliency reads target, method, output, /,
    'unused_option',
  ],
  [
    { text: 'good film', flipSign: true },
    /^option "flipSign" is not read by task "text-classification"; text-classification with method "integrated-gradients" reads /,
    'unused_option',
  ],
];
const VALID: Json[] = [
  { text: 'a gripping film' },
  { text: 'dull and slow', method: 'occlusion' },
  { text: LONG, truncation: true, method: 'saliency' },
];

describe('bad inputs through the CLI JSONL mode', () => {
  it('every bad line is an error naming what was wrong, with its code; valid lines between them are unaffected', async () => {
    const lines = TEXT_CASES.flatMap(([line], i) => [line, VALID[i % VALID.length]!]);
    lines.splice(3, 0, 'not json' as unknown as Json);
    const file = join(tmp, 'mixed.jsonl');
    writeFileSync(file, `${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`);
    const run = await glassbox(['--model', SST2, '--inputs', file]);
    expect(run.code, run.stderr).toBe(0);
    const out = parse(run.stdout);
    expect(out).toHaveLength(lines.length);
    expect(out[3]).toEqual({ error: expect.stringMatching(/line 4 is not valid JSON/), code: 'bad_line' });
    out.splice(3, 1);

    const alone = join(tmp, 'valid.jsonl');
    writeFileSync(alone, `${VALID.map((l) => JSON.stringify(l)).join('\n')}\n`);
    const valid = parse((await glassbox(['--model', SST2, '--inputs', alone])).stdout);
    TEXT_CASES.forEach(([line, pattern, code], i) => {
      expect(out[2 * i], JSON.stringify(line).slice(0, 80)).toEqual({ error: expect.stringMatching(pattern), code });
      expect(out[2 * i + 1]).toEqual(valid[i % VALID.length]);
    });
    expect(valid[2].truncated).toEqual({ inputTokens: 702, explainedTokens: 512 });
    expect(valid[2].tokens).toHaveLength(512);
  });

  it('bad images: a missing file, a file that is no image, pixel values of the wrong channel count or size', async () => {
    const notImage = join(tmp, 'notes.png');
    writeFileSync(notImage, 'this is not a PNG');
    const good = {
      pixelValues: Array.from({ length: 3 }, (_, c) =>
        Array.from({ length: 32 }, (_, y) => Array.from({ length: 32 }, (_, x) => ((c + x + y) % 7) / 7 - 0.5)),
      ),
    };
    const cases: [Json, RegExp, string][] = [
      [{ image: join(tmp, 'missing.png') }, /could not read image ".*missing\.png"/, 'bad_image'],
      [{ image: notImage }, /could not read image ".*notes\.png"/, 'bad_image'],
      [
        { pixelValues: good.pixelValues.slice(0, 2) },
        /pixelValues have shape \[2, 32, 32\] \(2 channels, the model takes 3\); model .* takes \[3, 32, 32\]/,
        'bad_pixel_values',
      ],
      [
        { pixelValues: good.pixelValues.map((ch) => ch.slice(0, 16)) },
        /pixelValues have shape \[3, 16, 32\].*takes \[3, 32, 32\]/,
        'bad_pixel_values',
      ],
    ];
    const file = join(tmp, 'images.jsonl');
    writeFileSync(
      file,
      [...cases.map(([l]) => l), good].map((l) => JSON.stringify({ task: 'image-classification', method: 'saliency', ...l })).join('\n') +
        '\n',
    );
    const run = await glassbox(['--model', VIT, '--inputs', file]);
    const out = parse(run.stdout);
    cases.forEach(([, pattern, code], i) => expect(out[i]).toEqual({ error: expect.stringMatching(pattern), code }));
    expect(out[cases.length].error).toBeUndefined();
    expect(out[cases.length].predicted.label).toEqual(expect.any(String));
  });

  it('an image of 5 channels or of zero size is refused by the library with the numbers', async () => {
    const explainer = await ImageClassificationExplainer.fromPretrained(VIT);
    const five = explainer.explain({ data: new Uint8Array(4 * 4 * 5), width: 4, height: 4, channels: 5 }, { method: 'saliency' });
    await expect(five).rejects.toThrow(/image has 5 channels .*expected 1, 2, 3 or 4/);
    await expect(explainer.explain({ data: new Uint8Array(0), width: 0, height: 4 }, { method: 'saliency' })).rejects.toThrow(
      /positive integers, got 0×4/,
    );
    const ok = await explainer.explain(
      { data: new Uint8Array(40 * 20 * 3).fill(128), width: 40, height: 20, channels: 3 },
      { method: 'saliency' },
    );
    expect(ok.predicted.label).toEqual(expect.any(String)); // any size is resized by the model's processor
  });
});

describe('the library throws typed errors with codes', () => {
  let explainer: SequenceClassificationExplainer;
  beforeAll(async () => {
    explainer = await SequenceClassificationExplainer.fromPretrained(SST2);
  });

  it.each([
    ['empty text', 'empty_text', '', {}],
    ['whitespace-only text', 'empty_text', '   ', {}],
    ['a 702-token text', 'text_too_long', LONG, {}],
    ['an unknown label', 'unknown_target', 'good film', { target: 'MAYBE' }],
    ['an unknown method', 'bad_method', 'good film', { method: 'magic' }],
    ['steps 0', 'bad_steps', 'good film', { steps: 0 }],
    ['steps 50000', 'bad_steps', 'good film', { steps: 50_000 }],
    ['steps 2.5', 'bad_steps', 'good film', { steps: 2.5 }],
    ['an option the method does not read', 'unused_option', 'good film', { method: 'saliency', distance: 'cosine' }],
    ['a name that is no option', 'unknown_option', 'good film', { stdevs: 1 }],
    ['a noise key that is no option', 'unknown_option', 'good film', { method: 'smoothgrad', noise: { stdevs: 1 } }],
  ] as [string, string, string, object][])('%s → InvalidInputError %s', async (_what, code, text, options) => {
    const e = await explainer.explain(text, options).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(InvalidInputError);
    expect(e).toBeInstanceOf(GlassboxError);
    expect((e as GlassboxError).code).toBe(code);
  });

  it('truncation explains the first tokens that fit and says so; the kept text is a prefix of the input', async () => {
    const r = await explainer.explain(`${LONG} and then it got better`, { truncation: true, method: 'saliency' });
    expect(r.truncated).toEqual({ inputTokens: 707, explainedTokens: 512 });
    expect(r.tokens).toHaveLength(512);
    expect(`${LONG} and then it got better`.startsWith(r.text)).toBe(true);
    const short = await explainer.explain('good film', { truncation: true, method: 'saliency' });
    expect(short.truncated).toBeUndefined();
  });
});

describe('truncation in token classification', () => {
  it('a too-long text is an error naming both lengths, or with truncation its first tokens are explained', async () => {
    const ner = await TokenClassificationExplainer.fromPretrained(join(MODELS, 'bert-ner-tiny'));
    await expect(ner.explain(LONG, { method: 'saliency' })).rejects.toThrow(
      /text is 702 tokens long; model .* accepts at most 512; pass truncation: true/,
    );
    const r = await ner.explain(`${LONG} in Paris`, {
      method: 'saliency',
      truncation: true,
      ignoredIndexes: Array.from({ length: 510 }, (_, i) => i + 1),
    });
    expect(r.truncated).toEqual({ inputTokens: 704, explainedTokens: 512 });
    expect(r.tokens).toHaveLength(512);
    expect(`${LONG} in Paris`.startsWith(r.text)).toBe(true);
    expect(r.explained.map((e) => e.index)).toEqual([0, 511]);
  });
});

describe('truncation in question answering cuts the context', () => {
  it('a too-long context is an error naming both lengths, or with truncation its first tokens are explained', async () => {
    const qa = await QuestionAnsweringExplainer.fromPretrained(join(MODELS, 'distilbert-squad-tiny'));
    await expect(qa.explain('where is it?', LONG, { method: 'saliency' })).rejects.toThrow(
      /question \+ context is 707 tokens long; model .* accepts at most 512; pass truncation/,
    );
    const r = await qa.explain('where is it?', LONG, { method: 'saliency', truncation: true });
    expect(r.truncated).toEqual({ inputTokens: 707, explainedTokens: 512 });
    expect(r.question).toBe('where is it?');
    expect(LONG.startsWith(r.context)).toBe(true);
    expect(r.start!.tokens).toHaveLength(512);
  });
});

describe('truncation in zero-shot and text generation', () => {
  it('zero-shot cuts the text to fit beside the longest hypothesis', async () => {
    const zeroShot = await ZeroShotClassificationExplainer.fromPretrained(join(MODELS, 'bert-nli-tiny'));
    await expect(zeroShot.explain(LONG, ['sport', 'politics'], { method: 'saliency' })).rejects.toThrow(
      /text \+ hypothesis is \d+ tokens long; model .* accepts at most 512/,
    );
    const r = await zeroShot.explain(LONG, ['sport', 'international politics'], { method: 'saliency', truncation: true });
    expect(r.truncated).toEqual({ inputTokens: 710, explainedTokens: 512 });
    expect(LONG.startsWith(r.text)).toBe(true);
    expect(r.labels['international politics']!.tokens.length).toBeLessThanOrEqual(512);
  });

  it('text generation cuts the prompt to leave room for the continuation', async () => {
    const gpt2 = await TextGenerationExplainer.fromPretrained(join(MODELS, 'gpt2-tiny'));
    const prompt = Array.from({ length: 300 }, () => ' the').join('');
    await expect(gpt2.explain(prompt, { method: 'saliency', continuation: ' cat sat' })).rejects.toThrow(
      /the prompt is 300 tokens; model .* accepts at most 256/,
    );
    const r = await gpt2.explain(prompt, { method: 'saliency', continuation: ' cat sat', truncation: true });
    expect(r.truncated).toEqual({ inputTokens: 300, explainedTokens: 254 });
    expect(r.promptTokens).toHaveLength(254);
    expect(prompt.startsWith(r.prompt)).toBe(true);
    expect(r.generated.map((g) => g.token)).toEqual(['Ġcat', 'Ġsat']);
  });

  it('text generation: a prompt id outside the vocabulary, and a classification metric on a generation result, are errors with codes', async () => {
    const gpt2 = await TextGenerationExplainer.fromPretrained(join(MODELS, 'gpt2-tiny'));
    const code = (p: Promise<unknown>) =>
      p.then(
        () => 'resolved',
        (e: unknown) => (e instanceof InvalidInputError ? e.code : String(e)),
      );
    expect(await code(gpt2.explain([50257], { continuation: [1] }))).toBe('bad_prompt');
    expect(await code(gpt2.explain('the cat', { continuation: [-1] }))).toBe('bad_continuation');
    const r = await gpt2.explain('the cat', { method: 'occlusion', continuation: ' sat' });
    expect(await code(evaluate(gpt2, r, ['comprehensiveness']))).toBe('unsupported_metric');
    expect(await code(evaluate(gpt2, { question: 'q' } as never))).toBe('unsupported_result');
  });
});

describe('bad model folders and hub ids', () => {
  const SST2_ONNX = readFileSync(join(SST2, 'onnx', 'model.onnx'));
  const variant = (name: string, change: (dir: string) => void) => {
    const dir = join(tmp, name);
    cpSync(SST2, dir, { recursive: true });
    change(dir);
    return dir;
  };
  const ModelProto = protobuf.Root.fromJSON(onnxSchema as unknown as protobuf.INamespace).lookupType('onnx.ModelProto');
  const FOLDERS: [string, (dir: string) => void, new (...args: never[]) => GlassboxError, RegExp][] = [
    [
      'truncated-onnx',
      (d) => writeFileSync(join(d, 'onnx', 'model.onnx'), SST2_ONNX.subarray(0, 100_000)),
      ModelLoadError,
      /onnx\/model\.onnx: not a valid ONNX file \(100000 bytes\)/,
    ],
    [
      'missing-onnx',
      (d) => rmSync(join(d, 'onnx', 'model.onnx')),
      ModelLoadError,
      /file "onnx\/model\.onnx" not found at .*missing-onnx\/onnx\/model\.onnx/,
    ],
    ['bad-config', (d) => writeFileSync(join(d, 'config.json'), '{"id2label": {'), ModelLoadError, /config\.json is not valid JSON/],
    ['missing-tokenizer', (d) => rmSync(join(d, 'tokenizer.json')), ModelLoadError, /could not load its tokenizer \(tokenizer\.json/],
    [
      'unsupported-op',
      (d) => {
        const model = ModelProto.toObject(ModelProto.decode(SST2_ONNX)) as { graph: { node: { opType: string; name: string }[] } };
        model.graph.node.find((n) => n.opType === 'Erf')!.opType = 'Hardmax';
        writeFileSync(join(d, 'onnx', 'model.onnx'), ModelProto.encode(ModelProto.fromObject(model)).finish());
      },
      UnsupportedOpError,
      /unsupported ONNX op Hardmax \(node "[^"]+", opset 14\)/,
    ],
  ];

  it.each(FOLDERS)('%s: the library throws a named, typed error', async (name, change, type, pattern) => {
    const e = await SequenceClassificationExplainer.fromPretrained(variant(`lib-${name}`, change)).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(type);
    expect((e as Error).message).toMatch(pattern);
  });

  it.each(FOLDERS)('%s: the CLI prints one error line naming the file and exits 1', async (name, change, _type, pattern) => {
    const run = await glassbox(['--model', variant(`cli-${name}`, change), '--text', 'good film']);
    expect(run.code).toBe(1);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(run.stdout).error).toMatch(pattern);
  });

  it('a hub id that does not exist names the id and the URL that answered 404', async () => {
    const hub = await startHub();
    try {
      const run = await glassbox(['--model', 'nobody/no-such-model', '--text', 'good film'], { HF_ENDPOINT: hub.url });
      expect(JSON.parse(run.stdout)).toEqual({
        error: expect.stringMatching(
          /model "nobody\/no-such-model": config\.json not found on the hub \(HTTP 404 at http:\/\/127\.0\.0\.1:\d+\/nobody\/no-such-model\/resolve\/main\/config\.json\)/,
        ),
        code: 'model_load',
      });
    } finally {
      await hub.close();
    }
  });
});
