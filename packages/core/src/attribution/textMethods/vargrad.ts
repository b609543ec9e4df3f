import { noiseTunnelMethod } from './noiseTunnel.ts';

/** VarGrad: the variance of the gradient over noisy copies. */
export const vargrad = noiseTunnelMethod('vargrad', 'VarGrad');
