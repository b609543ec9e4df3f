/**
 * Widgets every demo page can reuse. They build plain DOM with style.css's classes, keep
 * their value in the shared URL state (PageContext.params) and never write untrusted text
 * as HTML.
 *
 *   el(tag, attrs, ...children)         an element; string children become text nodes
 *   field(label, control, hint?)        a labelled control (.gb-field); put several in el('div', {class: 'gb-row'})
 *   selectControl(choices, value?)      a <select class="gb-select">
 *   paramSelect(context, param, choices, fallback)  a select bound to a URL parameter (written on change; the fallback is left out of the URL)
 *   modelPicker(context, { bundled })   bundled models + "a Hugging Face Hub model" with a hub-id field; URL param `model`
 *                                       (a bundled folder name or a hub id). .value() → ModelChoice; load with loadExplainer().
 *   loadExplainer(task, choice, device)  loads a task's explainer in a Web Worker once per (task, model, device), e.g.
 *                                       loadExplainer('image-classification', picker.value(), context.device); its methods return promises
 *                                       (onProgress and signal work through the worker); core functions taking an explainer run as
 *                                       explainer.run('evaluate', ...). With a 4th argument (a fromPretrained) it loads in the page.
 *                                       The offline rule: the Hub is reachable only while loading a model the user typed.
 *   methodPicker(context, methods?)     the method select (URL param `method`); TEXT_METHODS by default,
 *                                       ALL_TEXT_METHODS (gradient and perturbation methods, grouped) for classification
 *   paramNumber(context, param, attrs)  a number input bound to a URL parameter (empty: left out of the URL)
 *   paramChecklist(context, param, choices, defaults)  checkboxes kept in one URL parameter as a comma list
 *   runControls({ onRun, recover? })    Explain + Cancel buttons, progress bar and status line; onRun gets a RunHandle
 *                                       with `signal` and `onProgress` to pass to explain(), and `loading(text)`;
 *                                       recover(error) may turn an error into a message and a button (truncation.ts).
 *                                       `action` names the button's data-action (default 'run') when a page has two.
 *   resultPanel()                       the result card: .head (summary), .tools (buttons), .body (put render(result) here)
 *   downloadButton(make)                "Download HTML": saves toHTML(result) (make() returns { html, filename })
 *   copyLinkButton(context, run?)       copies the page's URL with run=1 (or run=<run>: a link that reproduces the result)
 *   note(text, kind?)                   a muted note, a warning or an error
 */
import { type ExplainerOf, GlassboxError, type Remote, TEXT_METHOD_TABLE, type TaskName, env, isHubId, loadInWorker } from '@glassbox/core';
import type { PageContext } from './page.ts';

type Child = Node | string | number | null | undefined | false;

/** An element with attributes (false/undefined ones left out) and children; strings become text nodes. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) node.append(typeof c === 'number' ? String(c) : c);
  return node;
}

/** A label above its control, with an optional hint under it. */
export function field(label: string, control: HTMLElement, hint?: string): HTMLLabelElement {
  return el(
    'label',
    { class: 'gb-field' },
    el('span', { class: 'gb-label' }, label),
    control,
    hint !== undefined && el('span', { class: 'gb-hint' }, hint),
  );
}

export interface Choice {
  value: string;
  label: string;
  /** Choices of one group are shown together under this heading (an <optgroup>). */
  group?: string;
}

export function selectControl(choices: readonly Choice[], value?: string): HTMLSelectElement {
  const select = el('select', { class: 'gb-select' });
  setChoices(select, choices, value);
  return select;
}

/** Replace a select's options, keeping `value` (or the current one) selected when it is still there. */
export function setChoices(select: HTMLSelectElement, choices: readonly Choice[], value = select.value): void {
  const groups = new Map<string | undefined, HTMLOptionElement[]>();
  for (const c of choices) groups.set(c.group, [...(groups.get(c.group) ?? []), el('option', { value: c.value }, c.label)]);
  select.replaceChildren(
    ...[...groups].flatMap(([group, options]) => (group === undefined ? options : [el('optgroup', { label: group }, ...options)])),
  );
  if (choices.some((c) => c.value === value)) select.value = value;
}

