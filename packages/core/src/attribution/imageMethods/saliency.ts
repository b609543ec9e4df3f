import { saliency as run } from '../../methods/saliency.ts';
import { imageMethod } from './imageMethod.ts';
import { perPixel } from './pixels.ts';

/** |gradient|, its map the largest over the channels (Captum's Saliency with abs). */
export const saliency = imageMethod({
  name: 'saliency',
  label: 'Saliency (gradient)',
  options: [],
  attribute: async (fn, x, { options }) => {
    const g = await run(fn, x);
    options.onProgress?.(1, 'saliency');
    const attribution = { ...g, values: g.values.map(Math.abs) };
    return { attribution, map: perPixel(attribution, Math.max, 0) };
  },
});
