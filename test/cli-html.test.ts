import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ImageClassificationExplainer, SequenceClassificationExplainer } from '@glassbox/core';
import { createCanvas } from '@napi-rs/canvas';
import {
  PANEL_GAP,
  attributionColours,
  benchmarkPNG,
  benchmarkScale,
  drawBenchmark,
  imageMapPixels,
  imagePanels,
  metricColours,
  scalePixels,
  toHTML,
  toPNG,
} from '@glassbox/viz';
import { chromium } from 'playwright-core';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { glassbox, glassboxBenchmark, spawnGlassbox } from './cliRunner.ts';
import { FIXTURES, type Json, MODELS, useLocalFixtures } from './helpers.ts';

/**
 * `glassbox explain --html` / `--png`: the files @glassbox/viz draws, written in Node next to
 * the printed JSON, checked against that JSON (every data-attribution exactly as it prints the
 * number) and, for PNGs, decoded by pngjs and compared with viz's map computation.
 */
const SST2 = join(MODELS, 'distilbert-sst2-tiny');
const NLI = join(MODELS, 'bert-nli-tiny');
const VIT = join(MODELS, 'vit-fashion-tiny');
const IMAGE = join(FIXTURES, 'images', 'coffee.png');
const HOSTILE = '<script>alert(1)</script>';

const dir = () => mkdtempSync(join(tmpdir(), 'glassbox-html-'));
/** The attribution numbers of a printed `tokens` array, as the JSON text writes them. */
const printedNumbers = (line: string) =>
  [...line.slice(line.indexOf('"tokens":'), line.indexOf('"predicted":')).matchAll(/"attribution":([^,}]+)/g)].map((m) => m[1]);
/** The highlighted tokens' data-attribution values of a page (or of one section of it). */
const shownNumbers = (html: string) => {
  const tokens = html.slice(html.indexOf('data-view="tokens"'), html.indexOf('data-view="legend"'));
  return [...tokens.matchAll(/data-token="[^"]*"[^>]*?data-attribution="([^"]*)"|data-attribution="([^"]*)"[^>]*?data-token=/g)].map(
    (m) => m[1] ?? m[2],
  );
};