/** Write one URL parameter (deleted when it equals its default), drop `run` (the shown result no longer matches), save. */
export function setParam(context: PageContext, param: string, value: string, fallback = ''): void {
  if (value === fallback || value === '') context.params.delete(param);
  else context.params.set(param, value);
  context.params.delete('run');
  context.saveParams();
}

/** A number input bound to URL parameter `param`: read at build, written on change (empty: the parameter is left out). */
export function paramNumber(
  context: PageContext,
  param: string,
  attrs: Record<string, string | number | boolean | undefined> = {},
): HTMLInputElement {
  const input = el('input', { class: 'gb-input', type: 'number', step: 1, name: param, ...attrs });
  input.value = context.params.get(param) ?? '';
  input.addEventListener('change', () => setParam(context, param, input.value.trim()));
  return input;
}

export interface Checklist {
  element: HTMLElement;
  /** The checked values, in the choices' order. */
  values(): string[];
}

/**
 * Checkboxes kept in URL parameter `param` as a comma-separated list (the CLI's form, e.g.
 * --methods a,b); left out of the URL while exactly `defaults` are checked.
 */
export function paramChecklist(
  context: PageContext,
  param: string,
  choices: readonly Choice[],
  defaults: readonly string[],
  label: string,
): Checklist {
  const fromUrl = context.params.get(param);
  const initial = new Set(fromUrl === null ? defaults : fromUrl.split(',').map((v) => v.trim()));
  const boxes = choices.map((c) => el('input', { type: 'checkbox', name: param, value: c.value, checked: initial.has(c.value) }));
  const values = () => boxes.filter((b) => b.checked).map((b) => b.value);
  const isDefault = (v: string[]) => v.length === defaults.length && defaults.every((d) => v.includes(d));
  const element = el(
    'fieldset',
    { class: 'gb-checklist', 'data-param': param },
    el('legend', { class: 'gb-label' }, label),
    ...boxes.map((box, i) => el('label', { class: 'gb-check' }, box, choices[i]!.label)),
  );
  element.addEventListener('change', () => {
    const v = values();
    setParam(context, param, isDefault(v) ? '' : v.length === 0 ? 'none' : v.join(','));
  });
  return { element, values };
}

/** A select bound to URL parameter `param`: read at build, written on change. */
export function paramSelect(
  context: PageContext,
  param: string,
  choices: readonly Choice[],
  fallback: string,
  onChange?: (value: string) => void,
): HTMLSelectElement {
  const initial = context.params.get(param) ?? fallback;
  // A value from a shared link that is not (yet) a choice, e.g. a label of a model still loading, is kept.
  const all = choices.some((c) => c.value === initial) ? choices : [...choices, { value: initial, label: initial }];
  const select = selectControl(all, initial);
  select.addEventListener('change', () => {
    setParam(context, param, select.value, fallback);
    onChange?.(select.value);
  });
  return select;
}

// ---------------------------------------------------------------- models

export interface BundledModel {
  /** Folder under models/ (served next to the page); also the `model` URL value and data-model. */
  folder: string;
  label: string;
}

/** A model the user picked: `id` goes into the URL and data-model, `source` to fromPretrained. */
export interface ModelChoice {
  id: string;
  source: string;
  bundled: boolean;
}

/** The progress line while a model loads: bundled models load from this site, hub ids download. */
export const loadingText = (choice: ModelChoice): string =>
  choice.bundled ? 'Loading the model…' : `Downloading ${choice.id} from the Hugging Face Hub…`;

const HUB = '__hub__';

export interface ModelPicker {
  element: HTMLElement;
  value(): ModelChoice;
  /** Called when the user picks another model (or finishes typing a hub id). */
  onChange?: (choice: ModelChoice) => void;
}

