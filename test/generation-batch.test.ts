import { beforeAll, describe, expect, it } from 'vitest';
import { type GlassboxError, InvalidInputError, TextGenerationExplainer } from '@glassbox/core';
import { type Json, refsOf, useLocalFixtures } from './helpers.ts';

const MODEL = 'gpt2-tiny';
const inputs = refsOf(MODEL).inputs as Json[];
const short = inputs.find((i) => i.id === 'short')!;
const fox = inputs.find((i) => i.id === 'fox')!;

beforeAll(() => useLocalFixtures());

describe('TextGenerationExplainer.explainBatch', () => {
  let explainer: TextGenerationExplainer;
  beforeAll(async () => {
    explainer = await TextGenerationExplainer.fromPretrained(MODEL);
  });

  it('one result per prompt, each equal to explaining it alone (texts, token ids, greedy and given continuations)', async () => {
    for (const options of [
      { method: 'saliency', maxNewTokens: 2 },
      { method: 'occlusion', continuation: ' Micro Micro' },
      { method: 'integrated-gradients', steps: 8, maxNewTokens: 2 },
    ] as const) {
      const prompts = [short.text, fox.input_ids as number[], 'Once upon a time'];
      const batch = await explainer.explainBatch(prompts, options);
      expect(batch).toHaveLength(3);
      for (const [i, prompt] of prompts.entries()) expect(batch[i]).toEqual(await explainer.explain(prompt, options));
    }
  });

  it("an input's own continuation replaces the options' one; inputs without one keep it", async () => {
    const options = { method: 'occlusion', continuation: [4527] } as const;
    const batch = await explainer.explainBatch(
      [{ prompt: short.text, continuation: ' dog house' }, { prompt: fox.input_ids as number[] }, short.text],
      options,
    );
    expect(batch[0]).toEqual(await explainer.explain(short.text, { ...options, continuation: ' dog house' }));
    expect(batch[1]).toEqual(await explainer.explain(fox.input_ids, options));
    expect(batch[2]).toEqual(await explainer.explain(short.text, options));
    expect(batch.map((r) => r.generated.length)).toEqual([2, 1, 1]);
  });

  it("checks the options and every input before explaining any; an input's error names it", async () => {
    const fails = async (p: Promise<unknown>, message: RegExp, code: string) => {
      const e = await p.then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(InvalidInputError);
      expect((e as Error).message).toMatch(message);
      expect((e as GlassboxError).code).toBe(code);
    };
    await fails(explainer.explainBatch([]), /^explainBatch needs a non-empty list of prompts$/, 'empty_text');
    await fails(explainer.explainBatch('Hello' as never), /^explainBatch needs a non-empty list of prompts$/, 'empty_text');
    await fails(
      explainer.explainBatch([short.text, [50257]], { continuation: [1] }),
      /^input 1: prompt token id 50257 is not in the vocabulary \(0..50256\)$/,
      'bad_prompt',
    );
    await fails(explainer.explainBatch([short.text, []]), /^input 1: prompt must be a non-empty text or list of token ids$/, 'empty_text');
    await fails(explainer.explainBatch(['  ']), /^input 0: prompt text is empty$/, 'empty_text');
    await fails(explainer.explainBatch([3 as never]), /^input 0: prompt must be a text or a list of token ids, got number$/, 'bad_prompt');
    await fails(
      explainer.explainBatch([{ prompt: short.text, continuation: [-1] }]),
      /^input 0: continuation token id -1 is not in the vocabulary/,
      'bad_continuation',
    );
    await fails(
      explainer.explainBatch([short.text, Array(256).fill(1)], { continuation: [1] }),
      /^input 1: the prompt \(256 tokens\) plus its continuation \(1\) is 257 tokens/,
      'text_too_long',
    );
    await fails(explainer.explainBatch([short.text], { output: 'probits' as never }), /^unknown output "probits"/, 'bad_output');
    await fails(
      explainer.explainBatch([short.text], { target: 1 } as never),
      /^option "target" is not read by task "text-generation"/,
      'unused_option',
    );
  });
});
