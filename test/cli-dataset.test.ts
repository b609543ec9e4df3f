import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { glassbox, spawnGlassbox } from './cliRunner.ts';
import { type Json, MODELS, refsOf } from './helpers.ts';

/** `glassbox explain --inputs` as a data-set runner: a stream in, results out as they finish, `--shard i/n`. */
const SST2 = join(MODELS, 'distilbert-sst2-tiny');
const texts = (refsOf('distilbert-sst2-tiny').inputs as Json[]).map((i) => i.text as string);
const parse = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Json);

function casesFile(lines: string[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'glassbox-dataset-')), 'cases.jsonl');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('glassbox explain --inputs as a data set', () => {
  it('shards 0/n .. n-1/n together give exactly the unsharded output, each line once, tagged with its input line', async () => {
    const cases = [
      ...texts.map((text) => JSON.stringify({ text, method: 'saliency' })),
      '{not json',
      JSON.stringify({ text: texts[0], target: 'AMBIVALENT' }),
      '',
      JSON.stringify({ text: texts[1] ?? texts[0], method: 'integrated-gradients', steps: 8 }),
      JSON.stringify({ text: '   ' }),
      JSON.stringify({ id: 'last', text: texts[0], method: 'occlusion' }),
    ];
    const file = casesFile(cases);
    const n = 3;
    const [whole, ...shards] = await Promise.all([
      glassbox(['--model', SST2, '--inputs', file]),
      ...Array.from({ length: n }, (_, i) => glassbox(['--model', SST2, '--inputs', file, '--shard', `${i}/${n}`])),
    ]);
    for (const r of [whole, ...shards]) expect(r.code, r.stderr).toBe(0);
    const unsharded = parse(whole.stdout);
    expect(unsharded).toHaveLength(cases.length);
    expect(unsharded.filter((o) => 'error' in o).length).toBe(4);
    expect(unsharded.every((o) => !('line' in o))).toBe(true); // the unsharded contract: exactly what --text prints

    for (const [i, shard] of shards.entries()) {
      // Shard i holds the lines whose 0-based number is i mod n, in input order.
      const lines = parse(shard.stdout).map((o) => o.line as number);
      expect(lines).toEqual(cases.flatMap((_, k) => (k % n === i ? [k + 1] : [])));
    }
    const merged = shards.flatMap((s) => parse(s.stdout)).sort((a, b) => a.line - b.line);
    expect(merged.map(({ line, ...rest }) => [line, rest])).toEqual(unsharded.map((o, k) => [k + 1, o]));
  });

  it('--inputs - streams standard input: a result is written before the next line is even sent', async () => {
    const child = spawnGlassbox('explain', ['--model', SST2, '--inputs', '-', '--method', 'saliency']);
    let stdout = '';
    let stderr = '';
    let closed = false;
    let waiting = () => {};
    child.stdout.on('data', (d) => {
      stdout += d;
      waiting();
    });
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', () => {
      closed = true;
      waiting();
    });
    /** Resolves once stdout holds `k` complete lines; rejects if the CLI ends first. */
    const lineCount = (k: number) =>
      new Promise<void>((resolve, reject) => {
        waiting = () => {
          if (stdout.split('\n').length > k) resolve();
          else if (closed) reject(new Error(`the CLI ended with ${stdout.split('\n').length - 1} lines, waiting for ${k}: ${stderr}`));
        };
        waiting();
      });
    const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));

    child.stdin.write(`${JSON.stringify({ text: texts[0] })}\n`);
    await lineCount(1);
    const first = parse(stdout)[0];
    child.stdin.write('{"text": ""}\n');
    await lineCount(2);
    child.stdin.end(`${JSON.stringify({ text: texts[0], target: 'NEGATIVE' })}\n`);
    expect(await exited).toBe(0);

    const out = parse(stdout);
    expect(out).toHaveLength(3);
    const alone = await glassbox(['--model', SST2, '--text', texts[0]!, '--method', 'saliency']);
    expect(first).toEqual(parse(alone.stdout)[0]);
    expect(out[1].error).toMatch(/empty/);
    expect(out[2].target).toEqual({ index: 0, label: 'NEGATIVE' });
  });

  it('a bad --shard is a usage error naming the flag, before any model is loaded', async () => {
    const file = casesFile([JSON.stringify({ text: texts[0] })]);
    const bad = ['3/3', '-1/3', '1/0', '1.5/3', ''];
    const runs = await Promise.all(bad.map((v) => glassbox(['--model', SST2, '--inputs', file, `--shard=${v}`])));
    for (const [k, r] of runs.entries()) {
      expect(r.code, bad[k]).toBe(2);
      expect(r.stdout, bad[k]).toBe('');
      expect(r.stderr, bad[k]).toContain(`--shard must be i/n with 0 <= i < n (e.g. --shard 0/4 .. --shard 3/4), got "${bad[k]}"`);
    }
    const noInputs = await glassbox(['--model', SST2, '--text', texts[0]!, '--shard', '0/2']);
    expect(noInputs.code).toBe(2);
    expect(noInputs.stderr).toMatch(/--shard needs --inputs/);
  });
});
