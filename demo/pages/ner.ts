/**
 * Token classification (NER): every token's predicted entity, and for a clicked token the
 * attributions of its prediction over the whole sentence. URL state: page, model, method,
 * text, skipO, token; run=1 explains at once.
 */
import type { ExplainOptions, MethodName, TokenClassificationResult } from '@glassbox/core';
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

const BUNDLED = [{ folder: 'bert-ner-tiny', label: 'BERT · CoNLL entities (tiny, random weights, bundled)' }];

function mount(root: HTMLElement, context: PageContext): void {
  const { params } = context;
  const picker = modelPicker(context, { bundled: BUNDLED, hubPlaceholder: 'owner/model, e.g. Xenova/bert-base-NER' });
  const method = methodPicker(context);
  const truncation = truncationToggle(context);
  const text = paramText(context, 'text', 'Ada Lovelace worked with Charles Babbage in London.', { rows: 2, label: 'Text' });
  const skipO = el('input', { type: 'checkbox', name: 'skipO', 'data-role': 'skip-o' });
  skipO.checked = params.get('skipO') === '1';
  skipO.addEventListener('change', () => setParam(context, 'skipO', skipO.checked ? '1' : ''));
  const skipField = el(
    'label',
    { class: 'gb-field', style: 'flex-direction: row; align-items: center; gap: 0.5rem; flex: 0 1 auto' },
    skipO,
    el('span', {}, 'Skip tokens predicted O (faster)'),
  );

  const results = resultPanel();
  let shown: { result: TokenClassificationResult; model: string } | undefined;
  results.tools.append(
    downloadButton(
      () =>
        shown && {
          html: toHTML(shown.result, { model: shown.model }),
          filename: fileName('glassbox', shown.model, 'ner', shown.result.method),
        },
    ),
    copyLinkButton(context),
  );

  /** Token chips with their entities; clicking one shows its attribution row (kept in the URL as `token`). */
  function show(result: TokenClassificationResult, model: string, explainedWith: ExplainOptions, given: string): void {
    shown = { result, model };
    const explained = new Set(result.explained.map((e) => String(e.index)));
    const wanted = params.get('token');
    const first =
      wanted && explained.has(wanted)
        ? wanted
        : (
            result.explained.find((e) => e.predicted.label !== 'O' && !result.tokens[e.index]?.special) ?? result.explained[0]
          )?.index.toString();
    const chips = el('div', { class: 'gbp-tokens', role: 'group', 'aria-label': 'Tokens and their predicted entities' });
    const row = el('div', { 'data-role': 'token-row' });
    const select = (key: string) => {
      chips.querySelectorAll<HTMLElement>('.gbp-token').forEach((c) => c.setAttribute('aria-pressed', String(c.dataset.index === key)));
      const e = result.explained.find((x) => String(x.index) === key)!;
      row.replaceChildren(
        el(
          'p',
          { class: 'gb-hint' },
          `Why “${e.token}” (token ${e.index}) is ${e.target.label}, ${(e.predicted.score * 100).toFixed(1)}%:`,
        ),
        renderTokens(result, { select: key, model }),
      );
    };
    result.tokens.forEach((tok, i) => {
      const can = explained.has(String(i));
      const chip = el(
        'button',
        {
          type: 'button',
          class: 'gbp-token',
          'data-index': i,
          'data-entity': tok.predicted.label,
          disabled: !can,
          'aria-pressed': 'false',
          title: `${tok.token}: ${tok.predicted.label} (${(tok.predicted.score * 100).toFixed(1)}%)`,
        },
        tok.token,
        el('small', {}, tok.predicted.label),
      );
      if (can)
        chip.addEventListener('click', () => {
          select(String(i));
          params.set('token', String(i));
          context.saveParams();
        });
      chips.append(chip, ' ');
    });
    const entities = result.tokens.filter((t) => t.predicted.label !== 'O' && !t.special).length;
    results.head.replaceChildren(
      el('div', { class: 'gb-hint' }, 'Entities'),
      el(
        'div',
        { class: 'gb-verdict' },
        el('span', { class: 'gb-verdict-label' }, `${entities} of ${result.tokens.filter((t) => !t.special).length} tokens`),
        el('span', { class: 'gb-verdict-score' }, 'in an entity; click a token to see why'),
      ),
    );
    results.body.replaceChildren(
      note(
        `${methodLabel(result.method)}; each row explains one token's predicted entity. ${valuesCaption(explainedWith, scoreName(result.output, 'entity'))}`,
      ),
      ...[truncationNote(result.truncated, given, result.text)].filter((n) => n !== false),
      chips,
      row,
      el(
        'details',
        { class: 'gb-details gbp-section' },
        el('summary', {}, `Every explained token (${result.explained.length} rows, transformers-interpret’s table)`),
        renderTable(result, { model, legend: false }),
      ),
    );
    if (first) select(first);
    results.element.hidden = false;
  }

  const controls = runControls({
    recover: (e) => truncation.recover(e, () => void controls.run()),
    onRun: async (run) => {
      text.flush();
      const choice = picker.value();
      run.loading(loadingText(choice));
      const explainer = await loadExplainer('token-classification', choice, context.device);
      run.running('Explaining every token…');
      const chosen = { method: method.value as MethodName, ...truncation.options() };
      const given = text.element.value;
      const result = await explainer.explain(given, {
        ...chosen,
        ignoredLabels: skipO.checked ? ['O'] : [],
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
      'Why is this a person, and that a place?',
      'A named-entity tagger labels every token; each label is explained over the whole sentence. Click a token to see what decided it.',
      [
        field('Text', text.element),
        truncation.element,
        el('div', { class: 'gb-row gb-row-end' }, picker.element, field('Method', method), skipField),
        bundledNote('bert-ner-tiny, a 2-layer BERT with CoNLL-2003 labels (PER, ORG, LOC, MISC).', 'Xenova/bert-base-NER'),
        controls.element,
      ],
      results.element,
    ),
  );
  if (params.get('run') === '1') void controls.run();
}

export const ner: DemoPage = { id: 'ner', title: 'Entities', mount };
