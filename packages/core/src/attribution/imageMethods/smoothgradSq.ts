import { noiseTunnelMethod } from './noiseTunnel.ts';

export const smoothgradSq = noiseTunnelMethod('smoothgrad-sq', 'SmoothGrad² (noisy IG)');
