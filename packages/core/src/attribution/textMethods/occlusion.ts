import { occlusion as run } from '../../methods/occlusion.ts';
import { MASKING_OPTIONS, SUM_DEFAULTS } from './optionGroups.ts';
import { perturbationMethod } from './textMethod.ts';

/**
 * Occlusion over units: windows of consecutive units removed together (Captum's Occlusion on
 * the unit sequence). At token granularity with a replacement token, attributeTokens runs
 * Captum's token occlusion instead (occluded ids scored as they are).
 */
export const occlusion = perturbationMethod({
  name: 'occlusion',
  label: 'Occlusion (leave one out)',
  options: [...MASKING_OPTIONS, 'occlusion'],
  defaults: SUM_DEFAULTS,
  sharesPass: false,
  shapley: false,
  attribute: async (masked, options) => {
    const units = Array.from({ length: masked.features }, (_, k) => k);
    const drops = await run(
      (rows) => masked.scores(rows.map((r) => Uint8Array.from(r))),
      units.map(() => 1),
      {
        replacement: 0,
        ...options.occlusion,
        batchSize: options.internalBatchSize,
        onProgress: options.onProgress,
        signal: options.signal,
      },
    );
    return { values: drops.values.map((v) => v ?? 0) };
  },
});
