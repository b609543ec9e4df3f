import { inputXGradient as run } from '../../methods/inputXGradient.ts';
import { imageMethod } from './imageMethod.ts';
import { channelSum } from './pixels.ts';

export const inputXGradient = imageMethod({
  name: 'input-x-gradient',
  label: 'Input × gradient',
  options: [],
  attribute: async (fn, x, { options }) => {
    const attribution = await run(fn, x);
    options.onProgress?.(1, 'input-x-gradient');
    return channelSum(attribution);
  },
});
