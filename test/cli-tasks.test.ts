import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { glassbox } from './cliRunner.ts';
import { FIXTURES, type Json, MODELS, expectClose, refsOf } from './helpers.ts';

/**
 * Every task of `glassbox explain --task`, through the real CLI process, against the peer
 * numbers of the fixtures (the way held-out models are judged): one JSONL run per model.
 */
const lines = (s: string) =>
  s
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Json);
const values = (tokens: Json[]) => tokens.map((t) => t.attribution as number | null);
const words = (pairs: [string, number][]) => pairs.map((w) => w[1]);

async function runJsonl(model: string, cases: Json[], flags: string[] = []): Promise<Json[]> {
  const file = join(mkdtempSync(join(tmpdir(), 'glassbox-tasks-')), 'cases.jsonl');
  writeFileSync(file, `${cases.map((c) => JSON.stringify(c)).join('\n')}\n`);
  const { code, stdout, stderr } = await glassbox(['--model', join(MODELS, model), '--inputs', file, ...flags]);
  expect(code, stderr).toBe(0);
  const out = lines(stdout);
  expect(out).toHaveLength(cases.length);
  return out;
}

const gradTol = (actual: (number | null)[], ref: number[], what: string) => expectClose(actual, ref, 1e-4, 1e-3, what);

