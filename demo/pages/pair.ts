/**
 * Sentence pairs (NLI, cross-encoders) and zero-shot classification over an NLI model.
 * URL state: page, task (pair | zero-shot), model, method, text, pair, labels; run=1
 * explains at once.
 */
import { type MethodName, type PairwiseClassificationResult, type ZeroShotClassificationResult, classLabels } from '@glassbox/core';
import { render, toHTML } from '@glassbox/viz';
import {
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
  resultPanel,
  runControls,
  setParam,
  loadingText,
  pageLayout,
} from '../controls.ts';
import type { DemoPage, PageContext } from '../page.ts';
import { bundledNote, markRun, paramText, verdict } from './kit.ts';
import { truncationNote, truncationToggle } from '../truncation.ts';
import { scoreName, valuesCaption } from '../values.ts';

type Task = 'pair' | 'zero-shot';
const BUNDLED = [{ folder: 'bert-nli-tiny', label: 'BERT · NLI (tiny, random weights, bundled)' }];

function mount(root: HTMLElement, context: PageContext): void {
  const { params } = context;
  let task: Task = params.get('task') === 'zero-shot' ? 'zero-shot' : 'pair';
  const picker = modelPicker(context, { bundled: BUNDLED, hubPlaceholder: 'owner/model, e.g. Xenova/nli-deberta-v3-xsmall' });
  const method = methodPicker(context);
  const truncation = truncationToggle(context);
  const premise = paramText(context, 'text', 'A man is playing a guitar on stage.', { rows: 2, label: 'Premise' });
  const hypothesis = paramText(context, 'pair', 'Someone is making music.', { rows: 2, label: 'Hypothesis' });
  const labels = paramText(context, 'labels', 'music, sport, politics', { label: 'Candidate labels' });
  const textField = field('Premise', premise.element);
  const pairField = field('Hypothesis', hypothesis.element);
  const labelsField = field(
    'Candidate labels',
    labels.element,
    'Comma-separated. Each is scored as the hypothesis “this text is about {label} .”',
  );

  const seg = el('div', { class: 'gbp-seg', role: 'group', 'aria-label': 'Task' });
  const segButtons = (['pair', 'zero-shot'] as const).map((t) => {
    const b = el('button', { type: 'button', 'data-task': t }, t === 'pair' ? 'Sentence pair' : 'Zero-shot labels');
    b.addEventListener('click', () => {
      setTask(t);
      setParam(context, 'task', t, 'pair');
    });
    seg.append(b);
    return b;
  });
  function setTask(t: Task): void {
    task = t;
    segButtons.forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.task === t)));
    pairField.hidden = t !== 'pair';
    labelsField.hidden = t !== 'zero-shot';
    textField.querySelector('.gb-label')!.textContent = t === 'pair' ? 'Premise' : 'Text';
  }

  const results = resultPanel();
  let shown: { result: PairwiseClassificationResult | ZeroShotClassificationResult; model: string } | undefined;
  results.tools.append(
    downloadButton(
      () =>
        shown && {
          html: toHTML(shown.result, { model: shown.model }),
          filename: fileName('glassbox', shown.model, task, shown.result.method),
        },
    ),
    copyLinkButton(context),
  );

  const controls = runControls({
    recover: (e) => truncation.recover(e, () => void controls.run()),
    onRun: async (run) => {
      premise.flush();
      hypothesis.flush();
      labels.flush();
      const choice = picker.value();
      run.loading(loadingText(choice));
      const chosen = { method: method.value as MethodName, ...truncation.options() };
      const options = { ...chosen, signal: run.signal, onProgress: run.onProgress };
      const given = premise.element.value;
      if (task === 'pair') {
        const explainer = await loadExplainer('pair-classification', choice, context.device);
        run.running(`Explaining with ${methodLabel(method.value).toLowerCase()}…`);
        const result = await explainer.explain(given, hypothesis.element.value, options);
        if (run.signal.aborted) return;
        shown = { result, model: choice.id };
        const names = classLabels(explainer.labels, result.logits.length);
        results.head.replaceChildren(
          ...verdict(result.predicted.label, `${(result.predicted.score * 100).toFixed(1)}% confident`, names, result.probabilities),
        );
        results.body.replaceChildren(
          note(
            `${methodLabel(result.method)}, over both sentences (the hypothesis is segment 1, after the first [SEP]). ${valuesCaption(chosen, scoreName(result.output, result.target.label))}`,
          ),
          ...[truncationNote(result.truncated, given, result.text)].filter((n) => n !== false),
          render(result, { model: choice.id }),
        );
      } else {
        const candidates = labels.element.value
          .split(',')
          .map((l) => l.trim())
          .filter(Boolean);
        if (!candidates.length) throw new Error('Give at least one candidate label.');
        const explainer = await loadExplainer('zero-shot', choice, context.device);
        run.running(`Explaining ${candidates.length} labels…`);
        const result = await explainer.explain(given, candidates, options);
        if (run.signal.aborted) return;
        shown = { result, model: choice.id };
        const rows = Object.values(result.labels);
        results.head.replaceChildren(
          ...verdict(
            result.predictedLabel,
            'most entailed label',
            rows.map((r) => r.label),
            rows.map((r) => r.score),
          ),
        );
        results.body.replaceChildren(
          note(
            `${methodLabel(result.method)}. One row per candidate label; the highlighted text shows the predicted label’s row. ${valuesCaption(chosen, `${scoreName(result.output, 'entailment')} for “this text is about {label} .”`)}`,
          ),
          ...[truncationNote(result.truncated, given, result.text)].filter((n) => n !== false),
          render(result, { model: choice.id }),
        );
      }
      results.element.hidden = false;
      markRun(context);
    },
  });

  root.append(
    ...pageLayout(
      'Sentence pairs and zero-shot labels',
      'Which words of the premise and the hypothesis decide entailment? Or, with candidate labels: why this label and not another?',
      [
        seg,
        el('div', { class: 'gb-row' }, textField),
        truncation.element,
        el('div', { class: 'gb-row' }, pairField, labelsField),
        el('div', { class: 'gb-row' }, picker.element, field('Method', method)),
        bundledNote('bert-nli-tiny, a 2-layer BERT with the labels contradiction, neutral and entailment.', 'Xenova/nli-deberta-v3-xsmall'),
        controls.element,
      ],
      results.element,
    ),
  );
  setTask(task);
  if (params.get('run') === '1') void controls.run();
}

export const pair: DemoPage = { id: 'pair', title: 'Pairs & zero-shot', mount };
