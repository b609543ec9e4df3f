/**
 * The attention explorer: raw attention of every layer and head (with mean / median / max /
 * min aggregation), attention rollout and gradient-weighted relevance, on the forward pass
 * an explainer runs, for any bundled text model or the ViT. URL state: page, model, kind
 * (hub models), attention, aggregate, text, sample; run=1 explains at once.
 */
import { ATTENTION_MODES, type AttentionMode, type AttentionOutput, REDUCTIONS, type Reduction } from '@glassbox/core';
import { renderAttention } from '@glassbox/viz';
import {
  type Choice,
  copyLinkButton,
  el,
  field,
  loadExplainer,
  modelPicker,
  note,
  paramSelect,
  resultPanel,
  runControls,
  setChoices,
  loadingText,
  pageLayout,
} from '../controls.ts';
import type { DemoPage, PageContext } from '../page.ts';
import { bundledNote, loadSample, markRun, paramText, samples } from './kit.ts';

type Kind = 'text-classification' | 'token-classification' | 'text-generation' | 'image-classification';
const BUNDLED = [
  { folder: 'distilbert-sst2-tiny', label: 'DistilBERT · SST-2 sentiment (bundled)' },
  { folder: 'bert-nli-tiny', label: 'BERT · NLI (random weights, bundled)' },
  { folder: 'bert-ner-tiny', label: 'BERT · entities (random weights, bundled)' },
  { folder: 'gpt2-tiny', label: 'GPT-2 (random weights, bundled)' },
  { folder: 'vit-fashion-tiny', label: 'ViT · Fashion-MNIST (bundled)' },
];
const KIND_OF: Record<string, Kind> = {
  'distilbert-sst2-tiny': 'text-classification',
  'bert-nli-tiny': 'text-classification',
  'bert-ner-tiny': 'token-classification',
  'gpt2-tiny': 'text-generation',
  'vit-fashion-tiny': 'image-classification',
};
const KINDS: readonly Choice[] = [
  { value: 'text-classification', label: 'Text classification' },
  { value: 'token-classification', label: 'Token classification (NER)' },
  { value: 'text-generation', label: 'Text generation' },
  { value: 'image-classification', label: 'Image classification' },
];
const MODES: readonly Choice[] = ATTENTION_MODES.map((m) => ({
  value: m,
  label: {
    raw: 'Raw: every layer and head',
    rollout: 'Rollout (Abnar & Zuidema)',
    'gradient-weighted': 'Gradient-weighted (Chefer et al.)',
  }[m],
}));
const AGGREGATES: readonly Choice[] = [
  { value: 'none', label: 'None' },
  ...REDUCTIONS.map((r) => ({ value: r, label: r[0]!.toUpperCase() + r.slice(1) })),
];

/** Labels for a map's keys: the tokens, or (ViT) the class token and the patches by row, column. */
function keyLabels(kind: Kind, keys: number, tokens: readonly string[]): string[] {
  if (kind === 'image-classification') {
    const side = Math.round(Math.sqrt(keys - 1));
    return [
      '[CLS]',
      ...Array.from({ length: keys - 1 }, (_, i) =>
        side * side === keys - 1 ? `patch ${Math.floor(i / side)},${i % side}` : `patch ${i + 1}`,
      ),
    ];
  }
  return tokens.length === keys ? [...tokens] : Array.from({ length: keys }, (_, i) => tokens[i] ?? `#${i}`);
}

function keysOf(a: AttentionOutput): number {
  const first = a[0]?.[0];
  return Array.isArray(first) ? (first as unknown as number[][])[0]!.length : (a as number[][])[0]!.length;
}

