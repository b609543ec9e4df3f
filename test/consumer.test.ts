import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { glassbox } from './cliRunner.ts';

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

/** What a consumer's TypeScript must accept: the explainer's result is typed. */
const TYPED = `import { SequenceClassificationExplainer, InvalidInputError } from '@glassbox/core';
import { renderTokens, toHTML } from '@glassbox/viz';
const explainer = await SequenceClassificationExplainer.fromPretrained('model');
const result = await explainer.explain('text', { method: 'saliency' });
const first: number | null = result.tokens[0]!.attribution;
const label: string = result.predicted.label;
export { first, label, renderTokens, toHTML, InvalidInputError };
`;
/** ... and what it must refuse: a typed result is not `any`. */
const MISTYPED = `import { SequenceClassificationExplainer } from '@glassbox/core';
const explainer = await SequenceClassificationExplainer.fromPretrained('model');
const result = await explainer.explain('text');
export const wrong: string = result.tokens[0]!.attribution;
`;

const tsconfig = (resolution: 'NodeNext' | 'Bundler', file: string) => ({
  compilerOptions: {
    target: 'ES2022', module: resolution === 'NodeNext' ? 'NodeNext' : 'ESNext', moduleResolution: resolution,
    strict: true, noEmit: true, skipLibCheck: true, lib: ['ES2022', 'DOM'], types: [],
  },
  files: [file],
});

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
    await run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', ...PACKAGES.map((n) => tarballs[n]!)], { cwd: project });
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
      if (name === 'cli') expect(manifest.bin).toEqual({ glassbox: 'dist/main.js' });
      else expect(manifest.exports['.'].default).toBe('./dist/index.js');
    }
  });

  it('a Node ESM script explains a sentence with @glassbox/core: the numbers of the CLI', async () => {
    writeFileSync(join(project, 'explain.mjs'), SCRIPT);
    const { stdout } = await run(process.execPath, ['explain.mjs', MODEL, TEXT], { cwd: project });
    const cli = await glassbox(['--model', MODEL, '--text', TEXT]);
    expect(cli.code).toBe(0);
    const expected = JSON.parse(cli.stdout.trim());
    const got = JSON.parse(stdout.trim());
    const plain = (tokens: { token: string; id: number; attribution: number | null }[]) => tokens.map(({ token, id, attribution }) => ({ token, id, attribution }));
    expect(plain(got.tokens)).toEqual(plain(expected.tokens));
    expect(got.predicted).toEqual(expected.predicted);
  });

  it('npx glassbox runs the built CLI with plain Node and prints what the workspace CLI prints', async () => {
    const help = await run('npx', ['--no-install', 'glassbox', '--help'], { cwd: project });
    expect(help.stdout + help.stderr).toContain('usage: glassbox explain');
    const { stdout } = await run('npx', ['--no-install', 'glassbox', 'explain', '--model', MODEL, '--text', TEXT], { cwd: project });
    const cli = await glassbox(['--model', MODEL, '--text', TEXT]);
    expect(JSON.parse(stdout.trim())).toEqual(JSON.parse(cli.stdout.trim()));
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
});
