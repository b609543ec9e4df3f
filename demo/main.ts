import { type MethodName, SequenceClassificationExplainer, env } from '@glassbox/core';

// The bundled model is served next to this page; nothing is fetched from elsewhere.
env.allowLocalModels = true;
env.allowRemoteModels = false;
const MODEL = new URL('./distilbert-sst2-tiny', window.location.href).pathname;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = $<HTMLSpanElement>('status');
const explainer = SequenceClassificationExplainer.fromPretrained(MODEL, { device: 'auto' });
void explainer.then((e) => {
  status.textContent = `model: bundled distilbert-sst2-tiny (${e.model.onnx.backend.name === 'webgpu' ? 'WebGPU' : 'CPU'})`;
});

/** Diverging colour centred on 0: blue for negative, red for positive attributions. */
function colour(a: number, max: number): string {
  const t = max > 0 ? Math.min(1, Math.abs(a) / max) : 0;
  return a >= 0 ? `rgba(214, 96, 77, ${t})` : `rgba(67, 147, 195, ${t})`;
}

$<HTMLButtonElement>('explain').addEventListener('click', async () => {
  const method = $<HTMLSelectElement>('method').value as MethodName;
  status.textContent = 'explaining…';
  try {
    const r = await (await explainer).explain($<HTMLTextAreaElement>('text').value, { method });
    $('prediction').textContent = `${r.predicted.label} (${r.predicted.score.toFixed(3)}), explaining ${r.target.label} with ${r.method}`;
    const out = $('tokens');
    out.dataset.method = r.method;
    out.replaceChildren();
    const max = Math.max(...r.tokens.map((t) => Math.abs(t.attribution ?? 0)));
    for (const t of r.tokens) {
      const span = document.createElement('span');
      span.textContent = `${t.token} `; // untrusted text: a text node, never HTML
      span.dataset.token = t.token;
      span.dataset.attribution = String(t.attribution);
      span.title = `${t.token}: ${t.attribution === null ? '—' : t.attribution.toFixed(4)}`;
      span.style.background = colour(t.attribution ?? 0, max);
      out.append(span);
    }
    status.textContent = 'done';
  } catch (e) {
    status.textContent = `error: ${(e as Error).message}`;
  }
});
