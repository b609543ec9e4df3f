import { patchOcclusion } from '../imageOcclusion.ts';
import { imageMethod } from './imageMethod.ts';

/** Windows of pixels replaced by the baseline's, the model's patch by default; the map is one logit drop per window position. */
export const occlusion = imageMethod({
  name: 'occlusion',
  label: 'Occlusion (patches)',
  options: ['baseline', 'occlusion', 'internalBatchSize'],
  attribute: async (fn, x, { baseline, options, patch }) => {
    const { window = patch, stride = window } = options.occlusion ?? {};
    const { internalBatchSize, onProgress, signal } = options;
    const occ = await patchOcclusion(fn, x, { window, stride, baseline: baseline.data, internalBatchSize, onProgress, signal });
    return { attribution: occ, map: occ.drops };
  },
});
