import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Rollup, build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { glassbox } from './cliRunner.ts';
import { hasChromium, launchChromium } from './demoSite.ts';
import type { Json } from './helpers.ts';
import { serveStatic } from './staticServer.ts';

/**
 * The packages as another project gets them: `pnpm pack` in each package folder (its prepack
 * builds dist/), the tarballs installed with npm into a fresh project outside the workspace,
 * then used with plain Node: an ESM script, `npx glassbox`, and TypeScript against the
 * shipped .d.ts. Needs the npm registry for the packages' own dependencies (as any install).
 */
const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..');
const MODEL = join(ROOT, 'models', 'distilbert-sst2-tiny');
const TEXT = 'a gorgeous, witty, seductive movie.';
const PACKAGES = ['core', 'viz', 'cli'] as const;

const SCRIPT = `import { SequenceClassificationExplainer } from '@glassbox/core';
const explainer = await SequenceClassificationExplainer.fromPretrained(process.argv[2]);
const result = await explainer.explain(process.argv[3]);
console.log(JSON.stringify({ tokens: result.tokens, predicted: result.predicted }));
await explainer.dispose();
`;

/**
 * A consumer's own function attributed with @glassbox/core/methods: f(x) = Σ x², whose
 * integrated gradients from a zero baseline are x² exactly (and the runtime entry loads).
 */
const METHODS_SCRIPT = `import { tensor } from '@glassbox/core';
import { integratedGradients } from '@glassbox/core/methods';
import { OnnxModel, cpuBackend } from '@glassbox/core/runtime';
const rows = (x) => Array.from({ length: x.shape[0] }, (_, b) => Array.from(x.data.subarray(b * 3, b * 3 + 3)));
const square = {
  async scores(x) {
    return Float64Array.from(rows(x), (r) => r.reduce((s, v) => s + v * v, 0));
  },
  async gradients(x) {
    return { scores: await this.scores(x), grads: tensor('float32', x.shape, Array.from(x.data, (v) => 2 * v)) };
  },
};
const a = await integratedGradients(square, tensor('float32', [3], [1, 2, 3]), tensor('float32', [3], [0, 0, 0]));
console.log(JSON.stringify({ values: Array.from(a.values), delta: a.convergenceDelta, runtime: [typeof OnnxModel, typeof cpuBackend] }));
`;

/** What a consumer's TypeScript must accept: the explainer's result is typed, and so are the subpath entries. */
const TYPED = `import { SequenceClassificationExplainer, InvalidInputError, tensor } from '@glassbox/core';
import { integratedGradients, type DifferentiableFunction, type MaskedScorer } from '@glassbox/core/methods';
import { OnnxModel, type Backend } from '@glassbox/core/runtime';
import { renderTokens, toHTML } from '@glassbox/viz';
const explainer = await SequenceClassificationExplainer.fromPretrained('model');
const result = await explainer.explain('text', { method: 'saliency' });
const first: number | null = result.tokens[0]!.attribution;
const label: string = result.predicted.label;
declare const fn: DifferentiableFunction;
const x = tensor('float32', [3], [1, 2, 3]);
const ig: Promise<{ values: Float64Array }> = integratedGradients(fn, x, x);
type Parts = [MaskedScorer, Backend, OnnxModel];
export type { Parts };
export { first, label, ig, renderTokens, toHTML, InvalidInputError };
`;
/** ... and what it must refuse: a typed result is not `any`. */
const MISTYPED = `import { SequenceClassificationExplainer } from '@glassbox/core';
const explainer = await SequenceClassificationExplainer.fromPretrained('model');
const result = await explainer.explain('text');
export const wrong: string = result.tokens[0]!.attribution;
`;

