import { noiseTunnelMethod } from './noiseTunnel.ts';

export const smoothgrad = noiseTunnelMethod('smoothgrad', 'SmoothGrad (noisy IG)');
