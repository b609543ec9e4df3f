/**
 * Text classification: which tokens made the model predict (or not predict) a class, by
 * one method, or by several compared on faithfulness metrics (core's `benchmark`).
 * URL state: text, model, method, target, steps, baseline, output, granularity,
 * granularityAggregate, masking, samples, seed, window, stride, hierarchy, metrics, methods
 * (the CLI's option names and defaults, so a link and `glassbox explain` / `glassbox
 * benchmark` with the same values give the same numbers). An option applies only to the
 * methods it changes (core's option table, readsOption; the page hides it otherwise). run=1 explains at once,
 * run=compare compares the methods at once.
 */
import {
  BENCHMARK_METHODS,
  type BenchmarkResult,
  type ExplainOptions,
  METHODS,
  PERTURBATION_METHODS,
  GRANULARITIES,
  type Granularity,
  HIERARCHIES,
  type HierarchyName,
  MASKINGS,
  type MaskingName,
  METRICS,
  type MetricName,
  metricOptionsOf,
  type MetricScores,
  type MethodName,
  OUTPUT_SPACES,
  type Remote,
  type SequenceClassificationExplainer,
  UNIT_AGGREGATES,
  type UnitAggregate,
  classLabels,
  readsOption,
  type SequenceClassificationResult,
} from '@glassbox/core';
import { renderBenchmark, render, toHTML } from '@glassbox/viz';
import {
  ALL_TEXT_METHODS,
  type ModelChoice,
  type RunControls,
  type RunHandle,
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
  paramChecklist,
  paramNumber,
  paramSelect,
  resultPanel,
  runControls,
  setChoices,
  setParam,
  loadingText,
  pageLayout,
  stageLabel,
} from '../controls.ts';
import type { DemoPage, PageContext } from '../page.ts';
import { truncationNote, truncationToggle } from '../truncation.ts';
import { scoreName, valuesCaption } from '../values.ts';

const DEFAULT_TEXT = 'A gripping, beautifully acted film.';
const EXAMPLES = [
  'A gripping, beautifully acted film.',
  'The plot was predictable and the dialogue painfully flat.',
  'Not bad at all, though the ending dragged on a little.',
  'I expected nothing and was still disappointed.',
];
const BUNDLED = [{ folder: 'distilbert-sst2-tiny', label: 'DistilBERT SST-2 · bundled' }];

const load = (choice: ModelChoice, device: 'webgpu' | 'cpu') => loadExplainer('text-classification', choice, device);

const OUTPUT_LABELS: Record<(typeof OUTPUT_SPACES)[number], string> = {
  softmax: 'Probability (softmax)',
  logits: 'Raw logit',
  'log-softmax': 'Log-probability (log-softmax)',
};
const GRANULARITY_LABELS: Record<Granularity, string> = {
  token: 'Tokens',
  word: 'Words',
  sentence: 'Sentences',
  'all-tokens': 'All tokens (special ones too)',
};
const AGGREGATE_LABELS: Record<UnitAggregate, string> = {
  sum: 'Sum',
  mean: 'Mean',
  max: 'Max',
  'signed-max': 'Largest magnitude, sign kept',
};
const MASKING_LABELS: Record<MaskingName, string> = { pad: '[PAD] tokens', mask: '[MASK] tokens', attention: 'Attention mask 0' };
const HIERARCHY_LABELS: Record<HierarchyName, string> = {
  clustered: 'Clustered (shap’s text masker)',
  flat: 'Flat (Shapley values)',
  words: 'By word',
  sentences: 'By sentence, then word',
};
const choicesOf = <T extends string>(values: readonly T[], labels: Record<T, string>) =>
  values.map((value) => ({ value, label: labels[value] }));

type OptionName =
  | 'steps'
  | 'baseline'
  | 'output'
  | 'granularity'
  | 'granularityAggregate'
  | 'masking'
  | 'samples'
  | 'seed'
  | 'window'
  | 'stride'
  | 'hierarchy';
/**
 * Whether an option changes method `method`'s result (at `granularity`, with or without a
 * `masking` chosen): core's option table says (readsOption); the page shows and applies only
 * those. The CLI's window and stride are the `occlusion` option's keys.
 */
