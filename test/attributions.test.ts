import { beforeAll, describe, expect, it } from 'vitest';
import { SequenceClassificationExplainer } from '@glassbox/core';
import { type Json, expectClose, refsOf, useLocalFixtures } from './helpers.ts';
import { expectCaptumMethods, expectTransformersInterpret } from './peerChecks.ts';

/**
 * Every method against the Captum / transformers-interpret numbers of the fixtures README,
 * at its suggested float32 tolerances, for both sequence-classification fixtures at both
 * opsets. bert-nli-tiny is used as a plain 3-class classifier over (premise, hypothesis).
 * roberta-sst-tiny (byte-level BPE, position ids counted from pad+1) has references made by
 * scripts/make_roberta_fixture.py in float64 torch with Captum's conventions.
 */
const MODELS: [string, (string | undefined)[]][] = [
  ['distilbert-sst2-tiny', [undefined, 'model_opset17']],
  ['bert-nli-tiny', [undefined, 'model_opset17']],
  ['roberta-sst-tiny', [undefined]],
];

beforeAll(useLocalFixtures);

describe.each(MODELS)('%s', (name, files) => {
  describe.each(files)('file %s', (modelFileName) => {
    let explainer: SequenceClassificationExplainer;
    beforeAll(async () => {
      explainer = await SequenceClassificationExplainer.fromPretrained(name, { modelFileName });
    });
    const refs = refsOf(name);

    it.each(refs.inputs as Json[])('input $id: tokens, prediction, every Captum method for both targets', (inp: Json) =>
      expectCaptumMethods(explainer, name, inp),
    );
    it.each(refs.inputs as Json[])('input $id: defaults reproduce transformers-interpret', (inp: Json) =>
      expectTransformersInterpret(explainer, name, inp),
    );
  });
});

describe('transformers-interpret defaults', () => {
  it('default target is the predicted class, and output/normalisation follow transformers-interpret', async () => {
    const explainer = await SequenceClassificationExplainer.fromPretrained('distilbert-sst2-tiny');
    const inp = refsOf('distilbert-sst2-tiny').inputs[0];
    const r = await explainer.explain(inp.text);
    expect(r.target.index).toBe(inp.predicted_index);
    expect(r.method).toBe('integrated-gradients');
    expect(r.output).toBe('softmax');
    const norm = Math.hypot(...r.tokens.map((t) => t.attribution!));
    expect(norm).toBeCloseTo(1, 12);
    const ti = inp.transformers_interpret.find((t: Json) => t.index === inp.predicted_index);
    expectClose(
      r.tokens.map((t) => t.attribution),
      ti.word_attributions.map((w: [string, number]) => w[1]),
      1e-4,
      0,
      'TI',
    );
    expect(Math.abs(r.convergenceDelta! - ti.convergence_delta)).toBeLessThan(1e-4);
    // Words group word pieces and carry the summed attribution.
    for (const w of r.words)
      expect(w.attribution).toBeCloseTo(
        w.tokens.reduce((s, i) => s + r.tokens[i]!.attribution!, 0),
        12,
      );
  });
});
