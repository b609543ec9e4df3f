/**
 * Text classification: which tokens made the model predict (or not predict) a class.
 * URL state: text, model, method, target, steps, baseline, output (the CLI's option names
 * and defaults, so a link and `glassbox explain` with the same values give the same
 * numbers); run=1 explains at once.
 */
import { type ExplainOptions, SequenceClassificationExplainer, classLabels, type SequenceClassificationResult } from '@glassbox/core';
import { render, toHTML } from '@glassbox/viz';
import {
  type ModelChoice,
  copyLinkButton,
  downloadButton,
  el,
  field,
  fileName,
  loadExplainer,
  methodLabel,
  methodPicker,
  modelPicker,
  note,
  paramSelect,
  resultPanel,
  runControls,
  setChoices,
  setParam,
  loadingText,
  pageLayout,
} from '../controls.ts';
import type { DemoPage, PageContext } from '../page.ts';

const DEFAULT_TEXT = 'A gripping, beautifully acted film.';
const EXAMPLES = [
  'A gripping, beautifully acted film.',
  'The plot was predictable and the dialogue painfully flat.',
  'Not bad at all, though the ending dragged on a little.',
  'I expected nothing and was still disappointed.',
];
const BUNDLED = [{ folder: 'distilbert-sst2-tiny', label: 'DistilBERT SST-2 · bundled' }];

const load = (choice: ModelChoice, device: 'webgpu' | 'cpu') =>
  loadExplainer('text-classification', choice, device, (source, options) => SequenceClassificationExplainer.fromPretrained(source, options));