const applies = (name: OptionName, method: string, granularity: string, masking?: string) =>
  (METHODS as readonly string[]).includes(method) &&
  // The page removes units with its masking control; occlusion keeps its baseline (the replaced token) as before.
  !(name === 'baseline' && (PERTURBATION_METHODS as readonly string[]).includes(method) && method !== 'occlusion') &&
  readsOption(method as MethodName, name === 'window' || name === 'stride' ? 'occlusion' : name, {
    granularity: granularity as Granularity,
    masking: masking as MaskingName | undefined,
  });

/**
 * What the CLI's --metrics score with: the explanation's units, removed as its masking, else
 * as its baseline token when that is [MASK], else with [PAD] (packages/cli/src/main.ts metricOptions).
 */

function mount(root: HTMLElement, context: PageContext): void {
  const { params } = context;

  // ---- form
  const textarea = el('textarea', {
    class: 'gb-textarea',
    id: 'text',
    name: 'text',
    rows: 4,
    spellcheck: 'true',
    'aria-label': 'Text to classify',
  });
  textarea.value = params.get('text') ?? DEFAULT_TEXT;
  let typing: ReturnType<typeof setTimeout> | undefined;
  textarea.addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => setParam(context, 'text', textarea.value), 250);
  });
  textarea.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      controls.button.click();
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
        controls.button.click(); // nothing while a comparison runs (the button is disabled)
      });
      return chip;
    }),
  );

  const truncation = truncationToggle(context);
  const picker = modelPicker(context, { bundled: BUNDLED });
  const method = methodPicker(context, ALL_TEXT_METHODS, () => syncAdvanced());
  const target = paramSelect(context, 'target', [{ value: '', label: 'Predicted class' }], '');
  target.id = 'target';
  method.id = 'method';

  const numbers = {
    steps: paramNumber(context, 'steps', { min: 1, max: 10000, placeholder: '50', 'aria-label': 'Integration steps' }),
    samples: paramNumber(context, 'samples', { min: 2, placeholder: 'method’s default', 'aria-label': 'Samples' }),
    seed: paramNumber(context, 'seed', { placeholder: '42', 'aria-label': 'Seed' }),
    window: paramNumber(context, 'window', { min: 1, placeholder: '1', 'aria-label': 'Occlusion window' }),
    stride: paramNumber(context, 'stride', { min: 1, placeholder: '1', 'aria-label': 'Occlusion stride' }),
  };
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
  const selects = {
    baseline,
    output: paramSelect(context, 'output', choicesOf(OUTPUT_SPACES, OUTPUT_LABELS), 'softmax'),
    granularity: paramSelect(context, 'granularity', choicesOf(GRANULARITIES, GRANULARITY_LABELS), 'token', () => syncAdvanced()),
    granularityAggregate: paramSelect(context, 'granularityAggregate', choicesOf(UNIT_AGGREGATES, AGGREGATE_LABELS), 'sum'),
    masking: paramSelect(context, 'masking', choicesOf(MASKINGS, MASKING_LABELS), 'pad', () => syncAdvanced()),
    hierarchy: paramSelect(context, 'hierarchy', choicesOf(HIERARCHIES, HIERARCHY_LABELS), 'clustered'),
  };
  for (const [name, control] of Object.entries({ ...numbers, ...selects })) control.id = name;
  const fields: Record<OptionName, HTMLElement> = {
    steps: field('Integration steps', numbers.steps, 'Gauss–Legendre points; more is slower and more exact'),
    baseline: field('Baseline', baseline, 'What “no information” means'),
    output: field('Explained score', selects.output),
    granularity: field('Attribute to', selects.granularity, 'Perturbation methods remove whole units'),
    granularityAggregate: field('Tokens → unit', selects.granularityAggregate, 'How a unit’s token gradients combine'),
    masking: field('Removed tokens become', selects.masking),
    samples: field('Samples', numbers.samples, 'Model evaluations allowed'),
    seed: field('Seed', numbers.seed, 'Of the random draws'),
    window: field('Window', numbers.window, 'Units occluded together'),
    stride: field('Stride', numbers.stride, 'Units between windows'),
    hierarchy: field('Coalition tree', selects.hierarchy, 'How Partition SHAP groups the units'),
  };
  const metrics = paramChecklist(
    context,
    'metrics',
    METRICS.map((m) => ({ value: m, label: m })),
    [],
    'Faithfulness metrics',
  );
  const advanced = el(
    'details',
    { class: 'gb-details' },
    el('summary', {}, 'Advanced options'),
    el('div', { class: 'gb-row' }, fields.steps, fields.baseline, fields.output),
    el('div', { class: 'gb-row' }, fields.granularity, fields.granularityAggregate, fields.masking),
    el('div', { class: 'gb-row' }, fields.samples, fields.seed, fields.window, fields.stride, fields.hierarchy),
    el('div', { class: 'gb-row' }, metrics.element),
    note(
      'Metrics score an explanation (Explain) or every compared method (Compare; all four when none is ticked): deletion and insertion AUC (interpreto’s), comprehensiveness and sufficiency AOPC (ferret’s), on the probability of the explained class.',
    ),
  );
  if ([...Object.keys(fields), 'metrics'].some((p) => params.has(p))) advanced.open = true;
  const syncAdvanced = () => {
    const masking = params.has('masking') ? selects.masking.value : undefined;
    for (const [name, element] of Object.entries(fields))
      element.hidden = !applies(name as OptionName, method.value, selects.granularity.value, name === 'baseline' ? masking : undefined);
  };
  syncAdvanced();

  /** The options set on the page (in the URL) that apply to one of `methods`, as explain() takes them (the CLI's flags: window and stride make `occlusion`). */
  function chosenOptions(methods: readonly string[]): ExplainOptions {
    const masking = params.has('masking') ? selects.masking.value : undefined;
    const read = (name: OptionName) =>
      methods.some((m) => applies(name, m, selects.granularity.value, name === 'baseline' ? masking : undefined));
    const options: Record<string, unknown> = {};
    for (const [name, select] of Object.entries(selects)) if (params.has(name) && read(name as OptionName)) options[name] = select.value;
    for (const [name, input] of Object.entries(numbers))
      if (input.value.trim() !== '' && read(name as OptionName)) options[name] = Number(input.value);
    const { window, stride, ...rest } = options;
    const occlusion = { ...(window !== undefined && { window }), ...(stride !== undefined && { stride }) };
    return { ...rest, ...(Object.keys(occlusion).length > 0 && { occlusion }) } as ExplainOptions;
  }

  const chosenTarget = (): number | string | undefined =>
    target.value === '' ? undefined : /^\d+$/.test(target.value) ? Number(target.value) : target.value;

  // ---- compare methods
  const compared = paramChecklist(context, 'methods', ALL_TEXT_METHODS, BENCHMARK_METHODS, 'Methods to compare');

  const results = resultPanel();
  let shown: { result: SequenceClassificationResult; model: string } | undefined;
  results.tools.append(
    downloadButton(
      () =>
        shown && { html: toHTML(shown.result, { model: shown.model }), filename: fileName('glassbox', shown.model, shown.result.method) },
    ),
    copyLinkButton(context),
  );
  const comparison = resultPanel();
  comparison.element.dataset.role = 'comparison';
  comparison.tools.append(copyLinkButton(context, 'compare'));

  /** The page's text and model, the model loaded (its labels shown as targets). */
  async function loadChosen(run: RunHandle): Promise<{ explainer: Remote<SequenceClassificationExplainer>; choice: ModelChoice }> {
    clearTimeout(typing);
    setParam(context, 'text', textarea.value);
    const choice = picker.value();
    run.loading(loadingText(choice));
    const explainer = await load(choice, context.device).catch((e: Error) => {
      throw choice.bundled
        ? e
        : new Error(
            `${e.message}. Is this browser online, and is "${choice.id}" a text-classification model with ONNX weights (a transformers.js model)?`,
          );
    });
    showLabels(explainer.labels);
    return { explainer, choice };
  }

  /** One run at a time on the explainer: the other action's button is disabled while `work` runs. */
  const alone = (other: () => RunControls, work: (run: RunHandle) => Promise<void>) => async (run: RunHandle) => {
    other().button.disabled = true;
    try {
      await work(run);
    } finally {
      other().button.disabled = false;
    }
  };

  const controls: RunControls = runControls({
    label: 'Explain',
    recover: (e) => truncation.recover(e, () => void controls.run()),
    onRun: alone(
      () => compare,
      async (run) => {
        const { explainer, choice } = await loadChosen(run);
        run.running(`Explaining with ${methodLabel(method.value).toLowerCase()}…`);
        const chosen = { ...chosenOptions([method.value]), ...truncation.options() };
        const options: ExplainOptions = {
          ...chosen,
          method: method.value as MethodName,
          target: chosenTarget(),
          signal: run.signal,
          onProgress: run.onProgress,
        };
        const given = textarea.value;
        const result = await explainer.explain(given, options);
        const asked = metrics.values() as MetricName[];
        let scores: MetricScores | undefined;
        if (asked.length > 0 && !run.signal.aborted) {
          run.running('Scoring the explanation…');
          scores = await explainer.run('evaluate', result, asked, {
            ...metricOptionsOf(chosen),
            signal: run.signal,
            onProgress: run.onProgress,
          });
        }
        if (run.signal.aborted) return;
        show(result, { ...chosen, method: options.method }, given, choice, explainer.labels, scores && { metrics: asked, scores });
        params.set('run', '1');
        context.saveParams();
      },
    ),
  });

  const compare: RunControls = runControls({
    label: 'Compare methods',
    action: 'compare',
    primary: false,
    recover: (e) => truncation.recover(e, () => void compare.run()),
    onRun: alone(
      () => controls,
      async (run) => {
        const { explainer, choice } = await loadChosen(run);
        const methods = compared.values() as MethodName[];
        const asked = metrics.values() as MetricName[];
        const options = { ...chosenOptions(methods), ...truncation.options() };
        run.running(`Comparing ${methods.length} methods…`);
        const result = await explainer.run('benchmark', textarea.value, {
          methods,
          metrics: asked.length > 0 ? asked : undefined,
          target: chosenTarget(),
          explain: options,
          ...metricOptionsOf(options),
          signal: run.signal,
          // benchmark gives method k of n the fractions [k/n, (k+1)/n).
          onProgress: (f, stage) =>
            run.onProgress(
              f,
              `${stageLabel(stage)} (${Math.min(methods.length, Math.floor(f * methods.length) + 1)} of ${methods.length})`,
            ),
        });
        if (run.signal.aborted) return;
        showComparison(result, choice);
        params.set('run', 'compare');
        context.saveParams();
      },
    ),
  });

  /** The target choices: "Predicted class" and the model's labels (a value from the URL is kept). */
  function showLabels(labels: readonly string[]): void {
    const current = target.value;
    const choices = [{ value: '', label: 'Predicted class' }, ...labels.map((l) => ({ value: l, label: l }))];
    if (current !== '' && !choices.some((c) => c.value === current))
      choices.push({
        value: current,
        label: /^\d+$/.test(current) && labels[Number(current)] ? `${labels[Number(current)]} (#${current})` : current,
      });
    setChoices(target, choices, current);
  }

  function show(
    result: SequenceClassificationResult,
    explained: ExplainOptions,
    given: string,
    choice: ModelChoice,
    modelLabels: string[],
    scored?: { metrics: MetricName[]; scores: MetricScores },
  ): void {
    shown = { result, model: choice.id };
    const labels = classLabels(modelLabels, result.logits.length);
    const probs = el(
      'div',
      { class: 'gb-probs', 'aria-label': 'Class probabilities' },
      ...result.probabilities.flatMap((p, i) => [
        el('span', {}, labels[i]!),
        el(
          'div',
          { class: 'gb-prob-bar' },
          Object.assign(el('div', { class: 'gb-prob-fill', 'data-top': String(i === result.predicted.index) }), {
            style: `width: ${(p * 100).toFixed(1)}%`,
          }),
        ),
        el('span', { class: 'gb-prob-value' }, `${(p * 100).toFixed(1)}%`),
      ]),
    );
    const delta = result.convergenceDelta;
    results.head.replaceChildren(
      el('div', { class: 'gb-hint' }, 'Prediction'),
      el(
        'div',
        { class: 'gb-verdict' },
        el('span', { class: 'gb-verdict-label' }, result.predicted.label),
        el('span', { class: 'gb-verdict-score' }, `${(result.predicted.score * 100).toFixed(1)}% confident`),
      ),
      probs,
    );
    results.body.replaceChildren(
      note(`${methodLabel(result.method)}. ${valuesCaption(explained, scoreName(result.output, result.target.label))}`),
      ...[truncationNote(result.truncated, given, result.text)].filter((n) => n !== false),
      render(result, { model: choice.id }),
      note(
        `${
          delta !== null
            ? `Convergence delta ${delta.toExponential(2)} (Σ attributions − (f(text) − f(baseline)) before normalisation; near 0 means the integral is accurate). `
            : ''
        }Hover or focus a token for its exact score and rank.`,
      ),
      // The metrics as a one-row benchmark table without token columns.
      ...(scored
        ? [
            renderBenchmark(
              { metrics: scored.metrics, methods: [{ method: result.method, tokens: [], metrics: scored.scores }] },
              { legend: false },
            ),
          ]
        : []),
    );
    results.element.hidden = false;
  }

  function showComparison(result: BenchmarkResult, choice: ModelChoice): void {
    comparison.head.replaceChildren(
      el('div', { class: 'gb-hint' }, 'Methods compared on the class'),
      el(
        'div',
        { class: 'gb-verdict' },
        el('span', { class: 'gb-verdict-label' }, result.target.label),
        el('span', { class: 'gb-verdict-score' }, `${result.methods.length} methods`),
      ),
    );
    comparison.body.replaceChildren(
      renderBenchmark(result, { model: choice.id }),
      note(
        `One row per method: each token's attribution to the ${result.target.label} score, L1-normalised (ferret's), then the metrics on the probability of ${result.target.label}: ↓ lower is better, ↑ higher; the best of each column is marked. ` +
          'Deletion (insertion): area under the probability as the most important tokens are removed (inserted) first; comprehensiveness (sufficiency): the mean drop when the top tokens are removed (kept alone).',
      ),
    );
    comparison.element.hidden = false;
  }

  picker.onChange = (choice) => {
    setChoices(target, [{ value: '', label: 'Predicted class' }], '');
    setParam(context, 'target', '');
    if (choice.bundled)
      void load(choice, context.device).then(
        (e) => showLabels(e.labels),
        () => undefined,
      );
  };

  // ---- layout
  root.append(
    ...pageLayout(
      'Why did the classifier say that?',
      'Type a sentence and see which words pushed a sentiment model towards its answer, measured with gradient methods (integrated gradients, saliency, SmoothGrad) or perturbation methods (occlusion, LIME, KernelSHAP, Partition SHAP, Sobol), or compare the methods on faithfulness metrics. Everything is computed in this page.',
      [
        field('Text', textarea),
        chips,
        truncation.element,
        el('div', { class: 'gb-row' }, picker.element, field('Method', method), field('Explain class', target)),
        advanced,
        controls.element,
        el(
          'details',
          { class: 'gb-details', open: params.has('methods') || params.get('run') === 'compare' },
          el('summary', {}, 'Compare methods'),
          el(
            'p',
            { class: 'gb-hint' },
            'Runs each method on the text for the same class, with the advanced options where they apply, and scores each on the faithfulness metrics (glassbox benchmark).',
          ),
          compared.element,
          compare.element,
        ),
      ],
      el('div', { class: 'gb-stack' }, results.element, comparison.element),
    ),
  );

  const initial = picker.value();
  // run=1 explains at once; so does a first visit with no state in the URL (the example sentence on the bundled model).
  const fresh = ![...params.keys()].some((k) => k !== 'device' && k !== 'page');
  if (params.get('run') === 'compare') void compare.run();
  else if (params.get('run') === '1' || (fresh && initial.bundled)) void controls.run();
  else if (initial.bundled)
    void load(initial, context.device).then(
      (e) => showLabels(e.labels),
      () => undefined,
    );
}

export const text: DemoPage = { id: 'text', title: 'Text classification', mount };