describe('glassbox explain --html', () => {
  it("one input: toHTML of the printed object, tokens' numbers exactly as printed, no script, hostile strings escaped", async () => {
    const file = join(dir(), 'out.html');
    const { code, stdout, stderr } = await glassbox([
      '--model',
      SST2,
      '--text',
      `A ${HOSTILE} gripping film.`,
      '--method',
      'saliency',
      '--html',
      file,
      '--true-label',
      HOSTILE,
    ]);
    expect(code, stderr).toBe(0);
    const line = stdout.trim();
    const json = JSON.parse(line) as Json;
    // the printed object carries what toHTML shows: model, method, output and the words
    expect(json).toMatchObject({ method: 'saliency', output: 'softmax', model: SST2 });
    expect(json.words.map((w: Json) => w.word)).toContain('gripping');
    const html = readFileSync(file, 'utf8');
    expect(html).toBe(toHTML(json, { trueLabel: HOSTILE }));
    // and the page the library's own result gives (the demo's Download HTML): special tokens marked as there
    useLocalFixtures();
    const library = await (await SequenceClassificationExplainer.fromPretrained(SST2)).explain(`A ${HOSTILE} gripping film.`, {
      method: 'saliency',
    });
    expect(toHTML(library, { trueLabel: HOSTILE })).toBe(html);
    expect(json.tokens[0]).toEqual({ token: '[CLS]', id: 101, attribution: json.tokens[0].attribution, special: true });
    expect(shownNumbers(html)).toEqual(printedNumbers(line));
    expect(printedNumbers(line)).toHaveLength(json.tokens.length);
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('data-token="script"');
    // the table's rows: true label as given (escaped), predicted, attribution label
    expect(html.slice(html.indexOf('data-view="table"'))).toContain('&lt;script&gt;');
  });

  it('--inputs: one page, a section per line appended as each result is printed, closed at the end', async () => {
    const file = join(dir(), 'many.html');
    const child = spawnGlassbox('explain', ['--model', SST2, '--inputs', '-', '--method', 'saliency', '--html', file]);
    let stdout = '';
    let closed = false;
    let waiting = () => {};
    child.stdout.on('data', (d) => {
      stdout += d;
      waiting();
    });
    child.on('close', () => {
      closed = true;
      waiting();
    });
    const lineCount = (k: number) =>
      new Promise<void>((resolve, reject) => {
        waiting = () => {
          if (stdout.split('\n').length > k) resolve();
          else if (closed) reject(new Error(`the CLI ended with ${stdout.split('\n').length - 1} lines, waiting for ${k}`));
        };
        waiting();
      });
    child.stdin.write(`${JSON.stringify({ text: 'A gripping, beautifully acted film.', trueLabel: 'POSITIVE' })}\n`);
    await lineCount(1);
    const partial = readFileSync(file, 'utf8');
    expect(partial).toMatch(/^<!doctype html>/);
    expect(partial.match(/<section class="gbv-record"/g)).toHaveLength(1);
    expect(partial).not.toContain('</html>');
    child.stdin.write(`${JSON.stringify({ text: '' })}\n${JSON.stringify({ text: `Dull ${HOSTILE}.`, method: 'occlusion' })}\n`);
    child.stdin.end();
    await new Promise<void>((resolve) => (closed ? resolve() : child.on('close', () => resolve())));
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[1]!).code).toBe('empty_text');
    const html = readFileSync(file, 'utf8');
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    expect(html).not.toMatch(/<script/i);
    const sections = html.split('<section class="gbv-record"').slice(1);
    expect(sections.map((s) => /data-line="(\d+)"/.exec(s)![1])).toEqual(['1', '2', '3']);
    expect(shownNumbers(sections[0]!)).toEqual(printedNumbers(lines[0]!));
    expect(sections[0]).toContain('POSITIVE');
    expect(sections[1]).toContain('data-error');
    expect(sections[1]).toContain('text is empty');
    expect(shownNumbers(sections[2]!)).toEqual(printedNumbers(lines[2]!));
    expect(printedNumbers(lines[2]!)).toContain('null'); // occlusion's special tokens
    // each line drawn alone is that section's views
    for (const j of [0, 2]) expect(sections[j]).toContain(toHTML(JSON.parse(lines[j]!)).split('<body>')[1]!.split('</body>')[0]!);
    // closed by one table of every text input (Captum's visualize_text over the records): a row per input, the JSON's numbers
    const records = html.split('<section class="gbv-records"')[1]!;
    expect(records.indexOf('</section>')).toBeLessThan(records.indexOf('</html>'));
    const rows = records.split('<tr data-record=').slice(1);
    expect(rows.map((r) => r.slice(0, 3))).toEqual(['"0"', '"1"']);
    const rowNumbers = (row: string) => [...row.matchAll(/data-attribution="([^"]*)"/g)].map((m) => m[1]);
    expect(rowNumbers(rows[0]!)).toEqual(printedNumbers(lines[0]!));
    expect(rowNumbers(rows[1]!)).toEqual(printedNumbers(lines[2]!));
    expect(rows[0]).toContain('>POSITIVE<');
    expect(rows[1]).toContain('data-token="&lt;"');
  });

  it('zero-shot: the printed object draws a row per label (words from the library)', async () => {
    const file = join(dir(), 'zs.html');
    const { code, stdout } = await glassbox([
      '--model',
      NLI,
      '--task',
      'zero-shot',
      '--text',
      'A gripping film.',
      '--labels',
      `film,${HOSTILE}`,
      '--method',
      'saliency',
      '--html',
      file,
    ]);
    expect(code).toBe(0);
    const json = JSON.parse(stdout) as Json;
    expect(Object.keys(json.labels)).toEqual(['film', HOSTILE]);
    for (const l of Object.values(json.labels) as Json[]) expect(l.words.length).toBeGreaterThan(0);
    const html = readFileSync(file, 'utf8');
    expect(html).toBe(toHTML(json));
    expect(html).not.toMatch(/<script/i);
    const rows = html.slice(html.indexOf('data-view="table"')).match(/<tr[ >]/g)!;
    expect(rows.length).toBe(3); // header and one per label
  });

  it("--png / --html for an image: the map in every mode, decoded pixels equal to viz's computation; text tasks refuse --png", async () => {
    useLocalFixtures();
    const d = dir();
    const [png, html] = [join(d, 'map.png'), join(d, 'map.html')];
    const { code, stdout, stderr } = await glassbox([
      '--model',
      VIT,
      '--task',
      'image-classification',
      '--image',
      IMAGE,
      '--method',
      'saliency',
      '--png',
      png,
      '--image-mode',
      'all',
      '--html',
      html,
    ]);
    expect(code, stderr).toBe(0);
    const json = JSON.parse(stdout) as Json;
    expect(json).toMatchObject({ method: 'saliency', output: 'logits' });
    const decoded = PNG.sync.read(readFileSync(png));
    // the original image, then heatmap, overlay, masked_image, alpha_scaling, 256 px each
    const explainer = await ImageClassificationExplainer.fromPretrained('vit-fashion-tiny');
    const image = { pixelValues: await explainer.model.preprocess(IMAGE), mean: 0.5, std: 0.5 };
    const { panels } = imagePanels(json as never, { image, mode: 'all', sideBySide: true });
    expect(panels.map((p) => p.name)).toEqual(['original', 'heatmap', 'overlay', 'masked_image', 'alpha_scaling']);
    expect([decoded.width, decoded.height]).toEqual([5 * 256 + 4 * PANEL_GAP, 256]);
    const region = (x0: number, w: number, h: number) => {
      const out = new Uint8Array(w * h * 4);
      for (let y = 0; y < h; y++) out.set(decoded.data.subarray(4 * (y * decoded.width + x0), 4 * (y * decoded.width + x0 + w)), 4 * y * w);
      return out;
    };
    let x0 = 0;
    for (const p of panels) {
      expect(Buffer.from(region(x0, p.pixels.width, p.pixels.height)).equals(Buffer.from(p.pixels.data)), p.name).toBe(true);
      x0 += p.pixels.width + PANEL_GAP;
    }
    // the heat map, straight from imageMaps (Captum's scaling, outlier_perc 10, both signs), enlarged 8×
    const heat = scalePixels(imageMapPixels('heatmap', json.map, undefined, { sign: 'all', outlierPerc: 10 }).pixels, 8);
    expect(Buffer.from(region(256 + PANEL_GAP, 256, 256)).equals(Buffer.from(heat.data))).toBe(true);
    // the page: five PNG images, no script; toHTML(JSON.parse(line)) alone draws the heat map
    const page = readFileSync(html, 'utf8');
    expect(page.match(/<img src="data:image\/png;base64,/g)).toHaveLength(5);
    expect(page).not.toMatch(/<script/i);
    const alone = toHTML(json);
    expect(alone).toContain('data-mode="heatmap"');
    expect(alone.match(/<img /g)).toHaveLength(1);
    // --png reads image results only
    const text = await glassbox(['--model', SST2, '--text', 'A film.', '--png', join(d, 'no.png')]);
    expect(text.code).toBe(1);
    expect(JSON.parse(text.stdout).code).toBe('bad_option');
  });

  it('image --inputs: a PNG per line (<file>-<line>.png), one page with every image; pixelValues lines too', async () => {
    const d = dir();
    const cases = join(d, 'images.jsonl');
    const grey = Array.from({ length: 3 }, () =>
      Array.from({ length: 32 }, (_, y) => Array.from({ length: 32 }, (_, x) => (x + y) / 62 - 0.5)),
    );
    writeFileSync(
      cases,
      `${JSON.stringify({ image: IMAGE })}\n${JSON.stringify({ image: IMAGE, method: 'bogus' })}\n${JSON.stringify({ pixelValues: grey })}\n`,
    );
    const { code, stdout } = await glassbox([
      '--model',
      VIT,
      '--task',
      'image-classification',
      '--method',
      'saliency',
      '--inputs',
      cases,
      '--png',
      join(d, 'map.png'),
      '--html',
      join(d, 'maps.html'),
      '--image-mode',
      'heatmap',
    ]);
    expect(code).toBe(0);
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Json);
    expect(lines[1].error).toMatch(/bogus/);
    for (const [line, j] of [
      [1, 0],
      [3, 2],
    ] as const) {
      const png = PNG.sync.read(readFileSync(join(d, `map-${line}.png`)));
      const heat = scalePixels(imageMapPixels('heatmap', lines[j].map, undefined, { sign: 'all', outlierPerc: 10 }).pixels, 8);
      // sideBySide: the original image first, then the heat map
      expect([png.width, png.height]).toEqual([2 * 256 + PANEL_GAP, 256]);
      const map = new Uint8Array(256 * 256 * 4);
      for (let y = 0; y < 256; y++)
        map.set(png.data.subarray(4 * (y * png.width + 256 + PANEL_GAP), 4 * (y * png.width + 2 * 256 + PANEL_GAP)), 4 * y * 256);
      expect(Buffer.from(map).equals(Buffer.from(heat.data)), `line ${line}`).toBe(true);
    }
    expect(existsSync(join(d, 'map-2.png'))).toBe(false);
    const page = readFileSync(join(d, 'maps.html'), 'utf8');
    expect(page.match(/<section class="gbv-record"/g)).toHaveLength(3);
    expect(page.match(/data-kind="image"/g)).toHaveLength(2);
    expect(page.trimEnd().endsWith('</html>')).toBe(true);
  });

  it('benchmark: toHTML of the printed line is the page benchmark --html writes', async () => {
    const file = join(dir(), 'bench.html');
    const { code, stdout } = await glassboxBenchmark([
      '--model',
      SST2,
      '--text',
      `A ${HOSTILE} film.`,
      '--methods',
      'saliency,occlusion',
      '--html',
      file,
    ]);
    expect(code).toBe(0);
    const html = readFileSync(file, 'utf8');
    expect(toHTML(JSON.parse(stdout))).toBe(html);
    expect(html).not.toMatch(/<script/i);
  });

  it('benchmark --png: the table drawn in Node, every cell coloured by the printed number', async () => {
    const file = join(dir(), 'bench.png');
    const { code, stdout } = await glassboxBenchmark([
      '--model',
      SST2,
      '--text',
      `A ${HOSTILE} film.`,
      '--methods',
      'saliency,occlusion',
      '--png',
      file,
    ]);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as Json;
    const png = PNG.sync.read(readFileSync(file));
    const { layout } = drawBenchmark(result as never, createCanvas as never);
    expect([png.width, png.height]).toEqual([layout.width, layout.height]);
    // the PNG is benchmarkPNG's (and toPNG's) drawing of the printed object
    expect(Buffer.from(PNG.sync.read(Buffer.from(benchmarkPNG(result as never, createCanvas as never))).data).equals(png.data)).toBe(true);
    const blob = await toPNG(result as never, { createCanvas: createCanvas as never });
    expect(Buffer.from(PNG.sync.read(Buffer.from(await blob.arrayBuffer())).data).equals(png.data)).toBe(true);
    const pixel = ([x, y]: number[]) => `rgb(${[0, 1, 2].map((c) => png.data[4 * ((y! + 3) * png.width + x! + 3) + c]).join(', ')})`;
    const hex = (rgb: string) => `rgb(${[1, 3, 5].map((i) => parseInt(rgb.slice(i, i + 2), 16)).join(', ')})`;
    const scale = benchmarkScale(result as never);
    expect(layout.rows.map((r) => r.method)).toEqual(['saliency', 'occlusion']);
    layout.rows.forEach((row, r) => {
      const m = result.methods[r];
      row.tokens.forEach((box, i) =>
        expect(pixel(box), `${m.method} ${i}`).toBe(
          m.tokens[i].attribution === null ? 'rgb(255, 255, 255)' : attributionColours(m.tokens[i].attribution, scale).background,
        ),
      );
      row.metrics.forEach((box, i) =>
        expect(pixel(box), result.metrics[i]).toBe(hex(metricColours(result.metrics[i], m.metrics[result.metrics[i]])!.background)),
      );
    });
  });

  it('--true-label and --image-mode without --html or --png are errors; a bad mode names the modes', async () => {
    const [alone, badMode] = await Promise.all([
      glassbox(['--model', SST2, '--text', 'A film.', '--true-label', 'POSITIVE']),
      glassbox([
        '--model',
        VIT,
        '--task',
        'image-classification',
        '--image',
        IMAGE,
        '--png',
        join(dir(), 'x.png'),
        '--image-mode',
        'sepia',
      ]),
    ]);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/--true-label is read with --html or --png/);
    expect(badMode.code).toBe(2);
    expect(badMode.stderr).toMatch(/heatmap, overlay, masked_image, alpha_scaling, all/);
  });
});

