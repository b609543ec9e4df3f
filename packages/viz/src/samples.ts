import type {
  MultiLabelClassificationResult,
  PairwiseClassificationResult,
  QuestionAnsweringResult,
  SequenceClassificationResult,
  TextGenerationResult,
  TokenAttribution,
  TokenClassificationResult,
  ZeroShotClassificationResult,
} from '@glassbox/core';
import type { MultiTargetResult } from './rows.ts';

/**
 * Small hand-built results of every text kind, with the shapes core returns (numbers made
 * up): for tests, docs and trying the views without a model. Every one shows the token
 * SAMPLE_TOKEN, and every kind with labels the label SAMPLE_LABEL (tests swap them for
 * hostile strings).
 */
export const SAMPLE_TOKEN = 'film';
export const SAMPLE_LABEL = 'POSITIVE';

const tok = (token: string, attribution: number | null, special = false): TokenAttribution => ({
  token,
  id: 0,
  start: null,
  end: null,
  special,
  attribution,
});

const sentence = () => [
  tok('[CLS]', 0, true),
  tok('a', 0.12),
  tok('grip', 0.55),
  tok('##ping', 0.31),
  tok(SAMPLE_TOKEN, -0.42),
  tok('[SEP]', -0.05, true),
];
const words = (t: TokenAttribution[]) => [
  { word: 'a', start: 0, end: 1, tokens: [1], attribution: t[1]!.attribution },
  { word: 'gripping', start: 2, end: 10, tokens: [2, 3], attribution: t[2]!.attribution! + t[3]!.attribution! },
  { word: SAMPLE_TOKEN, start: 11, end: 15, tokens: [4], attribution: t[4]!.attribution },
];

export function sampleSequence(): SequenceClassificationResult {
  const tokens = sentence();
  return {
    kind: 'text-classification',
    model: 'sample/distilbert-sst2',
    method: 'integrated-gradients',
    output: 'softmax',
    text: `a gripping ${SAMPLE_TOKEN}`,
    tokens,
    words: words(tokens),
    predicted: { index: 1, label: SAMPLE_LABEL, score: 0.9731 },
    target: { index: 1, label: SAMPLE_LABEL },
    convergenceDelta: 0.0012,
    logits: [-1.8, 1.8],
    probabilities: [0.0269, 0.9731],
  };
}

/** A KernelSHAP explanation of the sequence sample: specials without a value, baseValue and fx with Σ attributions + baseValue = fx. */
export function sampleShapley(): SequenceClassificationResult {
  const tokens = [
    tok('[CLS]', null, true),
    tok('a', 0.05),
    tok('grip', 0.3),
    tok('##ping', 0.125),
    tok(SAMPLE_TOKEN, -0.2),
    tok('[SEP]', null, true),
  ];
  return {
    ...sampleSequence(),
    method: 'kernel-shap',
    tokens,
    words: words(tokens),
    convergenceDelta: null,
    baseValue: 0.6,
    fx: 0.875,
    probabilities: [0.125, 0.875],
  };
}

export function samplePair(): PairwiseClassificationResult {
  const tokens = [
    tok('[CLS]', 0, true),
    tok('a', 0.2),
    tok(SAMPLE_TOKEN, 0.7),
    tok('[SEP]', 0, true),
    tok('a', 0.1),
    tok('movie', 0.65),
    tok('[SEP]', 0, true),
  ];
  return {
    ...sampleSequence(),
    kind: 'pair-classification',
    model: 'sample/cross-encoder',
    text: `a ${SAMPLE_TOKEN}`,
    textPair: 'a movie',
    tokens,
    words: [
      { word: 'a', start: 0, end: 1, tokens: [1], attribution: 0.2 },
      { word: SAMPLE_TOKEN, start: 2, end: 6, tokens: [2], attribution: 0.7 },
      { word: 'a', start: 0, end: 1, tokens: [4], attribution: 0.1, segment: 1 },
      { word: 'movie', start: 2, end: 7, tokens: [5], attribution: 0.65, segment: 1 },
    ],
    predicted: { index: 0, label: SAMPLE_LABEL, score: 0.88 },
    target: { index: 0, label: SAMPLE_LABEL },
    flipSign: false,
  };
}

export function sampleMultiLabel(): MultiLabelClassificationResult {
  const label = (index: number, label: string, probability: number, scale: number) => {
    const tokens = sentence().map((t) => ({ ...t, attribution: t.attribution! * scale }));
    return { index, label, probability, tokens, words: words(tokens), convergenceDelta: null };
  };
  return {
    kind: 'multi-label-classification',
    model: 'sample/multi-label',
    method: 'integrated-gradients',
    output: 'sigmoid',
    text: `a gripping ${SAMPLE_TOKEN}`,
    labels: { [SAMPLE_LABEL]: label(0, SAMPLE_LABEL, 0.91, 1), boring: label(1, 'boring', 0.07, -0.5) },
    predicted: { index: 0, label: SAMPLE_LABEL, score: 0.91 },
    targets: [
      { index: 0, label: SAMPLE_LABEL },
      { index: 1, label: 'boring' },
    ],
    logits: [2.3, -2.6],
    probabilities: [0.91, 0.07],
  };
}