/**
 * The model select: the page's bundled models, then "Hugging Face Hub model…", which
 * shows a field for a hub id (`owner/name`). The choice lives in URL param `model`.
 */
export function modelPicker(
  context: PageContext,
  options: { bundled: readonly BundledModel[]; hubPlaceholder?: string; label?: string },
): ModelPicker {
  const { bundled } = options;
  // A bundled model may also be written ./folder, /folder or models/folder (its path in the repository, as the CLI takes it).
  const asked = context.params.get('model') ?? bundled[0]!.folder;
  const stripped = asked
    .replace(/^\.?\/+/, '')
    .replace(/^models\//, '')
    .replace(/\/+$/, '');
  const initial = bundled.some((b) => b.folder === stripped) ? stripped : asked;
  const isBundled = bundled.some((b) => b.folder === initial);
  const select = selectControl(
    [...bundled.map((b) => ({ value: b.folder, label: b.label })), { value: HUB, label: 'Hugging Face Hub model…' }],
    isBundled ? initial : HUB,
  );
  const hub = el('input', {
    class: 'gb-input',
    type: 'text',
    placeholder: options.hubPlaceholder ?? 'owner/model, e.g. Xenova/distilbert-base-uncased-finetuned-sst-2-english',
    spellcheck: 'false',
    autocomplete: 'off',
    'aria-label': 'Hugging Face Hub model id',
    'data-role': 'hub-id',
  });
  hub.value = isBundled ? '' : initial;
  const hubNote = el(
    'span',
    { class: 'gb-hint' },
    'Downloaded from huggingface.co: the only request this page makes outside this site. Needs a transformers.js (ONNX) model.',
  );
  const hubBox = el('div', { class: 'gb-field' }, hub, hubNote);
  const picker: ModelPicker = {
    element: el('div', { class: 'gb-field gb-model-picker' }, el('span', { class: 'gb-label' }, options.label ?? 'Model'), select, hubBox),
    value() {
      if (select.value !== HUB) return { id: select.value, source: context.bundled(select.value), bundled: true };
      const id = hub.value.trim();
      return { id, source: id, bundled: false };
    },
  };
  const sync = () => {
    hubBox.hidden = select.value !== HUB;
    const choice = picker.value();
    if (choice.id !== '') setParam(context, 'model', choice.id, bundled[0]!.folder);
  };
  select.addEventListener('change', () => {
    sync();
    if (select.value === HUB) hub.focus();
    picker.onChange?.(picker.value());
  });
  hub.addEventListener('change', () => {
    sync();
    picker.onChange?.(picker.value());
  });
  hubBox.hidden = select.value !== HUB;
  return picker;
}

const loaded = new Map<string, Promise<unknown>>();

/**
 * Load a task's explainer once per (task, model, device), in a Web Worker (core's loadInWorker):
 * the page stays responsive while it explains, and its methods return promises of the same
 * results. Bundled models are read from this site; the Hub is allowed for the length of a hub
 * model's load only, so nothing else can reach it.
 */
export async function loadExplainer<K extends TaskName>(
  task: K,
  choice: ModelChoice,
  device: 'webgpu' | 'cpu',
): Promise<Remote<ExplainerOf<K>>> {
  const load = (source: string, options: { device: 'webgpu' | 'cpu' }) => loadInWorker(task, source, options);
  if (choice.id === '') throw new GlassboxError('no_model', 'type a Hugging Face model id (owner/name) first');
  if (!choice.bundled && !isHubId(choice.id))
    throw new GlassboxError('bad_model', `"${choice.id}" is not a Hugging Face model id (owner/name)`);
  const key = `${task}|${choice.source}|${device}`;
  let pending = loaded.get(key);
  if (!pending) {
    pending = (async () => {
      if (choice.bundled) return load(choice.source, { device });
      // loadInWorker sends the env settings with its load message, before its first await.
      env.allowRemoteModels = true;
      try {
        return await load(choice.source, { device });
      } finally {
        env.allowRemoteModels = false;
      }
    })();
    loaded.set(key, pending);
    pending.catch(() => loaded.delete(key));
  }
  return pending as Promise<Remote<ExplainerOf<K>>>;
}

// ---------------------------------------------------------------- methods

const FAMILY_HEADINGS = { gradient: 'Gradient methods', perturbation: 'Perturbation methods' } as const;

/** Every method of the text-classification explainers, gradient then perturbation, as core's method table names and labels them. */
export const ALL_TEXT_METHODS: readonly Choice[] = (['gradient', 'perturbation'] as const).flatMap((family) =>
  TEXT_METHOD_TABLE.filter((m) => m.family === family).map((m) => ({ value: m.name, label: m.label, group: FAMILY_HEADINGS[family] })),
);

/** The methods the other text pages offer (the fast ones and SmoothGrad), labelled as core's method table. */
export const TEXT_METHODS: readonly Choice[] = (
  ['integrated-gradients', 'saliency', 'input-x-gradient', 'smoothgrad', 'occlusion'] as const
).map((name) => ({ value: name, label: TEXT_METHOD_TABLE.find((m) => m.name === name)!.label }));

export const methodLabel = (value: string, methods: readonly Choice[] = ALL_TEXT_METHODS): string =>
  methods.find((m) => m.value === value)?.label ?? value;

/** The method select, URL param `method` (default the first: integrated gradients). */
export function methodPicker(
  context: PageContext,
  methods: readonly Choice[] = TEXT_METHODS,
  onChange?: (value: string) => void,
): HTMLSelectElement {
  return paramSelect(context, 'method', methods, methods[0]!.value, onChange);
}

// ---------------------------------------------------------------- running

export type RunState = 'idle' | 'loading' | 'running' | 'done' | 'cancelled' | 'error';

/** What onRun gets: pass `signal` and `onProgress` to explain(). */
export interface RunHandle {
  signal: AbortSignal;
  onProgress: (fraction: number, stage: string) => void;
  /** Show an indeterminate bar and a status (e.g. while a model loads). */
  loading(text: string): void;
  /** Show a determinate bar at 0 and a status. */
  running(text: string): void;
}

export interface RunControls {
  element: HTMLElement;
  button: HTMLButtonElement;
  /** Start a run (as the button does); resolves with how it ended. A second call while one runs is ignored. */
  run(): Promise<RunState>;
  cancel(): void;
  readonly state: RunState;
}

const STAGES: Record<string, string> = {
  'integrated-gradients': 'Integrating gradients',
  smoothgrad: 'Averaging noisy gradients',
  smoothgrad_sq: 'Averaging noisy gradients',
  vargrad: 'Averaging noisy gradients',
  occlusion: 'Occluding tokens',
  saliency: 'Taking the gradient',
  'input-x-gradient': 'Taking the gradient',
  'feature ablation': 'Removing features',
  lime: 'Scoring perturbed texts',
  'kernel shap': 'Scoring coalitions',
  'partition-shap': 'Scoring coalitions',
  sobol: 'Scoring masks',
  deletion: 'Deleting tokens',
  insertion: 'Inserting tokens',
  comprehensiveness: 'Removing the top tokens',
  sufficiency: 'Keeping the top tokens',
  metrics: 'Scoring the attributions',
};

/** What a progress stage (a method's or a metric's name) reads as in the progress line. */
export function stageLabel(stage: string): string {
  return STAGES[stage] ?? stage;
}

/** What the page offers after an error: the status line's text and a button that fixes it (e.g. "Truncate and explain"). */
export interface Recovery {
  message: string;
  label: string;
  action(): void;
}

/**
 * The Explain button, a Cancel button (shown while running), a progress bar and a status
 * line. `onRun` does the work; a GlassboxError of code 'aborted' (what explain() throws
 * after Cancel) shows "Cancelled", any other error its message, or what `recover` makes of
 * it: a message and a button (data-action="recover") after it.
 */
export function runControls(options: {
  label?: string;
  action?: string;
  primary?: boolean;
  onRun: (run: RunHandle) => Promise<void>;
  recover?: (error: unknown) => Recovery | undefined;
}): RunControls {
  const button = el(
    'button',
    { class: options.primary === false ? 'gb-btn' : 'gb-btn gb-btn-primary', type: 'button', 'data-action': options.action ?? 'run' },
    options.label ?? 'Explain',
  );
  const cancelButton = el('button', { class: 'gb-btn', type: 'button', 'data-action': 'cancel', hidden: true }, 'Cancel');
  const fill = el('div', { class: 'gb-progress-fill' });
  const status = el('div', { class: 'gb-status', role: 'status', 'aria-live': 'polite' });
  const recoverButton = el('button', { class: 'gb-btn', type: 'button', 'data-action': 'recover', hidden: true });
  const progress = el(
    'div',
    { class: 'gb-progress', 'data-state': 'idle' },
    el('div', { class: 'gb-progress-bar' }, fill),
    el('div', { class: 'gb-status-line' }, status, recoverButton),
  );
  let recovery: Recovery | undefined;
  recoverButton.addEventListener('click', () => recovery?.action());
  let state: RunState = 'idle';
  let controller: AbortController | undefined;
  const set = (s: RunState, text: string, fraction?: number) => {
    state = s;
    progress.dataset.state = s;
    status.textContent = text;
    recoverButton.hidden = true;
    if (fraction !== undefined) fill.style.width = `${Math.round(fraction * 100)}%`;
    const busy = s === 'loading' || s === 'running';
    button.disabled = busy;
    cancelButton.hidden = !busy;
  };
  const controls: RunControls = {
    element: el('div', { class: 'gb-actions', 'data-controls': options.action ?? 'run' }, button, cancelButton, progress),
    button,
    get state() {
      return state;
    },
    cancel() {
      controller?.abort();
    },
    async run() {
      if (state === 'loading' || state === 'running') return state;
      const current = new AbortController();
      controller = current;
      const started = performance.now();
      const handle: RunHandle = {
        signal: current.signal,
        onProgress: (fraction, stage) => set('running', `${stageLabel(stage)}… ${Math.round(fraction * 100)}%`, fraction),
        loading: (text) => set('loading', text, 0),
        running: (text) => set('running', text, 0),
      };
      set('loading', 'Starting…', 0);
      try {
        await options.onRun(handle);
        if (current.signal.aborted) throw new GlassboxError('aborted', 'cancelled');
        set('done', `Done in ${((performance.now() - started) / 1000).toFixed(1)} s`, 1);
      } catch (e) {
        recovery = options.recover?.(e);
        if (e instanceof GlassboxError && e.code === 'aborted') set('cancelled', 'Cancelled.');
        else set('error', recovery?.message ?? (e instanceof Error ? e.message : String(e)));
        if (recovery && state === 'error') {
          recoverButton.textContent = recovery.label;
          recoverButton.hidden = false;
        }
      } finally {
        if (controller === current) controller = undefined;
      }
      return state;
    },
  };
  button.addEventListener('click', () => void controls.run());
  cancelButton.addEventListener('click', () => {
    controls.cancel();
    status.textContent = 'Cancelling…';
  });
  return controls;
}

// ---------------------------------------------------------------- results

export interface ResultPanel {
  element: HTMLElement;
  /** The summary (prediction) on the left of the head. */
  head: HTMLElement;
  /** Buttons on the right of the head (download, copy link). */
  tools: HTMLElement;
  /** Where render(result) goes. */
  body: HTMLElement;
}

export function resultPanel(): ResultPanel {
  const head = el('div', { class: 'gb-result-summary' });
  const tools = el('div', { class: 'gb-result-tools' });
  const body = el('div', { class: 'gb-result-body' });
  const element = el(
    'section',
    { class: 'gb-card gb-result', 'aria-label': 'Result', hidden: true },
    el('div', { class: 'gb-result-head' }, head, tools),
    body,
  );
  return { element, head, tools, body };
}

/** A "Download HTML" button: saves make()'s standalone page (toHTML), or does nothing while there is no result. */
export function downloadButton(make: () => { html: string; filename: string } | undefined, label = 'Download HTML'): HTMLButtonElement {
  const button = el(
    'button',
    { class: 'gb-btn', type: 'button', 'data-action': 'download', title: 'A standalone HTML file: no script, opens anywhere, offline' },
    icon('download'),
    label,
  );
  button.addEventListener('click', () => {
    const made = make();
    if (made) saveFile(made.html, 'text/html', made.filename);
  });
  return button;
}

/** Saves `content` as a file through an object URL for a Blob: nothing leaves the page. */
export function saveFile(content: string, type: string, filename: string): void {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const a = el('a', { href: url, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A file name from parts: letters, digits, dots and dashes only. */
export const fileName = (...parts: string[]): string =>
  `${parts
    .map((p) => p.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, ''))
    .filter(Boolean)
    .join('-')}.html`;

/** "Copy link": the current URL with run=1 (or run=`run`), so opening it runs the same explanation. */
export function copyLinkButton(context: PageContext, run = '1'): HTMLButtonElement {
  const button = el(
    'button',
    {
      class: 'gb-btn gb-btn-ghost',
      type: 'button',
      'data-action': 'copy-link',
      title: 'A link that opens this page and runs this explanation',
    },
    icon('link'),
    'Copy link',
  );
  button.addEventListener('click', async () => {
    const params = new URLSearchParams(context.params);
    params.set('run', run);
    const url = `${location.origin}${location.pathname}?${params}`;
    let copied = false;
    try {
      await navigator.clipboard.writeText(url);
      copied = true;
    } catch {
      window.prompt('Copy this link', url);
    }
    if (copied) {
      button.lastChild!.textContent = 'Link copied';
      setTimeout(() => (button.lastChild!.textContent = 'Copy link'), 1800);
    }
  });
  return button;
}

export function note(text: string, kind: 'note' | 'warn' | 'error' = 'note'): HTMLParagraphElement {
  return el('p', { class: kind === 'error' ? 'gb-error' : kind === 'warn' ? 'gb-note gb-note-warn' : 'gb-note' }, text);
}

const ICONS = {
  download: 'M12 4v11m0 0l-4.5-4.5M12 15l4.5-4.5M5 19h14',
  link: 'M10 14a4 4 0 005.66 0l3-3a4 4 0 00-5.66-5.66l-1 1M14 10a4 4 0 00-5.66 0l-3 3a4 4 0 005.66 5.66l1-1',
};

/** A small stroked icon (inline SVG, nothing fetched). */
export function icon(name: keyof typeof ICONS): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('width', '16');
  svg.setAttribute('height', '16');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', ICONS[name]);
  path.setAttribute('fill', 'none');
  path.setAttribute('stroke', 'currentColor');
  path.setAttribute('stroke-width', '2');
  path.setAttribute('stroke-linecap', 'round');
  path.setAttribute('stroke-linejoin', 'round');
  svg.append(path);
  return svg;
}

/**
 * A page's layout: its title and what it answers (.gb-page-head), then the input card and
 * the results panel stacked (.gb-stack, .gb-card).
 */
export function pageLayout(title: string, lede: string, inputs: Child[], results: HTMLElement): Node[] {
  return [
    el('div', { class: 'gb-page-head' }, el('h1', {}, title), el('p', {}, lede)),
    el('div', { class: 'gb-stack' }, el('section', { class: 'gb-card', 'aria-label': 'Input' }, ...inputs), results),
  ];
}
