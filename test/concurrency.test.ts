import { SequenceClassificationExplainer } from '@glassbox/core';
import { beforeAll, describe, it } from 'vitest';
import {
  expectConcurrentCallsEqualSequential,
  expectConcurrentProgressSeparate,
  expectFailureBesideSuccess,
  expectMidwayFailuresBesideSuccess,
} from './concurrency-checks.ts';
import { MODELS } from './helpers.ts';

describe('concurrent explain calls on one explainer (cpu)', () => {
  let explainer: SequenceClassificationExplainer;
  beforeAll(async () => {
    explainer = await SequenceClassificationExplainer.fromPretrained(`${MODELS}/distilbert-sst2-tiny`);
  });
  it('gradient and perturbation methods interleaved equal the same calls one by one', () =>
    expectConcurrentCallsEqualSequential(explainer));
  it('progress of each concurrent call reaches 1 and stays its own', () => expectConcurrentProgressSeparate(explainer));
  it('a failing call does not disturb the one beside it', () => expectFailureBesideSuccess(explainer));
  it('calls failing mid-computation (cancelled, a throwing callback) do not disturb the ones beside them', () =>
    expectMidwayFailuresBesideSuccess(explainer));
});