function mount(root: HTMLElement, context: PageContext): void {
  const { params } = context;

  // ---- form
  const textarea = el('textarea', { class: 'gb-textarea', id: 'text', name: 'text', rows: 4, spellcheck: 'true', 'aria-label': 'Text to classify' });
  textarea.value = params.get('text') ?? DEFAULT_TEXT;
  let typing: ReturnType<typeof setTimeout> | undefined;
  textarea.addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => setParam(context, 'text', textarea.value), 250);
  });
  textarea.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void controls.run();
    }
  });
  const chips = el(
    'div',
    { class: 'gb-chips' },
    el('span', { class: 'gb-hint' }, 'Try:'),
    ...EXAMPLES.map((example) => {
      const chip = el('button', { class: 'gb-chip', type: 'button', title: example }, example);
      chip.addEventListener('click', () => {
        textarea.value = example;
        setParam(context, 'text', example);
        void controls.run();
      });
      return chip;
    }),
  );

  const picker = modelPicker(context, { bundled: BUNDLED });
  const method = methodPicker(context, undefined, () => syncAdvanced());
  const target = paramSelect(context, 'target', [{ value: '', label: 'Predicted class' }], '');
  target.id = 'target';
  method.id = 'method';

  const steps = el('input', { class: 'gb-input', type: 'number', min: 1, max: 10000, step: 1, placeholder: '50', id: 'steps', 'aria-label': 'Integration steps' });
  steps.value = params.get('steps') ?? '';
  steps.addEventListener('change', () => setParam(context, 'steps', steps.value.trim()));
  const baseline = paramSelect(
    context,
    'baseline',
    [
      { value: 'pad', label: '[PAD] tokens (transformers-interpret)' },
      { value: 'mask', label: '[MASK] tokens' },
      { value: 'zero', label: 'Zero embeddings' },
    ],
    'pad',
  );
  const output = paramSelect(
    context,
    'output',
    [
      { value: 'softmax', label: 'Probability (softmax)' },
      { value: 'logits', label: 'Raw logit' },
    ],
    'softmax',
  );
  const stepsField = field('Integration steps', steps, 'Gauss–Legendre points; more is slower and more exact');
  const baselineField = field('Baseline', baseline, 'What “no information” means');
  const advanced = el(
    'details',
    { class: 'gb-details' },
    el('summary', {}, 'Advanced options'),
    el('div', { class: 'gb-row' }, stepsField, baselineField, field('Explained score', output)),
  );
  if (['steps', 'baseline', 'output'].some((p) => params.has(p))) advanced.open = true;
  const syncAdvanced = () => {
    const m = method.value;
    steps.disabled = m !== 'integrated-gradients';
    baseline.disabled = m !== 'integrated-gradients' && m !== 'occlusion';
  };
  syncAdvanced();

  const results = resultPanel();
  let shown: { result: SequenceClassificationResult; model: string } | undefined;
  results.tools.append(
    downloadButton(() => shown && { html: toHTML(shown.result, { model: shown.model }), filename: fileName('glassbox', shown.model, shown.result.method) }),
    copyLinkButton(context),
  );

  const controls = runControls({
    label: 'Explain',
    onRun: async (run) => {
      clearTimeout(typing);
      setParam(context, 'text', textarea.value);
      const choice = picker.value();
      run.loading(loadingText(choice));
      const explainer = await load(choice, context.device).catch((e: Error) => {
        throw choice.bundled ? e : new Error(`${e.message}. Is this browser online, and is "${choice.id}" a text-classification model with ONNX weights (a transformers.js model)?`);
      });
      showLabels(explainer.labels);
      run.running(`Explaining with ${methodLabel(method.value).toLowerCase()}…`);
      const options: ExplainOptions = { method: method.value as ExplainOptions['method'], signal: run.signal, onProgress: run.onProgress };
      if (target.value !== '') options.target = /^\d+$/.test(target.value) ? Number(target.value) : target.value;
      if (steps.value.trim() !== '' && !steps.disabled) options.steps = Number(steps.value);
      if (params.has('baseline') && !baseline.disabled) options.baseline = baseline.value as ExplainOptions['baseline'];
      if (params.has('output')) options.output = output.value as ExplainOptions['output'];
      const result = await explainer.explain(textarea.value, options);
      if (run.signal.aborted) return;
      show(result, choice, explainer.labels);
      params.set('run', '1');
      context.saveParams();
    },
  });

  /** The target choices: "Predicted class" and the model's labels (a value from the URL is kept). */
  function showLabels(labels: readonly string[]): void {
    const current = target.value;
    const choices = [{ value: '', label: 'Predicted class' }, ...labels.map((l) => ({ value: l, label: l }))];
    if (current !== '' && !choices.some((c) => c.value === current)) choices.push({ value: current, label: /^\d+$/.test(current) && labels[Number(current)] ? `${labels[Number(current)]} (#${current})` : current });
    setChoices(target, choices, current);
  }

  function show(result: SequenceClassificationResult, choice: ModelChoice, modelLabels: string[]): void {
    shown = { result, model: choice.id };
    const labels = classLabels(modelLabels, result.logits.length);
    const probs = el(
      'div',
      { class: 'gb-probs', 'aria-label': 'Class probabilities' },
      ...result.probabilities.flatMap((p, i) => [
        el('span', {}, labels[i]!),
        el('div', { class: 'gb-prob-bar' }, Object.assign(el('div', { class: 'gb-prob-fill', 'data-top': String(i === result.predicted.index) }), { style: `width: ${(p * 100).toFixed(1)}%` })),
        el('span', { class: 'gb-prob-value' }, `${(p * 100).toFixed(1)}%`),
      ]),
    );
    const delta = result.convergenceDelta;
    results.head.replaceChildren(
      el('div', { class: 'gb-hint' }, 'Prediction'),
      el('div', { class: 'gb-verdict' }, el('span', { class: 'gb-verdict-label' }, result.predicted.label), el('span', { class: 'gb-verdict-score' }, `${(result.predicted.score * 100).toFixed(1)}% confident`)),
      probs,
    );
    const scoreName = result.output === 'logits' ? 'logit' : 'probability';
    results.body.replaceChildren(
      render(result, { model: choice.id }),
      note(
        `Each token's contribution to the ${scoreName} of ${result.target.label} (${methodLabel(result.method)}): blue tokens push the model towards ${result.target.label}, red ones away from it.` +
          (delta !== null ? ` Convergence delta ${delta.toExponential(2)} (Σ attributions − (f(text) − f(baseline)) before normalisation; near 0 means the integral is accurate).` : '') +
          ' Hover or focus a token for its exact score and rank.',
      ),
    );
    results.element.hidden = false;
  }

  picker.onChange = (choice) => {
    setChoices(target, [{ value: '', label: 'Predicted class' }], '');
    setParam(context, 'target', '');
    if (choice.bundled) void load(choice, context.device).then((e) => showLabels(e.labels), () => undefined);
  };

  // ---- layout
  root.append(
    ...pageLayout(
      'Why did the classifier say that?',
      'Type a sentence and see which words pushed a sentiment model towards its answer, measured with integrated gradients, saliency, SmoothGrad or occlusion. Everything is computed in this page.',
      [
        field('Text', textarea),
        chips,
        el('div', { class: 'gb-row' }, picker.element, field('Method', method), field('Explain class', target)),
        advanced,
        controls.element,
      ],
      results.element,
    ),
  );

  const initial = picker.value();
  // run=1 explains at once; so does a first visit with no state in the URL (the example sentence on the bundled model).
  const fresh = ![...params.keys()].some((k) => k !== 'device' && k !== 'page');
  if (params.get('run') === '1' || (fresh && initial.bundled)) void controls.run();
  else if (initial.bundled) void load(initial, context.device).then((e) => showLabels(e.labels), () => undefined);
}

export const text: DemoPage = { id: 'text', title: 'Text classification', mount };
