/**
 * The held-out timing: the distilbert bench model's sample explained through the CLI, as a
 * user runs it (`glassbox explain --device cpu`, the default engine, LIG-50 on the logit),
 * against the PyTorch anchor on the same ids in the same run. The model folder carries a
 * tokenizer that turns the sample's text back into its ids (bench/models/tokenizer.ts).
 *
 * One CLI process explains the same text `repeats` times from an --inputs file; each
 * result is a JSON line, written as soon as it is done. The first line's time from the
 * process start is the cold run (Node and module start, model load, compilation, sessions);
 * the gap between two later lines is one warm explanation, everything the CLI does for it
 * included (tokenizing, the prediction's forward pass, the gradient pass, the
 * convergence-delta forward). Zero baseline, target 1 and no normalization, so that the
 * attribution can be set against PyTorch's.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { type Sample, TARGET, relDiff } from './sample.ts';

type Json = Record<string, any>;

const ROOT = join(import.meta.dirname, '..');

export const CLI_FLAGS = ['--device', 'cpu', '--output', 'logits', '--target', String(TARGET), '--baseline', 'zero', '--normalize', 'none'];

/** Runs the CLI over `repeats` copies of the sample's text; `anchor` is PyTorch's per-token attribution, if it ran. */
export async function cliBench(
  folder: string,
  sample: Sample,
  repeats: number,
  anchor: Float32Array | undefined,
  log: (line: string) => void,
): Promise<Json> {
  if (!sample.text) throw new Error(`${folder}/sample.json has no text (rebuild the bench models)`);
  const dir = mkdtempSync(join(os.tmpdir(), 'glassbox-cli-bench-'));
  try {
    const inputs = join(dir, 'inputs.jsonl');
    writeFileSync(inputs, Array.from({ length: repeats }, () => `${JSON.stringify({ text: sample.text })}\n`).join(''));
    const args = ['packages/cli/src/main.ts', 'explain', '--model', folder, '--inputs', inputs, ...CLI_FLAGS];
    log(`  tsx ${args.join(' ')}`);
    const start = performance.now();
    const lines: { at: number; json: Json }[] = [];
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(join(ROOT, 'node_modules/.bin/tsx'), args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let pending = '';
      let stderr = '';
      child.stdout.on('data', (d) => {
        const at = performance.now() - start;
        pending += d;
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, nl).trim();
          pending = pending.slice(nl + 1);
          if (line) lines.push({ at, json: JSON.parse(line) });
        }
      });
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stderr }));
    });
    const totalMs = performance.now() - start;
    if (code !== 0 || lines.length !== repeats)
      throw new Error(`the CLI exited ${code} after ${lines.length} of ${repeats} results: ${stderr.trim().split('\n').at(-1) ?? ''}`);
    const bad = lines.find((l) => l.json.error);
    if (bad) throw new Error(`the CLI: ${bad.json.error}`);
    const ids = lines[0]!.json.tokens.map((t: Json) => t.id);
    if (JSON.stringify(ids) !== JSON.stringify(sample.input_ids![0]))
      throw new Error(`the CLI tokenized the text to ${ids.length} other ids than the sample's`);
    const warm = lines.slice(1).map((l, i) => l.at - lines[i]!.at);
    const attribution = Float64Array.from(lines.at(-1)!.json.tokens, (t: Json) => t.attribution);
    return {
      kind: 'cli',
      repeats,
      tokens: ids.length,
      firstMs: lines[0]!.at,
      warmMs: Math.min(...warm),
      warmAllMs: warm,
      totalMs,
      relDiffVsTorch: anchor ? relDiff(attribution, anchor) : undefined,
      convergenceDelta: lines.at(-1)!.json.convergenceDelta,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
