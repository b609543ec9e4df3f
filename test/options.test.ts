import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type ExplainOptions,
  GlassboxError,
  IMAGE_METHOD_RULES,
  IMAGE_OPTIONS,
  ImageClassificationExplainer,
  METHODS,
  type MethodName,
  MultiLabelClassificationExplainer,
  PairwiseSequenceClassificationExplainer,
  QuestionAnsweringExplainer,
  SequenceClassificationExplainer,
  TASK_OPTIONS,
  TEXT_METHOD_RULES,
  TEXT_OPTIONS,
  TextGenerationExplainer,
  TokenClassificationExplainer,
  ZeroShotClassificationExplainer,
  benchmark,
} from '@glassbox/core';
import { COMMON_FIELDS } from '../packages/cli/src/options.ts';
import { PERTURBATION_METHODS, GRADIENT_METHODS } from '../packages/core/src/attribution/explainOptions.ts';
import { TASKS } from '../packages/cli/src/tasks/index.ts';
import { glassbox } from './cliRunner.ts';
import { type Json, MODELS, expectClose, refsOf, useLocalFixtures } from './helpers.ts';

const SST2 = 'distilbert-sst2-tiny';
const NLI = 'bert-nli-tiny';
/** "interpret ##o" is one word of two tokens: word granularity then combines token values. */
const TEXT = 'Interpreto is a gripping film, beautifully acted.';
/** Every run explains the positive class's logit, unnormalised, so that any option that changes the computation shows. */
const BASE: ExplainOptions = { output: 'logits', normalize: 'none', target: 1 };

/** Two settings of each method option that give different attributions wherever the option is read (with what it needs). */
const VARIANTS: Record<string, [ExplainOptions, ExplainOptions]> = {
  aggregate: [{ aggregate: 'sum' }, { aggregate: 'l2' }],
  granularityAggregate: [
    { granularity: 'word', granularityAggregate: 'sum' },
    { granularity: 'word', granularityAggregate: 'max' },
  ],
  baseline: [{ baseline: 'pad' }, { baseline: 'mask' }],
  integration: [{ integration: 'gausslegendre' }, { integration: 'riemann_left' }],
  steps: [{ steps: 2 }, { steps: 3 }],
  noise: [{ noise: { stdev: 0.1 } }, { noise: { stdev: 0.5 } }],
  samples: [{ samples: 40 }, { samples: 60 }],
  // Sampled: with its default budget KernelSHAP enumerates every coalition of this text and draws nothing.
  seed: [
    { seed: 1, samples: 40 },
    { seed: 2, samples: 40 },
  ],
  masking: [{ masking: 'pad' }, { masking: 'attention' }],
  occlusion: [{ occlusion: { window: 1 } }, { occlusion: { window: 2 } }],
  // A budget that lets both trees split their root (by default neither does on this text: 2^10 and 2^9 coalitions exceed 500).
  hierarchy: [
    { hierarchy: 'flat', samples: 2000 },
    { hierarchy: 'words', samples: 2000 },
  ],
  distance: [{ distance: 'cosine' }, { distance: 'euclidean' }],
  kernelWidth: [{ kernelWidth: 0.5 }, { kernelWidth: 2 }],
  ridge: [{ ridge: 0 }, { ridge: 5 }],
  internalBatchSize: [{ internalBatchSize: 3 }, { internalBatchSize: 7 }],
  layer: [{ layer: 'word' }, { layer: 'embeddings' }],
};
/** Integrated gradients runs with few points unless `steps` is the option under test. */
const methodBase = (method: MethodName): ExplainOptions => ({ ...BASE, method, ...(method === 'integrated-gradients' && { steps: 4 }) });
/** Partition SHAP's seed only breaks ties between equal coalition scores, which this text has none of: its values cannot show it. */
const INVISIBLE: Partial<Record<MethodName, string[]>> = { 'partition-shap': ['seed'] };

const values = (r: { tokens: { attribution: number | null }[] }) => r.tokens.map((t) => t.attribution);

async function rejection(call: () => Promise<unknown>): Promise<GlassboxError> {
  const e = await call().then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(GlassboxError);
  return e as GlassboxError;
}

