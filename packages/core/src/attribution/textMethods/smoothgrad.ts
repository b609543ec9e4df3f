import { noiseTunnelMethod } from './noiseTunnel.ts';

/** SmoothGrad: the mean gradient over noisy copies of the embeddings (`noise.type` may pick another noise tunnel). */
export const smoothgrad = noiseTunnelMethod('smoothgrad', 'SmoothGrad');
