/**
 * Extractive question answering: the predicted span, and why it starts and ends where it
 * does. URL state: page, model, method, question, context; run=1 explains at once.
 */
import type { MethodName, QuestionAnsweringResult } from '@glassbox/core';
import { renderTable, renderTokens, toHTML } from '@glassbox/viz';
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
  loadingText,
  pageLayout,
} from '../controls.ts';
import type { DemoPage, PageContext } from '../page.ts';
import { bundledNote, markRun, paramText } from './kit.ts';
import { truncationNote, truncationToggle } from '../truncation.ts';
import { valuesCaption } from '../values.ts';

const BUNDLED = [{ folder: 'distilbert-squad-tiny', label: 'DistilBERT · SQuAD head (tiny, random weights, bundled)' }];

function mount(root: HTMLElement, context: PageContext): void {
  const { params } = context;
  const picker = modelPicker(context, {
    bundled: BUNDLED,
    hubPlaceholder: 'owner/model, e.g. Xenova/distilbert-base-cased-distilled-squad',
  });
  const method = methodPicker(context);
  const truncation = truncationToggle(context, 'contexts');
  const question = paramText(context, 'question', 'Where do penguins live?', { label: 'Question' });
  const passage = paramText(context, 'context', 'Emperor penguins breed on the sea ice of Antarctica.', { rows: 3, label: 'Context' });

  const results = resultPanel();
  let shown: { result: QuestionAnsweringResult; model: string } | undefined;
  results.tools.append(
    downloadButton(
      () =>
        shown && {
          html: toHTML(shown.result, { model: shown.model }),
          filename: fileName('glassbox', shown.model, 'qa', shown.result.method),
        },
    ),
    copyLinkButton(context),
  );

  const section = (title: string, ...children: Node[]) => el('section', { class: 'gbp-section' }, el('h3', {}, title), ...children);

  const controls = runControls({
    recover: (e) => truncation.recover(e, () => void controls.run()),
    onRun: async (run) => {
      question.flush();
      passage.flush();
      const choice = picker.value();
      run.loading(loadingText(choice));
      const explainer = await loadExplainer('question-answering', choice, context.device);
      run.running(`Explaining the start and the end with ${methodLabel(method.value).toLowerCase()}…`);
      const chosen = { method: method.value as MethodName, ...truncation.options() };
      const given = passage.element.value;
      const result = await explainer.explain(question.element.value, given, { ...chosen, signal: run.signal, onProgress: run.onProgress });
      if (run.signal.aborted) return;
      shown = { result, model: choice.id };
      results.head.replaceChildren(
        el('div', { class: 'gb-hint' }, 'Answer'),
        el(
          'div',
          { class: 'gb-verdict' },
          el(
            'span',
            { class: 'gb-verdict-label', 'data-field': 'answer' },
            result.predictedAnswer || '(none: the predicted end comes before the start)',
          ),
          el('span', { class: 'gb-verdict-score' }, `tokens ${result.startPosition}–${result.endPosition}`),
        ),
      );
      results.body.replaceChildren(
        note(
          `${methodLabel(result.method)}, on the embeddings block's output as transformers-interpret does. ${valuesCaption(chosen, 'the largest start (end) logit')}`,
        ),
        ...[truncationNote(result.truncated, given, result.context)].filter((n) => n !== false),
        section(
          `Why the answer starts at “${result.start?.tokens[result.startPosition]?.token ?? ''}”`,
          renderTokens(result, { select: 'start', model: choice.id }),
        ),
        section(
          `Why it ends at “${result.end?.tokens[result.endPosition]?.token ?? ''}”`,
          renderTokens(result, { select: 'end', model: choice.id }),
        ),
        section('Both, as transformers-interpret’s table', renderTable(result, { model: choice.id, legend: false })),
      );
      results.element.hidden = false;
      markRun(context);
    },
  });

  root.append(
    ...pageLayout(
      'Why this answer?',
      'Ask a question about a passage: the model picks a span, and the start and the end of the span are explained separately.',
      [
        field('Question', question.element),
        el('div', { class: 'gb-row' }, field('Context', passage.element)),
        truncation.element,
        el('div', { class: 'gb-row' }, picker.element, field('Method', method)),
        bundledNote(
          'distilbert-squad-tiny, a 2-layer DistilBERT with a span (start/end) head.',
          'Xenova/distilbert-base-cased-distilled-squad',
        ),
        controls.element,
      ],
      results.element,
    ),
  );
  if (params.get('run') === '1') void controls.run();
}

export const questionAnswering: DemoPage = { id: 'qa', title: 'Question answering', mount };
