import { optionalJson } from '../options.ts';
import { resolve } from 'node:path';
import { type ImageExplainInput, type ImageExplainOptions, InvalidInputError, type NestedPixels } from '@glassbox/core';
import { cliTask } from './task.ts';

/** The case's image: a file path (or URL) in `image`, or exact pixel values (nested arrays, or their JSON text from a flag) in `pixelValues`. */
export function imageInput(raw: Record<string, unknown>): ImageExplainInput {
  const { image, pixelValues } = raw;
  if (image !== undefined && pixelValues !== undefined)
    throw new InvalidInputError('give "image" or "pixelValues", not both', 'missing_input');
  if (typeof image === 'string' && image !== '') return /^[a-z][a-z0-9+.-]*:\/\//i.test(image) ? image : resolve(image);
  if (image !== undefined) throw new InvalidInputError(`"image" must be a file path, got ${JSON.stringify(image)}`, 'bad_image');
  if (pixelValues === undefined)
    throw new InvalidInputError('"image" (a file path) or "pixelValues" ([3][S][S] nested arrays) is required', 'missing_input');
  let values = pixelValues;
  if (typeof values === 'string') {
    try {
      values = JSON.parse(values);
    } catch {
      throw new InvalidInputError('"pixelValues" must be nested arrays [3][S][S] or [1][3][S][S] in JSON', 'bad_pixel_values');
    }
  }
  if (!Array.isArray(values))
    throw new InvalidInputError('"pixelValues" must be nested arrays [3][S][S] or [1][3][S][S]', 'bad_pixel_values');
  return { pixelValues: values as NestedPixels };
}

export const imageClassification = cliTask('image-classification', {
  inputs: ['image', 'pixelValues'],
  help: `image-classification: --image <file> | pixelValues ([3][S][S] or [1][3][S][S] nested arrays, in a JSONL line)
    methods: integrated-gradients (default: transformers-interpret's, raw logit, zero baseline, 50 Gauss-Legendre points),
    saliency, input-x-gradient, occlusion (patch-size windows), smoothgrad, smoothgrad-sq, vargrad
    → {predicted: {index, label, score}, target: {index, label}, convergenceDelta, map, logits}
    map: [H][W], the attribution summed over channels (saliency: max |gradient| over channels); occlusion: [H/P][W/P] logit drops per patch`,
  explain: async (explainer, raw, options) => {
    // Every common option goes to the explainer, which refuses those its method or image classification does not read.
    const r = await explainer.explain(imageInput(raw), options as ImageExplainOptions);
    return {
      predicted: r.predicted,
      target: r.target,
      convergenceDelta: r.convergenceDelta,
      map: r.map,
      logits: r.logits,
      ...optionalJson(r),
    };
  },
});
