// Cast: float→int truncates toward zero (int64/int32 saturate at the int32 range,
// int8/uint8 wrap), →bool is x ≠ 0 (NaN → true), int→float rounds to float32.
import { type DType, isFloat, tensor } from '../../../tensor.ts';
import { checkInputs } from '../../attrs.ts';
import { registerCpuKernel } from '../registry.ts';
import { toStorage } from './util.ts';

const DTYPES: readonly DType[] = ['float32', 'int64', 'int32', 'int8', 'uint8', 'bool'];
/** ONNX TensorProto.DataType codes, for a `to` given as a number. */
const ONNX_CODES: Record<number, DType> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  6: 'int32',
  7: 'int64',
  9: 'bool',
  10: 'float32',
  11: 'float32',
};

/** Registers the CPU kernels of cast.ts (called once, by the folder's index). */
export function registerCpuCast(): void {
  registerCpuKernel('Cast', (inputs, attrs) => {
    checkInputs('Cast', inputs, 1);
    const x = inputs[0]!;
    const toAttr = attrs.to;
    const to = typeof toAttr === 'number' ? ONNX_CODES[toAttr] : (toAttr as DType);
    if (!to || !DTYPES.includes(to)) throw new Error(`Cast: unsupported target type ${JSON.stringify(toAttr)}`);
    if (to === x.dtype) return [x];
    // Widening between integer types (and bool → int) keeps every stored value as is.
    if (!isFloat(x.dtype) && (to === 'int64' || to === 'int32')) return [tensor(to, x.shape, x.data)];
    return [tensor(to, x.shape, toStorage(to, x.data))];
  });
}
