/**
 * The pieces both benchmark models are made of, node for node as PyTorch's ONNX exporter
 * (opset 14) writes HF transformers' modules: LayerNorm and exact GELU decomposed into
 * elementwise ops, and nn.Linear as MatMul with a stored [in, out] weight plus its bias.
 */
import type { OnnxGraph } from './onnxGraph.ts';

export const LAYER_NORM_EPS = 1e-12;

/** LayerNorm over the last axis: (x − mean) / √(var + eps) · weight + bias. */
export function layerNorm(g: OnnxGraph, scope: string, x: string, weight: string, bias: string): string {
  const mean = g.op(scope, 'ReduceMean', [x], { axes: [-1] });
  const centred = g.op(scope, 'Sub', [x, mean]);
  const variance = g.op(scope, 'ReduceMean', [g.op(scope, 'Pow', [centred, g.float(scope, 2)])], { axes: [-1] });
  const std = g.op(scope, 'Sqrt', [g.op(scope, 'Add', [variance, g.float(scope, LAYER_NORM_EPS)])]);
  return g.op(scope, 'Add', [g.op(scope, 'Mul', [g.op(scope, 'Div', [centred, std]), weight]), bias]);
}

/** Exact GELU: x · (erf(x / √2) + 1) · 0.5. */
export function gelu(g: OnnxGraph, scope: string, x: string): string {
  const erf = g.op(scope, 'Erf', [g.op(scope, 'Div', [x, g.float(scope, Math.SQRT2)])]);
  const product = g.op(scope, 'Mul', [x, g.op(scope, 'Add', [erf, g.float(scope, 1)])]);
  return g.op(scope, 'Mul', [product, g.float(scope, 0.5)]);
}

/** nn.Linear: bias + x · W, W stored [in, out]. */
export function linear(g: OnnxGraph, scope: string, x: string, weight: string, bias: string): string {
  return g.op(scope, 'Add', [bias, g.op(scope, 'MatMul', [x, weight])]);
}

/** Element `index` of x's shape, a scalar. */
export function shapeAt(g: OnnxGraph, scope: string, x: string, index: number): string {
  return g.op(scope, 'Gather', [g.op(scope, 'Shape', [x]), g.int64(scope, index)], { axis: 0 });
}

/** A scalar as a 1-D tensor of one value (a part of a shape to Concat). */
export function unsqueeze0(g: OnnxGraph, scope: string, scalar: string): string {
  return g.op(scope, 'Unsqueeze', [scalar, g.int64(scope, [0])]);
}
