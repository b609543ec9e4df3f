import { expect } from 'vitest';
import type { ImageClassificationExplainer, ImageExplainOptions } from '@glassbox/core';
import { type Json, expectClose } from './expectClose.ts';

/**
 * Checks of the image explainer against a vit-fashion-tiny input's Captum numbers, fed the
 * exact pixel_values the peer used, at the fixtures README's tolerances (maps: abs ≤ 1e-4 +
 * 1e-3·max|ref|). Shared by the CPU tests (Node) and the WebGPU tests (Chromium).
 */
export const IMAGE_PEER_CHECKS = [
  'ig_zero_gausslegendre',
  'ig_zero_riemann_trapezoid',
  'saliency',
  'input_x_gradient',
  'occlusion_patch_zero',
] as const;
export type ImagePeerCheck = (typeof IMAGE_PEER_CHECKS)[number];

const OPTIONS: Record<ImagePeerCheck, ImageExplainOptions> = {
  ig_zero_gausslegendre: { method: 'integrated-gradients', integration: 'gausslegendre' },
  ig_zero_riemann_trapezoid: { method: 'integrated-gradients', integration: 'riemann_trapezoid' },
  saliency: { method: 'saliency' },
  input_x_gradient: { method: 'input-x-gradient' },
  occlusion_patch_zero: { method: 'occlusion' },
};

const refMap = (entry: Json, check: ImagePeerCheck): number[][] =>
  check === 'saliency'
    ? entry.saliency.abs_max_over_channels
    : check === 'occlusion_patch_zero'
      ? entry.occlusion_patch_zero.logit_drop_per_patch
      : entry[check].sum_over_channels;

const maxAbsDiff = (a: number[], b: number[]) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

/** Runs the checks on both refs targets; returns the max |Δ| of each map (and IG convergence delta), by check. */
export async function expectImagePeerNumbers(
  explainer: ImageClassificationExplainer,
  inp: Json,
  checks: readonly ImagePeerCheck[] = IMAGE_PEER_CHECKS,
): Promise<Record<string, number>> {
  const pixelValues = inp.pixel_values as number[][][];
  const worst: Record<string, number> = {};
  for (const entry of inp.attributions as Json[]) {
    const target = entry.target.class_index as number;
    for (const check of checks) {
      const where = `${inp.id} target ${target} ${check}`;
      const r = await explainer.explain({ pixelValues }, { ...OPTIONS[check], target });
      expect(r.target.index, where).toBe(target);
      const ref = refMap(entry, check);
      expect([r.map.length, r.map[0]!.length], `${where} map shape`).toEqual([ref.length, ref[0]!.length]);
      expectClose(r.map.flat(), ref.flat(), 1e-4, 1e-3, where);
      worst[check] = Math.max(worst[check] ?? 0, maxAbsDiff(r.map.flat(), ref.flat()));
      expect(r.attribution.shape).toEqual([pixelValues.length, pixelValues[0]!.length, pixelValues[0]![0]!.length]);
      if (check.startsWith('ig_')) {
        // Captum's delta; the README asks for its magnitude only: ≪ f(x) − f(b) for Gauss-Legendre, ~2% of it for the trapezoid rule.
        const { convergence_delta: delta, f_input_minus_f_baseline: gap } = entry[check];
        expect(Math.abs(r.convergenceDelta! - delta), `${where} delta`).toBeLessThan(1e-4 + 1e-3 * Math.abs(gap));
        worst[`${check} delta`] = Math.max(worst[`${check} delta`] ?? 0, Math.abs(r.convergenceDelta! - delta));
      } else {
        expect(r.convergenceDelta, where).toBeNull();
      }
    }
  }
  return worst;
}

/** With no options: transformers-interpret's IG (logit of the predicted class), the prediction, logits and probabilities. */
export async function expectDefaults(explainer: ImageClassificationExplainer, inp: Json): Promise<void> {
  const r = await explainer.explain({ pixelValues: inp.pixel_values });
  expect(r.method).toBe('integrated-gradients');
  expect(r.predicted).toMatchObject({ index: inp.predicted_index, label: inp.predicted_label });
  expect(r.target).toEqual({ index: inp.predicted_index, label: inp.predicted_label });
  expectClose(r.logits, inp.logits_float32, 1e-4, 0, `${inp.id} logits`);
  expectClose(r.probabilities, inp.probs, 1e-5, 0, `${inp.id} probabilities`);
  expect(r.predicted.score).toBeCloseTo(inp.probs[inp.predicted_index], 5);
  const top = (inp.attributions as Json[]).find((a) => a.target.class_index === inp.predicted_index);
  expectClose(r.map.flat(), top.ig_zero_gausslegendre.sum_over_channels.flat(), 1e-4, 1e-3, `${inp.id} defaults = TI's IG`);
}