async function expectUnused(call: () => Promise<unknown>, option: string, by: string): Promise<void> {
  const e = await rejection(call);
  expect(e.code, e.message).toBe('unused_option');
  // An object option (noise, occlusion) is named by the keys given in it: "occlusion.window" is the CLI's --window.
  expect(e.message).toMatch(new RegExp(`^option "${option}(\\.\\w+)?"(, "${option}\\.\\w+")* is not read by ${by}`));
}

describe('the option table says what each text method reads', () => {
  let explainer: SequenceClassificationExplainer;
  beforeAll(async () => {
    useLocalFixtures();
    explainer = await SequenceClassificationExplainer.fromPretrained(SST2);
  });

  it('the table covers every method, and each method family is what the method lists say', () => {
    expect(Object.keys(TEXT_METHOD_RULES).sort()).toEqual([...METHODS].sort());
    const family = (f: string) => METHODS.filter((m) => TEXT_METHOD_RULES[m].family === f);
    expect(family('gradient')).toEqual(METHODS.filter((m) => (GRADIENT_METHODS as readonly string[]).includes(m)));
    expect(family('perturbation')).toEqual(METHODS.filter((m) => (PERTURBATION_METHODS as readonly string[]).includes(m)));
  });

  it.each(METHODS)(
    '%s: every option it reads changes its result (internalBatchSize leaves it unchanged); every other is unused_option naming the option and the method',
    async (method) => {
      const reads = TEXT_METHOD_RULES[method].options;
      for (const [option, [a, b]] of Object.entries(VARIANTS)) {
        if (!reads.includes(option)) {
          await expectUnused(() => explainer.explain(TEXT, { ...methodBase(method), ...a }), option, `method "${method}"`);
          continue;
        }
        if (INVISIBLE[method]?.includes(option)) continue;
        const [ra, rb] = [
          await explainer.explain(TEXT, { ...methodBase(method), ...a }),
          await explainer.explain(TEXT, { ...methodBase(method), ...b }),
        ];
        if (option === 'internalBatchSize') expectClose(values(ra), values(rb), 1e-6, 1e-5, `${method} ${option}`);
        else expect(values(ra), `${method} ${option}`).not.toEqual(values(rb));
      }
      for (const option of reads) expect(Object.keys(VARIANTS), `a variant of ${option}`).toContain(option);
    },
  );

  it('the message lists what the method reads', async () => {
    const e = await rejection(() => explainer.explain(TEXT, { method: 'saliency', distance: 'euclidean' }));
    expect(e.message).toBe(
      'option "distance" is not read by method "saliency"; saliency reads target, method, output, normalize, granularity, truncation, textPair, transformersInterpretQuirks, attention, onProgress, signal, aggregate, granularityAggregate, layer',
    );
  });

  it('options read only under a setting of others: granularityAggregate at token granularity, baseline beside masking; a perturbation baseline names a token', async () => {
    await expectUnused(
      () => explainer.explain(TEXT, { method: 'saliency', granularityAggregate: 'max' }),
      'granularityAggregate',
      'method "saliency" at granularity "token"',
    );
    await expectUnused(
      () => explainer.explain(TEXT, { method: 'lime', baseline: 'mask', masking: 'attention' }),
      'baseline',
      'method "lime" when "masking" is given',
    );
    const e = await rejection(() => explainer.explain(TEXT, { method: 'kernel-shap', baseline: 'zero' }));
    expect([e.code, e.message]).toEqual([
      'bad_baseline',
      'kernel-shap replaces tokens: baseline must be "pad" or "mask" (or give masking), got "zero"',
    ]);
  });

  it('a name that is no option is unknown_option, also inside noise and occlusion; a nested option that is no object is bad_option', async () => {
    const top = await rejection(() => explainer.explain(TEXT, { method: 'smoothgrad', stdevs: 0.1 } as ExplainOptions));
    expect(top.code).toBe('unknown_option');
    expect(top.message).toMatch(/^unknown option "stdevs"; text-classification with method "smoothgrad" reads .*\bnoise\b/);
    const inNoise = await rejection(() => explainer.explain(TEXT, { method: 'smoothgrad', noise: { stdevs: 0.1 } as never }));
    expect([inNoise.code, inNoise.message]).toEqual([
      'unknown_option',
      'unknown option "noise.stdevs"; noise takes type, samples, stdev, seed',
    ]);
    const inOcclusion = await rejection(() => explainer.explain(TEXT, { method: 'occlusion', occlusion: { size: 2 } as never }));
    expect([inOcclusion.code, inOcclusion.message]).toEqual([
      'unknown_option',
      'unknown option "occlusion.size"; occlusion takes window, stride',
    ]);
    expect((await rejection(() => explainer.explain(TEXT, { method: 'occlusion', occlusion: 2 as never }))).code).toBe('bad_option');
  });

  it.each(['smoothgrad', 'smoothgrad-sq', 'vargrad'] as const)(
    '%s reads top-level samples and seed as its noise samples and seed; different values in both places are bad_option',
    async (method) => {
      const top = await explainer.explain(TEXT, { ...BASE, method, samples: 3, seed: 5 });
      const nested = await explainer.explain(TEXT, { ...BASE, method, noise: { samples: 3, seed: 5 } });
      expect(values(top)).toEqual(values(nested));
      expect(values(top)).not.toEqual(values(await explainer.explain(TEXT, { ...BASE, method, samples: 4, seed: 5 })));
      expect(values(await explainer.explain(TEXT, { ...BASE, method, samples: 3, noise: { samples: 3, seed: 5 } }))).toEqual(values(top));
      const both = await rejection(() => explainer.explain(TEXT, { method, samples: 3, noise: { samples: 4 } }));
      expect([both.code, both.message]).toEqual([
        'bad_option',
        "samples (3) and noise.samples (4) are both the noise tunnel's sample count; give one",
      ]);
      expect((await rejection(() => explainer.explain(TEXT, { method, seed: 1, noise: { seed: 2 } }))).code).toBe('bad_option');
    },
  );

  it('benchmark gives each method the options it reads, and refuses one no method reads or attention', async () => {
    const run = (explain: Record<string, unknown>) =>
      benchmark(explainer, TEXT, { methods: ['saliency', 'lime'], metrics: ['comprehensiveness'], target: 1, explain });
    const plain = await run({});
    const euclidean = await run({ distance: 'euclidean' });
    expect(euclidean.methods[0]!.tokens).toEqual(plain.methods[0]!.tokens);
    expect(euclidean.methods[1]!.tokens).not.toEqual(plain.methods[1]!.tokens);
    const none = await rejection(() => run({ steps: 4 }));
    expect([none.code, none.message]).toEqual([
      'unused_option',
      'option "steps" is not read by any of the methods saliency, lime; steps is read by integrated-gradients',
    ]);
    await expectUnused(() => run({ attention: 'raw' }), 'attention', 'task "benchmark"');
  });
});

