import { SequenceClassificationExplainer, env } from '@glassbox/core';
import { beforeAll, describe, it } from 'vitest';
import {
  expectConcurrentCallsEqualSequential,
  expectConcurrentProgressSeparate,
  expectFailureBesideSuccess,
  expectMidwayFailuresBesideSuccess,
} from './concurrency-checks.ts';

describe('concurrent explain calls on one explainer (webgpu)', () => {
  let explainer: SequenceClassificationExplainer;
  beforeAll(async () => {
    env.allowLocalModels = true;
    env.allowRemoteModels = false;
    explainer = await SequenceClassificationExplainer.fromPretrained('/test/fixtures/models/distilbert-sst2-tiny', { device: 'webgpu' });
  });
  it(
    'gradient and perturbation methods interleaved equal the same calls one by one',
    () => expectConcurrentCallsEqualSequential(explainer),
    600_000,
  );
  it('progress of each concurrent call reaches 1 and stays its own', () => expectConcurrentProgressSeparate(explainer), 600_000);
  it('a failing call does not disturb the one beside it', () => expectFailureBesideSuccess(explainer), 600_000);
  it(
    'calls failing mid-computation (cancelled, a throwing callback) do not disturb the ones beside them',
    () => expectMidwayFailuresBesideSuccess(explainer),
    600_000,
  );
});
