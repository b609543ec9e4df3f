import { registerGradient } from './registry.ts';

// Reshape (also the lowering of Squeeze, Unsqueeze and Flatten): reshape back.
registerGradient('Reshape', ({ ops, inputs: [x] }, [g], needs) => {
  if (!g || !needs[0]) return [undefined];
  return [ops.reshape(g, x!.shape)];
});
