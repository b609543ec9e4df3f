import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCHMARK_METHODS, ImageClassificationExplainer, METRICS, QuestionAnsweringExplainer } from '@glassbox/core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { glassbox, glassboxBenchmark } from './cliRunner.ts';
import { type Json, expectClose } from './expectClose.ts';
import { buildDemo, hasChromium, launchChromium } from './demoSite.ts';
import { RequestLog } from './requestLog.ts';
import { serveStatic } from './staticServer.ts';

/**
 * The demo's task pages (image, pairs and zero-shot, QA, NER, generation, attention) as a
 * user gets them: the site built by vite, served statically, driven in Debian's headless
 * Chromium on the CPU backend. Each page, opened from a link with run=1, explains on its
 * bundled model; its numbers are the library's in Node. Each test records its own requests
 * and checks them after it runs: none leaves the site, none sends anything, and none but the
 * test's own navigations carries what the user wrote (the links' texts, an uploaded file's name).
 */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MODELS = join(ROOT, 'models');
const WAIT = { timeout: 180_000 };

/** The links' parameters that hold what the user wrote. */
const TEXT_PARAMS = ['text', 'pair', 'question', 'context', 'labels'];
/** This test's requests, and the names of the files it uploaded (set before each test). */
let log: RequestLog;
let uploaded: string[];

/** Open `?query` with run=`run` (1: explain; the text page's 'compare': compare methods), wait until that run ends, and require that it ended well. */
async function openAndRun(page: Page, base: string, id: string, query: Record<string, string>, run = '1'): Promise<void> {
  await log.open(page, `${base}?${new URLSearchParams({ page: id, ...query, run })}`);
  const ended = `[data-page="${id}"] .gb-progress:is([data-state="done"], [data-state="error"])`;
  await page.waitForSelector(ended, WAIT);
  const status = await page.textContent(`${ended} .gb-status`);
  expect(await page.getAttribute(ended, 'data-state'), `status: ${status}`).toBe('done');
}