function mount(root: HTMLElement, context: PageContext): void {
  const { params } = context;
  const picker = modelPicker(context, {
    bundled: BUNDLED,
    hubPlaceholder: 'owner/model, e.g. Xenova/distilbert-base-uncased-finetuned-sst-2-english',
  });
  const kind = paramSelect(context, 'kind', KINDS, 'text-classification', () => sync());
  const kindField = field('Task of the hub model', kind);
  const mode = paramSelect(context, 'attention', MODES, 'raw', () => sync());
  const reduce = paramSelect(context, 'aggregate', AGGREGATES, 'mean');
  const reduceField = field('Aggregate heads and layers', reduce);
  const text = paramText(context, 'text', 'A gripping, beautifully acted film.', { rows: 2, label: 'Text' });
  const textField = field('Text', text.element);
  const sample = paramSelect(context, 'sample', [], '');
  const sampleField = field('Image (Fashion-MNIST test set)', sample);

  const kindNow = (): Kind => {
    const choice = picker.value();
    return choice.bundled ? KIND_OF[choice.id]! : (kind.value as Kind);
  };
  function sync(): void {
    const k = kindNow();
    kindField.hidden = picker.value().bundled;
    textField.hidden = k === 'image-classification';
    sampleField.hidden = k !== 'image-classification';
    reduceField.hidden = mode.value !== 'raw';
  }
  picker.onChange = () => sync();

  const results = resultPanel();
  results.tools.append(copyLinkButton(context));

  const controls = runControls({
    label: 'Show attention',
    onRun: async (run) => {
      text.flush();
      const k = kindNow();
      const attention = mode.value as AttentionMode;
      const choice = picker.value();
      run.loading(loadingText(choice));
      // The maps come with an explained forward pass; saliency is the cheapest explanation to carry them.
      const common = { method: 'saliency' as const, attention };
      let attentions: AttentionOutput | undefined;
      let tokens: string[] = [];
      let summary = '';
      if (k === 'image-classification') {
        const explainer = await loadExplainer('image-classification', choice, context.device);
        const s = (await samples()).find((x) => x.file === sample.value);
        if (!s) throw new Error('Pick an image.');
        run.running('Running the model…');
        const r = await explainer.explain(await loadSample(s), common);
        attentions = r.attentions;
        summary = `predicted ${r.predicted.label} (${(r.predicted.score * 100).toFixed(1)}%)`;
      } else if (k === 'token-classification') {
        const explainer = await loadExplainer('token-classification', choice, context.device);
        run.running('Running the model…');
        const r = await explainer.explain(text.element.value, { ...common, signal: run.signal });
        attentions = r.attentions;
        tokens = r.tokens.map((t) => t.token);
        summary = 'the gradient-weighted map explains the first token’s predicted entity';
      } else if (k === 'text-generation') {
        const explainer = await loadExplainer('text-generation', choice, context.device);
        run.running('Generating…');
        const r = await explainer.explain(text.element.value, { ...common, maxNewTokens: 3, signal: run.signal });
        attentions = r.attentions;
        tokens = [...r.promptTokens, ...r.generated].map((t) => t.token);
        summary = `continuation “${r.generatedText}”`;
      } else {
        const explainer = await loadExplainer('text-classification', choice, context.device);
        run.running('Running the model…');
        const r = await explainer.explain(text.element.value, { ...common, signal: run.signal });
        attentions = r.attentions;
        tokens = r.tokens.map((t) => t.token);
        summary = `predicted ${r.predicted.label} (${(r.predicted.score * 100).toFixed(1)}%)`;
      }
      if (run.signal.aborted) return;
      if (!attentions) throw new Error('This model gave no attention maps.');
      const view = renderAttention(attentions, keyLabels(k, keysOf(attentions), tokens), {
        aggregate: attention === 'raw' ? (reduce.value as 'none' | Reduction) : undefined,
        model: choice.id,
        method: attention,
      });
      results.head.replaceChildren(
        el('div', { class: 'gb-hint' }, 'Attention'),
        el(
          'div',
          { class: 'gb-verdict' },
          el('span', { class: 'gb-verdict-label' }, MODES.find((m) => m.value === attention)!.label),
          el('span', { class: 'gb-verdict-score' }, summary),
        ),
      );
      results.body.replaceChildren(
        view,
        note(
          attention === 'raw'
            ? 'Rows are queries, columns keys. Click a map in the grid to enlarge it; the extra column reduces each layer over its heads, the extra row each head over the layers.'
            : attention === 'rollout'
              ? 'Attention rollout: each layer’s head-averaged attention plus the residual connection, multiplied through the layers — how much each token (row) draws on each token (column) by the last layer.'
              : 'Gradient-weighted relevance (Chefer et al.): attention weighted by its gradient for the predicted score, positive part, accumulated through the layers.',
        ),
      );
      results.element.hidden = false;
      markRun(context);
    },
  });

  root.append(
    ...pageLayout(
      'Where does each token look?',
      'Raw attention of every layer and head, rollout through the layers, and gradient-weighted relevance, read from the same forward pass the explainers use.',
      [
        el('div', { class: 'gb-row', style: 'margin-top: 0' }, picker.element, kindField),
        el('div', { class: 'gb-row' }, textField, sampleField),
        el('div', { class: 'gb-row' }, field('Map', mode), reduceField),
        bundledNote(
          'every bundled model: the SST-2 DistilBERT, the NLI and entity BERTs, GPT-2 and the Fashion-MNIST ViT. Hub models need their task picked.',
          'Xenova/distilbert-base-uncased-finetuned-sst-2-english',
        ),
        controls.element,
      ],
      results.element,
    ),
  );
  sync();
  const run = params.get('run') === '1';
  void samples().then((found) => {
    const wanted = params.get('sample');
    setChoices(
      sample,
      found.map((s) => ({ value: s.file, label: `${s.label} (test #${s.index})` })),
      wanted && found.some((s) => s.file === wanted) ? wanted : found.find((s) => s.label === 'Sneaker')?.file,
    );
    if (run) void controls.run();
  });
}

export const attention: DemoPage = { id: 'attention', title: 'Attention', mount };