export function sampleZeroShot(): ZeroShotClassificationResult {
  const label = (label: string, score: number, scale: number) => {
    const tokens = sentence()
      .slice(0, 5)
      .map((t) => ({ ...t, attribution: t.attribution! * scale }));
    return {
      label,
      hypothesis: `this text is about ${label} .`,
      score,
      tokens,
      words: words(tokens),
      convergenceDelta: 0.01,
      logits: [1, 0, -1],
      probabilities: [0.66, 0.24, 0.1],
    };
  };
  return {
    kind: 'zero-shot-classification',
    model: 'sample/bert-nli',
    method: 'integrated-gradients',
    output: 'softmax',
    text: `a gripping ${SAMPLE_TOKEN}`,
    hypothesisTemplate: 'this text is about {} .',
    multiLabel: false,
    predictedLabel: SAMPLE_LABEL,
    predicted: { index: 0, label: SAMPLE_LABEL, score: 0.8 },
    target: { index: 0, label: 'entailment' },
    labels: { sport: label('sport', 0.2, -0.3), [SAMPLE_LABEL]: label(SAMPLE_LABEL, 0.8, 1) },
  };
}

export function sampleQuestionAnswering(): QuestionAnsweringResult {
  // Occlusion: no attribution for special tokens.
  const tokens = (a: number[]) =>
    ['[CLS]', 'what', 'is', 'it', '?', '[SEP]', 'a', 'gripping', SAMPLE_TOKEN, '[SEP]'].map((token, i) => {
      const special = token.startsWith('[');
      return { token, id: i, special, attribution: special ? null : a[i]! };
    });
  return {
    kind: 'question-answering',
    model: 'sample/distilbert-squad',
    method: 'occlusion',
    output: 'logits',
    embeddingType: 2,
    question: 'what is it?',
    context: `a gripping ${SAMPLE_TOKEN}`,
    start: { position: 8, logit: 5.1, tokens: tokens([0, 0.3, 0.05, 0.4, 0.01, 0, 0.02, 0.2, 1.4]), convergenceDelta: null },
    end: { position: 8, logit: 4.7, tokens: tokens([0, 0.25, 0.02, 0.33, 0.0, 0, -0.1, 0.1, 1.2]), convergenceDelta: null },
    startPosition: 8,
    endPosition: 8,
    predictedAnswer: SAMPLE_TOKEN,
    startLogits: [0, 0, 0, 0, 0, 0, 0, 1, 5.1, 0],
    endLogits: [0, 0, 0, 0, 0, 0, 0, 1, 4.7, 0],
  };
}

export function sampleTokenClassification(): TokenClassificationResult {
  const text = `Paris loves ${SAMPLE_TOKEN}`;
  const predicted = [
    ['[CLS]', 'O', 0.99],
    ['paris', `B-${SAMPLE_LABEL}`, 0.93],
    ['loves', 'O', 0.97],
    [SAMPLE_TOKEN, 'B-MISC', 0.6],
    ['[SEP]', 'O', 0.99],
  ] as const;
  const tokens = predicted.map(([token, label, score], i) => ({
    token,
    id: i,
    start: null,
    end: null,
    special: token.startsWith('['),
    predicted: { index: label === 'O' ? 0 : 1, label, score },
  }));
  const explained = [1, 3].map((index, k) => ({
    index,
    token: tokens[index]!.token,
    predicted: tokens[index]!.predicted,
    target: { index: tokens[index]!.predicted.index, label: tokens[index]!.predicted.label },
    tokens: tokens.map((t, i) => ({
      token: t.token,
      id: t.id,
      start: t.start,
      end: t.end,
      special: t.special,
      attribution: i === index ? 0.8 : i === 0 ? 0 : (k ? -0.1 : 0.15) * i,
    })),
    convergenceDelta: 0.002,
  }));
  return {
    kind: 'token-classification',
    model: 'sample/bert-ner',
    method: 'integrated-gradients',
    output: 'softmax',
    text,
    tokens,
    explained,
    logits: tokens.map(() => [1, 0]),
    probabilities: tokens.map(() => [0.73, 0.27]),
  };
}

export function sampleTextGeneration(): TextGenerationResult {
  return {
    kind: 'text-generation',
    model: 'sample/gpt2',
    method: 'integrated-gradients',
    output: 'logits',
    prompt: 'I watched the',
    promptTokens: [
      { token: 'I', id: 40 },
      { token: 'Ġwatched', id: 7342 },
      { token: 'Ġthe', id: 262 },
    ],
    generated: [
      { token: `Ġ${SAMPLE_TOKEN}`, id: 2646, score: 9.2, convergenceDelta: 0.01 },
      { token: `Ġ${SAMPLE_LABEL}`, id: 13, score: 7.5, convergenceDelta: 0.02 },
    ],
    generatedText: ` ${SAMPLE_TOKEN} ${SAMPLE_LABEL}`,
    matrix: [
      [0.3, 2.1, 0.9, null, null],
      [0.1, 0.4, -0.2, 1.7, null],
    ],
  };
}

/** Both classes of the sequence sample as the CLI prints `--target all` (tokens without words or specials), with the model, method and output. */
export function sampleMultiTarget(): MultiTargetResult {
  const { model, method, output, predicted, logits } = sampleSequence();
  const entry = (index: number, label: string, sign: number) => ({
    target: { index, label },
    tokens: sentence().map((t) => ({ token: t.token, id: t.id, attribution: t.attribution === null ? null : sign * t.attribution })),
    convergenceDelta: 0.0012,
  });
  return { model, method, output, explanations: [entry(0, 'NEGATIVE', -1), entry(1, SAMPLE_LABEL, 1)], predicted, logits };
}

/** One sample of each text kind, by kind. */
export function sampleResults() {
  return {
    'text-classification': sampleSequence(),
    'pair-classification': samplePair(),
    'multi-label': sampleMultiLabel(),
    'zero-shot': sampleZeroShot(),
    'question-answering': sampleQuestionAnswering(),
    'token-classification': sampleTokenClassification(),
    'text-generation': sampleTextGeneration(),
    'multi-target': sampleMultiTarget(),
  };
}
