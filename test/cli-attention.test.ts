import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toHTML } from '@glassbox/viz';
import { describe, expect, it } from 'vitest';
import { glassbox } from './cliRunner.ts';
import { type Json, MODELS, expectClose } from './helpers.ts';

const SST2 = join(MODELS, 'distilbert-sst2-tiny');
const TEXT = 'A gripping, beautifully acted film.';
/** The sizes of nested lists, outermost first. */
const dims = (a: unknown): number[] => (Array.isArray(a) ? [a.length, ...dims(a[0])] : []);
const lines = (s: string) =>
  s
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Json);

/** The reductions written out plainly, apart from core's aggregate: median as torch.median, the ceil(n/2)-th smallest value. */
const REDUCE: Record<string, (v: number[]) => number> = {
  mean: (v) => v.reduce((a, b) => a + b, 0) / v.length,
  median: (v) => [...v].sort((a, b) => a - b)[Math.ceil(v.length / 2) - 1]!,
  max: (v) => Math.max(...v),
  min: (v) => Math.min(...v),
};

/** maps [layers][heads][T][T] reduced over the named axes, element by element. */
function reduceBy(maps: number[][][][], reduce: string, over: string): number[][] | number[][][] {
  const [L, H, T] = [maps.length, maps[0]!.length, maps[0]![0]!.length];
  const cell = (pick: (l: number, h: number) => boolean) => (q: number, k: number) => {
    const v: number[] = [];
    for (let l = 0; l < L; l++) for (let h = 0; h < H; h++) if (pick(l, h)) v.push(maps[l]![h]![q]![k]!);
    return REDUCE[reduce]!(v);
  };
  const matrix = (f: (q: number, k: number) => number) => Array.from({ length: T }, (_, q) => Array.from({ length: T }, (_, k) => f(q, k)));
  if (over === 'layers,heads') return matrix(cell(() => true));
  if (over === 'heads') return Array.from({ length: L }, (_, l) => matrix(cell((ll) => ll === l)));
  return Array.from({ length: H }, (_, h) => matrix(cell((_, hh) => hh === h)));
}

describe('glassbox explain --attention raw --attention-reduce … --attention-over …', () => {
  it("mean, median (torch's), max and min over layers, heads or both equal a plain computation on the raw maps", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'glassbox-attention-'));
    const file = join(dir, 'cases.jsonl');
    const cases = [
      {},
      ...['mean', 'median', 'max', 'min'].flatMap((reduce) =>
        ['layers', 'heads', 'layers,heads'].map((over) => ({ 'attention-reduce': reduce, 'attention-over': over })),
      ),
    ];
    writeFileSync(file, `${cases.map((c) => JSON.stringify({ text: TEXT, ...c })).join('\n')}\n`);
    const { code, stdout, stderr } = await glassbox(['--model', SST2, '--inputs', file, '--method', 'saliency', '--attention', 'raw']);
    expect(code, stderr).toBe(0);
    const [raw, ...reduced] = lines(stdout);
    const maps = raw.attentions as number[][][][];
    const [L, H, T] = [maps.length, maps[0]!.length, raw.tokens.length];
    expect([L, H, maps[0]![0]!.length]).toEqual([2, 2, T]);
    reduced.forEach((r, i) => {
      const { 'attention-reduce': reduce, 'attention-over': over } = cases[i + 1] as Record<string, string>;
      const want = reduceBy(maps, reduce!, over!);
      expect(r.tokens).toEqual(raw.tokens);
      expect(dims(r.attentions), `${reduce} over ${over}`).toEqual(over === 'layers,heads' ? [T, T] : [over === 'heads' ? L : H, T, T]);
      expectClose(r.attentions.flat(2), want.flat(2) as number[], 1e-12, 0, `${reduce} over ${over}`);
    });
    // Four values per cell over both: torch's median is a value of the maps, numpy's mean of the middle two would not be.
    const median = reduced[
      cases.findIndex((c) => JSON.stringify(c) === JSON.stringify({ 'attention-reduce': 'median', 'attention-over': 'layers,heads' })) - 1
    ]!.attentions as number[][];
    const values = (q: number, k: number) => maps.flatMap((l) => l.map((h) => h[q]![k]!));
    expect(median.every((row, q) => row.every((v, k) => values(q, k).includes(v)))).toBe(true);
    const numpy = (q: number, k: number) =>
      REDUCE.mean!(
        values(q, k)
          .sort((a, b) => a - b)
          .slice(1, 3),
      );
    expect(median.some((row, q) => row.some((v, k) => v < numpy(q, k)))).toBe(true);
    // toHTML (in Node) of a printed object: one labelled heat map titled by the object's attentionReduction, every cell's value as printed.
    const printed =
      reduced[
        cases.findIndex((c) => JSON.stringify(c) === JSON.stringify({ 'attention-reduce': 'median', 'attention-over': 'layers,heads' })) - 1
      ]!;
    expect(printed.attentionReduction).toEqual({ reduce: 'median', over: 'both' });
    const html = toHTML(printed as never);
    expect([...html.matchAll(/class="gbv-figure gbv-attention-map" data-title="([^"]*)"/g)].map((m) => m[1])).toEqual([
      'median over layers and heads',
    ]);
    expect([...html.matchAll(/<td [^>]*data-value="([^"]*)"/g)].map((m) => Number(m[1]))).toEqual(median.flat());
  });

  it("several targets: each entry's maps reduced; --attention-over defaults to both; wrong combinations are errors", async () => {
    const common = ['--model', SST2, '--text', TEXT, '--method', 'saliency'];
    const [many, noRaw, noReduce, badOver] = await Promise.all([
      glassbox([...common, '--target', 'all', '--attention', 'raw', '--attention-reduce', 'max']),
      glassbox([...common, '--attention', 'rollout', '--attention-reduce', 'mean']),
      glassbox([...common, '--attention', 'raw', '--attention-over', 'heads']),
      glassbox([...common, '--attention', 'raw', '--attention-reduce', 'mean', '--attention-over', 'tokens']),
    ]);
    const r = lines(many.stdout)[0];
    expect(r.explanations).toHaveLength(2);
    for (const e of r.explanations) {
      expect(e.attentions).toHaveLength(e.tokens.length);
      expect(e.attentions[0]).toHaveLength(e.tokens.length);
      expect(typeof e.attentions[0][0]).toBe('number');
    }
    expect(lines(noRaw.stdout)[0]).toMatchObject({ code: 'bad_attention' });
    expect(lines(noReduce.stdout)[0]).toMatchObject({ code: 'unused_option' });
    expect(lines(badOver.stdout)[0]).toMatchObject({ code: 'bad_attention' });
  });
});
