/**
 * The demo's shell: header with the device indicator, one tab per page (pages/index.ts),
 * URL state shared by the pages, footer. Each page is mounted the first time it is shown.
 */
import { env } from '@glassbox/core';
import { type WebGpuAdapterKind, autoDevice, webGpuAdapterKind } from '@glassbox/core/runtime';
import { el } from './controls.ts';
import type { PageContext } from './page.ts';
import { PAGES } from './pages/index.ts';

// Offline by default: bundled models are read from this site; controls.loadExplainer opens
// the Hub only while loading a model id the user typed.
env.allowLocalModels = true;
env.allowRemoteModels = false;

const params = new URLSearchParams(window.location.search);

function saveParams(): void {
  const query = params.toString();
  history.replaceState(history.state, '', `${window.location.pathname}${query ? `?${query}` : ''}${window.location.hash}`);
}

type DemoDevice = 'webgpu' | 'cpu';

/**
 * What explainers run on: the URL's `device` (cpu, or webgpu on any adapter), else core's
 * 'auto' rule: WebGPU on a GPU only, the CPU on a software adapter (slower there) or none.
 */
function chooseDevice(asked: string | null, kind: WebGpuAdapterKind): DemoDevice {
  if (asked === 'cpu' || kind === 'none') return 'cpu';
  return asked === 'webgpu' ? 'webgpu' : autoDevice(kind);
}

/** Why the CPU runs, in the indicator: asked for in the URL, or no usable adapter. */
function cpuText(kind: WebGpuAdapterKind, asked: boolean): string {
  if (asked) return 'CPU';
  return kind === 'fallback' ? 'CPU (software GPU adapter skipped)' : 'CPU (no WebGPU adapter)';
}

/** The device indicator: what explainers run on and why, and a switch (URL param `device`). */
function deviceIndicator(device: DemoDevice, kind: WebGpuAdapterKind, asked: boolean): HTMLElement {
  const select = el(
    'select',
    { 'aria-label': 'Compute device', 'data-role': 'device' },
    el('option', { value: 'webgpu', disabled: kind === 'none' }, kind === 'fallback' ? 'WebGPU (software adapter)' : 'WebGPU'),
    el('option', { value: 'cpu' }, device === 'cpu' ? cpuText(kind, asked) : 'CPU'),
  );
  select.value = device;
  select.addEventListener('change', () => {
    params.set('device', select.value);
    params.delete('run');
    saveParams();
    window.location.reload();
  });
  const title =
    device === 'webgpu'
      ? kind === 'fallback'
        ? 'Explanations run on a software WebGPU adapter (no GPU): the CPU is usually faster.'
        : 'Explanations run on your GPU through WebGPU.'
      : kind === 'fallback'
        ? 'This browser’s WebGPU adapter is a software one (no GPU), slower than the CPU here: explanations run on the CPU (JavaScript, float32).'
        : kind === 'hardware'
          ? 'Explanations run on the CPU (JavaScript, float32). Switch to WebGPU for larger models.'
          : 'This browser has no WebGPU adapter: explanations run on the CPU (JavaScript, float32).';
  const reason = asked ? 'asked' : kind === 'none' ? 'no-adapter' : kind === 'fallback' ? 'software-adapter' : 'gpu';
  return el(
    'div',
    { class: 'gb-device', 'data-device': device, 'data-reason': reason, title, id: 'gb-device' },
    el('span', { class: 'gb-device-dot', 'aria-hidden': 'true' }),
    select,
  );
}

async function start(): Promise<void> {
  const kind = await webGpuAdapterKind().catch((): WebGpuAdapterKind => 'none');
  const asked = params.get('device');
  const device = chooseDevice(asked, kind);
  document.getElementById('gb-header-right')!.append(deviceIndicator(device, kind, asked === device));

  const context: PageContext = {
    params,
    saveParams,
    device,
    bundled: (folder) => new URL(`./${folder}`, window.location.href).pathname,
  };

  const tabs = document.getElementById('gb-tabs')!;
  const holder = document.getElementById('gb-pages')!;
  const mounted = new Map<string, HTMLElement>();
  const buttons = new Map<string, HTMLButtonElement>();
  const snapshots = new Map<string, string>();
  let current = '';

  const show = (id: string) => {
    const page = PAGES.find((p) => p.id === id) ?? PAGES[0]!;
    current = page.id;
    for (const [pid, b] of buttons) {
      b.setAttribute('aria-selected', String(pid === page.id));
      b.tabIndex = pid === page.id ? 0 : -1;
    }
    for (const [pid, root] of mounted) root.hidden = pid !== page.id;
    if (!mounted.has(page.id)) {
      const root = el('div', { role: 'tabpanel', id: `page-${page.id}`, 'aria-labelledby': `tab-${page.id}`, 'data-page': page.id });
      holder.append(root);
      mounted.set(page.id, root);
      page.mount(root, context);
    }
    document.title = `${page.title} · Glassbox`;
  };

  for (const page of PAGES) {
    const b = el(
      'button',
      { class: 'gb-tab', type: 'button', role: 'tab', id: `tab-${page.id}`, 'aria-controls': `page-${page.id}`, 'data-tab': page.id },
      page.title,
    );
    b.addEventListener('click', () => {
      if (page.id === current) return;
      // Each page keeps its own URL state: the one left is put aside, the one shown gets its own back.
      snapshots.set(current, params.toString());
      for (const key of [...params.keys()]) if (key !== 'device') params.delete(key);
      for (const [key, value] of new URLSearchParams(snapshots.get(page.id) ?? '')) if (key !== 'device') params.set(key, value);
      params.set('page', page.id);
      params.delete('run');
      saveParams();
      show(page.id);
    });
    buttons.set(page.id, b);
    tabs.append(b);
  }
  // Arrow keys move between tabs (WAI-ARIA tabs pattern).
  tabs.addEventListener('keydown', (e) => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    const list = [...buttons.values()];
    const i = list.indexOf(document.activeElement as HTMLButtonElement);
    if (i < 0) return;
    const next = list[(i + (e.key === 'ArrowRight' ? 1 : list.length - 1)) % list.length]!;
    next.focus();
    next.click();
  });
  show(params.get('page') ?? PAGES[0]!.id);
}

void start();
