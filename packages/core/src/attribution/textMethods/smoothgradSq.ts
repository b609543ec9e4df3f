import { noiseTunnelMethod } from './noiseTunnel.ts';

/** SquareGrad: the mean squared gradient over noisy copies. */
export const smoothgradSq = noiseTunnelMethod('smoothgrad-sq', 'SmoothGrad² (SquareGrad)');