/** The CLI's output for the page's URL parameters as flags (`--name value`): the demo's parameters are the CLI's options. */
async function cliFor(command: typeof glassbox, query: Record<string, string>): Promise<Json> {
  const r = await command(['--model', 'models/distilbert-sst2-tiny', ...Object.entries(query).flatMap(([k, v]) => [`--${k}`, v])]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

/**
 * Every [data-token] of the text page's result (its views: highlights, bar chart, table) equals
 * the CLI's token at its position (mod the token count). Tolerance 1e-6 absolute: the same
 * runtime on the same CPU backend with the same options (see demo.test.ts).
 */
function expectTokensOf(
  shown: readonly (readonly [string, string])[],
  tokens: { token: string; attribution: number | null }[],
  what: string,
): void {
  expect(shown.length).toBeGreaterThan(0);
  expect(shown.length % tokens.length, what).toBe(0);
  expect(shown.map(([t]) => t)).toEqual(shown.map((_, i) => tokens[i % tokens.length]!.token));
  expectClose(
    shown.map(([, a]) => (a === 'null' ? null : Number(a))),
    shown.map((_, i) => tokens[i % tokens.length]!.attribution),
    1e-6,
    0,
    what,
  );
}

/** [metric, value] of every metric cell under `scope` (the benchmark table's data-metric / data-value cells). */
const metricCells = (page: Page, scope: string) =>
  page.$$eval(`${scope} td[data-metric]`, (els) =>
    els.map((e) => [e.getAttribute('data-metric')!, Number(e.getAttribute('data-value'))] as const),
  );

/** Which of the text page's advanced option fields are shown. */
const shownOptions = (page: Page) =>
  page.$$eval('[data-page="text"] .gb-details .gb-field:not([hidden]) :is(input, select)[id]', (els) => els.map((e) => e.id));

/** Every [data-token] of the page as [token, attribution] (attribution "null" where the method gives none). */
const tokensOf = (page: Page, id: string) =>
  page.$$eval(`[data-page="${id}"] [data-token]`, (els) =>
    els.map((e) => [e.getAttribute('data-token')!, e.getAttribute('data-attribution')!] as const),
  );

/** The result roots of the page: [data-model, data-method] of every element carrying both. */
const resultsOf = (page: Page, id: string) =>
  page.$$eval(`[data-page="${id}"] [data-model][data-method]`, (els) =>
    els.map((e) => [e.getAttribute('data-model')!, e.getAttribute('data-method')!] as const),
  );

function expectAttributions(tokens: readonly (readonly [string, string])[]): void {
  expect(tokens.length).toBeGreaterThan(0);
  for (const [, a] of tokens) expect(a === 'null' || Number.isFinite(Number(a)), a).toBe(true);
  expect(tokens.some(([, a]) => a !== 'null' && Number(a) !== 0)).toBe(true);
}

describe.skipIf(!hasChromium)('demo task pages in Chromium', () => {
  let site: { url: string; server: Server };
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const outDir = await buildDemo();
    site = await serveStatic(outDir);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  });
  beforeEach(() => {
    log = new RequestLog(page);
    uploaded = [];
  });
  afterEach(async () => {
    const texts = [...log.opened].flatMap((url) => TEXT_PARAMS.flatMap((p) => new URL(url).searchParams.getAll(p)));
    await log.expectPrivate(new URL(site.url).origin, [...texts, ...uploaded]);
  });
  afterAll(async () => {
    await browser?.close();
    site?.server.close();
  });

  it('image: a Fashion-MNIST sample from a link, the four map modes, the Node prediction', async () => {
    await openAndRun(page, site.url, 'image', { sample: 'sneaker-9.png', method: 'integrated-gradients' });
    const figures = await page.$$eval('[data-page="image"] figure[data-mode]', (els) =>
      els.map((e) => [e.getAttribute('data-model'), e.getAttribute('data-method'), e.getAttribute('data-mode')]),
    );
    expect(figures).toEqual(
      ['heatmap', 'overlay', 'masked_image', 'alpha_scaling'].map((m) => ['vit-fashion-tiny', 'integrated-gradients', m]),
    );
    expect(await page.$$eval('[data-page="image"] [data-role="maps"] canvas', (els) => els.length)).toBe(5); // the original and four maps

    // The same image through the library in Node: the same pixels (Glassbox's PNG decoder and
    // Pillow's resize on both sides), so the same probabilities.
    const explainer = await ImageClassificationExplainer.fromPretrained(join(MODELS, 'vit-fashion-tiny'));
    const node = await explainer.explain(join(MODELS, 'samples', 'sneaker-9.png'), { method: 'saliency' });
    expect(node.predicted.label).toBe('Sneaker');
    expect(await page.textContent('[data-page="image"] [data-field="predicted"]')).toBe(node.predicted.label);
    const shown = await page.$$eval('[data-page="image"] [data-probability]', (els) =>
      els.map((e) => [e.getAttribute('data-label')!, Number(e.getAttribute('data-probability'))] as const),
    );
    expect(shown.length).toBe(5);
    for (const [label, p] of shown) expect(Math.abs(p - node.probabilities[explainer.labels.indexOf(label)]!), label).toBeLessThan(1e-5);

    // The picked mode goes into the link.
    await page.click('[data-page="image"] figure[data-mode="heatmap"]');
    expect(new URL(page.url()).searchParams.get('mode')).toBe('heatmap');
    expect(new URL(page.url()).searchParams.get('sample')).toBe('sneaker-9.png');
  });

  it('image: an uploaded PNG is decoded and explained in the page, never sent', async () => {
    await openAndRun(page, site.url, 'image', { sample: 'sandal-8.png', method: 'saliency' });
    await page.evaluate(() => document.querySelector('[data-page="image"] [data-role="maps"]')?.remove());
    uploaded.push('coffee.png');
    await page.setInputFiles('[data-page="image"] input[data-role="upload"]', join(ROOT, 'test', 'fixtures', 'images', 'coffee.png'));
    await page.waitForSelector('[data-page="image"] [data-role="maps"]', WAIT);
    await page.waitForSelector('[data-page="image"] .gb-progress[data-state="done"]', WAIT);
    expect(await page.textContent('[data-page="image"] [data-role="image-about"]')).toMatch(/^Your image, 600×400/);
    expect(await page.getAttribute('[data-page="image"] [data-sample="upload"]', 'aria-pressed')).toBe('true');
    expect(await resultsOf(page, 'image')).toContainEqual(['vit-fashion-tiny', 'saliency']);
    // Full size (no canvas shrinking) and the same pixels as the CLI's: Node's probabilities.
    const explainer = await ImageClassificationExplainer.fromPretrained(join(MODELS, 'vit-fashion-tiny'));
    const node = await explainer.explain(join(ROOT, 'test', 'fixtures', 'images', 'coffee.png'), { method: 'saliency' });
    const shown = await page.$$eval('[data-page="image"] [data-probability]', (els) =>
      els.map((e) => [e.getAttribute('data-label')!, Number(e.getAttribute('data-probability'))] as const),
    );
    for (const [label, p] of shown) expect(Math.abs(p - node.probabilities[explainer.labels.indexOf(label)]!), label).toBeLessThan(1e-5);
    // A link cannot carry the file: no sample in it.
    expect(new URL(page.url()).searchParams.has('sample')).toBe(false);
  });

  it('pair and zero-shot: both sentences, and one row per candidate label', async () => {
    await openAndRun(page, site.url, 'pair', { text: 'A man plays the guitar.', pair: 'Someone makes music.' });
    expect(await resultsOf(page, 'pair')).toContainEqual(['bert-nli-tiny', 'integrated-gradients']);
    const pairTokens = await page.$$eval('[data-page="pair"] [data-view="tokens"] [data-token]', (els) =>
      els.map((e) => e.getAttribute('data-token')),
    );
    expect(pairTokens).toEqual(['[CLS]', 'a', 'man', 'plays', 'the', 'guitar', '.', '[SEP]', 'someone', 'makes', 'music', '.', '[SEP]']);
    expectAttributions(await tokensOf(page, 'pair'));

    await openAndRun(page, site.url, 'pair', {
      task: 'zero-shot',
      text: 'The match ended in a draw.',
      labels: 'sport, cooking',
      method: 'saliency',
    });
    expect(await resultsOf(page, 'pair')).toContainEqual(['bert-nli-tiny', 'saliency']);
    expect(await page.$$eval('[data-page="pair"] .gbv-table tbody tr', (els) => els.map((e) => e.getAttribute('data-row')))).toEqual([
      'sport',
      'cooking',
    ]);
    expectAttributions(await tokensOf(page, 'pair'));
  });

  it('question answering: start and end highlights and the answer, as the library gives them', async () => {
    const question = 'Where do penguins breed?';
    const context = 'Emperor penguins breed on the sea ice of Antarctica.';
    await openAndRun(page, site.url, 'qa', { question, context });
    expect(await resultsOf(page, 'qa')).toContainEqual(['distilbert-squad-tiny', 'integrated-gradients']);
    const rows = await page.$$eval('[data-page="qa"] [data-view="tokens"]', (els) => els.map((e) => e.getAttribute('data-row')));
    expect(rows).toEqual(['start', 'end']);
    const node = await (await QuestionAnsweringExplainer.fromPretrained(join(MODELS, 'distilbert-squad-tiny'))).explain(question, context);
    expect(await page.textContent('[data-page="qa"] [data-field="answer"]')).toBe(
      node.predictedAnswer || '(none: the predicted end comes before the start)',
    );
    const start = await page.$$eval('[data-page="qa"] [data-view="tokens"][data-row="start"] [data-token]', (els) =>
      els.map((e) => Number(e.getAttribute('data-attribution'))),
    );
    expect(start.length).toBe(node.start!.tokens.length);
    start.forEach((a, i) => expect(Math.abs(a - node.start!.tokens[i]!.attribution!)).toBeLessThan(1e-6));
  });

  it("NER: entities per token; a click shows that token's row and keeps it in the link", async () => {
    await openAndRun(page, site.url, 'ner', { text: 'Ada Lovelace met Charles Babbage in London.', method: 'saliency' });
    expect(await resultsOf(page, 'ner')).toContainEqual(['bert-ner-tiny', 'saliency']);
    const chips = await page.$$eval('[data-page="ner"] .gbp-token', (els) => els.map((e) => e.getAttribute('data-entity')));
    expect(chips.length).toBeGreaterThan(5);
    expect(chips.every((c) => /^(O|[BI]-(PER|ORG|LOC|MISC))$/.test(c ?? ''))).toBe(true);
    await page.click('[data-page="ner"] .gbp-token[data-index="2"]');
    expect(await page.getAttribute('[data-page="ner"] [data-role="token-row"] [data-view="tokens"]', 'data-row')).toBe('2');
    expect(new URL(page.url()).searchParams.get('token')).toBe('2');
    expectAttributions(await tokensOf(page, 'ner'));
  });

  it('generation: the continuation and its attribution matrix with token labels', async () => {
    await openAndRun(page, site.url, 'generation', { text: 'The quick brown fox', max: '3', method: 'input-x-gradient' });
    expect(await resultsOf(page, 'generation')).toContainEqual(['gpt2-tiny', 'input-x-gradient']);
    const rows = await page.$$eval('[data-page="generation"] .gbv-table tbody tr', (els) => els.length);
    expect(rows).toBe(3);
    const first = await page.$$eval('[data-page="generation"] .gbv-table tbody tr[data-row="0"] [data-token]', (els) =>
      els.map((e) => e.getAttribute('data-token')),
    );
    expect(first).toEqual(['The', 'Ġquick', 'Ġbrown', 'Ġfox']);
    expectAttributions(await tokensOf(page, 'generation'));
  });

  it('attention: raw grid with aggregation on a text model, rollout on the ViT', async () => {
    await openAndRun(page, site.url, 'attention', {
      model: 'distilbert-sst2-tiny',
      attention: 'raw',
      aggregate: 'median',
      text: 'A gripping film.',
    });
    expect(await resultsOf(page, 'attention')).toContainEqual(['distilbert-sst2-tiny', 'raw']);
    expect(await page.getAttribute('[data-page="attention"] .gbv-attention', 'data-aggregate')).toBe('median');
    // 2 layers × 2 heads, plus the heads' and layers' reductions and the corner.
    expect(await page.$$eval('[data-page="attention"] button.gbv-attention-cell', (els) => els.length)).toBe(2 * 2 + 2 + 2 + 1);
    const values = await page.$$eval('[data-page="attention"] td[data-value]', (els) =>
      els.map((e) => Number(e.getAttribute('data-value'))),
    );
    expect(values.every((v) => v >= 0 && v <= 1)).toBe(true);

    await openAndRun(page, site.url, 'attention', { model: 'vit-fashion-tiny', attention: 'rollout', sample: 'trouser-2.png' });
    expect(await resultsOf(page, 'attention')).toContainEqual(['vit-fashion-tiny', 'rollout']);
    const keys = await page.$$eval('[data-page="attention"] th[data-key]', (els) => els.map((e) => e.textContent));
    expect(keys.length).toBe(17); // [CLS] and 4×4 patches of 8×8 pixels
    expect(keys[0]).toBe('[CLS]');
  });

  const SENTENCE = 'Not bad at all, though the ending dragged on a little.';

  it('text: every method in the picker, gradient and perturbation, grouped', async () => {
    await log.open(page, `${site.url}?${new URLSearchParams({ page: 'text', text: SENTENCE })}`);
    const groups = await page.$$eval('[data-page="text"] #method optgroup', (els) =>
      els.map((g) => [g.getAttribute('label'), Array.from(g.querySelectorAll('option'), (o) => o.value)]),
    );
    expect(groups).toEqual([
      ['Gradient methods', ['integrated-gradients', 'saliency', 'input-x-gradient', 'smoothgrad', 'smoothgrad-sq', 'vargrad']],
      ['Perturbation methods', ['occlusion', 'feature-ablation', 'lime', 'kernel-shap', 'partition-shap', 'sobol']],
    ]);
  });

  // Each link's parameters, given to the CLI as flags, give the same numbers: the options shown are the ones that apply.
  const LINKS: { query: Record<string, string>; shown: string[] }[] = [
    {
      query: { method: 'kernel-shap', samples: '64', seed: '7', metrics: 'deletion,comprehensiveness' },
      shown: ['output', 'granularity', 'masking', 'samples', 'seed'],
    },
    {
      query: { method: 'partition-shap', hierarchy: 'words', output: 'log-softmax', masking: 'mask', samples: '40' },
      shown: ['output', 'granularity', 'masking', 'samples', 'seed', 'hierarchy'],
    },
    {
      query: { method: 'occlusion', window: '2', stride: '1', output: 'logits', metrics: 'insertion,sufficiency' },
      shown: ['baseline', 'output', 'granularity', 'masking', 'window', 'stride'],
    },
    {
      query: { method: 'integrated-gradients', steps: '8', granularity: 'word', granularityAggregate: 'mean' },
      shown: ['steps', 'baseline', 'output', 'granularity', 'granularityAggregate'],
    },
  ];
  for (const { query, shown } of LINKS) {
    it(`text: a link with ${new URLSearchParams(query)} explains as the CLI with those flags`, async () => {
      const [cli] = await Promise.all([
        cliFor(glassbox, { text: SENTENCE, ...query }),
        openAndRun(page, site.url, 'text', { text: SENTENCE, ...query }),
      ]);
      expect(await resultsOf(page, 'text')).toEqual([['distilbert-sst2-tiny', query.method]]);
      expectTokensOf(await tokensOf(page, 'text'), cli.tokens, 'page vs CLI');
      expect(await shownOptions(page)).toEqual(shown);
      const metrics = await metricCells(page, '[data-page="text"] .gb-result:not([data-role="comparison"])');
      if (query.metrics === undefined) expect(metrics).toEqual([]);
      else {
        expect(metrics.map(([m]) => m)).toEqual(query.metrics.split(','));
        expectClose(
          metrics.map(([, v]) => v),
          metrics.map(([m]) => cli.metrics[m]),
          1e-6,
          0,
          'metrics vs CLI',
        );
      }
    });
  }

  it('text: a compare link shows one row per method with the metric columns, as `glassbox benchmark`', async () => {
    const query = { text: SENTENCE, methods: 'saliency,occlusion,lime,partition-shap', samples: '48', seed: '3' };
    const [cli] = await Promise.all([cliFor(glassboxBenchmark, query), openAndRun(page, site.url, 'text', query, 'compare')]);
    const table = '[data-page="text"] [data-role="comparison"] .gbv-bench';
    expect(await page.getAttribute('[data-page="text"] [data-role="comparison"] [data-kind="benchmark"]', 'data-model')).toBe(
      'distilbert-sst2-tiny',
    );
    expect(await page.$$eval(`${table} tbody tr`, (els) => els.map((e) => e.getAttribute('data-method')))).toEqual(
      query.methods.split(','),
    );
    expect(await page.$$eval(`${table} thead th[data-metric]`, (els) => els.map((e) => e.getAttribute('data-metric')))).toEqual([
      ...METRICS,
    ]);
    for (const row of cli.methods) {
      const scope = `${table} tr[data-method="${row.method}"]`;
      expectTokensOf(
        await page.$$eval(`${scope} [data-token]`, (els) =>
          els.map((e) => [e.getAttribute('data-token')!, e.getAttribute('data-attribution')!] as const),
        ),
        row.tokens,
        `${row.method} vs CLI`,
      );
      const metrics = await metricCells(page, scope);
      expect(metrics.map(([m]) => m)).toEqual([...METRICS]);
      expectClose(
        metrics.map(([, v]) => v),
        metrics.map(([m]) => row.metrics[m]),
        1e-6,
        0,
        `${row.method} metrics vs CLI`,
      );
    }
    expect(new URL(page.url()).searchParams.get('run')).toBe('compare');
    // The explanation's panel stays empty: a comparison is its own result.
    expect(await page.isHidden('[data-page="text"] .gb-result:not([data-role="comparison"])')).toBe(true);
  });

  it('text: picking a method shows its options and keeps them in the URL; compare can be cancelled, then runs the ticked methods', async () => {
    await log.open(page, `${site.url}?${new URLSearchParams({ page: 'text', text: SENTENCE, steps: '10000' })}`);
    await page.waitForSelector('[data-page="text"] #target option[value="POSITIVE"]', { ...WAIT, state: 'attached' }); // the model has loaded
    await page.selectOption('[data-page="text"] #method', 'lime');
    expect(await shownOptions(page)).toEqual(['output', 'granularity', 'masking', 'samples', 'seed']);
    await page.fill('[data-page="text"] #samples', '30');
    await page.dispatchEvent('[data-page="text"] #samples', 'change');
    let url = new URL(page.url()).searchParams;
    expect([url.get('method'), url.get('samples'), url.get('steps')]).toEqual(['lime', '30', '10000']);

    // Every default method, integrated gradients first with 10 000 points: cancel during its passes.
    expect(
      (
        await page.$$eval('[data-page="text"] [data-param="methods"] input:checked', (els) => els.map((e) => (e as HTMLInputElement).value))
      ).sort(),
    ).toEqual([...BENCHMARK_METHODS].sort());
    await page.click('[data-page="text"] summary:has-text("Compare methods")');
    await page.dispatchEvent('[data-page="text"] [data-action="compare"]', 'click');
    await page.waitForFunction(
      () =>
        /\(1 of \d+\)… [1-9]\d?%/.test(
          document.querySelector('[data-page="text"] [data-controls="compare"] .gb-status')?.textContent ?? '',
        ),
      null,
      WAIT,
    );
    expect(await page.isDisabled('[data-page="text"] [data-action="run"]')).toBe(true); // one run at a time
    await page.dispatchEvent('[data-page="text"] [data-controls="compare"] [data-action="cancel"]', 'click');
    await page.waitForSelector('[data-page="text"] [data-controls="compare"] .gb-progress[data-state="cancelled"]', WAIT);
    expect(await page.isDisabled('[data-page="text"] [data-action="run"]')).toBe(false);
    expect(await page.isHidden('[data-page="text"] [data-role="comparison"]')).toBe(true);

    for (const m of BENCHMARK_METHODS)
      if (m !== 'saliency' && m !== 'lime') await page.setChecked(`[data-page="text"] [data-param="methods"] input[value="${m}"]`, false);
    url = new URL(page.url()).searchParams;
    expect(url.get('methods')).toBe('saliency,lime');
    await page.dispatchEvent('[data-page="text"] [data-action="compare"]', 'click');
    await page.waitForSelector('[data-page="text"] [data-controls="compare"] .gb-progress[data-state="done"]', WAIT);
    expect(
      await page.$$eval('[data-page="text"] [data-role="comparison"] tbody tr', (els) => els.map((e) => e.getAttribute('data-method'))),
    ).toEqual(['saliency', 'lime']);
    expect(new URL(page.url()).searchParams.get('run')).toBe('compare');
  });
});

/** The bundled samples are what samples.json says (a PNG each, 28×28 greyscale). */
describe('bundled Fashion-MNIST samples', () => {
  it('lists PNG files of 28×28 greyscale pixels', async () => {
    const list = JSON.parse(await readFile(join(MODELS, 'samples', 'samples.json'), 'utf8')) as {
      file: string;
      label: string;
      index: number;
    }[];
    expect(list.length).toBeGreaterThanOrEqual(8);
    for (const s of list) {
      const png = await readFile(join(MODELS, 'samples', s.file));
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect([png.readUInt32BE(16), png.readUInt32BE(20), png[24], png[25]]).toEqual([28, 28, 8, 0]); // width, height, bit depth, colour type grey
      expect(Number.isInteger(s.index) && s.index >= 0 && s.index < 10_000).toBe(true);
    }
  });
});