describe('glassbox explain --task', () => {
  it('image-classification: IG, saliency and occlusion maps from exact pixelValues, an image file, raw attention; errors per line', async () => {
    const refs = refsOf('vit-fashion-tiny');
    const inp = refs.inputs[0];
    const [top1, top2] = inp.attributions as Json[];
    const task = { task: 'image-classification', pixelValues: inp.pixel_values };
    const out = await runJsonl('vit-fashion-tiny', [
      { ...task, target: top1.target.class_index },
      { ...task, target: top2.target.class_index, integration: 'riemann_trapezoid' },
      { ...task, target: top1.target.class_index, method: 'saliency', attention: 'raw' },
      { ...task, target: top2.target.class_index, method: 'occlusion' },
      { task: 'image-classification', image: join(FIXTURES, 'images', 'chelsea.png') },
      { task: 'image-classification', pixelValues: [inp.pixel_values[0]] },
      { task: 'image-classification' },
    ]);
    const [ig, trapezoid, saliency, occlusion, file, oneChannel, none] = out;
    expect(Object.keys(ig).sort()).toEqual(['convergenceDelta', 'logits', 'map', 'predicted', 'target']);
    expect(ig.predicted).toMatchObject({ index: inp.predicted_index, label: inp.predicted_label });
    expect(ig.target.index).toBe(top1.target.class_index);
    expectClose(ig.logits, inp.logits_float32, 1e-4, 0, 'logits');
    gradTol(ig.map.flat(), top1.ig_zero_gausslegendre.sum_over_channels.flat(), 'IG map');
    expect(Math.abs(ig.convergenceDelta - top1.ig_zero_gausslegendre.convergence_delta)).toBeLessThan(1e-4);
    gradTol(trapezoid.map.flat(), top2.ig_zero_riemann_trapezoid.sum_over_channels.flat(), 'IG trapezoid map');
    gradTol(saliency.map.flat(), top1.saliency.abs_max_over_channels.flat(), 'saliency map');
    expect(saliency.convergenceDelta).toBeNull();
    expect(saliency.attentions).toHaveLength(2);
    expectClose(saliency.attentions[0].flat(2), inp.attentions.layer_0.flat(2), 1e-5, 0, 'attention layer 0');
    expectClose(saliency.attentions[1].flat(2), inp.attentions.last_layer.flat(2), 1e-5, 0, 'attention last layer');
    const drops = top2.occlusion_patch_zero.logit_drop_per_patch as number[][];
    expect([occlusion.map.length, occlusion.map[0].length]).toEqual([drops.length, drops[0]!.length]);
    expectClose(occlusion.map.flat(), drops.flat(), 1e-4, 1e-3, 'occlusion map');
    expect(file.predicted.label).toBe(refs.inputs.find((i: Json) => i.id === 'chelsea').predicted_label);
    expect(file.map).toHaveLength(inp.pixel_values[0].length);
    expect(oneChannel.error).toMatch(/1 channels, the model takes 3/);
    expect(none.error).toMatch(/"image".*"pixelValues"/);
  });

  it('question-answering: transformers-interpret start and end attributions for both embedding types', async () => {
    const inp = refsOf('distilbert-squad-tiny').inputs[0];
    const cases = [0, 2].map((embeddingType) => ({
      task: 'question-answering',
      question: inp.question,
      context: inp.context,
      embeddingType,
    }));
    const out = await runJsonl('distilbert-squad-tiny', cases);
    for (const [k, ti] of (inp.transformers_interpret as Json[]).entries()) {
      const r = out[k]!;
      expect(r.embeddingType).toBe(ti.embedding_type);
      expect([r.startPosition, r.endPosition]).toEqual([ti.start_pos, ti.end_pos]);
      expect(r.predictedAnswer).toBe(ti.predicted_answer);
      for (const side of ['start', 'end'] as const) {
        expectClose(values(r[side].tokens), words(ti[side].word_attributions), 1e-4, 0, `QA type ${ti.embedding_type} ${side}`);
        expect(Math.abs(r[side].convergenceDelta - ti[side].convergence_delta)).toBeLessThan(1e-4);
      }
    }
  });

  it('token-classification: the explained token and its transformers-interpret attributions', async () => {
    const inp = refsOf('bert-ner-tiny').inputs[0];
    const ti = inp.transformers_interpret[0];
    const ignoredIndexes = inp.input_ids.map((_: number, i: number) => i).filter((i: number) => i !== ti.token_index);
    const [r] = await runJsonl('bert-ner-tiny', [{ task: 'token-classification', text: inp.text, ignoredIndexes }]);
    expect(r!.explained).toHaveLength(1);
    const e = r!.explained[0];
    expect(e.index).toBe(ti.token_index);
    expect(e.target.label).toBe(ti.target_label);
    expectClose(values(e.tokens), words(ti.word_attributions), 1e-4, 0, 'NER word attributions');
    expect(Math.abs(e.convergenceDelta - ti.convergence_delta)).toBeLessThan(1e-4);
  });

  it('pair-classification and zero-shot on the NLI model; text-classification attention maps', async () => {
    const refs = refsOf('bert-nli-tiny');
    const inp = refs.inputs[0];
    const zs = refs.transformers_interpret_zero_shot;
    const out = await runJsonl('bert-nli-tiny', [
      ...(inp.transformers_interpret as Json[]).map((ti) => ({
        task: 'pair-classification',
        text: inp.premise,
        textPair: inp.hypothesis,
        target: ti.index,
      })),
      { task: 'zero-shot', text: zs.text, labels: zs.labels },
      { task: 'zero-shot', text: zs.text, labels: zs.labels.join(','), attention: 'rollout' },
      { text: inp.premise, textPair: inp.hypothesis, attention: 'raw' },
      { task: 'summarization', text: 'hi' },
    ]);
    for (const [k, ti] of (inp.transformers_interpret as Json[]).entries()) {
      expect(out[k]!.target.index).toBe(ti.index);
      expectClose(values(out[k]!.tokens), words(ti.word_attributions), 1e-4, 0, `pair target ${ti.index}`);
      expect(Math.abs(out[k]!.convergenceDelta - ti.convergence_delta)).toBeLessThan(1e-4);
    }
    const [zeroShot, withRollout, withAttention, unknownTask] = out.slice(-4);
    expect(zeroShot!.predictedLabel).toBe(zs.predicted_label);
    for (const label of zs.labels as string[]) {
      expectClose(values(zeroShot!.labels[label].tokens), words(zs.word_attributions[label]), 1e-4, 0, `zero-shot ${label}`);
    }
    const T = withRollout!.labels[zs.labels[0]].tokens.length;
    expect(withRollout!.attentions.length).toBeGreaterThan(T); // the whole premise + hypothesis input
    expect(withRollout!.attentions.every((row: number[]) => row.length === withRollout!.attentions.length)).toBe(true);
    expectClose(withAttention!.attentions[0].flat(2), inp.attentions.layer_0.flat(2), 1e-5, 0, 'NLI attention layer 0');
    expectClose(withAttention!.attentions.at(-1).flat(2), inp.attentions.last_layer.flat(2), 1e-5, 0, 'NLI attention last layer');
    expect(unknownTask!.error).toMatch(/unknown task "summarization".*question-answering/);
  });

  it('text-generation: greedy continuation, and a given next token attributed to the prompt as Captum does', async () => {
    const inp = refsOf('gpt2-tiny').inputs[0];
    const [top1, top2] = inp.attributions as Json[];
    const captum = { task: 'text-generation', text: inp.text, output: 'logits', normalize: 'none' };
    const [greedy, ig, occlusion] = await runJsonl('gpt2-tiny', [
      { task: 'text-generation', text: inp.text, maxNewTokens: 8, method: 'saliency' },
      { ...captum, continuation: [top1.target.token_id], baseline: 'zero' },
      { ...captum, continuation: [top2.target.token_id], method: 'occlusion' },
    ]);
    expect(greedy!.generated.map((t: Json) => t.id)).toEqual(inp.greedy_continuation_8_tokens_float32);
    expect(greedy!.matrix).toHaveLength(8);
    expect(greedy!.matrix[7]).toHaveLength(inp.input_ids.length + 8);
    expect(greedy!.promptTokens.map((t: Json) => t.id)).toEqual(inp.input_ids);
    gradTol(ig!.matrix[0].slice(0, inp.input_ids.length), top1.ig_zero_gausslegendre.per_token_sum, 'generation IG');
    expect(Math.abs(ig!.generated[0].score - top1.target_logit)).toBeLessThan(1e-4);
    expectClose(occlusion!.matrix[0].slice(0, inp.input_ids.length), top2.occlusion_eos.logit_drop, 1e-4, 0, 'generation occlusion');
  });

  it('--help names every task with its inputs and result fields', async () => {
    const { code, stderr } = await glassbox(['--help']);
    expect(code).toBe(0);
    for (const task of [
      'text-classification',
      'pair-classification',
      'multi-label',
      'zero-shot',
      'question-answering',
      'token-classification',
      'image-classification',
      'text-generation',
    ]) {
      expect(stderr).toContain(`${task}:`.replace('text-classification:', 'text-classification (default):'));
    }
    expect(stderr).toMatch(/--attention raw\|rollout\|gradient-weighted/);
  });
});
