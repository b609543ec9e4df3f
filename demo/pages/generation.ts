/**
 * Text generation: a greedy continuation, each new token attributed to the prompt and to
 * the tokens generated before it (the attribution matrix). URL state: page, model, method,
 * text, max; run=1 explains at once.
 */
import type { ExplainOptions, MethodName, TextGenerationResult } from '@glassbox/core';
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
  setParam,
  loadingText,
  pageLayout,
} from '../controls.ts';
import type { DemoPage, PageContext } from '../page.ts';
import { bundledNote, markRun, paramText } from './kit.ts';
import { truncationNote, truncationToggle } from '../truncation.ts';
import { scoreName, valuesCaption } from '../values.ts';

const BUNDLED = [{ folder: 'gpt2-tiny', label: 'GPT-2 (tiny, random weights, bundled)' }];
const DEFAULT_MAX = 6;

function mount(root: HTMLElement, context: PageContext): void {
  const { params } = context;
  const picker = modelPicker(context, { bundled: BUNDLED, hubPlaceholder: 'owner/model, e.g. Xenova/distilgpt2' });
  const method = methodPicker(context);
  const truncation = truncationToggle(context, 'prompts');
  const prompt = paramText(context, 'text', 'The quick brown fox', { rows: 2, label: 'Prompt' });
  const maxNew = el('input', { class: 'gb-input', type: 'number', name: 'max', min: 1, max: 32, step: 1, 'aria-label': 'New tokens' });
  maxNew.value = String(Math.min(32, Math.max(1, Math.round(Number(params.get('max'))) || DEFAULT_MAX)));
  maxNew.addEventListener('change', () => setParam(context, 'max', maxNew.value, String(DEFAULT_MAX)));

  const results = resultPanel();
  let shown: { result: TextGenerationResult; model: string } | undefined;
  results.tools.append(
    downloadButton(
      () =>
        shown && {
          html: toHTML(shown.result, { model: shown.model }),
          filename: fileName('glassbox', shown.model, 'generation', shown.result.method),
        },
    ),
    copyLinkButton(context),
  );

  function show(result: TextGenerationResult, model: string, explainedWith: ExplainOptions, given: string): void {
    shown = { result, model };
    const picked = el('div', { 'data-role': 'token-row' });
    const chips = el('div', { class: 'gbp-tokens', role: 'group', 'aria-label': 'Generated tokens' });
    const select = (j: number) => {
      chips
        .querySelectorAll<HTMLElement>('.gbp-token')
        .forEach((c) => c.setAttribute('aria-pressed', String(c.dataset.index === String(j))));
      picked.replaceChildren(renderTokens(result, { select: j, model }));
    };
    result.generated.forEach((g, j) => {
      const chip = el(
        'button',
        {
          type: 'button',
          class: 'gbp-token',
          'data-index': j,
          'aria-pressed': 'false',
          title: `${g.token}: ${result.output} ${g.score.toFixed(3)}`,
        },
        g.token.replace(/^[Ġ▁]/, ''),
        el('small', {}, `#${j + 1}`),
      );
      chip.addEventListener('click', () => select(j));
      chips.append(chip, ' ');
    });
    results.head.replaceChildren(
      el('div', { class: 'gb-hint' }, 'Continuation'),
      el(
        'div',
        { class: 'gb-verdict' },
        el(
          'span',
          { class: 'gb-verdict-label' },
          el('span', { class: 'gbp-prompt' }, result.prompt),
          el('span', { 'data-field': 'generated' }, result.generatedText),
        ),
      ),
    );
    results.body.replaceChildren(
      // Generation is never normalised by default (core's textGeneration).
      note(
        `${methodLabel(result.method)}; row j explains generated token j, at the position before it, over the prompt and the tokens generated before it. ${valuesCaption({ normalize: 'none', ...explainedWith }, scoreName(result.output, 'generated token j'))}`,
      ),
      ...[truncationNote(result.truncated, given, result.prompt)].filter((n) => n !== false),
      el('p', { class: 'gb-hint' }, 'Pick a generated token to see which earlier tokens produced it:'),
      chips,
      picked,
      el(
        'section',
        { class: 'gbp-section' },
        el('h3', {}, 'The attribution matrix: one row per generated token'),
        renderTable(result, { model, legend: false }),
      ),
    );
    if (result.generated.length) select(0);
    results.element.hidden = false;
  }

  const controls = runControls({
    recover: (e) => truncation.recover(e, () => void controls.run()),
    onRun: async (run) => {
      prompt.flush();
      const choice = picker.value();
      run.loading(loadingText(choice));
      const explainer = await loadExplainer('text-generation', choice, context.device);
      run.running('Generating and explaining each new token…');
      const chosen = { method: method.value as MethodName, ...truncation.options() };
      const given = prompt.element.value;
      const result = await explainer.explain(given, {
        ...chosen,
        maxNewTokens: Number(maxNew.value) || DEFAULT_MAX,
        signal: run.signal,
        onProgress: run.onProgress,
      });
      if (run.signal.aborted) return;
      show(result, choice.id, chosen, given);
      markRun(context);
    },
  });

  root.append(
    ...pageLayout(
      'Where did that word come from?',
      'The model continues your prompt; each new token is attributed to the prompt and to the tokens generated before it.',
      [
        field('Prompt', prompt.element),
        truncation.element,
        el('div', { class: 'gb-row' }, picker.element, field('Method', method), field('New tokens', maxNew)),
        bundledNote('gpt2-tiny, a 2-layer GPT-2 with the real GPT-2 tokenizer.', 'Xenova/distilgpt2'),
        controls.element,
      ],
      results.element,
    ),
  );
  if (params.get('run') === '1') void controls.run();
}

export const generation: DemoPage = { id: 'generation', title: 'Generation', mount };