/** A web app of the consumer's: explains a sentence on the cpu device and renders it with @glassbox/viz. */
const APP_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><title>consumer</title></head>
<body><div id="view"></div><pre id="result"></pre><script type="module" src="./main.js"></script></body></html>
`;
const APP_JS = `import { SequenceClassificationExplainer, env } from '@glassbox/core';
import { renderTokens } from '@glassbox/viz';
env.allowLocalModels = true;
env.allowRemoteModels = false;
const params = new URLSearchParams(location.search);
const out = document.getElementById('result');
try {
  const explainer = await SequenceClassificationExplainer.fromPretrained(params.get('model'), { device: 'cpu' });
  const result = await explainer.explain(params.get('text'));
  document.getElementById('view').append(renderTokens(result));
  out.textContent = JSON.stringify({ tokens: result.tokens, predicted: result.predicted });
} catch (e) {
  out.textContent = JSON.stringify({ error: String(e) });
}
`;

const plain = (tokens: { token: string; id: number; attribution: number | null }[]) =>
  tokens.map(({ token, id, attribution }) => ({ token, id, attribution }));

/** Minified size of what a bundler (vite, library mode) emits for `code`, a module of the consumer's. */
async function bundleBytes(project: string, name: string, code: string): Promise<number> {
  const entry = join(project, `${name}.js`);
  writeFileSync(entry, code);
  const out = (await build({
    root: project,
    configFile: false,
    logLevel: 'silent',
    worker: { format: 'es' },
    build: { write: false, minify: true, lib: { entry, formats: ['es'], fileName: name }, rollupOptions: { external: [/^node:/] } },
  })) as Rollup.RollupOutput | Rollup.RollupOutput[];
  return (Array.isArray(out) ? out : [out])
    .flatMap((o) => o.output)
    .reduce((n, c) => n + (c.type === 'chunk' ? Buffer.byteLength(c.code) : 0), 0);
}

const tsconfig = (resolution: 'NodeNext' | 'Bundler', file: string) => ({
  compilerOptions: {
    target: 'ES2022',
    module: resolution === 'NodeNext' ? 'NodeNext' : 'ESNext',
    moduleResolution: resolution,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    lib: ['ES2022', 'DOM'],
    types: [],
  },
  files: [file],
});

/** The workspace CLI's object for TEXT, what every consumer path is compared with (run once). */
let cliObject: Promise<Json> | undefined;
const workspaceCli = (): Promise<Json> =>
  (cliObject ??= glassbox(['--model', MODEL, '--text', TEXT]).then(({ code, stdout, stderr }) => {
    expect(code, stderr).toBe(0);
    return JSON.parse(stdout.trim()) as Json;
  }));

describe('the packed packages, installed with npm in a project outside the workspace', () => {
  let dir: string;
  let project: string;
  const tarballs: Record<string, string> = {};

  beforeAll(async () => {
    dir = mkdtempSync(join(os.tmpdir(), 'glassbox-consumer-'));
    const packs = join(dir, 'packs');
    // In dependency order: each build reads the .d.ts its dependencies' builds wrote.
    for (const name of PACKAGES) {
      await run('pnpm', ['pack', '--pack-destination', packs], { cwd: join(ROOT, 'packages', name) });
      tarballs[name] = join(packs, readdirSync(packs).find((f) => f.startsWith(`glassbox-${name}-`))!);
    }
    project = join(dir, 'project');
    await run('mkdir', ['-p', project]);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    // --ignore-scripts: onnxruntime-node's install script downloads from GitHub, unreachable here; its CPU binaries are in its tarball.
    await run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', ...PACKAGES.map((n) => tarballs[n]!)], {
      cwd: project,
    });
  });
  afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('each tarball holds built JavaScript and types, no tests, and no workspace: versions', async () => {
    for (const name of PACKAGES) {
      const { stdout } = await run('tar', ['tzf', tarballs[name]!]);
      const files = stdout.split('\n');
      expect(files).toContain(name === 'cli' ? 'package/dist/main.js' : 'package/dist/index.js');
      expect(files).toContain(name === 'cli' ? 'package/dist/main.d.ts' : 'package/dist/index.d.ts');
      expect(files.filter((f) => f.endsWith('.test.ts'))).toEqual([]);
      const manifest = JSON.parse(readFileSync(join(project, 'node_modules', '@glassbox', name, 'package.json'), 'utf8'));
      expect(JSON.stringify(manifest.dependencies ?? {})).not.toContain('workspace:');
      // npm's fields a registry and a bundler read: what it may be used under, where it runs, what it ships, what may be tree-shaken.
      expect(manifest.license, `@glassbox/${name}: license`).toEqual(expect.any(String));
      expect(manifest.engines?.node, `@glassbox/${name}: engines.node`).toEqual(expect.any(String));
      expect(manifest.files, `@glassbox/${name}: files`).toContain('dist');
      if (name !== 'cli') expect(manifest.sideEffects, `@glassbox/${name}: sideEffects`).toBeDefined();
      if (name === 'cli') expect(manifest.bin).toEqual({ glassbox: 'dist/main.js' });
      else expect(manifest.exports['.'].default).toBe('./dist/index.js');
      if (name === 'core')
        for (const entry of ['methods', 'runtime']) {
          expect(files).toContain(`package/dist/${entry}.js`);
          expect(manifest.exports[`./${entry}`]).toEqual({ types: `./dist/${entry}.d.ts`, default: `./dist/${entry}.js` });
        }
    }
  });

  it('a Node ESM script attributes its own function with @glassbox/core/methods, and @glassbox/core/runtime loads', async () => {
    writeFileSync(join(project, 'methods.mjs'), METHODS_SCRIPT);
    const { stdout } = await run(process.execPath, ['methods.mjs'], { cwd: project });
    const got = JSON.parse(stdout.trim());
    expect(got.runtime).toEqual(['function', 'object']);
    got.values.forEach((v: number, i: number) => expect(v).toBeCloseTo([1, 4, 9][i]!, 5));
    expect(Math.abs(got.delta)).toBeLessThan(1e-5);
  });

  it('a Node ESM script explains a sentence with @glassbox/core: the numbers of the CLI', async () => {
    writeFileSync(join(project, 'explain.mjs'), SCRIPT);
    const { stdout } = await run(process.execPath, ['explain.mjs', MODEL, TEXT], { cwd: project });
    const expected = await workspaceCli();
    const got = JSON.parse(stdout.trim());
    expect(plain(got.tokens)).toEqual(plain(expected.tokens));
    expect(got.predicted).toEqual(expected.predicted);
  });

  it('npx glassbox runs the built CLI with plain Node and prints what the workspace CLI prints', async () => {
    const help = await run('npx', ['--no-install', 'glassbox', '--help'], { cwd: project });
    expect(help.stdout + help.stderr).toContain('usage: glassbox explain');
    const { stdout } = await run('npx', ['--no-install', 'glassbox', 'explain', '--model', MODEL, '--text', TEXT], { cwd: project });
    expect(JSON.parse(stdout.trim())).toEqual(await workspaceCli());
  });

  it('TypeScript (NodeNext and Bundler resolution) types the API from the shipped .d.ts, and refuses a mistyped use', async () => {
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    writeFileSync(join(project, 'typed.ts'), TYPED);
    writeFileSync(join(project, 'mistyped.ts'), MISTYPED);
    for (const resolution of ['NodeNext', 'Bundler'] as const) {
      writeFileSync(join(project, `tsconfig.${resolution}.json`), JSON.stringify(tsconfig(resolution, 'typed.ts')));
      await run(process.execPath, [tsc, '-p', `tsconfig.${resolution}.json`], { cwd: project });
      writeFileSync(join(project, 'tsconfig.wrong.json'), JSON.stringify(tsconfig(resolution, 'mistyped.ts')));
      const wrong = await run(process.execPath, [tsc, '-p', 'tsconfig.wrong.json'], { cwd: project }).then(
        () => '',
        (e: { stdout: string }) => e.stdout,
      );
      expect(wrong).toMatch(/mistyped\.ts\(4,14\): error TS2322: Type 'number \| null' is not assignable to type 'string'/);
    }
  });

  it('bundles import little: renderTokens alone under 50 kB minified, the errors alone under 5 kB', async () => {
    const tokensOnly = await bundleBytes(
      project,
      'tokens-only',
      "import { renderTokens } from '@glassbox/viz';\nexport const view = renderTokens;\n",
    );
    const errorsOnly = await bundleBytes(
      project,
      'errors-only',
      "import { InvalidInputError } from '@glassbox/core';\nexport const E = InvalidInputError;\n",
    );
    console.log(`bundle sizes: renderTokens ${tokensOnly} B, InvalidInputError ${errorsOnly} B`);
    expect(tokensOnly).toBeGreaterThan(1000);
    expect(tokensOnly).toBeLessThan(50_000);
    expect(errorsOnly).toBeGreaterThan(0);
    expect(errorsOnly).toBeLessThan(5_000);
  });

  it.skipIf(!hasChromium)(
    "a Vite app importing @glassbox/core and @glassbox/viz builds and explains a sentence in Chromium: the CLI's numbers",
    async () => {
      const app = join(project, 'app');
      mkdirSync(app);
      writeFileSync(join(app, 'index.html'), APP_HTML);
      writeFileSync(join(app, 'main.js'), APP_JS);
      const dist = join(app, 'dist');
      // worker.format 'es': the library's worker (loadInWorker) splits into chunks, which vite's default 'iife' refuses.
      await build({
        root: app,
        configFile: false,
        logLevel: 'error',
        base: './',
        worker: { format: 'es' },
        build: { outDir: dist, emptyOutDir: true },
      });
      cpSync(MODEL, join(dist, 'models', 'distilbert-sst2-tiny'), { recursive: true });
      const { url, server } = await serveStatic(dist);
      const browser = await launchChromium();
      try {
        const page = await browser.newPage();
        await page.goto(`${url}?model=distilbert-sst2-tiny&text=${encodeURIComponent(TEXT)}`);
        await page.waitForFunction(() => document.getElementById('result')!.textContent !== '', null, { timeout: 240_000 });
        const got = JSON.parse((await page.textContent('#result'))!);
        expect(got.error).toBeUndefined();
        const cli = await workspaceCli();
        expect(plain(got.tokens).map((t) => [t.token, t.id])).toEqual(plain(cli.tokens).map((t) => [t.token, t.id]));
        // onnxruntime-web's wasm in the page, onnxruntime-node in the CLI: float32 apart.
        got.tokens.forEach((t: { attribution: number }, i: number) => expect(t.attribution).toBeCloseTo(cli.tokens[i].attribution, 6));
        expect(got.predicted.label).toBe(cli.predicted.label);
        expect(await page.$$eval('#view [data-attribution]', (els) => els.length)).toBe(cli.tokens.length);
      } finally {
        await browser.close();
        server.close();
      }
    },
  );
});
