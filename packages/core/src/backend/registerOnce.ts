/**
 * A folder's registration function over its explicit list (as tfjs's register_all_kernels):
 * the first call runs each of `registers` in order, later calls do nothing.
 */
export function registerOnce(registers: readonly (() => void)[]): () => void {
  let registered = false;
  return () => {
    if (registered) return;
    registered = true;
    for (const register of registers) register();
  };
}
