/**
 * Image classification: which pixels made the ViT say "sneaker". Fashion-MNIST test images
 * (bundled) or the user's own (decoded in the page, never uploaded); every image method;
 * the four transformers-interpret visualisations side by side with the original.
 * URL state: page, model, sample, method, target, mode; run=1 explains at once.
 */
import { IMAGE_METHOD_TABLE, type ImageClassificationResult, type ImageMethodName, classLabels } from '@glassbox/core';
import { IMAGE_MAP_MODES, type ImageMapMode, pixelsCanvas, renderImageResult, toHTML } from '@glassbox/viz';
import {
  type Choice,
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
import { type Sample, bundledNote, imageDataOf, loadSample, markRun, samples, verdict } from './kit.ts';

/** The image methods, labelled as core's image method table. */
const METHODS: readonly Choice[] = IMAGE_METHOD_TABLE.map((m) => ({ value: m.name, label: m.label }));
const MODE_TITLES: Record<ImageMapMode, string> = {
  heatmap: 'Heat map',
  overlay: 'Overlay',
  masked_image: 'Masked image',
  alpha_scaling: 'Alpha scaling',
};
const BUNDLED = [{ folder: 'vit-fashion-tiny', label: 'ViT · Fashion-MNIST (tiny, bundled)' }];
const FASHION = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
const UPLOAD = 'upload';

const load = (choice: ModelChoice, device: 'webgpu' | 'cpu') => loadExplainer('image-classification', choice, device);

function mount(root: HTMLElement, context: PageContext): void {
  const { params } = context;
  const picker = modelPicker(context, { bundled: BUNDLED, hubPlaceholder: 'owner/model, e.g. Xenova/vit-base-patch16-224' });
  const method = methodPicker(context, METHODS);
  const target = paramSelect(
    context,
    'target',
    [{ value: '', label: 'Predicted class' }, ...FASHION.map((l) => ({ value: l, label: l }))],
    '',
  );
  let mode: ImageMapMode = (IMAGE_MAP_MODES as readonly string[]).includes(params.get('mode') ?? '')
    ? (params.get('mode') as ImageMapMode)
    : 'overlay';

  // ---- the image: a bundled sample or the user's file
  let list: Sample[] = [];
  let chosen: { name: string; image: ImageData } | undefined;
  const thumbs = el('div', { class: 'gbp-samples', role: 'group', 'aria-label': 'Image to explain' });
  const fileInput = el('input', {
    type: 'file',
    accept: 'image/*',
    'data-role': 'upload',
    'aria-label': 'Your own image (stays on this device)',
  });
  const uploadPreview = el('span', { 'aria-hidden': 'true', style: 'font-size: 1.2rem; line-height: 1' }, '+');
  const upload = el(
    'label',
    { class: 'gbp-upload', 'data-sample': UPLOAD, 'aria-pressed': 'false', title: 'Your own image: decoded in this page, never uploaded' },
    fileInput,
    uploadPreview,
    el('span', {}, 'Your image'),
  );
  const about = el('p', { class: 'gb-hint', 'data-role': 'image-about' });

  const press = (name: string) =>
    Array.from(thumbs.querySelectorAll<HTMLElement>('[data-sample]')).forEach((b) =>
      b.setAttribute('aria-pressed', String(b.dataset.sample === name)),
    );
  const choose = (name: string, image: ImageData, sample?: Sample) => {
    chosen = { name, image };
    press(name);
    about.textContent = sample
      ? `Fashion-MNIST test image #${sample.index}, labelled “${sample.label}” (${image.width}×${image.height} greyscale; the model sees it at 32×32).`
      : `Your image, ${image.width}×${image.height}: decoded in this page and never uploaded (links cannot carry it).`;
    if (sample) setParam(context, 'sample', sample.file);
    else setParam(context, 'sample', ''); // a link cannot carry the user's file
  };
  fileInput.addEventListener('change', async () => {
    const file = fileInput.files?.[0];
    if (!file) return;
    try {
      const image = await imageDataOf(file);
      const thumb = pixelsCanvas({ data: image.data, width: image.width, height: image.height });
      uploadPreview.replaceChildren(thumb);
      choose(UPLOAD, image);
      void controls.run();
    } catch (e) {
      about.textContent = `Could not read ${file.name}: ${(e as Error).message}`;
    }
  });

  // ---- result
  const results = resultPanel();
  let shown: { result: ImageClassificationResult; image: ImageData; model: string } | undefined;
  // The standalone page shows the picked map beside the original, as transformers-interpret's side_by_side.
  results.tools.append(
    downloadButton(
      () =>
        shown && {
          html: toHTML(shown.result, { model: shown.model, image: shown.image, mode, sideBySide: true }),
          filename: fileName('glassbox', shown.model, shown.result.method, mode),
        },
    ),
    copyLinkButton(context),
  );

  const controls = runControls({
    onRun: async (run) => {
      if (!chosen) throw new Error('Pick an image first.');
      const image = chosen.image;
      const choice = picker.value();
      run.loading(loadingText(choice));
      const explainer = await load(choice, context.device);
      showLabels(explainer.labels);
      run.running(`Explaining with ${methodLabel(method.value, METHODS).toLowerCase()}…`);
      const result = await explainer.explain(image, {
        method: method.value as ImageMethodName,
        target: target.value === '' ? undefined : target.value,
        signal: run.signal,
        onProgress: run.onProgress,
      });
      if (run.signal.aborted) return;
      show(result, image, choice, explainer.labels);
      if (chosen.name !== UPLOAD) markRun(context);
    },
  });

  function showLabels(labels: readonly string[]): void {
    const current = target.value;
    setChoices(target, [{ value: '', label: 'Predicted class' }, ...labels.map((l) => ({ value: l, label: l }))], current);
  }

  /** The prediction, then the original and the four maps; clicking a map keeps its mode in the link. */
  function show(result: ImageClassificationResult, image: ImageData, choice: ModelChoice, modelLabels: string[]): void {
    shown = { result, image, model: choice.id };
    const labels = classLabels(modelLabels, result.logits.length);
    results.head.replaceChildren(
      ...verdict(result.predicted.label, `${(result.predicted.score * 100).toFixed(1)}% confident`, labels, result.probabilities, 5),
    );
    const original = el('figure', { class: 'gbp-original', 'data-panel': 'original' });
    original.append(pixelsCanvas({ data: image.data, width: image.width, height: image.height }), el('figcaption', {}, 'Original image'));
    const maps = el('div', { class: 'gbp-maps', 'data-role': 'maps' }, original);
    const select = (m: ImageMapMode) => {
      mode = m;
      maps.querySelectorAll<HTMLElement>('.gbp-map').forEach((f) => f.setAttribute('aria-pressed', String(f.dataset.mode === m)));
      setParam(context, 'mode', m, 'overlay');
      markRun(context);
    };
    for (const m of IMAGE_MAP_MODES) {
      const fig = renderImageResult(result, { mode: m, image, scale: 5, model: choice.id });
      fig.classList.add('gbp-map');
      Object.assign(fig, { tabIndex: 0 });
      fig.setAttribute('role', 'button');
      fig.setAttribute('aria-pressed', String(m === mode));
      fig.setAttribute('aria-label', `${MODE_TITLES[m]}: keep this view in the link`);
      fig.addEventListener('click', () => select(m));
      fig.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          select(m);
        }
      });
      maps.append(fig);
    }
    const delta = result.convergenceDelta;
    results.body.replaceChildren(
      maps,
      note(
        `Each pixel's contribution to the logit of ${result.target.label} (${methodLabel(result.method, METHODS)}), drawn four ways as transformers-interpret does (outlier threshold 10%): blue pixels raise the logit, red ones lower it; masked image and alpha scaling show the positive part only.` +
          (result.method === 'occlusion' ? ' Occlusion scores one 8×8 patch at a time.' : '') +
          (delta !== null ? ` Convergence delta ${delta.toExponential(2)}.` : ''),
      ),
    );
    results.element.hidden = false;
  }

  picker.onChange = () => {
    setChoices(target, [{ value: '', label: 'Predicted class' }], '');
    setParam(context, 'target', '');
  };

  root.append(
    ...pageLayout(
      'Which pixels made the classifier say that?',
      'Pick a Fashion-MNIST test image (or your own), a method and a class: the maps show which pixels pushed the vision transformer towards its answer.',
      [
        el('div', { class: 'gb-field' }, el('span', { class: 'gb-label' }, 'Image'), thumbs, about),
        el('div', { class: 'gb-row' }, picker.element, field('Method', method), field('Explain class', target)),
        bundledNote(
          'vit-fashion-tiny, a 2-layer vision transformer trained on Fashion-MNIST (87% test accuracy; 32×32 input, 8×8 patches).',
          'Xenova/vit-base-patch16-224',
        ),
        controls.element,
      ],
      results.element,
    ),
  );

  void samples().then(async (found) => {
    list = found;
    for (const s of list) {
      const b = el('button', {
        type: 'button',
        class: 'gbp-sample',
        'data-sample': s.file,
        'aria-pressed': 'false',
        title: `${s.label} (Fashion-MNIST test image #${s.index})`,
      });
      b.append(el('img', { src: `samples/${s.file}`, alt: s.label, width: 56, height: 56 }), el('span', {}, s.label));
      b.addEventListener('click', async () => {
        choose(s.file, await loadSample(s), s);
        void controls.run();
      });
      thumbs.append(b);
    }
    thumbs.append(upload);
    const first = list.find((s) => s.file === params.get('sample')) ?? list.find((s) => s.label === 'Sneaker') ?? list[0];
    if (first) {
      const run = params.get('run') === '1';
      choose(first.file, await loadSample(first), first);
      if (run) void controls.run();
    }
  });
}

export const image: DemoPage = { id: 'image', title: 'Images', mount };
