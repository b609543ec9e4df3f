import { registerOnce } from '../backend/registerOnce.ts';
import { registerArithmeticGradients } from './arithmetic_grads.ts';
import { registerUnaryGradients } from './unary_grads.ts';
import { registerMinmaxGradients } from './minmax_grads.ts';
import { registerWhereGradients } from './Where_grad.ts';
import { registerCastGradients } from './Cast_grad.ts';
import { registerMatMulGradients } from './MatMul_grad.ts';
import { registerGemmGradients } from './Gemm_grad.ts';
import { registerMatMulIntegerGradients } from './MatMulInteger_grad.ts';
import { registerQuantizeGradients } from './quantize_grads.ts';
import { registerSoftmaxGradients } from './softmax_grads.ts';
import { registerLayerNormalizationGradients } from './LayerNormalization_grad.ts';
import { registerReduceGradients } from './reduce_grads.ts';
import { registerReshapeGradients } from './Reshape_grad.ts';
import { registerExpandGradients } from './Expand_grad.ts';
import { registerTransposeGradients } from './Transpose_grad.ts';
import { registerConcatGradients } from './Concat_grad.ts';
import { registerSliceGradients } from './Slice_grad.ts';
import { registerSplitGradients } from './Split_grad.ts';
import { registerGatherGradients } from './Gather_grad.ts';
import { registerCumSumGradients } from './CumSum_grad.ts';
import { registerConvGradients } from './Conv_grad.ts';

/** Every op's vector-Jacobian product, by the explicit list below (as tfjs's register_all_gradients); backward() calls it before its first pass. Idempotent. */
export const registerAllGradients = registerOnce([
  registerArithmeticGradients,
  registerUnaryGradients,
  registerMinmaxGradients,
  registerWhereGradients,
  registerCastGradients,
  registerMatMulGradients,
  registerGemmGradients,
  registerMatMulIntegerGradients,
  registerQuantizeGradients,
  registerSoftmaxGradients,
  registerLayerNormalizationGradients,
  registerReduceGradients,
  registerReshapeGradients,
  registerExpandGradients,
  registerTransposeGradients,
  registerConcatGradients,
  registerSliceGradients,
  registerSplitGradients,
  registerGatherGradients,
  registerCumSumGradients,
  registerConvGradients,
]);