describe("each task's own options, and the image methods'", () => {
  beforeAll(() => useLocalFixtures());

  it('text and pair classification, explainBatch, multi-label, zero-shot', async () => {
    const [single, pair, multi, zeroShot] = await Promise.all([
      SequenceClassificationExplainer.fromPretrained(SST2),
      PairwiseSequenceClassificationExplainer.fromPretrained(NLI),
      MultiLabelClassificationExplainer.fromPretrained(SST2),
      ZeroShotClassificationExplainer.fromPretrained(NLI),
    ]);
    await expectUnused(() => single.explain(TEXT, { flipSign: true } as ExplainOptions), 'flipSign', 'task "text-classification"');
    const batch = await rejection(() => single.explainBatch([TEXT], { target: 1 } as never));
    expect(batch.message).toMatch(/^option "target" is not read by task "text-classification batch"; .* reads .*\btargets\b/);
    await expectUnused(
      () => pair.explain('a man sleeps', 'a person rests', { textPair: 'x' } as never),
      'textPair',
      'task "pair-classification"',
    );
    await expectUnused(() => multi.explain(TEXT, { target: 1 } as never), 'target', 'task "multi-label"');
    await expectUnused(() => zeroShot.explain(TEXT, ['film'], { target: 1 } as never), 'target', 'task "zero-shot"');
    await expectUnused(
      () => zeroShot.explain(TEXT, ['film'], { method: 'saliency', labels: ['x'] } as never),
      'labels',
      'task "zero-shot"',
    );
    expect((await multi.explain(TEXT, { method: 'saliency', labels: [1] })).targets).toEqual([{ index: 1, label: 'POSITIVE' }]);
  });

  it('question answering, token classification, text generation', async () => {
    const [qa, ner, generation] = await Promise.all([
      QuestionAnsweringExplainer.fromPretrained('distilbert-squad-tiny'),
      TokenClassificationExplainer.fromPretrained('bert-ner-tiny'),
      TextGenerationExplainer.fromPretrained('gpt2-tiny'),
    ]);
    await expectUnused(
      () => qa.explain('who?', 'Ann did.', { hypothesisTemplate: '{}' } as never),
      'hypothesisTemplate',
      'task "question-answering"',
    );
    await expectUnused(
      () => ner.explain('Ann lives in Paris', { embeddingType: 0 } as never),
      'embeddingType',
      'task "token-classification"',
    );
    await expectUnused(
      () => generation.explain('The cat', { transformersInterpretQuirks: true } as never),
      'transformersInterpretQuirks',
      'task "text-generation"',
    );
    await expectUnused(
      () => generation.explain('The cat', { continuation: ' sat', maxNewTokens: 3 }),
      'maxNewTokens',
      'task "text-generation" when "continuation" is given',
    );
    const unknown = await rejection(() => ner.explain('Ann lives in Paris', { ignoredLabel: ['O'] } as never));
    expect(unknown.code).toBe('unknown_option');
    expect(unknown.message).toMatch(
      /^unknown option "ignoredLabel"; token-classification with method "integrated-gradients" reads .*\bignoredLabels\b/,
    );
  });

  it("image classification: text options and other methods' options are unused_option; samples and seed are the noise tunnel's", async () => {
    const images = await ImageClassificationExplainer.fromPretrained('vit-fashion-tiny');
    const pixelValues = refsOf('vit-fashion-tiny').inputs[0].pixel_values as number[][][];
    const explain = (options: Record<string, unknown>) => images.explain({ pixelValues }, options);
    await expectUnused(() => explain({ method: 'saliency', granularity: 'word' }), 'granularity', 'task "image-classification"');
    await expectUnused(() => explain({ method: 'saliency', internalBatchSize: 4 }), 'internalBatchSize', 'method "saliency"');
    await expectUnused(() => explain({ method: 'integrated-gradients', noise: { samples: 2 } }), 'noise', 'method "integrated-gradients"');
    expect((await rejection(() => explain({ method: 'smoothgrad', noise: { type: 'vargrad' } }))).message).toBe(
      'unknown option "noise.type"; noise takes samples, stdev, seed',
    );
    const top = await explain({ method: 'smoothgrad', target: 9, steps: 2, samples: 2, seed: 4 });
    const nested = await explain({ method: 'smoothgrad', target: 9, steps: 2, noise: { samples: 2, seed: 4 } });
    expect(top.map).toEqual(nested.map);
  });
});

