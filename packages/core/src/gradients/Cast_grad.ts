import { registerGradient } from './registry.ts';
import { isFloat } from '../tensor.ts';

/** Registers the vector-Jacobian products of Cast_grad.ts (called once, by the folder's index). */
export function registerCastGradients(): void {
  /**
   * Cast to a float type passes the gradient straight through, whatever the source type:
   * float→float is the identity, and int→float is the straight-through treatment the
   * quantized graphs rely on (MatMulInteger → Cast → Mul). A cast to an integer or bool
   * type passes no gradient.
   */
  registerGradient('Cast', ({ outputs: [y] }, [g], needs) => {
    if (!g || !needs[0] || !isFloat(y!.dtype)) return [undefined];
    return [g];
  });
}
