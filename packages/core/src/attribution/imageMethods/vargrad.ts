import { noiseTunnelMethod } from './noiseTunnel.ts';

export const vargrad = noiseTunnelMethod('vargrad', 'VarGrad (noisy IG)');
