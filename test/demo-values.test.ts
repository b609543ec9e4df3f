import { METHODS } from '@glassbox/core';
import { describe, expect, it } from 'vitest';
import { scoreName, valuesCaption } from '../demo/values.ts';

/**
 * The demo's caption of a text result follows the library's defaults (resolveOptions): only
 * integrated gradients is L2-normalised, every other method is in raw values, gradient-only
 * methods show a gradient norm.
 */
const P = scoreName('softmax', 'POSITIVE');

describe('valuesCaption', () => {
  it('integrated gradients by default: L2-normalised, transformers-interpret', () => {
    expect(valuesCaption({}, P)).toMatch(/^L2-normalised token attributions \(transformers-interpret\)/);
    expect(valuesCaption({ method: 'integrated-gradients', normalize: 'none' }, P)).toMatch(
      /^Raw values: integrated gradients of P\(POSITIVE\)/,
    );
  });

  it('every other method by default: raw values', () => {
    for (const method of METHODS.filter((m) => m !== 'integrated-gradients'))
      expect(valuesCaption({ method }, P), method).toMatch(/^Raw values: /);
  });

  it('says what the raw values are: a gradient norm, the drop of the explained output, Shapley values', () => {
    expect(valuesCaption({ method: 'saliency' }, P)).toContain(
      'the gradient norm (per token, the L2 norm over its embedding dimensions of the gradient of P(POSITIVE))',
    );
    expect(valuesCaption({ method: 'saliency' }, P)).toContain('Never negative');
    expect(valuesCaption({ method: 'saliency', aggregate: 'sum' }, P)).not.toContain('gradient norm');
    expect(valuesCaption({ method: 'occlusion' }, P)).toContain('the drop in P(POSITIVE) when the token is replaced by [PAD]');
    expect(valuesCaption({ method: 'occlusion', masking: 'attention' }, P)).toContain('hidden from attention');
    expect(valuesCaption({ method: 'kernel-shap' }, P)).toContain('Shapley values of P(POSITIVE)');
    expect(valuesCaption({ method: 'partition-shap', hierarchy: 'flat' }, P)).toContain('Shapley values');
    expect(valuesCaption({ method: 'partition-shap' }, P)).toContain('Owen values');
    expect(valuesCaption({ method: 'lime', normalize: 'l2' }, P)).toMatch(
      /^L2-normalised token attributions: .*, then divided by their L2 norm over the tokens/,
    );
    expect(valuesCaption({ method: 'saliency', granularity: 'word', granularityAggregate: 'max' }, P)).toContain(
      "A word's value is the max of its tokens' values.",
    );
  });

  it('names the score in its space', () => {
    expect([scoreName('softmax', 'A'), scoreName('logits', 'A'), scoreName('log-softmax', 'A')]).toEqual([
      'P(A)',
      'the logit of A',
      'log P(A)',
    ]);
  });
});