describe.skipIf(!existsSync('/usr/bin/chromium') && !process.env.CI)("the CLI's files opened in Chromium from disk, JavaScript off", () => {
  it("a page of two inputs and an image page: the JSON's numbers shown, the PNGs decoded, nothing fetched", async () => {
    const d = dir();
    const cases = join(d, 'cases.jsonl');
    writeFileSync(
      cases,
      `${JSON.stringify({ text: 'A gripping film.', trueLabel: 'POSITIVE' })}\n${JSON.stringify({ text: 'Dull and slow.', method: 'occlusion' })}\n`,
    );
    const [text, image] = await Promise.all([
      glassbox(['--model', SST2, '--inputs', cases, '--method', 'saliency', '--html', join(d, 'text.html')]),
      glassbox([
        '--model',
        VIT,
        '--task',
        'image-classification',
        '--image',
        IMAGE,
        '--method',
        'saliency',
        '--html',
        join(d, 'image.html'),
        '--image-mode',
        'all',
      ]),
    ]);
    expect([text.code, image.code]).toEqual([0, 0]);
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    try {
      const open = async (name: string) => {
        const page = await browser.newPage({ javaScriptEnabled: false });
        const requests: string[] = [];
        page.on('request', (r) => requests.push(r.url()));
        const url = pathToFileURL(join(d, name)).href;
        await page.goto(url, { waitUntil: 'load' });
        expect(requests.filter((r) => !r.startsWith('data:'))).toEqual([url]);
        return page;
      };
      const page = await open('text.html');
      const lines = text.stdout.trim().split('\n');
      const shown = await page.$$eval('section.gbv-record', (sections) =>
        sections.map((s) =>
          Array.from(s.querySelectorAll('[data-view="tokens"] [data-token]'), (e) => [
            (e as HTMLElement).dataset.token,
            (e as HTMLElement).dataset.attribution,
            e.textContent,
          ]),
        ),
      );
      expect(shown).toHaveLength(2);
      lines.forEach((line, j) => {
        const json = JSON.parse(line) as Json;
        expect(shown[j]!.map(([, a]) => a)).toEqual(printedNumbers(line));
        expect(shown[j]!.map(([t]) => t)).toEqual(json.tokens.map((t: Json) => t.token));
        expect(shown[j]!.map(([t, , c]) => c === t)).not.toContain(false);
      });
      expect(await page.$eval('section.gbv-record [data-view="table"] tbody td', (td) => td.textContent)).toBe('POSITIVE');
      const img = await open('image.html');
      const sizes = await img.$$eval('img', (imgs) =>
        imgs.map((i) => [(i as HTMLImageElement).naturalWidth, (i as HTMLImageElement).complete]),
      );
      expect(sizes).toEqual(Array(5).fill([256, true]));
    } finally {
      await browser.close();
    }
  });
});