describe('the CLI reaches every option under its name and refuses the unused ones', () => {
  const SST2_DIR = join(MODELS, SST2);
  const lines = (s: string) =>
    s
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Json);
  const jsonl = (cases: object[]) => {
    const file = join(mkdtempSync(join(tmpdir(), 'glassbox-options-')), 'cases.jsonl');
    writeFileSync(file, `${cases.map((c) => JSON.stringify(c)).join('\n')}\n`);
    return file;
  };
  const attributions = (line: Json) => line.tokens.map((t: Json) => t.attribution) as (number | null)[];
  let explainer: SequenceClassificationExplainer;
  beforeAll(async () => {
    useLocalFixtures();
    explainer = await SequenceClassificationExplainer.fromPretrained(SST2);
  });

  it('text classification: unused options are error lines with their code; each new flag gives the library call of the same name', async () => {
    const base = { text: TEXT, output: 'logits', normalize: 'none', target: 1 };
    const cases: [object, ExplainOptions | string][] = [
      [{ ...base, method: 'saliency', samples: 3 }, 'option "samples" is not read by method "saliency"'],
      [{ ...base, method: 'kernel-shap', distance: 'euclidean' }, 'option "distance" is not read by method "kernel-shap"'],
      [{ ...base, flipSign: true }, 'option "flipSign" is not read by task "text-classification"'],
      [{ ...base, labels: 'POSITIVE' }, 'option "labels" is not read by task "text-classification"'],
      [{ ...base, method: 'lime' }, { method: 'lime' }],
      [
        { ...base, method: 'lime', distance: 'euclidean' },
        { method: 'lime', distance: 'euclidean' },
      ],
      [
        { ...base, method: 'lime', kernelWidth: 0.5 },
        { method: 'lime', kernelWidth: 0.5 },
      ],
      [
        { ...base, method: 'lime', ridge: 5 },
        { method: 'lime', ridge: 5 },
      ],
      [
        { ...base, method: 'smoothgrad', samples: 3 },
        { method: 'smoothgrad', noise: { samples: 3 } },
      ],
      [
        { ...base, method: 'smoothgrad', samples: 5 },
        { method: 'smoothgrad', noise: { samples: 5 } },
      ],
      [
        { ...base, method: 'smoothgrad', samples: 3, seed: 9, stdev: 0.2 },
        { method: 'smoothgrad', noise: { samples: 3, seed: 9, stdev: 0.2 } },
      ],
      [
        { ...base, method: 'integrated-gradients', steps: 8, internalBatchSize: 1 },
        { method: 'integrated-gradients', steps: 8 },
      ],
      [{ ...base, method: 'occlusion', internalBatchSize: 2 }, { method: 'occlusion' }],
      // The library's object options, as a JSONL line gives them.
      [
        { ...base, method: 'smoothgrad', noise: { samples: 3, stdev: 0.2 } },
        { method: 'smoothgrad', noise: { samples: 3, stdev: 0.2 } },
      ],
      [
        { ...base, method: 'occlusion', occlusion: { window: 2 } },
        { method: 'occlusion', occlusion: { window: 2 } },
      ],
      [{ ...base, method: 'saliency', noise: { stdev: 1 } }, 'option "noise.stdev" is not read by method "saliency"'],
    ];
    const { code, stdout } = await glassbox(['--model', SST2_DIR, '--inputs', jsonl(cases.map(([c]) => c))]);
    expect(code).toBe(0);
    const out = lines(stdout);
    expect(out).toHaveLength(cases.length);
    for (const [k, [given, expected]] of cases.entries()) {
      if (typeof expected === 'string') {
        expect(out[k].code, JSON.stringify(given)).toBe('unused_option');
        expect(out[k].error.startsWith(expected), out[k].error).toBe(true);
        continue;
      }
      const library = await explainer.explain(TEXT, { ...BASE, ...expected });
      expectClose(attributions(out[k]), values(library), 1e-6, 1e-5, JSON.stringify(given));
      if (library.convergenceDelta === null) expect(out[k].convergenceDelta).toBeNull();
      else expect(out[k].convergenceDelta).toBeCloseTo(library.convergenceDelta, 6);
    }
    const [lime, euclidean, width, ridge, three, five] = [4, 5, 6, 7, 8, 9].map((k) => attributions(out[k]));
    for (const other of [euclidean, width, ridge]) expect(other).not.toEqual(lime);
    expect(five).not.toEqual(three);
  });

  it('a line reads its text from "sentence"; no text is missing_text, empty text empty_text; fields that are no option stay a note', async () => {
    const { code, stdout, stderr } = await glassbox([
      '--model',
      SST2_DIR,
      '--method',
      'saliency',
      '--inputs',
      jsonl([{ sentence: TEXT, idx: 7, label: 1 }, { text: TEXT }, { idx: 8 }, { text: '' }, { text: TEXT, sentence: TEXT }]),
    ]);
    expect(code).toBe(0);
    const out = lines(stdout);
    expect(attributions(out[0])).toEqual(attributions(out[1]));
    expect([out[2].code, out[2].error]).toEqual(['missing_text', '"text" (or "sentence") is required and must be a string']);
    expect(out[3].code).toBe('empty_text');
    expect(out[4].error).toMatch(/give "text" or "sentence", not both/);
    expect(stderr).toMatch(/ignoring field "idx"/);
    expect(stderr).toMatch(/ignoring field "label"/);
  });

  it('every library option has a flag of the same name (noise and occlusion as their keys), and --help names each', async () => {
    const flags = new Set<string>([...COMMON_FIELDS, ...TASKS.flatMap((t) => [...t.inputs, ...t.options])]);
    /** Library options the CLI spells as their keys, or has no use for (callbacks; explainBatch's targets). */
    const spelled: Record<string, string[]> = {
      noise: ['samples', 'stdev', 'seed'],
      occlusion: ['window', 'stride'],
      onProgress: [],
      signal: [],
      targets: [],
    };
    const library = [
      ...TEXT_OPTIONS,
      ...IMAGE_OPTIONS,
      ...Object.values(TEXT_METHOD_RULES).flatMap((m) => m.options),
      ...Object.values(IMAGE_METHOD_RULES).flat(),
      ...TASK_OPTIONS,
    ];
    for (const option of new Set(library)) for (const flag of spelled[option] ?? [option]) expect(flags, option).toContain(flag);
    const { stderr } = await glassbox(['--help']);
    for (const flag of [...COMMON_FIELDS, ...TASKS.flatMap((t) => t.options)]) expect(stderr, flag).toContain(`--${flag}`);
  });

  it('a single input with an unused flag: an error line with its code, exit 1', async () => {
    const { code, stdout } = await glassbox(['--model', SST2_DIR, '--text', TEXT, '--method', 'saliency', '--samples', '3']);
    expect(code).toBe(1);
    expect(lines(stdout)).toEqual([
      {
        error:
          'option "samples" is not read by method "saliency"; saliency reads target, method, output, normalize, granularity, truncation, textPair, transformersInterpretQuirks, attention, onProgress, signal, aggregate, granularityAggregate, layer',
        code: 'unused_option',
      },
    ]);
  });

  it('pair classification takes --flipSign (the library refuses it for a 3-class model), question answering --which, image classification --window/--stride and --stdev', async () => {
    const pair = await glassbox([
      '--model',
      join(MODELS, NLI),
      '--task',
      'pair-classification',
      '--method',
      'saliency',
      '--inputs',
      jsonl([
        { text: 'a man sleeps', textPair: 'a person rests', flipSign: 'true' },
        { text: 'a man sleeps', textPair: 'a person rests', flipSign: false },
        { text: 'a man sleeps', textPair: 'a person rests', which: 'start' },
        // BERT with transformersInterpretQuirks: the last [SEP] of a single text is segment 1.
        { task: 'text-classification', text: 'a man sleeps', transformersInterpretQuirks: true },
        { task: 'text-classification', text: 'a man sleeps', transformersInterpretQuirks: 'false' },
      ]),
    ]);
    const [flip, plain, which, quirks, noQuirks] = lines(pair.stdout);
    expect(flip.code).toBe('bad_flip_sign');
    expect(plain.tokens.length).toBeGreaterThan(0);
    expect(which.error).toMatch(/^option "which" is not read by task "pair-classification"/);
    const bert = await SequenceClassificationExplainer.fromPretrained(NLI);
    for (const [line, on] of [
      [quirks, true],
      [noQuirks, false],
    ] as const) {
      expectClose(
        attributions(line),
        values(await bert.explain('a man sleeps', { method: 'saliency', transformersInterpretQuirks: on })),
        1e-6,
        1e-5,
        `quirks ${on}`,
      );
    }
    expect(attributions(quirks)).not.toEqual(attributions(noQuirks));

    const qa = await glassbox([
      '--model',
      join(MODELS, 'distilbert-squad-tiny'),
      '--task',
      'question-answering',
      '--question',
      'who wrote it?',
      '--context',
      'Ann wrote it.',
      '--method',
      'saliency',
      '--which',
      'start',
    ]);
    const answer = lines(qa.stdout)[0];
    expect(answer.start.tokens.length).toBeGreaterThan(0);
    expect(answer.end).toBeNull();

    const pixelValues = refsOf('vit-fashion-tiny').inputs[0].pixel_values;
    const image = await glassbox([
      '--model',
      join(MODELS, 'vit-fashion-tiny'),
      '--task',
      'image-classification',
      '--target',
      '9',
      '--inputs',
      jsonl([
        { pixelValues, method: 'occlusion', window: 16, stride: 16 },
        { pixelValues, method: 'smoothgrad', samples: 2, stdev: 0, steps: 5 },
        { pixelValues, method: 'integrated-gradients', steps: 5 },
        { pixelValues, method: 'saliency', granularity: 'word' },
      ]),
    ]);
    const [occlusion, smooth, ig, granularity] = lines(image.stdout);
    expect([occlusion.map.length, occlusion.map[0].length]).toEqual([2, 2]);
    // No noise: every noisy sample is the input, so the noise tunnel over integrated gradients is integrated gradients.
    expectClose(smooth.map.flat(), ig.map.flat(), 1e-6, 1e-5, 'smoothgrad with stdev 0');
    expect([granularity.code, granularity.error]).toEqual([
      'unused_option',
      expect.stringMatching(/^option "granularity" is not read by task "image-classification"/),
    ]);
  });
});
